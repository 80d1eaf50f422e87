#!/usr/bin/env bash
# The one test command: installs what is missing, configures, builds and runs
# every test through ctest, then the unit tests again under ASan+UBSan.
# Exits non-zero on any failure. Environment:
#   OSSVP_JOBS       parallel build jobs (default: nproc)
#   OSSVP_SKIP_ASAN  set to 1 to skip the sanitizer pass (local iteration only)
#   CTEST_ARGS       extra ctest arguments, e.g. "-R emulator"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${OSSVP_JOBS:-$(nproc)}

bash hack/install-deps.sh
bash hack/install-test-clients.sh

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
    ctest --output-on-failure -j "$JOBS" -L unit)
fi
echo "hack/test.sh: all tests passed ($ROOT)"
