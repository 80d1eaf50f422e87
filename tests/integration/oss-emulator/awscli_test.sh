#!/usr/bin/env bash
# Fidelity with awscli (S3 dialect, SigV4) and curl: buckets, cp up/down
# incl. multipart, sync, listing, ranges, conditionals, presign, virtual-hosted
# style, real error codes/statuses, persistence across restart, SIGTERM.
source "$(dirname "$0")/lib.sh"
start_emulator
B=s3://fidelity

awsx s3 mb $B >/dev/null
awsx s3 ls | grep fidelity > /dev/null || fail "bucket not listed"
pass "mb + ls"

echo "hello emulator" > "$WORK/small.txt"
head -c 21000000 /dev/urandom > "$WORK/big.bin"   # > 8 MiB: awscli uses multipart
awsx s3 cp --only-show-errors "$WORK/small.txt" $B/dir/small.txt
awsx s3 cp --only-show-errors "$WORK/big.bin" $B/dir/big.bin
awsx s3 cp --only-show-errors $B/dir/big.bin "$WORK/big.down"
cmp "$WORK/big.bin" "$WORK/big.down" || fail "multipart round trip differs"
pass "cp up/down incl. multipart"
etag=$(awsx s3api head-object --bucket fidelity --key dir/big.bin --query ETag --output text)
[[ "$etag" == *-3\" ]] || fail "multipart ETag should end in -3, got $etag"
pass "multipart ETag"

mkdir -p "$WORK/tree/a/b"
for i in 1 2 3; do echo "file $i" > "$WORK/tree/a/f$i"; done
echo deep > "$WORK/tree/a/b/deep"
# Last-Modified has one-second resolution (as on OSS and S3): a file written in
# the same second as its upload would look newer than the object to awscli.
find "$WORK/tree" -type f -exec touch -d '1 minute ago' {} +
out=$(awsx s3 sync --no-progress "$WORK/tree" $B/tree)
expect_eq "$(grep -c '^upload:' <<<"$out")" 4 "sync uploads 4 files"
out=$(awsx s3 sync --no-progress "$WORK/tree" $B/tree)
expect_eq "$out" "" "second sync uploads nothing"
awsx s3 sync --only-show-errors $B/tree "$WORK/tree-back"
diff -r "$WORK/tree" "$WORK/tree-back" || fail "sync down differs"
pass "sync down"

# Listing with pagination (page size 2 over 4 keys) and delimiter.
keys=$(awsx s3api list-objects-v2 --bucket fidelity --prefix tree/ --page-size 2 --query 'Contents[].Key' --output text)
expect_eq "$(wc -w <<<"$keys")" 4 "list-objects-v2 paginates to 4 keys"
prefixes=$(awsx s3api list-objects-v2 --bucket fidelity --prefix tree/a/ --delimiter / --query 'CommonPrefixes[].Prefix' --output text)
expect_eq "$prefixes" "tree/a/b/" "delimiter gives common prefix"
keys=$(awsx s3api list-objects --bucket fidelity --prefix tree/ --page-size 3 --query 'Contents[].Key' --output text)
expect_eq "$(wc -w <<<"$keys")" 4 "list-objects v1 paginates to 4 keys"

# Presigned GET.
url=$(awsx s3 presign $B/dir/small.txt --expires-in 300)
expect_eq "$(curl -sf "$url")" "hello emulator" "presigned GET"
bad=$(sed 's/X-Amz-Signature=[0-9a-f]*/X-Amz-Signature=00/' <<<"$url")
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$bad")" 403 "tampered presign is 403"

# AWS SigV2 via botocore (awscli's own library): header auth incl. the
# multipart sub-resources, and a V2 presigned URL.
AWS_CONFIG_FILE=/dev/null EMU_SK=$EMU_SK python3 - "$EMU_URL" "$EMU_AK" <<'PY' || fail "SigV2 checks"
import os, sys, urllib.request
import botocore.session
from botocore.config import Config
url, ak = sys.argv[1:]
sk = os.environ["EMU_SK"]
c = botocore.session.get_session().create_client(
    "s3", endpoint_url=url, region_name="cn-hangzhou", aws_access_key_id=ak, aws_secret_access_key=sk,
    config=Config(signature_version="s3", s3={"addressing_style": "path"}))
seen = []
c.meta.events.register("before-send.s3", lambda request, **kw: seen.append(request.headers.get("Authorization", b"")))
parts = [b"a" * 200 * 1024, b"tail"]
up = c.create_multipart_upload(Bucket="fidelity", Key="v2/mp.bin")["UploadId"]
etags = [c.upload_part(Bucket="fidelity", Key="v2/mp.bin", UploadId=up, PartNumber=i + 1, Body=p)["ETag"]
         for i, p in enumerate(parts)]
c.complete_multipart_upload(Bucket="fidelity", Key="v2/mp.bin", UploadId=up, MultipartUpload={
    "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
assert c.get_object(Bucket="fidelity", Key="v2/mp.bin")["Body"].read() == b"".join(parts)
assert all(a.startswith(b"AWS ") for a in seen), seen[:2]
u = c.generate_presigned_url("get_object", Params={"Bucket": "fidelity", "Key": "dir/small.txt"}, ExpiresIn=300)
assert "AWSAccessKeyId=" in u, u
assert urllib.request.urlopen(u).read() == b"hello emulator\n"
print("ok: SigV2 header auth (multipart) and presign")
PY

# curl with its own SigV4 implementation: ranges, conditionals, errors, virtual-hosted style.
# (curl 7.88 hashes the payload unless told UNSIGNED-PAYLOAD in the signed header.)
unsigned=(-H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
# The credentials in curl configs (mode 600), not on curl's command line.
(umask 077 && printf 'user = "%s:%s"\n' "$EMU_AK" "$EMU_SK" > "$WORK/curl-user" \
  && printf 'user = "wrong-ak:%s"\n' "$EMU_SK" > "$WORK/curl-wrong-ak")
sig=(--aws-sigv4 "aws:amz:cn-hangzhou:s3" -K "$WORK/curl-user" "${unsigned[@]}")
u="$EMU_URL/fidelity/dir/small.txt"
expect_eq "$(curl -sf "${sig[@]}" -r 0-4 "$u")" "hello" "range a-b"
expect_eq "$(curl -sf "${sig[@]}" -r -9 "$u")" "emulator" "suffix range"
expect_eq "$(curl -sf "${sig[@]}" -r 6- "$u")" "emulator" "open range"
expect_eq "$(curl -s "${sig[@]}" -o /dev/null -w '%{http_code}' -r 6- "$u")" 206 "range status 206"
expect_eq "$(curl -s "${sig[@]}" -o /dev/null -w '%{http_code}' -r 100-200 "$u")" 416 "unsatisfiable range 416 (S3)"
hdrs=$(curl -sfI "${sig[@]}" "$u")
grep -qi '^x-oss-hash-crc64ecma: [0-9]' <<<"$hdrs" || fail "no crc64 header"
grep -qi '^x-oss-request-id: ' <<<"$hdrs" || fail "no request id"
grep -qi '^last-modified: ' <<<"$hdrs" || fail "no Last-Modified"
pass "object headers"
etag=$(sed -n 's/^[Ee][Tt]ag: //p' <<<"$hdrs" | tr -d '\r')
expect_eq "$(curl -s "${sig[@]}" -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$u")" 304 "If-None-Match 304"
expect_eq "$(curl -s "${sig[@]}" -o /dev/null -w '%{http_code}' -H 'If-Match: "nope"' "$u")" 412 "If-Match 412"
expect_eq "$(curl -s "${sig[@]}" -o /dev/null -w '%{http_code}' -H 'If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT' "$u")" 304 "If-Modified-Since 304"
vh=$(curl -sf "${sig[@]}" --connect-to "fidelity.oss-cn-hangzhou.localhost:$EMU_PORT:127.0.0.1:$EMU_PORT" \
  "http://fidelity.oss-cn-hangzhou.localhost:$EMU_PORT/dir/small.txt")
expect_eq "$vh" "hello emulator" "virtual-hosted style"

code_of() { sed -n 's:.*<Code>\(.*\)</Code>.*:\1:p'; }
r=$(curl -s "${sig[@]}" -w ' %{http_code}' "$EMU_URL/fidelity/dir/missing")
expect_eq "$(code_of <<<"$r") ${r##* }" "NoSuchKey 404" "missing key"
r=$(curl -s "${sig[@]}" -w ' %{http_code}' "$EMU_URL/nobucket/x")
expect_eq "$(code_of <<<"$r") ${r##* }" "NoSuchBucket 404" "missing bucket"
r=$(curl -s --aws-sigv4 "aws:amz:cn-hangzhou:s3" -K "$WORK/curl-wrong-ak" "${unsigned[@]}" -w ' %{http_code}' "$u")
expect_eq "$(code_of <<<"$r") ${r##* }" "InvalidAccessKeyId 403" "wrong access key"
r=$(curl -s --aws-sigv4 "aws:amz:cn-hangzhou:s3" --user "$EMU_AK:wrong-secret" "${unsigned[@]}" -w ' %{http_code}' "$u")
expect_eq "$(code_of <<<"$r") ${r##* }" "SignatureDoesNotMatch 403" "wrong secret"
r=$(curl -s -w ' %{http_code}' "$u")
expect_eq "$(code_of <<<"$r") ${r##* }" "AccessDenied 403" "anonymous request"
h=$(curl -sI "${sig[@]}" "$EMU_URL/fidelity/dir/missing")
grep -qi '^x-oss-err: ' <<<"$h" || fail "HEAD error lacks x-oss-err"
pass "HEAD error carries x-oss-err"
if awsx s3 rb $B 2>"$WORK/rb.err"; then fail "rb of a non-empty bucket succeeded"; fi
grep -q BucketNotEmpty "$WORK/rb.err" || fail "rb error is not BucketNotEmpty: $(cat "$WORK/rb.err")"
pass "BucketNotEmpty"
awsx s3 rm --only-show-errors --recursive $B/tree
expect_eq "$(awsx s3 ls --recursive $B/tree | wc -l)" 0 "rm --recursive (DeleteObjects)"

# A PUT killed mid-body leaves nothing; data survives a restart.
curl -s "${sig[@]}" -T "$WORK/big.bin" --limit-rate 2M "$EMU_URL/fidelity/partial.bin" >/dev/null 2>&1 &
cpid=$!
sleep 1
kill -9 "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
wait $cpid 2>/dev/null || true
start_emulator
expect_eq "$(curl -s "${sig[@]}" -o /dev/null -w '%{http_code}' "$EMU_URL/fidelity/partial.bin")" 404 "crashed PUT left no object"
expect_eq "$(find "$EMU_DATA/tmp" -type f | wc -l)" 0 "no temp files after restart"
awsx s3 cp --only-show-errors $B/dir/big.bin "$WORK/big.again"
cmp "$WORK/big.bin" "$WORK/big.again" || fail "object changed across restart"
pass "objects survive restart"
stop_emulator
