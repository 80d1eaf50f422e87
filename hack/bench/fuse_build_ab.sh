#!/usr/bin/env bash
# Two ossmount builds, alternating, on fuse_bench.sh's job 1 (one thread, 1 MiB
# O_DIRECT reads of one file) against one emulator: per run the rate, the
# mount's CPU time and its page faults (perf stat), so a change that saves CPU
# shows even when the rate is noisy. Needs root, fio and perf.
#   hack/bench/fuse_build_ab.sh BASE_OSSMOUNT NEW_OSSMOUNT
#   SIZE_MB (4096), ROUNDS (3), PROFILE (cloud), OSSVP_BIN (build/bin: the emulator)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${OSSVP_BIN:-$ROOT/build/bin}
source "$ROOT/hack/lib/emulator.sh"
BASE=$1 NEW=$2
SIZE_MB=${SIZE_MB:-4096} ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d /var/tmp/ossvp-build-ab.XXXXXX)
MNT=$WORK/mnt
mkdir -p "$MNT" "$WORK/seed"
export ALIBABA_CLOUD_ACCESS_KEY_ID=ossvp-emulator-ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=ossvp-emulator-sk
cleanup() { fusermount3 -u "$MNT" 2>/dev/null || true; emulator_stop EMU || true; rm -rf "$WORK"; }
trap cleanup EXIT
head -c $((SIZE_MB << 20)) /dev/urandom > "$WORK/seed/f.bin"
EMULATOR_START_TIMEOUT=300 emulator_start EMU "$WORK/emu.log" "$WORK/emu.log" --data-dir "$WORK/emu" \
  --seed "bench=$WORK/seed" --profile "${PROFILE:-cloud}" --log-level warn || exit 1

run() {  # LABEL OSSMOUNT
  "$2" -f bench "$MNT" -o "endpoint=$EMU_URL,region=cn-hangzhou,log_file=$WORK/ossmount.log" &
  local pid=$!
  for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
  perf stat -x, -e page-faults,task-clock -p "$pid" -o "$WORK/stat" &
  local sp=$!
  sleep 0.3
  local mbps
  mbps=$(fio --output-format=json --eta=never --thread --ioengine=psync --name=seq --rw=read --bs=1M --direct=1 \
    --filename="$MNT/f.bin" --size="${SIZE_MB}M" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["bw_bytes"]/1e6))')
  kill -INT "$sp"; wait "$sp" || true
  fusermount3 -u "$MNT"; wait "$pid" || true
  awk -F, -v l="$1" -v r="$mbps" '$3 == "page-faults" {f=$1} $3 == "task-clock" {c=$1} END {printf "%-5s %6s MB/s  mount CPU %6.2f s  page faults %s\n", l, r, c/1000, f}' "$WORK/stat"
}
for _ in $(seq "$ROUNDS"); do run base "$BASE"; run new "$NEW"; done
