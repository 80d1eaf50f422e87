#!/usr/bin/env bash
# Benchmark: ossvp-populator vs `rclone copy` vs `aws s3 cp --recursive` vs
# the raw limit (parallel ranged GETs to /dev/null), copying one mixed dataset
# from the OSS emulator (with injected first-byte latency) into a local
# directory, side by side in one run. Prints a Markdown table; record it in
# docs/performance-populator.md.
#
# Scale with env: BENCH_BIG_FILES (4) x BENCH_BIG_MB (1024) large files,
# BENCH_SMALL_FILES (10000) x BENCH_SMALL_KB (128) small files,
# PROFILES ("loopback cloud": the emulator's network shapes, one table each;
# the script runs itself once per profile), BENCH_LATENCY_MS (overrides the
# profile's first-byte latency when set), BENCH_CONCURRENCY (32, used for
# rclone and aws), BENCH_POPULATOR_CONCURRENCY (unset: the populator's
# default, which adapts; N: `--concurrency N`, fixed), BENCH_RAW_INFLIGHT ("16 32 64 128": the raw
# limits are the best of these settings, measured with curl, which shares no
# code with ossvp),
# BENCH_MEMORY_BUDGET (512MiB, the populator's), BENCH_DIR (a temp dir),
# BENCH_TARGET_DIR (where the copies land; default inside BENCH_DIR; e.g.
# /dev/shm takes the local disk out of the comparison), BENCH_LARGE_ROUNDS (3:
# the raw limit and the populator's large-file copy alternate this many times;
# the "% of raw" line is the median of the per-round ratios, since single runs
# on a small box vary by ~30 %).
# BENCH_OUT (a temp dir): where results.md (every table) and the chart
# results.svg (+ .png with rsvg-convert) are written.
# The populator makes the copy durable (syncfs) before it exits; rclone and
# aws do not, so each also runs once followed by `sync -f` on the target
# ("+ sync" rows: the time until the data is on the volume). The "disk write
# limit" row is dd of the large files' size to the target with fsync.
# Needs build/bin/{oss-emulator,ossvp-populator} (OSSVP_BIN to override).
set -euo pipefail
if [[ -z "${BENCH_PROFILE:-}" ]]; then
  HOST_MEMORY="$(cd "$(dirname "$0")" && pwd)/lib/host_memory.sh"
  trap '"$HOST_MEMORY" resume' EXIT
  "$HOST_MEMORY" pause # else a run pays for the memory the one before it freed
  OUT=${BENCH_OUT:-$(mktemp -d /tmp/ossvp-populator-bench.XXXXXX)}
  mkdir -p "$OUT"
  for profile in ${PROFILES:-loopback cloud}; do
    echo "## profile $profile"
    BENCH_PROFILE=$profile bash "$0" "$@"
  done | tee "$OUT/results.md"
  # The chart: the whole mixed set per profile, the raw row at its best setting.
  python3 - "$OUT/results.md" <<'PY' | python3 "$(dirname "$0")/lib/bar_chart.py" "$OUT/results.svg"
import json, re, sys
groups, bars = [], None
for line in open(sys.argv[1]):
    if line.startswith("## profile "):
        bars = {}
        groups.append({"title": "whole set, MB/s: " + line[3:].strip(), "bars": bars})
    m = re.match(r"\| (.+?) \| [0-9.]+ \| ([0-9.]+) \| [0-9.]+ \|$", line.strip())
    if bars is None or not m or "(all" not in m.group(1) or "+ sync" in m.group(1):
        continue
    name = "raw GETs, best" if m.group(1).startswith("raw GETs") else m.group(1).replace(" (all)", "")
    bars[name] = max(bars.get(name, 0.0), float(m.group(2)))
for g in groups:
    g["bars"] = sorted(g["bars"].items(), key=lambda kv: kv[0] != "ossvp-populator")
json.dump(groups, sys.stdout)
PY
  echo "tables: $OUT/results.md"
  exit 0
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${OSSVP_BIN:-$ROOT/build/bin}
source "$ROOT/hack/lib/emulator.sh"
BIG_FILES=${BENCH_BIG_FILES:-4}
BIG_MB=${BENCH_BIG_MB:-1024}
SMALL_FILES=${BENCH_SMALL_FILES:-10000}
SMALL_KB=${BENCH_SMALL_KB:-128}
LATENCY=${BENCH_LATENCY_MS:-}
RAW_INFLIGHT=${BENCH_RAW_INFLIGHT:-16 32 64 128}
CONC=${BENCH_CONCURRENCY:-32}
POP_CONC=${BENCH_POPULATOR_CONCURRENCY:-}
BUDGET=${BENCH_MEMORY_BUDGET:-512MiB}
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/ossvp-bench.XXXXXX")
DST=${BENCH_TARGET_DIR:+$(mktemp -d "$BENCH_TARGET_DIR/ossvp-bench-dst.XXXXXX")}
DST=${DST:-$WORK/dst}
AK=benchAK
SK=benchSK-0123456789
emulator_exit_trap EMU "$WORK" "$DST"

SHAPE="profile $BENCH_PROFILE${LATENCY:+, latency overridden to $LATENCY ms}"
echo "# dataset: $BIG_FILES x ${BIG_MB} MiB + $SMALL_FILES x ${SMALL_KB} KiB; $SHAPE; concurrency $CONC" \
  "(populator: ${POP_CONC:-adaptive})" >&2
SEED=$WORK/seed
mkdir -p "$SEED/ds/big" "$SEED/ds/small"
for i in $(seq 1 "$BIG_FILES"); do
  head -c $((BIG_MB << 20)) /dev/urandom > "$SEED/ds/big/model-$i.safetensors"
done
python3 - "$SEED/ds/small" "$SMALL_FILES" "$SMALL_KB" <<'PY'
import os, sys
d, n, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
block = os.urandom(kb * 1024)
for i in range(n):
    sub = os.path.join(d, f"shard-{i % 100:03d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"sample-{i:06d}.bin"), "wb") as f:
        f.write(i.to_bytes(8, "little") + block[8:])
PY
BIG_BYTES=$((BIG_FILES * (BIG_MB << 20)))
ALL_BYTES=$((BIG_BYTES + SMALL_FILES * (SMALL_KB << 10)))

# Seeding indexes (and checksums) the whole dataset first: allow it 300 s.
OSS_EMULATOR_SECRET_KEY=$SK EMULATOR_BIN=$BIN/oss-emulator EMULATOR_START_TIMEOUT=300 emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" \
  --data-dir "$WORK/emu" --region cn-hangzhou --access-key "$AK" --allow-anonymous \
  --profile "$BENCH_PROFILE" ${LATENCY:+--latency-ms "$LATENCY"} --seed "bkt=$SEED" || exit 1
URL=$EMU_URL

# run NAME BYTES CMD...: wall time and peak RSS of CMD (GNU time), into the table.
RESULTS=()
run() {
  local name=$1 bytes=$2
  shift 2
  rm -rf "$DST" && mkdir -p "$DST"
  sync
  echo "running $name ..." >&2
  local s e rss
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || {
    echo "$name failed:" >&2; tail -5 "$WORK/$name.err" >&2; RESULTS+=("| $name | failed | | | |"); return; }
  e=$(date +%s.%N)
  rss=$(tail -1 "$WORK/rss")
  LAST_SECS=$(python3 -c "print(float('$e') - float('$s'))")
  RESULTS+=("$(python3 -c "
s,e,b,r='$s','$e',$bytes,$rss
t=float(e)-float(s)
print(f'| $name | {t:.1f} | {b/1e6/t:.0f} | {r/1024:.0f} |')")")
}

# Each contender is a small script, so GNU time measures it (and its children).
HOST=oss-cn-hangzhou-internal.aliyuncs.com
cat > "$WORK/pop.sh" <<SH
#!/usr/bin/env bash
export ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK
exec "$BIN/ossvp-populator" --endpoint $HOST --region cn-hangzhou --endpoint-override "$HOST=$URL" \\
  --bucket bkt --target "$DST" --termination-log "$WORK/term" --progress none \\
  ${POP_CONC:+--concurrency $POP_CONC} --memory-budget $BUDGET "\$@"
SH
# rclone's S3 backend with its best flags for this mix; aws-sdk-go in rclone
# rejects a custom AWS_CA_BUNDLE over plain http, so it is dropped.
cat > "$WORK/rclone.sh" <<SH
#!/usr/bin/env bash
set -e
export RCLONE_CONFIG_EMU_TYPE=s3 RCLONE_CONFIG_EMU_PROVIDER=Other RCLONE_CONFIG_EMU_ENDPOINT=$URL
export RCLONE_CONFIG_EMU_ACCESS_KEY_ID=$AK RCLONE_CONFIG_EMU_SECRET_ACCESS_KEY=$SK RCLONE_CONFIG_EMU_REGION=cn-hangzhou
export RCLONE_CONFIG_EMU_FORCE_PATH_STYLE=true
env -u AWS_CA_BUNDLE rclone copy --transfers $CONC --checkers $CONC --multi-thread-streams 8 \\
  --multi-thread-cutoff 64M --buffer-size 16M --no-check-dest -q emu:bkt/ds "$DST"
[[ -z "\${SYNC:-}" ]] || sync -f "$DST"
SH
cat > "$WORK/aws.cfg" <<CFG
[default]
region = cn-hangzhou
s3 =
  max_concurrent_requests = $CONC
  multipart_threshold = 64MB
  multipart_chunksize = 8MB
  addressing_style = path
CFG
cat > "$WORK/aws.sh" <<SH
#!/usr/bin/env bash
set -e
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_CONFIG_FILE=$WORK/aws.cfg AWS_EC2_METADATA_DISABLED=true
aws --endpoint-url $URL s3 cp --recursive --only-show-errors s3://bkt/ds "$DST"
[[ -z "\${SYNC:-}" ]] || sync -f "$DST"
SH
# The raw limits: one curl process with RAW_P transfers in flight
# (--parallel), every body to /dev/null: 8 MiB ranged GETs of the large files
# (raw.cfg), plus one whole GET per small file (raw-all.cfg).
python3 - "$URL" "$SEED/ds" "$WORK" <<'PY'
import os, sys
url, ds, work = sys.argv[1:]
def entry(key, rng=None):
    return f'url = "{url}/bkt/ds/{key}"\n' + (f"range = {rng}\n" if rng else "") + "output = /dev/null\n"
big = []
for name in sorted(os.listdir(f"{ds}/big")):
    size = os.path.getsize(f"{ds}/big/{name}")
    big += [entry(f"big/{name}", f"{o}-{min(o + (8 << 20), size) - 1}") for o in range(0, size, 8 << 20)]
small = [entry(os.path.relpath(os.path.join(d, f), ds)) for d, _, fs in os.walk(f"{ds}/small") for f in fs]
open(f"{work}/raw.cfg", "w").write("next\n".join(big))
open(f"{work}/raw-all.cfg", "w").write("next\n".join(big + small))
PY
cat > "$WORK/raw.sh" <<SH
#!/usr/bin/env bash
exec curl -sf --no-progress-meter --parallel --parallel-max \$RAW_P -K "$WORK/\${RAW_CFG:-raw.cfg}"
SH
chmod +x "$WORK"/*.sh

cat > "$WORK/dd.sh" <<SH
#!/usr/bin/env bash
exec dd if=/dev/zero of="$DST/dd.bin" bs=8M count=$((BIG_BYTES >> 23)) conv=fsync status=none
SH
chmod +x "$WORK/dd.sh"
run "disk write limit (dd with fsync, large-file bytes)" "$BIG_BYTES" "$WORK/dd.sh"
# best_raw NAME BYTES: runs raw.sh at every RAW_INFLIGHT setting; LAST_SECS = the fastest.
best_raw() {
  local name=$1 bytes=$2 best= p
  for p in $RAW_INFLIGHT; do
    LAST_SECS=
    RAW_P=$p run "$name, curl $p in flight" "$bytes" "$WORK/raw.sh"
    if [[ -n "$LAST_SECS" ]] && { [[ -z "$best" ]] || python3 -c "import sys; sys.exit(not $LAST_SECS < $best)"; }; then
      best=$LAST_SECS
    fi
  done
  LAST_SECS=$best
}
export RAW_P RAW_CFG
RATIOS=()
for r in $(seq 1 "${BENCH_LARGE_ROUNDS:-3}"); do
  best_raw "raw ranged GETs (large files), round $r" "$BIG_BYTES"
  raw_secs=$LAST_SECS
  LAST_SECS=
  run "ossvp-populator (large files), round $r" "$BIG_BYTES" "$WORK/pop.sh" --path /ds/big/
  [[ -n "$raw_secs" && -n "$LAST_SECS" ]] && RATIOS+=("$(python3 -c "print($raw_secs / $LAST_SECS)")")
done
RAW_CFG=raw-all.cfg best_raw "raw GETs (all: large ranged + small whole)" "$ALL_BYTES"
raw_all_secs=$LAST_SECS
LAST_SECS=
run "ossvp-populator (all)" "$ALL_BYTES" "$WORK/pop.sh" --path /ds/
pop_all_secs=$LAST_SECS
POP_SETTLED=$(python3 -c "import json,sys; c=json.load(open(sys.argv[1])).get('concurrency',{}); print(f\"{c.get('mode','?')}, settled at {c.get('settled','?')}, peak {c.get('peak','?')}\")" "$WORK/term" 2>/dev/null || echo unknown)
run "rclone copy (all)" "$ALL_BYTES" "$WORK/rclone.sh"
run "aws s3 cp --recursive (all)" "$ALL_BYTES" "$WORK/aws.sh"
export SYNC=1
run "rclone copy + sync (all)" "$ALL_BYTES" "$WORK/rclone.sh"
run "aws s3 cp --recursive + sync (all)" "$ALL_BYTES" "$WORK/aws.sh"
unset SYNC

echo
echo "target: $DST ($(df --output=source "$DST" | tail -1)); dataset: $BIG_FILES x ${BIG_MB} MiB + $SMALL_FILES x ${SMALL_KB} KiB ($(python3 -c "print(round($ALL_BYTES/2**30,2))") GiB), emulator $SHAPE, concurrency $CONC (raw: best of $RAW_INFLIGHT in flight), populator memory budget $BUDGET and concurrency ${POP_CONC:-adaptive} (whole set: $POP_SETTLED), $(nproc) cores"
echo
echo "| tool | wall s | MB/s | peak RSS MiB |"
echo "|---|---|---|---|"
printf '%s\n' "${RESULTS[@]}"
echo
[[ -n "${raw_all_secs:-}" && -n "${pop_all_secs:-}" ]] &&
  python3 -c "print(f'populator / raw limit on the whole mixed set: {$raw_all_secs / $pop_all_secs:.0%}')"
python3 - "${RATIOS[@]}" <<'PY'
import statistics, sys
r = [float(x) for x in sys.argv[1:]]
if r:
    print(f"populator / raw limit on the large files (throughput): median {statistics.median(r):.0%} "
          f"of {len(r)} alternating rounds ({', '.join(f'{x:.0%}' for x in r)})")
PY
