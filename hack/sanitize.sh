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
#
#   hack/sanitize.sh asan-integration [CTEST_REGEX]   default: every integration test
# Runs the integration tests (ctest -L integration, optionally -R CTEST_REGEX)
# under ASan+UBSan in build-asan-full (-DCMAKE_BUILD_TYPE=Debug
# -DOSSVP_SANITIZE=address, everything, not unit-only). It builds only what the
# selected tests run: every bin/ binary and the test executables they name.
# Every instrumented process (the tests' children too: emulator, kube-sim,
# controller, populator, ossmount) writes its reports to
# build-asan-full/sanitizer-logs/<run>/{asan,ubsan}.<pid> (ASan/UBSan
# log_path); the run fails when a test fails or any such file exists, and
# prints the first lines of each. Options: ASAN_OPTIONS=detect_leaks=1:
# abort_on_error=1, UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1.
#
# Environment: OSSVP_JOBS (build and ctest jobs, default 2), OSSVP_TSAN_SUITES
# (space-separated test executables, default the three above),
# OSSVP_ASAN_TARGETS (asan-integration: the targets to build, default all of
# the above; e.g. "oss-emulator" for '^oss_emulator_' on a partial build),
# OSSVP_ASAN_OPTIONS (appended to ASAN_OPTIONS, e.g. fast_unwind_on_malloc=0
# for full leak stacks through libraries built without frame pointers),
# OSSVP_TIMEOUT_SCALE (asan-integration: factor on the e2e tests' waits and
# on ctest's per-test timeouts, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${OSSVP_JOBS:-2}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

asan_integration() {
  local build=build-asan-full regex=${1:-}
  local sel=(-L integration)
  [[ -n "$regex" ]] && sel+=(-R "$regex")
  echo "== configure $build (Debug, -fsanitize=address,undefined) =="
  mkdir -p "$build"
  # Debug+ASan binaries are several times slower: the e2e tests' waits
  # (OSSVP_TIMEOUT_SCALE) and ctest's per-test timeouts scale.
  export OSSVP_TIMEOUT_SCALE=${OSSVP_TIMEOUT_SCALE:-3}
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOSSVP_SANITIZE=address \
    -DOSSVP_UNIT_ONLY=OFF -DOSSVP_TEST_TIMEOUT_SCALE="$OSSVP_TIMEOUT_SCALE" >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 2; }
  # What the integration tests run: the binaries (OSSVP_BIN=$build/bin) and
  # the test executables in the build dir that an integration test names.
  local targets=() t
  mapfile -t targets < <(ninja -C "$build" -t targets all | sed -n 's#^bin/\([^/:]*\):.*#\1#p')
  mapfile -t -O "${#targets[@]}" targets < <(find "$build/tests/integration" -name CTestTestfile.cmake \
    -exec grep -hoE "$PWD/$build/tests/[A-Za-z0-9_.-]+\"" {} + | sed 's#.*/##; s#"$##' | sort -u)
  if [[ -n "${OSSVP_ASAN_TARGETS:-}" ]]; then read -r -a targets <<<"$OSSVP_ASAN_TARGETS"; fi
  local build_failures=0
  : >"$build/build.log"
  for t in "${targets[@]}"; do
    echo "== build $t (-j$JOBS) =="
    if ! cmake --build "$build" -j "$JOBS" --target "$t" >>"$build/build.log" 2>&1; then
      echo "sanitize.sh: $t does not build:"
      grep -E "error|undefined reference" "$build/build.log" | tail -10 || true
      build_failures=$((build_failures + 1))
    fi
  done
  local logs
  logs="$PWD/$build/sanitizer-logs/$(date -u +%Y%m%dT%H%M%S)"
  # Pods run as a non-root uid and report here too (kube-sim passes the
  # *SAN_OPTIONS into pods).
  mkdir -p "$logs" && chmod 1777 "$logs"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$logs/asan${OSSVP_ASAN_OPTIONS:+:$OSSVP_ASAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
  # Third-party leaks only (tests/lsan.supp: cpprestsdk's task cycles and the
  # TLS state of its connections still open at exit), as in hack/test.sh.
  # Full stacks for malloc: leaks of OpenSSL state allocated through cpprest
  # only match the suppression when the unwinder reaches libcpprest's frames.
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
  ASAN_OPTIONS+=":fast_unwind_on_malloc=0"
  echo "== ctest under ASan+UBSan: ${sel[*]} (reports: $logs) =="
  set +e
  ctest --test-dir "$build" "${sel[@]}" -j "$JOBS" --output-on-failure >"$logs/ctest.log" 2>&1
  local rc=$?
  set -e
  grep -E "^ *[0-9]+/[0-9]+ Test|tests passed|tests failed|Total Test time" "$logs/ctest.log" || true
  local files=() f
  # A report file that only lists "Suppressions used" (every leak in it was
  # a suppressed third-party one) is not a finding.
  mapfile -t files < <(find "$logs" \( -name 'asan.*' -o -name 'ubsan.*' \) -exec grep -lE 'ERROR|runtime error' {} + | sort)
  if ((rc != 0 || ${#files[@]} > 0 || build_failures > 0)); then
    echo "-- failing tests:"
    grep -E "^\s+[0-9]+ - " "$logs/ctest.log" || true
    echo "-- sanitizer report files: ${#files[@]} (full ctest log $logs/ctest.log)"
    for f in "${files[@]}"; do
      echo "---- $f"
      head -40 "$f"
    done
    echo "sanitize.sh: FAILED (${#files[@]} sanitizer report files, ctest exit $rc, $build_failures targets not built)" >&2
    exit 1
  fi
  echo "sanitize.sh: integration tests passed under ASan+UBSan, no reports ($logs)"
  exit 0
}
if [[ "${1:-}" == asan-integration ]]; then asan_integration "${2:-}"; fi

BUILD="build-tsan"
read -r -a SUITES <<<"${OSSVP_TSAN_SUITES:-fusecore_unit_tests controller_unit_tests ossclient_unit_tests}"
REGEX=${1:-"^($(IFS='|'; echo "${SUITES[*]}")):"}

echo "== configure $BUILD (-fsanitize=thread) =="
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOSSVP_SANITIZE=thread \
  -DOSSVP_UNIT_ONLY=ON >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 2; }

targets=()
for t in "${SUITES[@]}"; do
  if ninja -C "$BUILD" -t targets all 2>/dev/null | grep "^$t:" > /dev/null; then targets+=("$t"); else
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
