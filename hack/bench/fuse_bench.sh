#!/usr/bin/env bash
# fusecore benchmark: ossmount vs s3fs 1.90 vs rclone 1.60 mount vs the raw
# limit (parallel ranged GETs with ossclient, no FUSE), in one run, against
# one oss-emulator with the same injected first-byte latency.
#
#   hack/bench/fuse_bench.sh            # needs root, /dev/fuse, fio, s3fs, rclone
#
# Env (sizes scaled for a 2-core / 24 GiB box; the issue's full sizes are
# SEQ_MB=4096 FOUR_MB=1024 WRITE_MB=4096 MODEL_MB=4096):
#   OSSVP_BIN   build bin dir            (default: build/bin)
#   LATENCY_MS  first-byte latency       (default 5)
#   SEQ_MB      job 1 file size          (default 2048)
#   FOUR_MB     job 2 size of each of 4  (default 512)
#   SMALL_FILES job 3/6 file count       (default 10000), SMALL_KB (default 128)
#   WRITE_MB    job 4 size               (default 2048)
#   MODEL_MB    job 5 safetensors size   (default 2048)
#   TOOLS       default "ossmount ossmount-noc2o s3fs rclone raw"
#   OUT         results dir             (default /tmp/ossvp-fuse-bench/results)
# Prints one table; writes $OUT/results.md, results.csv, results.svg (+ .png).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
exec python3 "$HERE/fuse/bench.py" "$@"
