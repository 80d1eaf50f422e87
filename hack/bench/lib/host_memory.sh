#!/usr/bin/env bash
# Pauses the VM's free page reporting for a benchmark, and backs the guest's
# free memory once.
#
# A VM whose balloon driver reports free pages (virtio-balloon REPORTING)
# hands every freed block of 2^page_reporting_order pages back to the host;
# the next touch of such a page is a host fault the guest cannot see, charged
# to whatever copies into it. On the 2-core KVM machine (2026-12-07) writing
# 12 GiB to tmpfs took 28 s on reported memory and 9.8 s once backed, and
# the emulator's PUT path cost 2.5-5 CPU-s per GiB instead of 0.7 in the runs
# that followed a run that freed its data (deleted objects, a dropped page
# cache): the same setting was fast or slow depending on what ran before.
#
# Usage: host_memory.sh pause    saves page_reporting_order, sets it above the
#                                largest page order (nothing is reported) and
#                                writes the free memory once (tmpfs, then freed)
#        host_memory.sh resume   restores the saved order
# Needs root; without the knob (no reporting) both do nothing.
set -euo pipefail
KNOB=/sys/module/page_reporting/parameters/page_reporting_order
SAVED=/run/ossvp-bench-page-reporting-order
case "${1:-}" in
  pause)
    [[ -w $KNOB ]] || exit 0
    [[ -f $SAVED ]] || cat "$KNOB" >"$SAVED" # a nested pause keeps the first saved value
    echo 11 >"$KNOB"                            # MAX_PAGE_ORDER is 10: no free block is that large
    free_kb=$(awk '/^MemFree:/ {print $2}' /proc/meminfo)
    shm_kb=$(df --output=avail -k /dev/shm | tail -1)
    kb=$(((free_kb < shm_kb ? free_kb : shm_kb) - (2 << 20)))
    if ((kb > 0)); then
      f=$(mktemp /dev/shm/ossvp-bench-warm.XXXXXX)
      head -c $((kb * 1024)) /dev/zero >"$f" || true
      rm -f "$f"
    fi
    echo "host: free page reporting paused (page_reporting_order $(cat "$SAVED") -> 11);" \
      "$((kb > 0 ? kb >> 20 : 0)) GiB of free memory written once" >&2
    ;;
  resume)
    [[ -w $KNOB && -f $SAVED ]] || exit 0
    cat "$SAVED" >"$KNOB"
    rm -f "$SAVED"
    ;;
  *)
    echo "usage: host_memory.sh pause|resume" >&2
    exit 2
    ;;
esac
