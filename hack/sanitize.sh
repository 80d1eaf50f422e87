#!/usr/bin/env bash
# Runs the unit tests of the concurrent parts — the fusecore engine
# (fusecore_unit_tests), the controller's work queue and informers
# (controller_unit_tests) and the ossclient (ossclient_unit_tests) — under
# ThreadSanitizer, in build-tsan (-DOSSVP_SANITIZE=thread -DOSSVP_UNIT_ONLY=ON).
#
#   hack/sanitize.sh [CTEST_REGEX]   default: all three suites
# Prints each failing test with its first TSan report, a summary, and exits
# non-zero when a test fails or TSan reports a race. ASan+UBSan of all unit
# tests is part of hack/test.sh already.
# Environment: OSSVP_JOBS (build and ctest jobs, default 2), OSSVP_TSAN_SUITES
# (space-separated test executables, default the three above).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${OSSVP_JOBS:-2}
BUILD=build-tsan
read -r -a SUITES <<<"${OSSVP_TSAN_SUITES:-fusecore_unit_tests controller_unit_tests ossclient_unit_tests}"
REGEX=${1:-"^($(IFS='|'; echo "${SUITES[*]}")):"}

echo "== configure $BUILD (-fsanitize=thread) =="
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOSSVP_SANITIZE=thread \
  -DOSSVP_UNIT_ONLY=ON >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 2; }

targets=()
for t in "${SUITES[@]}"; do
  if ninja -C "$BUILD" -t targets all 2>/dev/null | grep -q "^$t:"; then targets+=("$t"); else
    echo "sanitize.sh: $t is not configured (its library is missing); skipped"
  fi
done
((${#targets[@]})) || { echo "sanitize.sh: nothing to test" >&2; exit 2; }
# Each suite is built on its own, so one that does not build (reported, and
# counted as a failure) does not hide the others' results.
built=()
build_failures=0
: >"$BUILD/build.log"
for t in "${targets[@]}"; do
  echo "== build $t (-j$JOBS) =="
  if cmake --build "$BUILD" -j "$JOBS" --target "$t" >>"$BUILD/build.log" 2>&1; then
    built+=("$t")
  else
    echo "sanitize.sh: $t does not build:"
    grep -E "error|undefined reference" "$BUILD/build.log" | tail -10 || true
    build_failures=$((build_failures + 1))
  fi
done
((${#built[@]})) || { echo "sanitize.sh: nothing built (log: $BUILD/build.log)" >&2; exit 2; }
if [[ -z "${1:-}" ]]; then REGEX="^($(IFS='|'; echo "${built[*]}")):"; fi

# gcc's TSan runtime needs a non-randomised address space on kernels with
# large mmap randomisation ("unexpected memory mapping"); setarch -R gives one.
RUN=()
if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then RUN=(setarch "$(uname -m)" -R); fi
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1:history_size=4:exitcode=66}
echo "== ctest under TSan: $REGEX =="
set +e
"${RUN[@]}" ctest --test-dir "$BUILD" -R "$REGEX" -j "$JOBS" --output-on-failure --timeout 600 \
  >"$BUILD/ctest.log" 2>&1
rc=$?
set -e
grep -E "tests passed|tests failed|Total Test time" "$BUILD/ctest.log" || true
races=$(grep -c "WARNING: ThreadSanitizer" "$BUILD/ctest.log" || true)
if ((rc != 0 || races > 0 || build_failures > 0)); then
  echo "-- failing tests:"
  grep -E "^\s+[0-9]+ - " "$BUILD/ctest.log" || true
  echo "-- TSan reports: $races (first of each, full log $BUILD/ctest.log):"
  awk '/WARNING: ThreadSanitizer/{p=1; n=0} p{print; if (++n>=40 || /^SUMMARY/) p=0}' "$BUILD/ctest.log" | head -200
  echo "sanitize.sh: FAILED ($races TSan reports, ctest exit $rc, $build_failures suites not built)" >&2
  exit 1
fi
echo "sanitize.sh: all ${built[*]} tests passed under TSan, no reports"
