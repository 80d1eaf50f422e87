#!/usr/bin/env bash
# ossvp-populator at scale: 10,000 small files (many in flight at once) and a
# file larger than 4 GiB (sparse on the emulator side, copied by parallel
# ranged reads and verified by combined CRC64). Sizes can be scaled down with
# POP_SCALE_FILES and POP_SCALE_BIG_BYTES.
source "$(dirname "$0")/lib.sh"
FILES=${POP_SCALE_FILES:-10000}
BIG=${POP_SCALE_BIG_BYTES:-4400000000}

SEED=$WORK/seed
mkdir -p "$SEED/many" "$SEED/huge"
python3 - "$SEED/many" "$FILES" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    sub = os.path.join(d, f"d{i % 50:02d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"f{i:05d}"), "wb") as f:
        f.write((f"file {i} " * (1 + i % 40)).encode())
PY
# Sparse: a few real bytes at the start, the middle and the end.
truncate -s "$BIG" "$SEED/huge/big.bin"
printf 'head' | dd of="$SEED/huge/big.bin" conv=notrunc status=none
printf 'middle' | dd of="$SEED/huge/big.bin" bs=1 seek=$((BIG / 2)) conv=notrunc status=none
printf 'tail' | dd of="$SEED/huge/big.bin" bs=1 seek=$((BIG - 4)) conv=notrunc status=none
start_emu --seed "bkt=$SEED"

T=$WORK/many
mkdir -p "$T"
s=$(date +%s.%N)
POP_PATH=/many/ run_pop "$T" --concurrency 32
e=$(date +%s.%N)
[[ $POP_RC -eq 0 ]] || fail "many files: exit $POP_RC"
[[ $(find "$T" -path "$T/.ossvp-populator" -prune -o -type f -print | wc -l) -eq $FILES ]] || fail "file count"
same_tree "$SEED/many" "$T" || fail "many files differ: $(head "$WORK/diff.txt")"
pass "$FILES small files copied in $(python3 -c "print(round($e-$s,1))") s"

T=$WORK/huge
mkdir -p "$T"
s=$(date +%s.%N)
POP_PATH=/huge/ run_pop "$T" --concurrency 16 --memory-budget 256MiB
e=$(date +%s.%N)
[[ $POP_RC -eq 0 ]] || fail "big file: exit $POP_RC"
[[ $(stat -c %s "$T/big.bin") -eq $BIG ]] || fail "big file size"
cmp -s "$SEED/huge/big.bin" "$T/big.bin" || fail "big file differs"
heads=$(stat_count HeadObject count)
# The CRC64 comes from the GETs' x-oss-hash-crc64ecma: no HEAD per object.
[[ $heads -eq 0 ]] || fail "$heads HeadObject requests: the CRC64 should come from the GETs already made"
pass "$BIG-byte file copied and CRC64-verified in $(python3 -c "print(round($e-$s,1))") s"
echo "populator scale test: all passed"
