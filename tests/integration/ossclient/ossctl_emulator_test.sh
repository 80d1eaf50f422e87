#!/usr/bin/env bash
# Integration test: ossctl (and so the ossclient library) against the OSS
# emulator — listing across many pages, ranged reads, multipart round trip
# with CRC64 checks, survival of injected faults, clear 403 errors, the three
# signature versions, endpoint overrides with virtual-hosted names, and RRSA.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/emulator.sh"
BIN=${OSSVP_BIN:?OSSVP_BIN must point at build/bin}
OSSCTL=$BIN/ossctl
WORK=$(mktemp -d)
emulator_exit_trap EMU "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# ---- fixture: 1234 small objects in nested dirs + a 3 MB object
SEED=$WORK/seed
mkdir -p "$SEED"/many/d0 "$SEED"/many/d1 "$SEED"/data
for i in $(seq 0 1233); do echo "object $i" > "$SEED/many/d$((i % 2))/f$(printf %05d "$i")"; done
head -c 3000000 /dev/urandom > "$SEED/data/blob.bin"
printf 'space and plus' > "$SEED/data/x y+z.txt"

OSS_EMULATOR_SECRET_KEY=SKTEST emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" --data-dir "$WORK/emu" --access-key AKTEST \
  --seed "bkt=$SEED" --rng-seed 7 --sts-duration-seconds 120 || fail "emulator did not start"
ENDPOINT=$EMU_URL
echo "emulator at $ENDPOINT"

export ALIBABA_CLOUD_ACCESS_KEY_ID=AKTEST ALIBABA_CLOUD_ACCESS_KEY_SECRET=SKTEST
unset ALIBABA_CLOUD_SECURITY_TOKEN ALIBABA_CLOUD_ROLE_ARN 2>/dev/null || true
ctl() { "$OSSCTL" --endpoint "$ENDPOINT" --region cn-hangzhou "$@"; }
admin() { curl -sf -X POST "$ENDPOINT/-/admin" -d "$1" > /dev/null; }
stat_count() {  # stat_count OPERATION FIELD
  curl -sf "$ENDPOINT/-/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['operations'].get('$1',{}).get('$2',0))"
}
total_errors() {  # error responses over all operations
  curl -sf "$ENDPOINT/-/stats" | python3 -c "import json,sys; print(sum(o.get('errors',0) for o in json.load(sys.stdin)['operations'].values()))"
}

# ---- listing across many pages
(cd "$SEED" && find many -type f | sort) > "$WORK/expected-keys"
ctl ls -r --max-keys 100 oss://bkt/many/ | awk '{print $3}' > "$WORK/listed-keys"
diff -q "$WORK/expected-keys" "$WORK/listed-keys" > /dev/null || fail "recursive listing differs from the seeded keys"
pages=$(stat_count ListObjectsV2 count)
[[ "$pages" -ge 13 ]] || fail "expected >= 13 list pages of 100 keys, emulator saw $pages"
pass "listed 1234 keys over $pages pages"
ctl ls oss://bkt/many/ > "$WORK/dirs"
grep -q "PRE.*many/d0/" "$WORK/dirs" && grep -q "PRE.*many/d1/" "$WORK/dirs" || fail "delimiter listing: $(cat "$WORK/dirs")"
[[ $(wc -l < "$WORK/dirs") -eq 2 ]] || fail "delimiter listing should show exactly two prefixes"
[[ -z "$(ctl ls oss://bkt/nothing-here/)" ]] || fail "empty prefix should list nothing"
ctl ls oss://bkt/data/ > "$WORK/data-ls"
grep -q "data/x y+z.txt" "$WORK/data-ls" || fail "url-encoded key not decoded in listing"
pass "delimiter, empty and url-encoded listings"

# ---- ranged reads
for spec in "0 1" "0 100" "12345 65536" "2999000 1000" "2999999 1"; do
  set -- $spec
  ctl cat --offset "$1" --length "$2" oss://bkt/data/blob.bin > "$WORK/range"
  dd if="$SEED/data/blob.bin" of="$WORK/range.expected" iflag=skip_bytes,count_bytes skip="$1" count="$2" bs=64K status=none
  cmp -s "$WORK/range" "$WORK/range.expected" || fail "range $1+$2 differs"
done
[[ $(ctl cat --offset 2999990 --length 100 oss://bkt/data/blob.bin | wc -c) -eq 10 ]] || fail "range past the end not clipped"
if ctl cat --offset 3000000 oss://bkt/data/blob.bin > /dev/null 2> "$WORK/err"; then fail "read past the end succeeded"; fi
grep -q "InvalidRange (HTTP 416)" "$WORK/err" || fail "read past the end: $(cat "$WORK/err")"
[[ "$(ctl cat "oss://bkt/data/x y+z.txt")" == "space and plus" ]] || fail "key with space and plus"
pass "ranged reads"

# ---- multipart round trip (CRC64 of parts combined and checked against the server's by ossctl)
head -c 12000000 /dev/urandom > "$WORK/up.bin"
ctl --log-level info put --multipart-threshold 1MiB --part-size 1MiB --parallel 4 "$WORK/up.bin" oss://bkt/up/mp.bin \
  2> "$WORK/put.log" || fail "multipart put: $(cat "$WORK/put.log")"
grep -q "uploaded 12 parts" "$WORK/put.log" || fail "expected 12 parts: $(cat "$WORK/put.log")"
ctl stat oss://bkt/up/mp.bin > "$WORK/stat"
grep -q "object-type: *Multipart" "$WORK/stat" || fail "not a multipart object: $(cat "$WORK/stat")"
grep -q "size: *12000000" "$WORK/stat" || fail "wrong size: $(cat "$WORK/stat")"
ctl --log-level info get oss://bkt/up/mp.bin "$WORK/down.bin" 2> "$WORK/get.log"
cmp -s "$WORK/up.bin" "$WORK/down.bin" || fail "multipart object read back differs"
grep -q "crc verified: true" "$WORK/get.log" || fail "whole-object CRC64 was not verified: $(cat "$WORK/get.log")"
[[ $(stat_count UploadPart count) -eq 12 ]] || fail "expected 12 UploadPart requests"
ctl put "$WORK/up.bin" oss://bkt/up/single.bin && ctl get oss://bkt/up/single.bin "$WORK/single.bin"
cmp -s "$WORK/up.bin" "$WORK/single.bin" || fail "single put round trip differs"
ctl rm oss://bkt/up/single.bin
if ctl stat oss://bkt/up/single.bin 2> "$WORK/err"; then fail "deleted object still there"; fi
grep -q "NoSuchKey (HTTP 404)" "$WORK/err" || fail "stat of a deleted key: $(cat "$WORK/err")"
pass "multipart and single put round trips, delete"

# ---- injected faults: 503s, connection resets and truncated bodies are retried
admin '{"operation":"*","error_rate":0.25,"reset_rate":0.1,"truncate_rate":0.1}'
errors_before=$(total_errors)
for i in 1 2 3 4; do
  ctl --retries 12 get oss://bkt/up/mp.bin "$WORK/faulty.bin" || fail "get under faults (round $i)"
  cmp -s "$WORK/up.bin" "$WORK/faulty.bin" || fail "data differs under faults (round $i)"
done
ctl --retries 12 put --multipart-threshold 1MiB --part-size 1MiB --parallel 4 "$WORK/up.bin" oss://bkt/up/faulty.bin \
  || fail "multipart put under faults"
[[ $(ctl --retries 12 ls -r --max-keys 200 oss://bkt/many/ | wc -l) -eq 1234 ]] || fail "listing under faults"
admin '{"reset":true}'
ctl get oss://bkt/up/faulty.bin "$WORK/faulty2.bin" && cmp -s "$WORK/up.bin" "$WORK/faulty2.bin" || fail "faulty upload differs"
errors_after=$(total_errors)
[[ $((errors_after - errors_before)) -ge 3 ]] || fail "too few faults were injected ($((errors_after - errors_before)))"
pass "survived $((errors_after - errors_before)) injected faults (503s, resets, truncated bodies)"

# ---- bad credentials: a clear 403 with code and request id
if ALIBABA_CLOUD_ACCESS_KEY_SECRET=wrong ctl ls oss://bkt/ 2> "$WORK/err"; then fail "bad secret accepted"; fi
grep -q "PermissionDenied: SignatureDoesNotMatch (HTTP 403)" "$WORK/err" || fail "bad secret: $(cat "$WORK/err")"
grep -q "RequestId [0-9A-F]" "$WORK/err" || fail "no request id: $(cat "$WORK/err")"
if ALIBABA_CLOUD_ACCESS_KEY_ID=NOPE ctl stat oss://bkt/data/blob.bin 2> "$WORK/err"; then fail "bad key id accepted"; fi
grep -q "InvalidAccessKeyId (HTTP 403)" "$WORK/err" || fail "bad key id (HEAD): $(cat "$WORK/err")"
if env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET "$OSSCTL" --endpoint "$ENDPOINT" ls oss://bkt/ 2> "$WORK/err"; then
  fail "no credentials accepted"
fi
grep -q "ALIBABA_CLOUD_ACCESS_KEY_ID" "$WORK/err" || fail "missing-credentials error not actionable: $(cat "$WORK/err")"
grep -q "wrong" "$WORK/err" && fail "secret leaked into an error"
pass "403 errors carry code and request id"

# ---- signature versions, path style, endpoint override with virtual-hosted names
for sig in v1 v4 s3v4; do
  [[ "$(ctl --signature $sig cat "oss://bkt/data/x y+z.txt")" == "space and plus" ]] || fail "signature $sig"
done
[[ "$(ctl --path-style cat oss://bkt/many/d0/f00000)" == "object 0" ]] || fail "path style"
ovr="oss-cn-hangzhou-internal.aliyuncs.com"
out=$("$OSSCTL" --endpoint "$ovr" --endpoint-override "$ovr=$ENDPOINT" cat "oss://bkt/data/x y+z.txt")
[[ "$out" == "space and plus" ]] || fail "endpoint override (virtual-hosted, region from endpoint)"
pass "v1/v4/s3v4, path style, endpoint override"

# ---- RRSA: OIDC token -> STS AssumeRoleWithOIDC (on the emulator) -> temporary credentials
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
printf '%s.%s.c2ln' "$(printf '{"alg":"none","typ":"JWT"}' | b64url)" \
  "$(printf '{"aud":"sts.aliyuncs.com","sub":"system:serviceaccount:ns:sa","iss":"https://oidc.test","iat":%d,"exp":%d}' "$now" $((now + 3600)) | b64url)" \
  > "$WORK/token"
sts="sts-vpc.cn-hangzhou.aliyuncs.com"
env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET \
  ALIBABA_CLOUD_ROLE_ARN=acs:ram::123:role/test ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::123:oidc-provider/ack \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$WORK/token" ALIBABA_CLOUD_STS_ENDPOINT="$sts" \
  "$OSSCTL" --endpoint "$ovr" --endpoint-override "$ovr=$ENDPOINT" --endpoint-override "$sts=$ENDPOINT" \
  cat oss://bkt/many/d1/f00001 > "$WORK/rrsa.out" 2> "$WORK/rrsa.err" || fail "RRSA: $(cat "$WORK/rrsa.err")"
[[ "$(cat "$WORK/rrsa.out")" == "object 1" ]] || fail "RRSA read"
[[ $(stat_count AssumeRoleWithOIDC count) -ge 1 ]] || fail "STS was not called"
# STS hands out 120 s credentials; the client refreshes within 180 s of expiry,
# so every one of the 13 list pages must get fresh credentials.
sts_before=$(stat_count AssumeRoleWithOIDC count)
env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET \
  ALIBABA_CLOUD_ROLE_ARN=acs:ram::123:role/test ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::123:oidc-provider/ack \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$WORK/token" ALIBABA_CLOUD_STS_ENDPOINT="$ENDPOINT" \
  "$OSSCTL" --endpoint "$ENDPOINT" --region cn-hangzhou ls -r --max-keys 100 oss://bkt/many/ > "$WORK/rrsa-ls" \
  || fail "RRSA listing"
[[ $(wc -l < "$WORK/rrsa-ls") -eq 1234 ]] || fail "RRSA listing incomplete"
refreshes=$(( $(stat_count AssumeRoleWithOIDC count) - sts_before ))
[[ $refreshes -ge 13 ]] || fail "expected a refresh per request near expiry, saw $refreshes STS calls"
pass "RRSA credentials via AssumeRoleWithOIDC, refreshed before expiry ($refreshes STS calls)"

echo "ossctl integration: all passed"
