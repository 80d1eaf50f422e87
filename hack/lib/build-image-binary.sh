#!/usr/bin/env bash
# Builds one ossvp program in a container image's build stage (controller/ and
# populator/Dockerfile): a Release configure of the whole tree (every
# dependency must be present, as on a developer machine), then only the one
# CMake target, stripped to /out/<target> for the runtime stage to copy.
# Usage: hack/lib/build-image-binary.sh <target>   (run from the source root)
set -euo pipefail

target=${1:?usage: hack/lib/build-image-binary.sh <cmake target, e.g. ossvp-controller>}
cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build /build --target "$target" -j"$(nproc)"
mkdir -p /out
strip -o "/out/$target" "/build/bin/$target"
