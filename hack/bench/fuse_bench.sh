#!/usr/bin/env bash
# fusecore benchmark: ossmount vs s3fs 1.90 vs rclone 1.60 mount vs the raw
# ceilings, in one run per network profile of the oss-emulator (loopback:
# 5 ms first-byte latency; cloud: 10 ms and 200 Mbit/s per connection), one
# table each. Raw = the best of several settings: ranged GETs with ossclient
# at 16/32/64/128 in flight (reads, small files), multipart uploads with
# ossctl and with awscli at 16/32/64 parts in flight (writes).
#
#   hack/bench/fuse_bench.sh            # needs root, /dev/fuse, fio, s3fs, rclone
#
# Env (sizes scaled for a 2-core / 24 GiB box; the full-size run is
# SEQ_MB=4096 FOUR_MB=1024 MODEL_MB=4096 WRITE_MB=4096. Pass the same sizes
# every time: other sizes regenerate the data set):
#   OSSVP_BIN   build bin dir            (default: build/bin)
#   PROFILES    network shapes           (default "loopback cloud")
#   LATENCY_MS  overrides the profiles' first-byte latency (unset: theirs)
#   EMU_ETAG    the emulator's --etag for written objects (default crc64: its
#               MD5 would bound the write job; hack/bench/emulator_put_rate.sh)
#   JOBS        which jobs               (default "1 2 3 4 5 6 7")
#   RAW_READ_INFLIGHT (default "16 32 64 128"), RAW_WRITE_INFLIGHT ("16 32 64")
#   SEQ_MB      job 1 file size          (default 2048)
#   FOUR_MB     job 2 size of each of 4  (default 512)
#   SMALL_FILES job 3/6 file count       (default 10000), SMALL_KB (default 128)
#   WRITE_MB    job 4 size               (default 2048)
#   MODEL_MB    job 5 safetensors size   (default 2048)
#   MEDIUM_FILES, MEDIUM_MB  job 7: files read one at a time (default 64 x 16)
#   TOOLS       default "ossmount ossmount-noc2o ossmount-256m s3fs rclone raw"
#               (ossmount-256m: ossmount with -o memory_limit=256M)
#   OUT         results dir             (default /tmp/ossvp-fuse-bench/results)
# Prints one table per profile; writes $OUT/<profile>/results.md, results.csv,
# results.svg (+ .png), and all tables in $OUT/results.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
exec python3 "$HERE/fuse/bench.py" "$@"
