#!/usr/bin/env bash
# ossvp-populator against the OSS emulator: a nested tree with empty files,
# directory markers, unicode and hostile keys, copied byte-identically with
# mtimes; progress JSON lines; the termination log; the Pod annotation patch
# (a local API stub); a re-run is a no-op; wrong credentials, a missing
# bucket and an empty path give their own exit codes; RRSA through STS.
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/data/sub/deep" "$SEED/data/中文目录"
echo hello > "$SEED/data/a.txt"
: > "$SEED/data/empty.bin"
head -c 3000000 /dev/urandom > "$SEED/data/sub/deep/blob.bin"
head -c 20000000 /dev/urandom > "$SEED/data/sub/large.bin"
printf 'unicode' > "$SEED/data/中文目录/ファイル ü.txt"
printf 'x y+z' > "$SEED/data/x y+z.txt"
for i in $(seq 1 40); do head -c $((i * 1000)) /dev/urandom > "$SEED/data/sub/f$i"; done
touch -d '2021-02-03 04:05:06 UTC' "$SEED/data/a.txt"
start_emu --seed "bkt=$SEED"
export ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK

# Keys a file system cannot hold as given, uploaded next to the seeded tree
# (awscli sends them verbatim, dot segments included).
awsx() {
  AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=cn-hangzhou AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null aws --endpoint-url "$EMU_URL" "$@"
}
echo evil > "$WORK/evil"
: > "$WORK/empty"
for key in "data/../escape" "data/sub/../../escape2" "data/a//double" "data/./dot" "data/collide" "data/collide/child" \
  "data/$(printf 'n%.0s' $(seq 1 300))" "data/.ossvp-populator/complete"; do
  awsx s3api put-object --bucket bkt --key "$key" --body "$WORK/evil" > /dev/null || fail "upload of key $key"
done
awsx s3api put-object --bucket bkt --key "data/marker-dir/" --body "$WORK/empty" > /dev/null
mkdir -p "$SEED/data/collide" "$SEED/data/marker-dir" && cp "$WORK/evil" "$SEED/data/collide/child"  # expected tree

# --- the Pod annotation: a tiny API server stub records PATCH requests.
cat > "$WORK/stub.py" <<'PY'
import http.server, json, sys
log = open(sys.argv[1], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_PATCH(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        log.write(json.dumps({"path": self.path, "ct": self.headers["Content-Type"],
                              "auth": self.headers["Authorization"], "body": body.decode()}) + "\n"); log.flush()
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$WORK/stub.py" "$WORK/patches.log" > "$WORK/stub.port" &
_PIDS+=($!)
for _ in $(seq 1 50); do [[ -s "$WORK/stub.port" ]] && break; sleep 0.1; done
echo "sa-token-value" > "$WORK/sa-token"

T=$WORK/target
mkdir -p "$T"
POP_PATH=/data/ POD_NAME=populate-abc POD_NAMESPACE=ack-volume-populator \
  OSSVP_KUBE_API_URL="http://127.0.0.1:$(cat "$WORK/stub.port")" OSSVP_KUBE_TOKEN_FILE="$WORK/sa-token" \
  run_pop "$T" --progress-interval 0.5
[[ $POP_RC -eq 0 ]] || fail "populator exit $POP_RC"
same_tree "$SEED/data" "$T" || fail "tree differs: $(head "$WORK/diff.txt")"
pass "nested tree, empty file, unicode and spaces copied byte-identically"
[[ $(stat -c %Y "$T/a.txt") -eq $(date -d '2021-02-03 04:05:06 UTC' +%s) ]] || fail "mtime not from Last-Modified"
[[ -d "$T/marker-dir" ]] || fail "directory marker not created"
pass "mtime from Last-Modified; directory marker created"
[[ ! -e "$WORK/escape" && ! -e "$WORK/escape2" && ! -e "$T/escape" && ! -e "$T/dot" ]] || fail "a key escaped the target"
grep -q "'..' segment" "$WORK/pop.err" || fail "'..' key not reported"
[[ ! -e "$T/collide" || -d "$T/collide" ]] || fail "file-and-prefix collision written as a file"
[[ -f "$T/collide/child" ]] || fail "the collision's child was not copied"
grep -q "both a file and a prefix" "$WORK/pop.err" || fail "collision not reported"
grep -q "empty path segment" "$WORK/pop.err" || fail "'//' key not reported"
grep -q "300 bytes" "$WORK/pop.err" || fail "long name not reported"
grep -q "reserved" "$WORK/pop.err" || fail "reserved name not reported"
rejected=$(json_field "$WORK/pop.term" rejectedKeys)
[[ $rejected -eq 7 ]] || fail "termination log lists $rejected rejected keys"
pass "hostile keys reported ($rejected) and never written outside the target"

# progress lines: JSON, the contract's fields, ending with done at 100%.
python3 - "$WORK/pop.out" <<'PY' || fail "progress lines"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(lines) >= 2, lines
for l in lines:
    assert set(l) == {"phase","bytesDone","bytesTotal","objectsDone","objectsTotal","throughputMBps"}, l
last = lines[-1]
assert last["phase"] == "done" and last["bytesDone"] == last["bytesTotal"] > 23000000, last
assert last["objectsDone"] == last["objectsTotal"], last
PY
pass "progress JSON lines on stdout"
[[ $(json_field "$WORK/pop.term" result) == Succeeded ]] || fail "termination log: $(cat "$WORK/pop.term")"
pass "termination log summary"
python3 - "$WORK/patches.log" <<'PY' || fail "annotation patches: $(cat "$WORK/patches.log")"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert reqs, "no PATCH"
for r in reqs:
    assert r["path"] == "/api/v1/namespaces/ack-volume-populator/pods/populate-abc", r
    assert r["ct"] == "application/merge-patch+json", r
    assert r["auth"] == "Bearer sa-token-value", r
last = json.loads(json.loads(reqs[-1]["body"])["metadata"]["annotations"]["storage.alibabacloud.com/populator-progress"])
assert last["phase"] == "done", last
PY
! grep -qF -f <(printf '%s\n' sa-token-value "$SK") "$WORK/pop.err" "$WORK/pop.out" "$WORK/pop.term" || fail "a secret was printed"
pass "pod annotation patched with the SA token; no secret printed"

# --- a re-run is a no-op: no GET reaches the server.
gets=$(stat_count GetObject count)
POP_PATH=/data/ run_pop "$T"
[[ $POP_RC -eq 0 ]] || fail "re-run exit $POP_RC"
[[ $(stat_count GetObject count) -eq $gets ]] || fail "re-run fetched objects again"
grep -q '"alreadyComplete":true' "$WORK/pop.term" || fail "re-run summary: $(cat "$WORK/pop.term")"
pass "re-run after completion is a no-op"

# --- distinct exit codes and messages
mkdir -p "$WORK/t2"
POP_AK=wrongAK POP_PATH=/data/ run_pop "$WORK/t2"
[[ $POP_RC -eq 3 ]] || fail "wrong credentials: exit $POP_RC, want 3"
grep -q '"reason":"InvalidAccessKeyId"' "$WORK/pop.term" || fail "wrong credentials: $(cat "$WORK/pop.term")"
POP_SK=wrong-secret-value POP_PATH=/data/ run_pop "$WORK/t2"
[[ $POP_RC -eq 3 ]] || fail "wrong secret: exit $POP_RC, want 3"
! grep -q "wrong-secret-value" "$WORK/pop.err" "$WORK/pop.term" || fail "the secret was printed"
pass "wrong credentials: exit 3"
POP_BUCKET=no-such-bucket run_pop "$WORK/t2"
[[ $POP_RC -eq 4 ]] || fail "missing bucket: exit $POP_RC, want 4"
grep -q '"reason":"NoSuchBucket"' "$WORK/pop.term" || fail "missing bucket message: $(cat "$WORK/pop.term")"
pass "missing bucket: exit 4 with NoSuchBucket"
POP_PATH=/nothing-here/ run_pop "$WORK/t2"
[[ $POP_RC -eq 4 ]] || fail "empty source: exit $POP_RC, want 4"
grep -q "no objects under oss://bkt/nothing-here/" "$WORK/pop.term" || fail "empty source message"
pass "empty source: exit 4"
run_pop "$WORK/t2" --concurrency 0
[[ $POP_RC -eq 2 ]] || fail "bad flag: exit $POP_RC, want 2"
env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET "$OSSVP_BIN/ossvp-populator" \
  --endpoint "$OSS_HOST" --region cn-hangzhou --bucket bkt --target "$WORK/t2" --termination-log "$WORK/pop.term" \
  > /dev/null 2>&1 && fail "no credentials succeeded" || rc=$?
[[ $rc -eq 2 ]] || fail "no credentials: exit $rc, want 2"
pass "bad config and missing credentials: exit 2"

# --- RRSA: OIDC token file -> AssumeRoleWithOIDC on the emulator -> STS credentials
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
printf '%s.%s.c2ln' "$(printf '{"alg":"none","typ":"JWT"}' | b64url)" \
  "$(printf '{"aud":"sts.aliyuncs.com","sub":"system:serviceaccount:ack-volume-populator:p","iss":"https://oidc.test","iat":%d,"exp":%d}' "$now" $((now + 3600)) | b64url)" \
  > "$WORK/oidc-token"
sts=sts-vpc.cn-hangzhou.aliyuncs.com
mkdir -p "$WORK/t3"
env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET \
  ALIBABA_CLOUD_ROLE_ARN=acs:ram::123:role/oss-populator ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::123:oidc-provider/ack \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE="$WORK/oidc-token" ALIBABA_CLOUD_STS_ENDPOINT=$sts \
  "$OSSVP_BIN/ossvp-populator" --endpoint "$OSS_HOST" --region cn-hangzhou --bucket bkt --path /data/sub/deep \
  --target "$WORK/t3" --endpoint-override "$OSS_HOST=$EMU_URL" --endpoint-override "$sts=$EMU_URL" \
  --termination-log "$WORK/pop.term" > "$WORK/pop.out" 2> "$WORK/pop.err" || fail "RRSA run failed"
cmp -s "$SEED/data/sub/deep/blob.bin" "$WORK/t3/blob.bin" || fail "RRSA copy differs"
[[ $(stat_count AssumeRoleWithOIDC count) -ge 1 ]] || fail "STS was not called"
! grep -q "$(cut -c1-40 "$WORK/oidc-token")" "$WORK/pop.err" || fail "OIDC token printed"
pass "RRSA: credentials from AssumeRoleWithOIDC"
echo "populator tree test: all passed"
