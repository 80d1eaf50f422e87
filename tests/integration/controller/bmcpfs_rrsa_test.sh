#!/usr/bin/env bash
# bmcpfs-dataflow with the controller's OpenAPI credentials from RRSA only
# (no AccessKey in its environment), real kubectl against kube-sim and the
# emulator's STS + NAS data-flow API:
#   1. the OIDC token file is missing: the PVC waits with a PopulatorPrerequisiteMissing
#      event (and a log line) naming ALIBABA_CLOUD_OIDC_TOKEN_FILE and the file;
#      no STS call is made
#   2. the token appears: AssumeRoleWithOIDC (role and provider checked by the
#      emulator), the data-flow calls signed with the STS AccessKey and its
#      SecurityToken, the PVC Bound with the data in place
#   3. short-lived STS credentials (8 s: always inside the 180 s refresh
#      margin, so exchanged again whenever used) keep working through the
#      import with the rotated token file, after the first token (15 s) expired
#   4. neither the OIDC tokens nor the STS security tokens appear in the
#      controller's log
source "$(dirname "$0")/lib.sh"

EX=$OSSVP_SRC/manifests/examples/bmcpfs-dataflow
NS=bmcpfs-dataflow-demo
ROLE=acs:ram::1234567890123456:role/ossvp-controller
PROVIDER=acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee
TOKEN_FILE=$WORK/rrsa/token  # created in step 2

SEED=$WORK/seed
mkdir -p "$SEED/Qwen3-32B" "$WORK/cpfs" "$WORK/seed-empty"
# 24 MB at 1 MB/s: the import outlives the first token (15 s).
for i in 1 2 3 4 5 6; do head -c 4000000 /dev/urandom > "$SEED/Qwen3-32B/part$i.bin"; done
echo '{"model_type":"qwen3"}' > "$SEED/Qwen3-32B/config.json"

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt() {  # jwt SUBJECT EXP: an unsigned service-account-like token for the emulator's STS
  local h p
  h=$(printf '{"alg":"none","typ":"JWT"}' | b64url)
  p=$(printf '{"iss":"https://oidc-ack.cn-hangzhou.aliyuncs.com/c0ffee","sub":"%s","aud":["sts.aliyuncs.com"],"iat":%d,"exp":%d}' \
    "$1" "$(date +%s)" "$2" | b64url)
  printf '%s.%s.sig-%s' "$h" "$p" "$(head -c 12 /dev/urandom | b64url)"
}

start_emu "$WORK/seed-empty" --seed "my-model-bucket=$SEED" --cpfs-root "$WORK/cpfs" \
  --sts-role-arn "$ROLE" --sts-oidc-provider-arn "$PROVIDER" --sts-duration-seconds 8 --log-level debug
KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
  start_kube_sim --cpfs-root "$WORK/cpfs"
install_ossvp

# Only the RRSA variables: whatever the caller's environment holds, no AccessKey.
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN \
  ALIBABA_CLOUD_STS_ENDPOINT ALIBABA_CLOUD_STS_REGION ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED
ALIBABA_CLOUD_ROLE_ARN=$ROLE ALIBABA_CLOUD_OIDC_PROVIDER_ARN=$PROVIDER ALIBABA_CLOUD_OIDC_TOKEN_FILE=$TOKEN_FILE \
  start_controller --endpoint-override "nas.cn-hangzhou.aliyuncs.com=$EMU_URL" --cpfs-region cn-hangzhou \
  --cpfs-throughput-mbps 1 --cpfs-poll-interval 0.3

# The seed's scenario 1 as written: ossvp qwen3-32b and its CPFS PVC.
for f in "$EX"/0[0-3]*.yaml; do k apply -f "$f" > /dev/null; done

stats() { curl -sf "$EMU_URL/-/stats"; }
op_count() {  # op_count OP [count|errors]: from the emulator's /-/stats
  stats | python3 -c "import json,sys; print(json.load(sys.stdin)['operations'].get('$1',{}).get('${2:-count}',0))"
}

# --- 1. token file missing ---------------------------------------------------------
token_event() {
  local msgs
  msgs=$(k get events -n "$NS" --field-selector involvedObject.name=qwen3-32b,reason=PopulatorPrerequisiteMissing \
    -o jsonpath='{range .items[*]}{.message}{"\n"}{end}')
  grep -q ALIBABA_CLOUD_OIDC_TOKEN_FILE <<< "$(grep -F "$TOKEN_FILE" <<< "$msgs")"
}
wait_for "PopulatorPrerequisiteMissing event naming the token file" 60 token_event
grep -q ALIBABA_CLOUD_OIDC_TOKEN_FILE <<< "$(grep -F "$TOKEN_FILE" "$WORK/ctrl.log")" || fail "no log line naming the token file"
[[ "$(pvc_phase "$NS" qwen3-32b)" == Pending ]] || fail "PVC not Pending without credentials"
[[ "$(op_count AssumeRoleWithOIDC)" == 0 ]] || fail "an STS call was made without a token"
[[ "$(op_count CreateDataFlow)" == 0 ]] || fail "a data flow was created without credentials"
pass "missing token file: PVC Pending, event and log name ALIBABA_CLOUD_OIDC_TOKEN_FILE=$TOKEN_FILE"

# --- 2. the token appears; 3. it is rotated after the first exchange -----------------
T1_EXP=$(($(date +%s) + 15))
TOKEN1=$(jwt system:serviceaccount:ack-volume-populator:ossvp-controller $T1_EXP)
mkdir -p "$WORK/rrsa"
printf '%s' "$TOKEN1" > "$TOKEN_FILE.tmp" && mv "$TOKEN_FILE.tmp" "$TOKEN_FILE"
sts_called() { (($(op_count AssumeRoleWithOIDC) >= 1)); }
wait_for "the first AssumeRoleWithOIDC" 14 sts_called
# kubelet-style rotation: a new token, atomically replaced.
TOKEN2=$(jwt system:serviceaccount:ack-volume-populator:ossvp-controller $(($(date +%s) + 3600)))
printf '%s' "$TOKEN2" > "$TOKEN_FILE.tmp" && mv "$TOKEN_FILE.tmp" "$TOKEN_FILE"
# Past the first token's expiry, the import must still be running: every
# later exchange can only succeed with the re-read file.
while (($(date +%s) <= T1_EXP)); do sleep 0.5; done
N_AT_EXP=$(op_count AssumeRoleWithOIDC)
PHASE=$(pvc_phase "$NS" qwen3-32b)
[[ "$PHASE" == Pending ]] || fail "the import ended before the first token expired (PVC phase '$PHASE'; test too fast)"
wait_for "PVC Bound" 180 pvc_bound "$NS" qwen3-32b

N_STS=$(op_count AssumeRoleWithOIDC)
((N_STS > N_AT_EXP)) || fail "no STS exchange after the first token expired ($N_AT_EXP then $N_STS): 8-second credentials not refreshed"
[[ "$(op_count AssumeRoleWithOIDC errors)" == 0 ]] || fail "an AssumeRoleWithOIDC call failed (the expired token re-used?)"
for op in CreateDataFlow CreateDataFlowTask DescribeDataFlowTasks; do
  (($(op_count $op) >= 1)) || fail "no $op call"
  [[ "$(op_count $op errors)" == 0 ]] || fail "$op calls failed: $(stats)"
done
# The emulator's request log: every data-flow call carries an STS AccessKeyId
# (the emulator then requires its SecurityToken and checks its expiry).
grep -E "Action=(CreateDataFlow|CreateDataFlowTask|DescribeDataFlowTasks|DeleteDataFlow|DescribeDataFlows)[&[:space:]]" \
  "$WORK/emu.err" > "$WORK/dataflow-requests" || fail "no data-flow request in the emulator log"
grep -q "AccessKeyId=STS\." "$WORK/dataflow-requests" || fail "data-flow calls not signed with an STS AccessKey"
if grep -q . <<< "$(grep -v "AccessKeyId=STS\." "$WORK/dataflow-requests")"; then
  fail "a data-flow call was not signed with an STS AccessKey: $(grep -v 'AccessKeyId=STS\.' "$WORK/dataflow-requests" | head -2)"
fi
grep -q "SecurityToken=" "$WORK/dataflow-requests" || fail "data-flow calls carry no SecurityToken"
# Exactly one DeleteDataFlow for the one population, and it succeeded (no repeat answered 404).
[[ "$(op_count DeleteDataFlow)" == 1 && "$(op_count DeleteDataFlow errors)" == 0 ]] ||
  fail "expected one successful DeleteDataFlow: $(stats)"
grep -q -- "-> 200 " <<< "$(grep "Action=DeleteDataFlow&" "$WORK/dataflow-requests")" || fail "no successful DeleteDataFlow"
grep -q "NAS OpenAPI credentials: RRSA (role $ROLE) (AccessKeyId STS\." "$WORK/ctrl.log" ||
  fail "controller log does not say it uses RRSA"
pass "RRSA: $N_STS AssumeRoleWithOIDC exchanges ($((N_STS - N_AT_EXP)) after the first token expired), rotated token used, data-flow calls signed with STS keys"

PV=$(k get pvc qwen3-32b -n "$NS" -o jsonpath='{.spec.volumeName}')
DIR=$(k get pv "$PV" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}')
[[ -n "$DIR" && -d "$DIR" ]] || fail "fileset directory of the bound PV not found"
diff <(expected_sums "$SEED/Qwen3-32B") <(expected_sums "$DIR") || fail "imported data differs"
grep -q "Populated successfully" <<< "$(k get ossvp qwen3-32b -n "$NS" -o jsonpath='{.status.message}')" ||
  fail "no 'Populated successfully'"
pass "bmcpfs-dataflow with RRSA: Bound, data byte-identical, Populated successfully"

# --- 4. secrets ---------------------------------------------------------------------
for t in "$TOKEN1" "$TOKEN2"; do
  grep -qF "$t" "$WORK/ctrl.log" && fail "an OIDC token appears in the controller log"
  grep -qF "${t##*.}" "$WORK/ctrl.log" && fail "an OIDC token's signature appears in the controller log"
done
# The STS security tokens the controller signed with (from the emulator's request log).
grep -o "SecurityToken=[^&[:space:]]*" "$WORK/dataflow-requests" | sort -u | cut -d= -f2 |
  python3 -c "import sys, urllib.parse; [print(urllib.parse.unquote(l.strip())) for l in sys.stdin]" > "$WORK/sts-tokens"
[[ -s "$WORK/sts-tokens" ]] || fail "no STS security token found in the emulator's log"
grep -qFf "$WORK/sts-tokens" "$WORK/ctrl.log" && fail "an STS security token appears in the controller log"
pass "no OIDC token and no STS security token in the controller log"
echo "bmcpfs-dataflow RRSA e2e: all passed"
