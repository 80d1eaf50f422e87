# Shared helpers for the oss-emulator integration tests (sourced, not run).
# start_emulator [extra args...]: starts build/bin/oss-emulator on a free port
# with a temp data dir; sets EMU_PID, EMU_PORT, EMU_URL, EMU_DATA, WORK.
# Everything started is killed and every temp dir removed on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/emulator.sh"
: "${OSSVP_BIN:?OSSVP_BIN must point at build/bin}"
: "${OSSVP_SRC:?OSSVP_SRC must point at the repo root}"
WORK=$(mktemp -d /tmp/ossemu-test.XXXXXX)
EMU_AK=test-ak
EMU_SK=test-sk-0123456789
_PIDS=()
_MOUNTS=()
cleanup() {
  local rc=$? m p
  if (( rc != 0 )) && [[ -s "$WORK/emu.err" ]]; then
    echo "--- emulator stderr (last 40 lines) ---" >&2; tail -n 40 "$WORK/emu.err" >&2
  fi
  for m in "${_MOUNTS[@]:-}"; do [[ -n "$m" ]] && { fusermount3 -u "$m" 2>/dev/null || fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; }; done
  for p in "${_PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for p in "${_PIDS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
# expect_eq ACTUAL EXPECTED WHAT; each check that holds is reported (pass WHAT).
# shellcheck disable=SC2034  # read by assert.sh
ASSERT_REPORT_PASSES=1
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

start_emulator() {
  EMU_DATA=${EMU_DATA:-$WORK/data}
  mkdir -p "$EMU_DATA"
  OSS_EMULATOR_SECRET_KEY=$EMU_SK emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" --data-dir "$EMU_DATA" \
    --access-key "$EMU_AK" "$@" || fail "emulator did not start"
  _PIDS+=("$EMU_PID")
}

stop_emulator() {
  local rc=0
  emulator_stop EMU || rc=$?
  expect_eq "$rc" 0 "emulator exits cleanly on SIGTERM"
}

# The awscli, pointed at the emulator, quiet.
awsx() {
  AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-$EMU_AK} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-$EMU_SK} \
    AWS_DEFAULT_REGION=cn-hangzhou AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
    aws --endpoint-url "$EMU_URL" "$@"
}
