# Shared helpers for the populator integration tests (sourced, not run).
# start_emu [extra emulator args...]: starts build/bin/oss-emulator on a free
# port; sets EMU_URL and EMU_PID. run_pop TARGET [args...]: runs
# ossvp-populator against it through an endpoint override (the real OSS host
# name stays in --endpoint, as a Pod spec would have it); sets POP_RC, and
# leaves stdout/stderr/termination log in $WORK/pop.{out,err,term}.
# pop_exec NAME TARGET [args...]: the same command, exec'd (for a background
# `( pop_exec ... ) &` whose $! is the populator), output in $WORK/NAME.*.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/emulator.sh"
: "${OSSVP_BIN:?OSSVP_BIN must point at build/bin}"
WORK=$(mktemp -d /tmp/ossvp-pop-it.XXXXXX)
AK=popAK
SK=popSK-0123456789
OSS_HOST=oss-cn-hangzhou-internal.aliyuncs.com
_PIDS=()
_MOUNTS=()
cleanup() {
  local p m
  for p in "${_PIDS[@]:-}"; do [[ -n "$p" ]] && kill -9 "$p" 2>/dev/null || true; done
  for p in "${_PIDS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  for m in "${_MOUNTS[@]:-}"; do [[ -n "$m" ]] && umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in pop.err pop.term; do [[ -f "$WORK/$f" ]] && { echo "--- $f" >&2; tail -20 "$WORK/$f" >&2; }; done
  exit 1
}
pass() { echo "ok: $*"; }

start_emu() {
  mkdir -p "$WORK/emu-data"
  # Seeding indexes (and checksums) the seed tree first: allow it 120 s.
  EMULATOR_START_TIMEOUT=120 OSS_EMULATOR_SECRET_KEY=$SK emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" \
    --data-dir "$WORK/emu-data" --region cn-hangzhou --access-key "$AK" "$@" || fail "emulator did not start"
  _PIDS+=("$EMU_PID")
}

admin() { curl -sf -X POST "$EMU_URL/-/admin" -d "$1" > /dev/null || fail "admin $1"; }
stat_count() {  # stat_count OPERATION FIELD
  curl -sf "$EMU_URL/-/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['operations'].get('$1',{}).get('$2',0))"
}
json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# pop_exec NAME TARGET [extra args]: bucket/path come from POP_BUCKET / POP_PATH.
pop_exec() {
  local name=$1 target=$2
  shift 2
  ALIBABA_CLOUD_ACCESS_KEY_ID=${POP_AK-$AK} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${POP_SK-$SK} \
    exec "$OSSVP_BIN/ossvp-populator" --endpoint "$OSS_HOST" --region cn-hangzhou \
    --bucket "${POP_BUCKET:-bkt}" --path "${POP_PATH:-/}" --target "$target" \
    --endpoint-override "$OSS_HOST=$EMU_URL" --termination-log "$WORK/$name.term" --progress json "$@" \
    > "$WORK/$name.out" 2> "$WORK/$name.err"
}

# run_pop TARGET [extra args]: pop_exec pop TARGET ..., in the foreground.
run_pop() {
  POP_RC=0
  (pop_exec pop "$@") || POP_RC=$?
}

# Every file under $1 equals the one under $2 (content), ignoring the state dir.
same_tree() {
  diff -r --exclude=.ossvp-populator "$1" "$2" > "$WORK/diff.txt" 2>&1
}
