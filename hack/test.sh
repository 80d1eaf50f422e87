#!/usr/bin/env bash
# The one test command: installs what is missing, configures, builds and runs
# every test through ctest (unit, fuzz-corpus replay, integration with real
# third-party clients, and the README's install with both container images,
# which it builds first), then the unit tests again under ASan+UBSan and a
# fuzz smoke, both from one clang build (build-fuzz).
# Exits non-zero on any failure. Environment:
#   OSSVP_JOBS        parallel build/test jobs (default: nproc)
#   OSSVP_SKIP_IMAGES 1 skips building the images (local iteration only; the
#                     container tests then skip, as they do when not root)
#   OSSVP_SKIP_ASAN   1 skips the sanitizer unit tests (local iteration only)
#   OSSVP_FUZZ_SMOKE  0 skips the fuzz smoke (default 1: runs each libFuzzer
#                     target for OSSVP_FUZZ_RUNS inputs (3000) from seed
#                     OSSVP_FUZZ_SEED (1), at most OSSVP_FUZZ_SMOKE_SECONDS
#                     (60); hack/fuzz.sh)
#   CTEST_ARGS        extra ctest arguments, e.g. "-R emulator"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${OSSVP_JOBS:-$(nproc)}
# Each phase's header says when it started, so a slow run shows where its
# time went (the fresh-machine budget is 60 minutes).
phase() { printf '== %s (at %d:%02d) ==\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

phase "install what is missing (hack/install-deps.sh, hack/install-test-clients.sh)"
bash hack/install-deps.sh
bash hack/install-test-clients.sh

# ccache is keyed on paths relative to the checkout, so every clone shares it,
# and on the locale: one fixed locale lets the image builds (hack/images.sh,
# hack/lib/build-image-binary.sh) reuse the Release build's entries.
export CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LC_MESSAGES

phase "build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$JOBS"

# The images the install test runs (install_e2e, kube_sim_podman_runtime):
# built here from the Dockerfiles, their build stages compiling from the
# Release build's ccache entries. With OSSVP_REQUIRE_IMAGES those tests fail
# instead of skipping when an image is missing or built from other sources.
if [[ "${OSSVP_SKIP_IMAGES:-0}" == 1 ]]; then
  phase "container images: skipped (OSSVP_SKIP_IMAGES=1)"
elif [[ $(id -u) -ne 0 ]]; then
  phase "container images: skipped (not root; sudo hack/images.sh builds them)"
else
  phase "container images (hack/images.sh)"
  bash hack/images.sh
  export OSSVP_REQUIRE_IMAGES=1
fi

phase "tests (Release)"
# shellcheck disable=SC2086
(cd build && ctest --output-on-failure -j "$JOBS" ${CTEST_ARGS:-})

# One sanitizer build serves the ASan+UBSan unit tests and the fuzz smoke:
# clang with ASan, UBSan and libFuzzer's coverage hooks (hack/fuzz.sh
# configures it), so each library is compiled once for both.
if [[ "${OSSVP_SKIP_ASAN:-0}" != 1 || "${OSSVP_FUZZ_SMOKE:-1}" != 0 ]]; then
  phase "sanitizer build (clang; ASan+UBSan unit tests and libFuzzer targets)"
  OSSVP_FUZZ_BUILD=build-fuzz OSSVP_JOBS=$JOBS bash hack/fuzz.sh --build-only
  cmake --build build-fuzz -j "$JOBS"
fi

if [[ "${OSSVP_SKIP_ASAN:-0}" != 1 ]]; then
  phase "unit tests under ASan+UBSan"
  (cd build-fuzz && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp \
    ctest --output-on-failure -j "$JOBS" -L unit)
fi

if [[ "${OSSVP_FUZZ_SMOKE:-1}" != 0 ]]; then
  # Reproducible: fixed seed and run count (a finding here is a real bug, not
  # luck); open-ended fuzzing is hack/fuzz.sh SECONDS.
  phase "fuzz smoke (clang libFuzzer, ${OSSVP_FUZZ_RUNS:-3000} runs per target, seed ${OSSVP_FUZZ_SEED:-1})"
  OSSVP_FUZZ_BUILD=build-fuzz OSSVP_JOBS=$JOBS OSSVP_FUZZ_SEED=${OSSVP_FUZZ_SEED:-1} OSSVP_FUZZ_RUNS=${OSSVP_FUZZ_RUNS:-3000} \
    bash hack/fuzz.sh "${OSSVP_FUZZ_SMOKE_SECONDS:-60}"
fi
echo "hack/test.sh: all tests passed ($ROOT) in $((SECONDS / 60)) min $((SECONDS % 60)) s"
