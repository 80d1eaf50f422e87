# Shared helpers for the fusecore mount tests: an emulator and ossmount
# mounts in a private temp dir, all torn down by the EXIT trap.
# Needs: OSSVP_BIN (built binaries), root, /dev/fuse. Exits 77 (skip) without them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/emulator.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

: "${OSSVP_BIN:?OSSVP_BIN must point at the bin directory of a build}"
if [[ ! -e /dev/fuse || $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root and /dev/fuse"; exit 77
fi
for b in oss-emulator ossmount; do
  [[ -x $OSSVP_BIN/$b ]] || { echo "SKIP: $OSSVP_BIN/$b not built"; exit 77; }
done

WORK=$(mktemp -d /tmp/fusecore-it.XXXXXX)
EMU_PID=""
MOUNTS=()
cleanup() {
  set +e
  for m in "${MOUNTS[@]}"; do
    mountpoint -q "$m" && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
  done
  emulator_stop EMU
  rm -rf "$WORK"
}
trap cleanup EXIT

export ALIBABA_CLOUD_ACCESS_KEY_ID=ossvp-emulator-ak
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=ossvp-emulator-sk

# start_emulator SEEDDIR: bucket "bk" seeded from SEEDDIR; sets EMU (base URL).
start_emulator() {
  emulator_start EMU "$WORK/emu.log" "$WORK/emu.log" --data-dir "$WORK/emu-data" \
    --seed "bk=$1" --allow-anonymous --log-level warn || fail "emulator did not start"
  EMU=$EMU_URL
}

# do_mount MOUNTPOINT [extra -o options]: mounts bucket bk (daemonized).
do_mount() {
  local mp=$1; shift
  mkdir -p "$mp"
  local opts="endpoint=$EMU,region=cn-hangzhou,log_file=$WORK/mount-$(basename "$mp").log"
  [[ $# -gt 0 ]] && opts="$opts,$1"
  "$OSSVP_BIN/ossmount" bk "$mp" -o "$opts" || { cat "$WORK/mount-$(basename "$mp").log"; fail "mount failed"; }
  MOUNTS+=("$mp")
}

# put KEY FILE: uploads through the S3 API (anonymous on the test emulator).
put() { curl -sf -o /dev/null -T "$2" "$EMU/bk/$1" || fail "PUT $1"; }
stat_count() { curl -s "$EMU/-/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['operations'].get('$1',{}).get('count',0))"; }
admin() { curl -sf -o /dev/null -X POST -d "$1" "$EMU/-/admin" || fail "admin $1"; }
