#!/usr/bin/env bash
# Before/after benchmark of ossvp-populator alone: two builds copy the same
# dataset from one oss-emulator (first-byte latency injected), alternating
# per round, into fresh local directories. Prints wall time, MB/s, peak RSS
# and the emulator's HeadObject count per run, then the medians.
#
# Usage: hack/bench/populator_ab.sh BASE_BIN NEW_BIN   (each holds ossvp-populator;
#   NEW_BIN also oss-emulator)
#   BIG_FILES (4) x BIG_MB (256), SMALL_FILES (2000) x SMALL_KB (128),
#   LATENCY_MS (5), ROUNDS (3), CONC (32; "auto": the populator's adaptive
#   default), BUDGET (512MiB), PROFILE (unset: --latency-ms LATENCY_MS; else the
#   emulator's network profile, e.g. cloud), DST_ROOT (where copies land;
#   default inside the work dir, e.g. /dev/shm takes the disk out)
set -euo pipefail
source "$(dirname "$0")/../lib/emulator.sh"
BASE=$1 NEW=$2
BIG_FILES=${BIG_FILES:-4} BIG_MB=${BIG_MB:-256} SMALL_FILES=${SMALL_FILES:-2000} SMALL_KB=${SMALL_KB:-128}
LATENCY_MS=${LATENCY_MS:-5} ROUNDS=${ROUNDS:-3} CONC=${CONC:-32} BUDGET=${BUDGET:-512MiB}
WORK=$(mktemp -d)
DST=${DST_ROOT:-$WORK}/ossvp-ab-dst
emulator_exit_trap EMU "$WORK"
mkdir -p "$WORK/seed/ds/big" "$WORK/seed/ds/small"
for i in $(seq 1 "$BIG_FILES"); do head -c $((BIG_MB << 20)) /dev/urandom > "$WORK/seed/ds/big/f$i.bin"; done
head -c $((SMALL_FILES * SMALL_KB * 1024)) /dev/urandom | split -b $((SMALL_KB * 1024)) -a 5 - "$WORK/seed/ds/small/s"
OSS_EMULATOR_SECRET_KEY=SKB EMULATOR_BIN=$NEW/oss-emulator emulator_start EMU "$WORK/emu.out" "$WORK/emu.out" --data-dir "$WORK/data" \
  --access-key AKB $(if [[ -n ${PROFILE:-} ]]; then echo "--profile $PROFILE"; else echo "--latency-ms $LATENCY_MS"; fi) --seed "bkt=$WORK/seed" --log-level error || exit 1
URL=$EMU_URL
heads() { curl -sf "$URL/-/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["operations"].get("HeadObject",{}).get("count",0))'; }
BYTES=$(( BIG_FILES * (BIG_MB << 20) + SMALL_FILES * SMALL_KB * 1024 ))
run() {  # LABEL BIN
  rm -rf "$DST"; mkdir -p "$DST"
  local h0 h1 t
  h0=$(heads)
  t=$( { ALIBABA_CLOUD_ACCESS_KEY_ID=AKB ALIBABA_CLOUD_ACCESS_KEY_SECRET=SKB /usr/bin/time -f '%e %M' \
       "$2/ossvp-populator" --endpoint "$URL" --region cn-hangzhou --bucket bkt --path /ds/ --target "$DST" \
       --termination-log "$WORK/term" --progress none $([[ $CONC == auto ]] || echo "--concurrency $CONC") --memory-budget "$BUDGET" \
       > /dev/null 2> "$WORK/err"; } 2>&1; tail -1 "$WORK/err")
  h1=$(heads)
  read -r secs rss <<< "$t"
  local mbps; mbps=$(awk -v b="$BYTES" -v s="$secs" 'BEGIN { printf "%.1f", b / s / 1e6 }')
  echo "$mbps" >> "$WORK/$1"
  printf '%-5s %6.1f s %7s MB/s  peak RSS %4d MiB  HEADs %s\n' "$1" "$secs" "$mbps" $((rss / 1024)) "$((h1 - h0))" 2>/dev/null ||
    echo "$1 $secs s $mbps MB/s rss ${rss}KiB heads $h0->$h1"
}
for r in $(seq 1 "$ROUNDS"); do echo "round $r"; run base "$BASE"; run new "$NEW"; done
median() { sort -n "$1" | awk 'NF {a[++n]=$1} END {print a[int((n+1)/2)]}'; }
printf 'dataset %d x %d MiB + %d x %d KiB, network %s, concurrency %s, budget %s: median MB/s base %s, new %s\n' \
  "$BIG_FILES" "$BIG_MB" "$SMALL_FILES" "$SMALL_KB" "${PROFILE:-latency $LATENCY_MS ms}" "$CONC" "$BUDGET" "$(median "$WORK/base")" "$(median "$WORK/new")"
