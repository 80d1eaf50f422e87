#!/usr/bin/env bash
# ossmount (default options) vs the raw limit on fuse_bench.sh's jobs 1 and 2,
# alternating raw and FUSE runs for ROUNDS rounds on one emulator, so the
# "% of raw" is not at the mercy of one noisy sample. Needs root and the data
# that hack/bench/fuse_bench.sh generated (BENCH_DIR, default /tmp/ossvp-fuse-bench).
#   OSSVP_BIN=build/bin ROUNDS=3 LATENCY_MS=5 hack/bench/fuse_raw_ab.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${OSSVP_BIN:-$ROOT/build/bin}
source "$ROOT/hack/lib/emulator.sh"
DATA=${BENCH_DIR:-/tmp/ossvp-fuse-bench}/data
[[ -f "$DATA/seq.bin" && -f "$DATA/four/f3" ]] || { echo "no benchmark data in $DATA: run hack/bench/fuse_bench.sh first" >&2; exit 2; }
WORK=$(mktemp -d /tmp/ossvp-fuse-ab.XXXXXX)
MNT=$WORK/mnt
mkdir -p "$MNT"
export ALIBABA_CLOUD_ACCESS_KEY_ID=ossvp-emulator-ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=ossvp-emulator-sk
cleanup() { fusermount3 -u "$MNT" 2>/dev/null || true; emulator_stop EMU || true; rm -rf "$WORK"; }
trap cleanup EXIT
EMULATOR_START_TIMEOUT=300 emulator_start EMU "$WORK/emu.log" "$WORK/emu.log" --data-dir "$WORK/emu" \
  --seed "bench=$DATA" --latency-ms "${LATENCY_MS:-5}" --log-level warn || exit 1

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
mbps() { awk -F';' '{printf "%.0f", $7 * 1024 / 1e6}'; }  # fio terse: field 7 = read KiB/s
fio_job() { fio --thread --ioengine=psync --output-format=terse --eta=never --group_reporting "$@" | mbps; }
raw() { "$BIN/ossvp-readbench" --endpoint "$EMU_URL" --bucket bench --mode raw --parallel 16 "$@" |
        python3 -c "import json,sys; print(round(json.load(sys.stdin)['MBps']))"; }
mounted() { "$BIN/ossmount" bench "$MNT" -o "endpoint=$EMU_URL,region=cn-hangzhou,log_file=$WORK/mount.log"; drop; "$@"; fusermount3 -u "$MNT"; sleep 1; }
job1() { fio_job --name=seq --rw=read --bs=1M --direct=1 --filename="$MNT/seq.bin" --size="$(stat -c %s "$DATA/seq.bin")"; }
job2() { fio_job $(for i in 0 1 2 3; do echo "--name=f$i --rw=read --bs=1M --direct=1 --filename=$MNT/four/f$i --size=$(stat -c %s "$DATA/four/f$i")"; done); }

for r in $(seq 1 "${ROUNDS:-3}"); do
  drop; r1=$(raw seq.bin); m1=$(mounted job1)
  drop; r2=$(raw four/f0 four/f1 four/f2 four/f3); m2=$(mounted job2)
  echo "round $r: job1 raw $r1 MB/s, ossmount $m1 MB/s ($((100 * m1 / r1))%) | job2 raw $r2 MB/s, ossmount $m2 MB/s ($((100 * m2 / r2))%)"
done
