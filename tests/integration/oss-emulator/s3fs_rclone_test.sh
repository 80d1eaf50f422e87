#!/usr/bin/env bash
# Fidelity with s3fs-fuse (mount: read a seeded file, write a file) and
# rclone (copy up and down, check; read through `rclone mount`).
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/seed/sub"
echo "seeded content" > "$WORK/seed/sub/seeded.txt"
head -c 3000000 /dev/urandom > "$WORK/seed/blob.bin"
start_emulator --seed "mounted=$WORK/seed"
# --seed indexes the files in place: no copy lands in the data dir.
expect_eq "$(find "$EMU_DATA/buckets/mounted" -type f -size +1k | wc -l)" 0 "seed does not copy data"

# ---- s3fs
echo "$EMU_AK:$EMU_SK" > "$WORK/passwd"; chmod 600 "$WORK/passwd"
mkdir -p "$WORK/mnt"
s3fs mounted "$WORK/mnt" -o url="$EMU_URL" -o use_path_request_style -o passwd_file="$WORK/passwd" \
  -o endpoint=cn-hangzhou -o sigv4 -o nonempty -o dbglevel=warn -o retries=1
_MOUNTS+=("$WORK/mnt")
for i in $(seq 1 50); do mountpoint -q "$WORK/mnt" && break; sleep 0.1; done
mountpoint -q "$WORK/mnt" || fail "s3fs did not mount"
expect_eq "$(cat "$WORK/mnt/sub/seeded.txt")" "seeded content" "s3fs reads a seeded file"
cmp "$WORK/seed/blob.bin" "$WORK/mnt/blob.bin" || fail "s3fs read of blob differs"
pass "s3fs reads 3 MB object"
echo "written by s3fs" > "$WORK/mnt/sub/new.txt"
sync
expect_eq "$(cat "$WORK/mnt/sub/new.txt")" "written by s3fs" "s3fs reads back its write"
ls "$WORK/mnt/sub" | grep new.txt > /dev/null || fail "s3fs listing lacks new file"
fusermount3 -u "$WORK/mnt" 2>/dev/null || fusermount -u "$WORK/mnt"
_MOUNTS=()
expect_eq "$(awsx s3 cp s3://mounted/sub/new.txt -)" "written by s3fs" "s3fs write visible through S3"
expect_eq "$(cat "$WORK/seed/sub/seeded.txt")" "seeded content" "seed source untouched"

# ---- rclone (S3 backend, path style, SigV4)
export RCLONE_CONFIG=/dev/null
# aws-sdk-go in rclone fails on a custom AWS_CA_BUNDLE over plain http: drop it.
rc() { env -u AWS_CA_BUNDLE rclone "$@"; }
export RCLONE_CONFIG_EMU_TYPE=s3 RCLONE_CONFIG_EMU_PROVIDER=Other RCLONE_CONFIG_EMU_ENV_AUTH=false \
  RCLONE_CONFIG_EMU_ACCESS_KEY_ID=$EMU_AK RCLONE_CONFIG_EMU_SECRET_ACCESS_KEY=$EMU_SK \
  RCLONE_CONFIG_EMU_ENDPOINT=$EMU_URL RCLONE_CONFIG_EMU_REGION=cn-hangzhou RCLONE_CONFIG_EMU_FORCE_PATH_STYLE=true
mkdir -p "$WORK/rc/a"
echo one > "$WORK/rc/one.txt"; echo two > "$WORK/rc/a/two.txt"
head -c 12000000 /dev/urandom > "$WORK/rc/a/big.bin"   # multipart with a 5M cutoff
rc mkdir emu:rclone-b
rc copy --s3-upload-cutoff 5M --s3-chunk-size 5M "$WORK/rc" emu:rclone-b/up
rc check "$WORK/rc" emu:rclone-b/up || fail "rclone check after copy"
pass "rclone copy up (incl. multipart) + check"
rc copy emu:rclone-b/up "$WORK/rc-back"
diff -r "$WORK/rc" "$WORK/rc-back" || fail "rclone copy down differs"
pass "rclone copy down"
expect_eq "$(rc lsf -R emu:rclone-b/up | sort | tr '\n' ' ')" "a/ a/big.bin a/two.txt one.txt " "rclone lsf"

mkdir -p "$WORK/rmnt"
rc mount emu:mounted "$WORK/rmnt" --read-only --daemon --daemon-timeout 20s
_MOUNTS+=("$WORK/rmnt")
for i in $(seq 1 100); do mountpoint -q "$WORK/rmnt" && break; sleep 0.1; done
mountpoint -q "$WORK/rmnt" || fail "rclone mount did not come up"
expect_eq "$(cat "$WORK/rmnt/sub/seeded.txt")" "seeded content" "rclone mount reads a file"
cmp "$WORK/seed/blob.bin" "$WORK/rmnt/blob.bin" || fail "rclone mount read differs"
fusermount3 -u "$WORK/rmnt" 2>/dev/null || fusermount -u "$WORK/rmnt"
_MOUNTS=()
pass "rclone mount"
stop_emulator
