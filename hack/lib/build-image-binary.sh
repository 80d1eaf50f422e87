#!/usr/bin/env bash
# Builds one ossvp program in a container image's build stage (controller/ and
# populator/Dockerfile): a Release configure of the whole tree (every
# dependency must be present, as on a developer machine), then only the one
# CMake target, stripped to /out/<target> for the runtime stage to copy.
# Usage: hack/lib/build-image-binary.sh <target>   (run from the source root)
#
# Compiler cache: /ccache-host when the builder mounts one there (hack/images.sh
# mounts the host's own ccache, so an image built after hack/test.sh's Release
# build compiles almost nothing), else $CCACHE_DIR (the Dockerfile's cache
# mount). The build tree is <source>/build, as on the host, with the same
# CCACHE_BASEDIR rule and locale as hack/test.sh: the compile commands are then
# the same bytes in both places and the host's cache entries hit.
set -euo pipefail

target=${1:?usage: hack/lib/build-image-binary.sh <cmake target, e.g. ossvp-controller>}
[[ -d /ccache-host ]] && export CCACHE_DIR=/ccache-host
# ccache hashes the locale too: the same one as hack/test.sh sets.
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LC_MESSAGES
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 CCACHE_STATSLOG=/tmp/ccache-stats.log
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target "$target" -j"$(nproc)"
# What this build took from the cache (a cold cache is slow, not wrong).
if [[ -s $CCACHE_STATSLOG ]]; then
  ccache --show-log-stats | grep -E '^ *(Hits|Misses):' || true
fi
mkdir -p /out
strip -o "/out/$target" "build/bin/$target"
