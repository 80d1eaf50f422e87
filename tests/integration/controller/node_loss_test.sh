#!/usr/bin/env bash
# WaitForFirstConsumer node loss (a simulated node disappears): the node selected for a PVC (volume.kubernetes.io/selected-node)
# is deleted for good while its populator pod copies. The controller must not
# pin new pods to it (pod GC would remove every attempt); it reschedules like
# the CSI external-provisioner: Warning event PopulatorNodeGone naming the
# node, the annotation removed, the prime PVC on the lost node deleted, no
# failed attempt counted (--max-attempts 1 would give up otherwise). The
# consumer pod then lands on another node, and the PVC ends Bound there with
# the right data and the ossvp Succeeded.
#
# The first selection is made by annotating the PVC as the scheduler does:
# kube-sim's scheduler keeps a pending consumer pod's assumed node even after
# that node is deleted and would re-select it. The consumer pod is created after the node loss instead.
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/slow/sub"
head -c 8000000 /dev/urandom > "$SEED/slow/blob"  # 8 s at 1 MB/s
head -c 12345 /dev/urandom > "$SEED/slow/sub/small"

export KUBESIM_NODE_MONITOR_GRACE_PERIOD=2 KUBESIM_POD_GC_QUARANTINE=3
start_emu "$SEED"
start_kube_sim --nodes 3  # node-3 is reserved (tainted): node-1 and node-2 take pods
install_ossvp
start_controller --max-attempts 1

k apply -f - > /dev/null <<YAML
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata: {name: slow, namespace: argo}
spec:
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: $OSS_HOST
  path: /slow/
  mode: generic
  generic: {secretRef: oss-secret, throughput: 1}
YAML
make_pvc argo data slow alicloud-disk-topology-alltype
UID_=$(k get pvc data -n argo -o jsonpath='{.metadata.uid}')
POD=populate-$UID_
PRIME=prime-$UID_
k annotate pvc data -n argo volume.kubernetes.io/selected-node=node-1 > /dev/null

copying() {  # the populator pod runs on node-1 and has copied some bytes
  [[ "$(k get pod "$POD" -n "$PNS" -o jsonpath='{.spec.nodeName}/{.status.phase}')" == node-1/Running ]] &&
    k get pod "$POD" -n "$PNS" -o jsonpath='{.metadata.annotations.storage\.alibabacloud\.com/populator-progress}' |
      python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin).get("bytesDone", 0) > 0 else 1)'
}
wait_for "populator pod copying on node-1" 60 copying
OLD_PV=$(k get pvc "$PRIME" -n "$PNS" -o jsonpath='{.spec.volumeName}')
[[ -n "$OLD_PV" ]] || fail "prime PVC $PRIME not bound"
pass "population started on node-1 (pod $POD, prime volume $OLD_PV)"

# --- node-1 is deleted for good mid-population ----------------------------------
k delete node node-1 > /dev/null
events() { k get events -n argo --field-selector "involvedObject.name=data,reason=$1" -o jsonpath='{range .items[*]}{.type} {.message}{"\n"}{end}'; }
has_event() { [[ -n "$(events "$1")" ]]; }
wait_for "PopulatorNodeGone event on the PVC" 60 has_event PopulatorNodeGone
ev=$(events PopulatorNodeGone)
grep -q "^Warning Node node-1 .*no longer exists: population rescheduled" <<< "$ev" || fail "event text: $ev"
wait_for "selected-node annotation removed" 30 bash -c \
  "[[ -z \$(kubectl get pvc data -n argo -o jsonpath='{.metadata.annotations.volume\.kubernetes\.io/selected-node}') ]]"
wait_for "prime PVC on node-1 deleted" 60 bash -c "! kubectl get pvc $PRIME -n $PNS"
wait_for "its volume released" 60 bash -c "! kubectl get pv $OLD_PV"
[[ "$(pvc_phase argo data)" == Pending ]] || fail "PVC data left Pending"
pass "node-1 deleted: event '$ev', annotation removed, prime PVC and PV $OLD_PV gone"

# --- a consumer arrives: the scheduler selects node-2 --------------------------------
sums=$(run_reader argo app data)
[[ "$sums" == "$(expected_sums "$SEED/slow")" ]] || fail "data differs: $sums"
[[ "$(k get pod app -n argo -o jsonpath='{.spec.nodeName}')" == node-2 ]] || fail "consumer not on node-2"
[[ "$(k get pvc data -n argo -o jsonpath='{.metadata.annotations.volume\.kubernetes\.io/selected-node}')" == node-2 ]] ||
  fail "PVC's selected node is not node-2"
pvc_bound argo data || fail "PVC data not Bound"
grep -q "Message: *Populated successfully" <<< "$(describe_ossvp argo slow)" || fail "ossvp slow not Populated successfully"
[[ "$(k get ossvp slow -n argo -o jsonpath='{.status.generic.*.phase}')" == Succeeded ]] || fail "ossvp entry not Succeeded"
for r in PopulatorGaveUp PopulatorFailed; do
  [[ -z "$(events $r)" ]] || fail "the node loss was counted as a failed attempt ($r): $(events $r)"
done
wait_for "temporary objects removed" 30 bash -c \
  "[[ -z \$(kubectl get pods,pvc -n $PNS -o name 2>/dev/null | grep -E 'populate-|prime-') ]]"
pass "rescheduled to node-2: PVC Bound with the right data, ossvp Succeeded, no attempt counted, nothing left"
echo "PASS"
