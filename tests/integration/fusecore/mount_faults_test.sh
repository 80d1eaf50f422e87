#!/usr/bin/env bash
# Injected emulator faults (503s, connection resets, truncated bodies) never
# surface as wrong bytes: a read either returns the right bytes (retried) or
# fails with EIO and a log line.
source "$(dirname "$0")/lib.sh"
SEED=$WORK/seed
mkdir -p "$SEED/small"
head -c $((48 * 1024 * 1024)) /dev/urandom >"$SEED/big.bin"
for i in $(seq 1 50); do head -c 100000 /dev/urandom >"$SEED/small/f$i"; done
start_emulator "$SEED"
MNT=$WORK/mnt
do_mount "$MNT" "part_size=2M"
admin '{"operation":"GetObject","error_rate":0.1,"reset_rate":0.1,"truncate_rate":0.1}'
admin '{"rng_seed":7}'
bad=0; good=0; eio=0
for round in 1 2 3; do
  echo 3 >/proc/sys/vm/drop_caches
  if out=$(md5sum <"$MNT/big.bin" 2>"$WORK/err"); then
    [[ $out == "$(md5sum <"$SEED/big.bin")" ]] && good=$((good + 1)) || bad=$((bad + 1))
  else
    grep -q "Input/output error" "$WORK/err" && eio=$((eio + 1)) || bad=$((bad + 1))
  fi
done
for i in $(seq 1 50); do
  if out=$(md5sum <"$MNT/small/f$i" 2>/dev/null); then
    [[ $out == "$(md5sum <"$SEED/small/f$i")" ]] && good=$((good + 1)) || bad=$((bad + 1))
  else
    eio=$((eio + 1))
  fi
done
echo "reads: $good correct, $eio EIO, $bad wrong"
[[ $bad -eq 0 ]] || fail "$bad reads returned wrong bytes under faults"
[[ $good -gt 0 ]] || fail "no read succeeded under 30% faults (retries not working?)"
if [[ $eio -gt 0 ]]; then grep -q "GET oss://bk/" "$WORK/mount-mnt.log" || fail "EIO without a log line"; fi
errors=$(curl -s "$EMU/-/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['operations']['GetObject']['errors'])")
[[ $errors -gt 0 ]] || fail "no fault was injected"
pass "faults: no wrong bytes ($errors injected GET errors)"
echo "all mount fault tests passed"
