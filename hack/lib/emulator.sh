# shellcheck shell=bash
# Starting and stopping the OSS emulator (hack/oss-emulator) from bash scripts:
# the one copy of "start it on a free port, wait for its URL" that the demo,
# the benchmarks and the integration tests share. Sourced, not run.
#
#   emulator_start PREFIX OUT ERR [oss-emulator args...]
#     Starts `oss-emulator --listen 127.0.0.1:0 args...` in the background,
#     stdout to OUT and stderr to ERR (ERR may equal OUT: one combined log),
#     and waits for its "oss-emulator listening on URL" line. Sets the globals
#     ${PREFIX}_PID (right after the start), ${PREFIX}_URL (http://127.0.0.1:PORT)
#     and ${PREFIX}_PORT. On failure (the emulator exited, or no URL within
#     EMULATOR_START_TIMEOUT seconds, default 60, times OSSVP_TIMEOUT_SCALE) it prints what went wrong and
#     the tail of the log to stderr, leaves no process behind, clears
#     ${PREFIX}_PID and returns 1: call it as `emulator_start ... || fail ...`.
#     The binary is $EMULATOR_BIN, default ${OSSVP_BIN:-<repo>/build/bin}/oss-emulator.
#     Hand it the AccessKey secret in its environment, not as --secret-key
#     (arguments are readable by every user, and printed here on failure):
#       OSS_EMULATOR_SECRET_KEY=$SK emulator_start EMU out err --access-key "$AK" ...
#   emulator_stop PREFIX [GRACE_SECONDS]
#     SIGTERM to ${PREFIX}_PID, SIGKILL after GRACE_SECONDS (default 5), waits
#     for it and clears ${PREFIX}_PID. Returns the emulator's exit status
#     (0: it shut down cleanly); 0 as well when nothing was running.
#   emulator_exit_trap PREFIX [DIR...]
#     For scripts whose only cleanup is the emulator and temp dirs: clears
#     ${PREFIX}_PID and sets the EXIT trap to emulator_stop PREFIX, rm -rf DIRs
#     (replacing any EXIT trap set before).
#
# Otherwise the caller owns cleanup: add ${PREFIX}_PID to its EXIT trap (or
# call emulator_stop there). All of these must run in the script's own shell
# (not in $(...)), so that the emulator stays its child and `wait` works.

_EMULATOR_LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# _emulator_log_tail OUT ERR: the last lines of the emulator's output, for errors.
_emulator_log_tail() {
  local f
  for f in "$1" "$2"; do
    [[ -s "$f" ]] || continue
    echo "--- $f (last 20 lines)"
    tail -n 20 "$f"
    [[ "$1" == "$2" ]] && break
  done
  return 0
}

emulator_start() {
  local prefix=$1 out=$2 err=$3
  shift 3
  local bin=${EMULATOR_BIN:-${OSSVP_BIN:-$_EMULATOR_LIB_ROOT/build/bin}/oss-emulator}
  local timeout=$((${EMULATOR_START_TIMEOUT:-60} * ${OSSVP_TIMEOUT_SCALE:-1}))
  if [[ ! -x "$bin" ]]; then
    echo "emulator_start: $bin is not an executable (build the oss-emulator target, or set OSSVP_BIN/EMULATOR_BIN)" >&2
    return 1
  fi
  # Truncated here, before the start: a restart must not read the last run's URL.
  : > "$out"
  [[ "$err" == "$out" ]] || : > "$err"
  if [[ "$err" == "$out" ]]; then
    "$bin" --listen 127.0.0.1:0 "$@" >> "$out" 2>&1 &
  else
    "$bin" --listen 127.0.0.1:0 "$@" >> "$out" 2>> "$err" &
  fi
  local pid=$!
  printf -v "${prefix}_PID" '%s' "$pid"
  local url="" deadline=$((SECONDS + timeout)) why=""
  while :; do
    url=$(sed -n 's/^oss-emulator listening on \(http[^ ]*\)$/\1/p' "$out" | head -n 1)
    [[ -n "$url" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      local rc=0
      wait "$pid" 2>/dev/null || rc=$?
      why="exited with status $rc before listening"
      break
    fi
    if ((SECONDS >= deadline)); then
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      why="printed no 'listening on' line within ${timeout}s (EMULATOR_START_TIMEOUT); killed it"
      break
    fi
    sleep 0.1
  done
  if [[ -z "$url" ]]; then
    printf -v "${prefix}_PID" '%s' ""
    {
      echo "emulator_start: $bin $why"
      echo "  arguments: --listen 127.0.0.1:0 $*"
      _emulator_log_tail "$out" "$err"
    } >&2
    return 1
  fi
  printf -v "${prefix}_URL" '%s' "$url"
  printf -v "${prefix}_PORT" '%s' "${url##*:}"
}

emulator_stop() {
  local prefix=$1 grace=${2:-5}
  local var="${prefix}_PID"
  local pid=${!var:-}
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  local rc=0
  wait "$pid" 2>/dev/null || rc=$?
  printf -v "$var" '%s' ""
  return "$rc"
}

emulator_exit_trap() {
  local prefix=$1
  shift
  printf -v "${prefix}_PID" '%s' ""
  local dirs=""
  (($# == 0)) || dirs=$(printf ' %q' "$@")
  # shellcheck disable=SC2064  # expanded now on purpose: the names are fixed
  trap "emulator_stop $prefix || true; rm -rf --$dirs" EXIT
}
