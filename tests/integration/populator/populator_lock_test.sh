#!/usr/bin/env bash
# Two ossvp-populator processes started on the same target: exactly one
# copies, the other fails at once (exit 10, TargetBusy) with a message naming
# the target, the holder's pid and the lock file, and changes nothing; the
# data is complete and byte-identical afterwards, and the volume holds the
# bucket's files plus only the completion marker (no lock, journal or tmp/).
# A third run is a no-op that leaves the volume as it was.
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/set/small" "$SEED/set/big"
for i in $(seq -w 1 200); do head -c $((RANDOM % 20000 + 1)) /dev/urandom > "$SEED/set/small/s0$i.bin"; done
for i in 1 2; do head -c $((8000000 + i)) /dev/urandom > "$SEED/set/big/b$i"; done
start_emu --seed "bkt=$SEED"

T=$WORK/target
mkdir -p "$T"
# At 8 MB/s the ~18 MB take over 2 s: the loser has long exited when the
# winner is still copying.
(POP_PATH=/set/ pop_exec a "$T" --throughput-mbps 8 --concurrency 8) &
PID_A=$!
_PIDS+=("$PID_A")
(POP_PATH=/set/ pop_exec b "$T" --throughput-mbps 8 --concurrency 8) &
PID_B=$!
_PIDS+=("$PID_B")

RC_FIRST=0
wait -n -p FIRST "$PID_A" "$PID_B" || RC_FIRST=$?
if [[ $FIRST == "$PID_A" ]]; then LOSER=a WPID=$PID_B WINNER=b; else LOSER=b WPID=$PID_A WINNER=a; fi
# fail() shows $WORK/pop.{err,term}: point them at the run in question.
blame() { cp "$WORK/$1.err" "$WORK/pop.err"; cp "$WORK/$1.term" "$WORK/pop.term" 2>/dev/null || true; }
blame "$LOSER"
kill -0 "$WPID" 2>/dev/null || fail "the first populator to end (exit $RC_FIRST) did not end while the other was copying"
RC_WINNER=0
wait "$WPID" || RC_WINNER=$?

[[ $RC_FIRST -eq 10 ]] || fail "the populator that ended first exited $RC_FIRST, want 10 (TargetBusy)"
[[ $(json_field "$WORK/$LOSER.term" reason) == TargetBusy ]] || fail "termination reason is not TargetBusy"
[[ $(json_field "$WORK/$LOSER.term" retryable) == True ]] || fail "TargetBusy is not marked retryable"
msg=$(json_field "$WORK/$LOSER.term" message)
want="target '$T' is being populated by another ossvp-populator (pid $WPID on host $(hostname)"
[[ $msg == *"$want"* ]] || fail "lock message: '$msg', want it to contain '$want'"
[[ $msg == *"lock '$T/.ossvp-populator/lock'"* && $msg == *"wait for the other one to finish"* ]] ||
  fail "lock message: '$msg'"
grep -q "TargetBusy, exit 10" "$WORK/$LOSER.err" || fail "its log does not say why it stopped"
[[ $(tail -1 "$WORK/$LOSER.out") == *'"phase":"failed"'* ]] || fail "its last progress line is not 'failed'"
pass "the second populator failed at once (exit 10) while the first was copying: $msg"

blame "$WINNER"
[[ $RC_WINNER -eq 0 ]] || fail "the populator holding the lock exited $RC_WINNER"
copied=$(json_field "$WORK/$WINNER.term" objectsCopied)
[[ $copied -eq 202 ]] || fail "the populator holding the lock copied $copied of 202 objects"
same_tree "$SEED/set" "$T" || fail "tree differs: $(head "$WORK/diff.txt")"
pass "the first populator copied all 202 objects; the tree is byte-identical"

# Nothing but the bucket's files and the completion marker.
volume_extras() { diff <(cd "$SEED/set" && find . | sort) <(cd "$T" && find . | sort) | grep '^[<>]' || true; }
extras=$(volume_extras)
[[ $extras == $'> ./.ossvp-populator\n> ./.ossvp-populator/complete' ]] || fail "volume differs from the bucket by: $extras"
pass "the volume holds the bucket's files and .ossvp-populator/complete only"

POP_PATH=/set/ run_pop "$T"
[[ $POP_RC -eq 0 && $(json_field "$WORK/pop.term" alreadyComplete) == True ]] || fail "re-run: exit $POP_RC, $(cat "$WORK/pop.term")"
extras=$(volume_extras)
[[ $extras == $'> ./.ossvp-populator\n> ./.ossvp-populator/complete' ]] || fail "after the re-run the volume differs by: $extras"
pass "a re-run is a no-op and leaves the volume as it was"
echo "populator lock test: all passed"
