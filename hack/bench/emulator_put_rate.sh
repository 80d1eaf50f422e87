#!/usr/bin/env bash
# How fast oss-emulator takes PUT bodies (issue 15: ">= 1 GB/s of PUT bodies
# on loopback", so that no write benchmark is bounded by our own test server).
# The client is curl, which shares no code with ours and costs little CPU:
# it sends one 8 MiB body file from tmpfs many times.
#   - PutObject: PUT_COUNT objects, PUT_PARALLEL transfers in flight;
#   - UploadPart: the same bytes as PUT_COUNT parts of one multipart upload
#     (the path ossmount's writes take), then CompleteMultipartUpload, untimed.
# Both ETag digests (--etag md5, as OSS; --etag crc64, what the benchmarks
# use: OSS hashes on its own hardware, the emulator on the client's cores).
# Every setting runs ROUNDS times, alternating; prints each run, then the best
# and the median per setting, and the emulator's CPU seconds per GiB.
# Env: OSSVP_BIN (build/bin), ETAGS ("md5 crc64"), PUT_PARALLEL ("4 8 16"),
# PUT_COUNT (256 x 8 MiB = 2 GiB), ROUNDS (3), PROFILE (loopback), DATA_PARENT
# (/var/tmp: the emulator writes to disk, as in fuse_bench.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${OSSVP_BIN:-$ROOT/build/bin}
source "$ROOT/hack/lib/emulator.sh"
PARALLEL=${PUT_PARALLEL:-4 8 16}
COUNT=${PUT_COUNT:-256}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d "${DATA_PARENT:-/var/tmp}/emu-put.XXXXXX")
BODY=$(mktemp /dev/shm/emu-put-body.XXXXXX)
cleanup() {
  emulator_stop EMU || true
  rm -rf "$WORK" "$BODY"
  "$ROOT/hack/bench/lib/host_memory.sh" resume
}
trap cleanup EXIT
"$ROOT/hack/bench/lib/host_memory.sh" pause # else a run pays for the memory the one before it freed

head -c $((8 << 20)) /dev/urandom >"$BODY"
mkdir -p "$WORK/seed"
# start DIGEST: a fresh emulator with --etag DIGEST; sets EMU_URL and EPID.
start() {
  emulator_stop EMU || true
  rm -rf "$WORK/data"
  emulator_start EMU "$WORK/emu.log" "$WORK/emu.log" --data-dir "$WORK/data" --seed "bench=$WORK/seed" \
    --allow-anonymous --etag "$1" --profile "${PROFILE:-loopback}" --log-level warn || exit 1
  EPID=$EMU_PID
}
cpu() { awk '{printf "%.3f", ($14 + $15) / 100}' "/proc/$EPID/stat"; }
BYTES=$((COUNT * (8 << 20)))

# one_run KIND P: prints "MB/s emulator-CPU-s-per-GiB".
one_run() {
  local kind=$1 p=$2 cfg=$WORK/put.cfg upload="" t0 t1 c0 c1
  : >"$cfg"
  if [[ $kind == part ]]; then
    upload=$(curl -sf -X POST "$EMU_URL/bench/mp-$p?uploads" | sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p')
    [[ -n $upload ]] || { echo "InitiateMultipartUpload failed" >&2; exit 1; }
  fi
  for i in $(seq 1 "$COUNT"); do
    local url="$EMU_URL/bench/put-$p-$i"
    [[ $kind == part ]] && url="$EMU_URL/bench/mp-$p?partNumber=$i&uploadId=$upload"
    ((i > 1)) && echo next >>"$cfg"
    printf 'upload-file = "%s"\nurl = "%s"\noutput = /dev/null\n' "$BODY" "$url" >>"$cfg"
  done
  c0=$(cpu); t0=$(date +%s.%N)
  curl -sf --no-progress-meter --parallel --parallel-max "$p" -K "$cfg" || { echo "a $kind PUT failed" >&2; exit 1; }
  t1=$(date +%s.%N); c1=$(cpu)
  # Untimed: complete the upload (OSS's x-oss-complete-all: every uploaded
  # part, in order) and check it, then delete what was written through the
  # API, so that the disk holds one run at a time.
  if [[ $kind == part ]]; then
    curl -sf -o /dev/null -X POST -H "x-oss-complete-all: yes" "$EMU_URL/bench/mp-$p?uploadId=$upload" ||
      { echo "CompleteMultipartUpload failed" >&2; exit 1; }
    [[ $(curl -sfI "$EMU_URL/bench/mp-$p" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p') == "$BYTES" ]] ||
      { echo "the completed object is not $BYTES bytes" >&2; exit 1; }
    curl -sf -o /dev/null -X DELETE "$EMU_URL/bench/mp-$p" || { echo "DELETE failed" >&2; exit 1; }
  else
    for i in $(seq 1 "$COUNT"); do
      ((i > 1)) && echo next
      printf 'url = "%s/bench/put-%s-%s"\noutput = /dev/null\n' "$EMU_URL" "$p" "$i"
    done >"$cfg"
    curl -sf --no-progress-meter -X DELETE --parallel -K "$cfg" || { echo "DELETE failed" >&2; exit 1; }
  fi
  awk -v b="$BYTES" -v t="$(echo "$t1 - $t0" | bc)" -v c="$(echo "$c1 - $c0" | bc)" \
    'BEGIN{printf "%.0f %.2f", b / t / 1e6, c / (b / 2^30)}'
}

declare -A RUNS
for r in $(seq 1 "$ROUNDS"); do
  for digest in ${ETAGS:-md5 crc64}; do
    start "$digest"
    for kind in object part; do
      for p in $PARALLEL; do
        out=$(one_run "$kind" "$p")
        echo "round $r: --etag $digest, $kind, curl $p in flight: ${out% *} MB/s of PUT bodies, emulator ${out#* } CPU-s per GiB"
        RUNS[$digest-$kind-$p]+="${out% *} "
      done
    done
  done
done
echo "emulator --profile ${PROFILE:-loopback}, data on $(df --output=source "$WORK" | tail -1), $COUNT x 8 MiB per run, $(nproc) cores"
for digest in ${ETAGS:-md5 crc64}; do
  best=0
  for kind in object part; do
    for p in $PARALLEL; do
      read -r -a v <<<"${RUNS[$digest-$kind-$p]}"
      s=$(printf '%s\n' "${v[@]}" | sort -n)
      b=$(tail -1 <<<"$s"); m=$(sed -n "$(((${#v[@]} + 1) / 2))p" <<<"$s")
      echo "--etag $digest, $kind, $p in flight: best $b MB/s, median $m MB/s"
      ((b > best)) && best=$b
    done
  done
  echo "--etag $digest: best PUT body rate $best MB/s (target >= 1000)"
done
