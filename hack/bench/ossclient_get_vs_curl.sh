#!/usr/bin/env bash
# Benchmark: one large GET through ossclient (ossctl cat, signed V4, CRC64
# verified) against the curl command-line tool on the same object from the
# same OSS emulator in the same run. Prints both throughputs and the ratio
# ossclient/curl (target >= 0.90).
#
# Usage: hack/bench/ossclient_get_vs_curl.sh [BIN_DIR]
#   SIZE_MIB (default 1024)  object size
#   ROUNDS   (default 5)     alternating rounds; the best of each side counts
set -euo pipefail
source "$(dirname "$0")/../lib/emulator.sh"
BIN=${1:-${OSSVP_BIN:-build/bin}}
SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-5}
for b in "$BIN/ossctl" "$BIN/oss-emulator"; do
  [[ -x "$b" ]] || { echo "missing $b: build the ossctl and oss-emulator targets first" >&2; exit 2; }
done
command -v curl > /dev/null || { echo "curl is required" >&2; exit 2; }

WORK=$(mktemp -d)
emulator_exit_trap EMU "$WORK"

mkdir -p "$WORK/seed"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/seed/big.bin"
OSS_EMULATOR_SECRET_KEY=SKBENCH EMULATOR_BIN=$BIN/oss-emulator emulator_start EMU "$WORK/emu.out" "$WORK/emu.out" --data-dir "$WORK/data" \
  --access-key AKBENCH --allow-anonymous --seed "bench=$WORK/seed" --log-level error || exit 1
ENDPOINT=$EMU_URL
URL="$ENDPOINT/bench/big.bin"
export ALIBABA_CLOUD_ACCESS_KEY_ID=AKBENCH ALIBABA_CLOUD_ACCESS_KEY_SECRET=SKBENCH

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
run_curl() { curl -sf -o /dev/null "$URL"; }
run_ossclient() { "$BIN/ossctl" --endpoint "$ENDPOINT" --region cn-hangzhou cat oss://bench/big.bin > /dev/null; }

run_curl; run_ossclient  # warm the page cache and both code paths
best_curl=999999
best_oss=999999
: > "$WORK/times"
for r in $(seq 1 "$ROUNDS"); do
  t0=$(now); run_curl; t1=$(now); run_ossclient; t2=$(now)
  c=$(calc "$t1 - $t0"); o=$(calc "$t2 - $t1")
  printf 'round %d: curl %.3f s, ossclient %.3f s\n' "$r" "$c" "$o"
  echo "$c $o" >> "$WORK/times"
  best_curl=$(calc "($c < $best_curl) ? $c : $best_curl")
  best_oss=$(calc "($o < $best_oss) ? $o : $best_oss")
done
curl_mibs=$(calc "$SIZE_MIB / $best_curl")
oss_mibs=$(calc "$SIZE_MIB / $best_oss")
ratio=$(calc "$oss_mibs / $curl_mibs")
printf 'object: %d MiB, best of %d rounds\n' "$SIZE_MIB" "$ROUNDS"
printf 'curl CLI:  %8.1f MiB/s\n' "$curl_mibs"
printf 'ossclient: %8.1f MiB/s (V4-signed, CRC64 verified)\n' "$oss_mibs"
med_curl=$(awk '{print $1}' "$WORK/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
med_oss=$(awk '{print $2}' "$WORK/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'median:    curl %.1f MiB/s, ossclient %.1f MiB/s, ratio %.2f\n' \
  "$(calc "$SIZE_MIB / $med_curl")" "$(calc "$SIZE_MIB / $med_oss")" "$(calc "$med_curl / $med_oss")"
printf 'ratio ossclient/curl (best): %.2f (target >= 0.90)\n' "$ratio"
