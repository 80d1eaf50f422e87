#!/usr/bin/env bash
# The one test command: installs what is missing, configures, builds and runs
# every test through ctest (unit, fuzz-corpus replay, integration with real
# third-party clients), then the unit tests again under ASan+UBSan.
# Exits non-zero on any failure. Environment:
#   OSSVP_JOBS        parallel build/test jobs (default: nproc)
#   OSSVP_SKIP_ASAN   1 skips the sanitizer pass (local iteration only)
#   OSSVP_FUZZ_SMOKE  0 skips the fuzz smoke (default 1: builds the libFuzzer
#                     targets with clang in build-fuzz and runs each for
#                     OSSVP_FUZZ_RUNS inputs (3000) from seed OSSVP_FUZZ_SEED
#                     (1), at most OSSVP_FUZZ_SMOKE_SECONDS (60); hack/fuzz.sh)
#   CTEST_ARGS        extra ctest arguments, e.g. "-R emulator"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${OSSVP_JOBS:-$(nproc)}

bash hack/install-deps.sh
bash hack/install-test-clients.sh

# ccache is keyed on paths relative to the checkout, so every clone shares it.
export CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}

echo "== build (Release) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$JOBS"

echo "== tests (Release) =="
# shellcheck disable=SC2086
(cd build && ctest --output-on-failure -j "$JOBS" ${CTEST_ARGS:-})

if [[ "${OSSVP_SKIP_ASAN:-0}" != 1 ]]; then
  echo "== unit tests under ASan+UBSan =="
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOSSVP_SANITIZE=address \
    -DOSSVP_UNIT_ONLY=ON >/dev/null
  cmake --build build-asan -j "$JOBS"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp \
    ctest --output-on-failure -j "$JOBS" -L unit)
fi

if [[ "${OSSVP_FUZZ_SMOKE:-1}" != 0 ]]; then
  # Reproducible: fixed seed and run count (a finding here is a real bug, not
  # luck); open-ended fuzzing is hack/fuzz.sh SECONDS.
  echo "== fuzz smoke (clang libFuzzer, ${OSSVP_FUZZ_RUNS:-3000} runs per target, seed ${OSSVP_FUZZ_SEED:-1}) =="
  OSSVP_JOBS=$JOBS OSSVP_FUZZ_SEED=${OSSVP_FUZZ_SEED:-1} OSSVP_FUZZ_RUNS=${OSSVP_FUZZ_RUNS:-3000} \
    bash hack/fuzz.sh "${OSSVP_FUZZ_SMOKE_SECONDS:-60}"
fi
echo "hack/test.sh: all tests passed ($ROOT)"
