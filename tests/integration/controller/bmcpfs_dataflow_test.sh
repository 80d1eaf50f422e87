#!/usr/bin/env bash
# bmcpfs-dataflow mode end to end, real kubectl against kube-sim (bmcpfs class
# backed by the emulator's NAS OpenAPI) and the OSS emulator's CPFS data flows:
#   1. the seed's scenario 1 as written (manifests/examples/bmcpfs-dataflow),
#      progress visible during the import, ids in `kubectl describe ossvp`,
#      "Populated successfully", data in place, the StatefulSet reads it
#   2. dataType metadata (sizes only, no data)
#   3. a failed import task: its ErrorMsg on the PVC and in the ossvp status
#   4. the 10-data-flow limit: waits with an event, then completes
#   5. the PVC deleted mid-import: task cancelled, data flow deleted
#   6. the controller killed mid-import: resumes the same task, no second one
source "$(dirname "$0")/lib.sh"

EX=$OSSVP_SRC/manifests/examples/bmcpfs-dataflow
NS=bmcpfs-dataflow-demo
FSID=bmcpfs-29000z8xz3lf5xxxxxxxx

# Source data: my-model-bucket/Qwen3-32B/ (6 MB), small/ (8 MB), big/ (24 MB).
SEED=$WORK/seed
mkdir -p "$SEED/Qwen3-32B/tokenizer" "$SEED/small" "$SEED/big"
head -c 5000000 /dev/urandom > "$SEED/Qwen3-32B/model-00001.safetensors"  # 6 s at 1 MB/s: progress to watch
head -c 1000000 /dev/urandom > "$SEED/Qwen3-32B/model-00002.safetensors"
echo '{"model_type":"qwen3"}' > "$SEED/Qwen3-32B/config.json"
echo tok > "$SEED/Qwen3-32B/tokenizer/tokenizer.json"
# 8 s per import: the 11th must wait. Slow (sanitizer) builds take longer to
# start 10 imports, so the import grows with the square of the timeout scale.
head -c $((8000000 * ${OSSVP_TIMEOUT_SCALE:-1} * ${OSSVP_TIMEOUT_SCALE:-1})) /dev/urandom > "$SEED/small/a.bin"
for i in 1 2 3; do head -c 8000000 /dev/urandom > "$SEED/big/part$i.bin"; done
mkdir -p "$WORK/cpfs" "$WORK/seed-empty"

start_emu "$WORK/seed-empty" --seed "my-model-bucket=$SEED" --cpfs-root "$WORK/cpfs"
KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
  start_kube_sim --cpfs-root "$WORK/cpfs" --image-map "vllm/vllm-openai=$WORK/vllm.sh"
cat > "$WORK/vllm.sh" <<'SH'
#!/bin/sh
# Stands in for vllm: proves the model directory is mounted and readable.
cd /models/Qwen3-32B && find . -type f | sort | xargs md5sum && echo MODEL-READY && sleep 3600
SH
chmod 755 "$WORK/vllm.sh"
install_ossvp
k create namespace "$NS" > /dev/null 2>&1 || true

# 1 MB/s data flows so that the import is slow enough to watch; the NAS host
# maps to the emulator like the OSS host does.
ctrl() {
  ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK start_controller \
    --endpoint-override "nas.cn-hangzhou.aliyuncs.com=$EMU_URL" --cpfs-region cn-hangzhou \
    --cpfs-throughput-mbps 1 --cpfs-poll-interval 0.3
}
ctrl
grep -q "cpfs-endpoint" <("$OSSVP_BIN/ossvp-controller" --help 2>&1) || fail "--cpfs-endpoint missing from --help"

entry() {  # entry OSSVP PVC FIELD: status.bmcpfsDataflow.<uid of PVC>.FIELD
  local uid
  uid=$(k get pvc "$2" -n "$NS" -o jsonpath='{.metadata.uid}')
  k get ossvp "$1" -n "$NS" -o jsonpath="{.status.bmcpfsDataflow.$uid.$3}"
}
declare -A UIDS=()
in_progress() {  # a percentage strictly between 0 and 100 seen in the status (one kubectl call per poll)
  local p
  [[ -n "${UIDS[$2]:-}" ]] || UIDS[$2]=$(k get pvc "$2" -n "$NS" -o jsonpath='{.metadata.uid}')
  p=$(k get ossvp "$1" -n "$NS" -o jsonpath="{.status.bmcpfsDataflow.${UIDS[$2]}.progress}")
  [[ "$p" =~ ^([0-9]+)%$ ]] && ((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] < 100))
}
fileset_dir() {  # the PVC's fileset directory on the emulator's CPFS
  local pv
  pv=$(k get pvc "$1" -n "$NS" -o jsonpath='{.spec.volumeName}')
  k get pv "$pv" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}'
}
ossvp_yaml() {  # ossvp_yaml NAME PATH [DATATYPE]
  k apply -f - > /dev/null <<YAML
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata: {name: $1, namespace: $NS}
spec:
  bucket: my-model-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: $2
  mode: bmcpfs-dataflow
  bmcpfsDataflow: {dataType: ${3:-metadataAndData}}
YAML
}
cpfs_pvc() { make_pvc "$NS" "$1" "$2" alicloud-bmcpfs-dataflow 100Gi; }

# --- 1. scenario 1 as written ------------------------------------------------
for f in "$EX"/0[0-3]*.yaml; do k apply -f "$f" > /dev/null; done
[[ "$(pvc_phase "$NS" qwen3-32b)" == Pending ]] || fail "scenario 1: PVC not Pending at first"
wait_for "import progress between 0% and 100%" 60 in_progress qwen3-32b qwen3-32b
[[ "$(pvc_phase "$NS" qwen3-32b)" == Pending ]] || fail "scenario 1: PVC Bound before the import ended"
pass "scenario 1: Pending with progress $(entry qwen3-32b qwen3-32b progress) during the import"
wait_for "scenario 1 PVC Bound" 120 pvc_bound "$NS" qwen3-32b
D=$(describe_ossvp "$NS" qwen3-32b)
for field in "Data Flow Id:" "Data Flow Task Id:" "File Set Id:" "File System Id:"; do
  grep -q "$field" <<< "$D" || fail "describe ossvp lacks '$field': $D"
done
grep -q "$FSID" <<< "$D" || fail "describe ossvp lacks the file system id"
grep -q "df-" <<< "$D" || fail "describe ossvp lacks the data flow id"
grep -q "Populated successfully" <<< "$D" || fail "no 'Populated successfully': $D"
[[ "$(entry qwen3-32b qwen3-32b progress)" == "100%" ]] || fail "progress not 100% at the end"
# The seed's status shape exactly: the bmcpfsDataflow entry with its five
# fields and the message, no generic entry.
UID1=$(k get pvc qwen3-32b -n "$NS" -o jsonpath='{.metadata.uid}')
KEYS=$(k get ossvp qwen3-32b -n "$NS" -o jsonpath="{.status.bmcpfsDataflow.$UID1}" | jq -r 'keys | join(",")')
[[ "$KEYS" == "dataFlowId,dataFlowTaskId,fileSetId,fileSystemId,progress" ]] ||
  fail "status.bmcpfsDataflow.$UID1 has fields '$KEYS', expected the seed's five"
[[ -z "$(k get ossvp qwen3-32b -n "$NS" -o jsonpath='{.status.generic}')" ]] ||
  fail "bmcpfs-dataflow status has a generic entry: $(k get ossvp qwen3-32b -n "$NS" -o jsonpath='{.status.generic}')"
[[ "$(k get ossvp qwen3-32b -n "$NS" -o jsonpath='{.status.message}')" == "Populated successfully" ]] ||
  fail "status.message is not 'Populated successfully'"
DIR=$(fileset_dir qwen3-32b)
[[ -n "$DIR" && -d "$DIR" ]] || fail "fileset directory of the bound PV not found"
diff <(expected_sums "$SEED/Qwen3-32B") <(expected_sums "$DIR") || fail "scenario 1: imported data differs"
grep -q "deleted data flow" "$WORK/ctrl.log" || fail "the data flow was not deleted after the import"
pass "scenario 1: Bound, ids in describe, Populated successfully, data byte-identical, data flow deleted"
k apply -f "$EX/04-statefulset.yaml" > /dev/null
wait_for "StatefulSet pod reads the model" 90 bash -c \
  "grep -q MODEL-READY <<< \"\$(kubectl logs -n $NS demo-apply-qwen3-32b-0 2>/dev/null)\""
SS_LOG=$(k logs -n "$NS" demo-apply-qwen3-32b-0)  # captured: grep -q in a pipe could SIGPIPE kubectl
grep -q "model-00001.safetensors" <<< "$SS_LOG" || fail "StatefulSet did not see the model: $SS_LOG"
pass "scenario 1: the StatefulSet reads the imported model"

# --- 2. metadata only ----------------------------------------------------------
ossvp_yaml meta /Qwen3-32B/ metadata
cpfs_pvc meta meta
wait_for "metadata PVC Bound" 120 pvc_bound "$NS" meta
DIR=$(fileset_dir meta)
[[ $(stat -c %s "$DIR/model-00001.safetensors") == 5000000 ]] || fail "metadata: file size not imported"
cmp -s "$DIR/model-00001.safetensors" "$SEED/Qwen3-32B/model-00001.safetensors" &&
  fail "metadata: file contents were imported although dataType is metadata"
pass "metadata: entries with their sizes, no data"

# --- 3. a failed import task ------------------------------------------------
# Object "broken/a" and "broken/a/b": the file a blocks the directory a/.
aws_put() {
  AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=cn-hangzhou \
    aws --endpoint-url "$EMU_URL" s3api put-object --bucket my-model-bucket --key "$1" --body "$2" > /dev/null
}
echo x > "$WORK/x"
aws_put broken/a "$WORK/x" || fail "cannot put broken/a"
aws_put broken/a/b "$WORK/x" || fail "cannot put broken/a/b"
ossvp_yaml broken /broken/
cpfs_pvc broken broken
has_failed_event() { grep -q "cannot create" <<< "$(k get events -n "$NS" --field-selector involvedObject.name=broken -o json)"; }
wait_for "PopulatorFailed event with the task's ErrorMsg" 120 has_failed_event
EVENTS=$(k get events -n "$NS" --field-selector involvedObject.name=broken)  # captured: no SIGPIPE under pipefail
grep -q PopulatorFailed <<< "$EVENTS" || fail "no PopulatorFailed event: $EVENTS"
MSG=$(k get ossvp broken -n "$NS" -o jsonpath='{.status.message}')
grep -q "cannot create" <<< "$MSG" || fail "ErrorMsg not in the ossvp status message: $MSG"
[[ -z "$(k get ossvp broken -n "$NS" -o jsonpath='{.status.generic}{.status.bmcpfsDataflow}')" ]] ||
  fail "a failed bmcpfs population left per-PVC entries in the status"
[[ "$(pvc_phase "$NS" broken)" == Pending ]] || fail "failed PVC is not Pending"
pass "failed task: ErrorMsg in the event and the ossvp status"

# --- 4. the 10-data-flow limit ------------------------------------------------
ossvp_yaml small /small/
# One apply: all 11 exist before the first import can finish.
for i in $(seq 1 11); do echo ---; pvc_yaml "$NS" "lim-$i" small alicloud-bmcpfs-dataflow 100Gi; done | k apply -f - > /dev/null
quota_event() { grep -q PopulatorWaitingForDataFlowQuota <<< "$(k get events -n "$NS" -o json)"; }
wait_for "an event about the 10-data-flow limit" 60 quota_event
for i in $(seq 1 11); do wait_for "limit PVC $i Bound" 180 pvc_bound "$NS" "lim-$i"; done
pass "limit: the 11th data flow waited with an event, all 11 PVCs Bound"

# --- 5. PVC deleted mid-import --------------------------------------------------
ossvp_yaml big /big/
cpfs_pvc gone big
wait_for "import of 'gone' in progress" 60 in_progress big gone
TASK=$(entry big gone dataFlowTaskId)
DF=$(entry big gone dataFlowId)
GONE_UID=$(k get pvc gone -n "$NS" -o jsonpath='{.metadata.uid}')
k delete pvc gone -n "$NS" --wait=false > /dev/null
wait_for "PVC 'gone' deleted" 60 bash -c "! kubectl get pvc gone -n $NS"
grep -q "cancelled data-flow task $TASK" "$WORK/ctrl.log" || fail "task $TASK was not cancelled"
grep -q "deleted data flow $DF" "$WORK/ctrl.log" || fail "data flow $DF was not deleted"
wait_for "prime PVC of 'gone' deleted" 30 bash -c "! kubectl get pvc prime-$GONE_UID -n $PNS"
pass "deleted mid-import: task $TASK cancelled, data flow $DF deleted, prime PVC gone"

# --- 6. controller killed mid-import ---------------------------------------------
cpfs_pvc restart big
wait_for "import of 'restart' in progress" 60 in_progress big restart
TASK=$(entry big restart dataFlowTaskId)
stop_controller
sleep 1
ctrl
wait_for "restart PVC Bound" 120 pvc_bound "$NS" restart
[[ "$(entry big restart dataFlowTaskId)" == "$TASK" ]] || fail "a second task replaced $TASK after the restart"
N=$(k get events -n "$NS" --field-selector involvedObject.name=restart,reason=PopulatorCreated \
  -o jsonpath='{range .items[*]}{.count}{"\n"}{end}' | awk '{s+=$1} END {print s+0}')
[[ "$N" == 1 ]] || fail "expected one PopulatorCreated event for 'restart', got $N"
diff <(expected_sums "$SEED/big") <(expected_sums "$(fileset_dir restart)") || fail "restart: data differs"
pass "restart mid-import: same task $TASK resumed, one creation, data byte-identical"

# --- 7. one DeleteDataFlow per population, none answered 404 --------------------
# Populations with a data flow: scenario 1, meta, broken, lim-1..11, gone, restart.
STATS=$(curl -fsS "$EMU_URL/-/stats")
DEL=$(jq -r '.operations.DeleteDataFlow.count // 0' <<< "$STATS")
DEL_ERR=$(jq -r '.operations.DeleteDataFlow.errors // 0' <<< "$STATS")
[[ "$DEL" == 16 && "$DEL_ERR" == 0 ]] ||
  fail "expected 16 DeleteDataFlow calls (one per population) and no errors, got $DEL with $DEL_ERR errors"
pass "cleanup: exactly one DeleteDataFlow per population ($DEL), none failed"
echo "bmcpfs-dataflow e2e: all passed"
