#!/usr/bin/env bash
# CPFS data-flow API (NAS OpenAPI RPC, signature V1) against the emulator.
source "$(dirname "$0")/lib.sh"
export SEED=$WORK/seed
mkdir -p "$SEED/train/sub" "$SEED/other" "$WORK/cpfs/bmcpfs-test01"
head -c 2000000 /dev/urandom > "$SEED/train/a.bin"
echo bee > "$SEED/train/sub/b.txt"
echo sea > "$SEED/other/c.txt"
start_emulator --seed "data=$SEED" --cpfs-root "$WORK/cpfs"
EMU_SK=$EMU_SK python3 "$(dirname "$0")/dataflow_test.py" "$EMU_PORT" "$EMU_AK" "$WORK/cpfs" bmcpfs-test01
stop_emulator
