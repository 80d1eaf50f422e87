#!/usr/bin/env bash
# -o rw: sequential writes of new files are uploaded (multipart while
# writing); everything else fails with a clear errno.
source "$(dirname "$0")/lib.sh"
SEED=$WORK/seed
mkdir -p "$SEED/d"
echo "existing" >"$SEED/existing.txt"
echo "x" >"$SEED/d/inside"
start_emulator "$SEED"
MNT=$WORK/mnt
do_mount "$MNT" "rw,upload_part_size=1M,upload_concurrency=4"

# 1. A new 20 MiB file written sequentially reads back identical, on the server too.
head -c $((20 * 1024 * 1024 + 777)) /dev/urandom >"$WORK/src.bin"
dd if="$WORK/src.bin" of="$MNT/new.bin" bs=1M status=none || fail "write new.bin"
[[ $(stat_count UploadPart) -ge 20 ]] || fail "expected multipart upload, saw $(stat_count UploadPart) parts"
curl -sf "$EMU/bk/new.bin" | cmp - "$WORK/src.bin" || fail "server copy differs"
cmp "$MNT/new.bin" "$WORK/src.bin" || fail "read-back differs"
pass "sequential multipart write of 20 MiB"

# 2. Small and empty files, and a nested new file.
echo "hello" >"$MNT/d/small.txt"; : >"$MNT/zero"
[[ $(curl -sf "$EMU/bk/d/small.txt") == "hello" ]] || fail "small file"
[[ $(curl -sf "$EMU/bk/zero" | wc -c) -eq 0 ]] || fail "empty file"
pass "small, empty and nested files"

# 3. Refusals with clear errnos (and the object left intact).
errno_of() { python3 -c "
import errno, os, sys
try:
    $1
    print('OK')
except OSError as e:
    print(errno.errorcode[e.errno])"; }
[[ $(errno_of "open('$MNT/existing.txt','w')") == EPERM ]] || fail "overwrite not EPERM"
[[ $(errno_of "fd=os.open('$MNT/seq.bin', os.O_WRONLY|os.O_CREAT); os.write(fd,b'abc'); os.lseek(fd,100,0); os.write(fd,b'x')") == EINVAL ]] || fail "random write not EINVAL"
[[ $(errno_of "os.rename('$MNT/d','$MNT/e')") == EXDEV ]] || fail "dir rename not EXDEV"
[[ $(curl -sf "$EMU/bk/existing.txt") == "existing" ]] || fail "existing object modified"
grep -q "only appending writes are supported" "$WORK/mount-mnt.log" || fail "no log line for random write"
pass "overwrite EPERM, random write EINVAL, rename EXDEV, each logged"

# 4. mkdir, unlink, rmdir.
mkdir "$MNT/newdir" && rm "$MNT/d/small.txt" && rmdir "$MNT/newdir" || fail "mkdir/rm/rmdir"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$EMU/bk/d/small.txt") == 404 ]] || fail "unlink left the object"
pass "mkdir, unlink, rmdir"
echo "all mount write tests passed"
