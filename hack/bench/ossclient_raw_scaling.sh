#!/usr/bin/env bash
# Benchmark: does ossclient's raw GET throughput scale with parallel streams?
# In one run against one oss-emulator (page-cache backed, optional first-byte
# latency), alternates per round: the curl CLI (one stream), and
# `ossvp-readbench --mode raw --parallel P` (P parallel ranged GETs of PART
# through ossclient into memory) for every P in PARALLEL. Prints each round
# and the median MB/s of each side (the machine is shared: use medians).
#
# Usage: hack/bench/ossclient_raw_scaling.sh [BIN_DIR]
#   SIZE_MIB (512) object size   ROUNDS (5)   PARALLEL ("1 4 16")
#   PART (8M) ranged GET size    LATENCY_MS (0) emulator first-byte latency
#   BASE_BIN (unset): a second build's bin dir (e.g. the previous commit's);
#     its ossvp-readbench runs in the same rounds, labelled "base", for a
#     before/after comparison on the same emulator at the same time.
set -euo pipefail
source "$(dirname "$0")/../lib/emulator.sh"
BIN=${1:-${OSSVP_BIN:-build/bin}}
SIZE_MIB=${SIZE_MIB:-512}
ROUNDS=${ROUNDS:-5}
PARALLEL=${PARALLEL:-"1 4 16"}
PART=${PART:-8M}
LATENCY_MS=${LATENCY_MS:-0}
for b in "$BIN/ossvp-readbench" "$BIN/oss-emulator"; do
  [[ -x "$b" ]] || { echo "missing $b: build ossvp-readbench and oss-emulator first" >&2; exit 2; }
done

WORK=$(mktemp -d)
emulator_exit_trap EMU "$WORK"

mkdir -p "$WORK/seed"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/seed/big.bin"
OSS_EMULATOR_SECRET_KEY=SKBENCH EMULATOR_BIN=$BIN/oss-emulator emulator_start EMU "$WORK/emu.out" "$WORK/emu.out" --data-dir "$WORK/data" \
  --access-key AKBENCH --allow-anonymous --latency-ms "$LATENCY_MS" --seed "bench=$WORK/seed" --log-level error || exit 1
ENDPOINT=$EMU_URL
export ALIBABA_CLOUD_ACCESS_KEY_ID=AKBENCH ALIBABA_CLOUD_ACCESS_KEY_SECRET=SKBENCH
BYTES=$((SIZE_MIB * 1024 * 1024))

curl_mbps() {
  local t
  t=$(curl -sf -o /dev/null -w '%{time_total}' "$ENDPOINT/bench/big.bin")
  awk -v b="$BYTES" -v t="$t" 'BEGIN { printf "%.1f", b / t / 1e6 }'
}
raw_mbps() {  # PARALLEL [BIN]
  "${2:-$BIN}/ossvp-readbench" --endpoint "$ENDPOINT" --bucket bench --mode raw --part "$PART" --parallel "$1" big.bin |
    sed -n 's/.*"MBps":\([0-9.]*\).*/\1/p'
}

curl_mbps > /dev/null; raw_mbps 1 > /dev/null  # warm the page cache and both paths
for r in $(seq 1 "$ROUNDS"); do
  line="round $r: curl $(curl_mbps | tee -a "$WORK/curl")"
  echo >> "$WORK/curl"
  for p in $PARALLEL; do
    v=$(raw_mbps "$p")
    echo "$v" >> "$WORK/raw$p"
    line+=", raw x$p $v"
    if [[ -n "${BASE_BIN:-}" ]]; then
      v=$(raw_mbps "$p" "$BASE_BIN")
      echo "$v" >> "$WORK/base$p"
      line+=" (base $v)"
    fi
  done
  echo "$line MB/s"
done
median() { sort -n "$1" | awk 'NF {a[++n]=$1} END {print a[int((n+1)/2)]}'; }
printf 'object %d MiB, part %s, latency %d ms, %d rounds; medians (MB/s):\n' "$SIZE_MIB" "$PART" "$LATENCY_MS" "$ROUNDS"
printf '  curl CLI (1 stream): %s\n' "$(median "$WORK/curl")"
for p in $PARALLEL; do
  printf '  ossclient raw x%-3s  %s' "$p:" "$(median "$WORK/raw$p")"
  [[ -n "${BASE_BIN:-}" ]] && printf '   (base: %s)' "$(median "$WORK/base$p")"
  echo
done
