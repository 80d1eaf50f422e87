#!/usr/bin/env bash
# Restarts and scale: the controller killed (-9) and restarted mid-population
# resumes without a duplicate pod; watches dropped and answered with 410
# (kube-sim's history compacted) are recovered by relisting; orphans are
# swept at start-up; 20 PVCs
# populated concurrently, each exactly once.
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/many-files" "$SEED/big"
for i in $(seq 1 8); do head -c $((RANDOM + 1)) /dev/urandom > "$SEED/many-files/f$i"; done
head -c 6000000 /dev/urandom > "$SEED/big/blob"

start_emu "$SEED"
start_kube_sim --watch-history 50
install_ossvp
start_controller

k apply -f - > /dev/null <<'YAML'
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata:
  name: slow
  namespace: argo
spec:
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /big/
  mode: generic
  generic:
    rrsaConfigs:
      roleArn: "acs:ram::1234567:role/oss-populator"
      oidcProviderArn: "acs:ram::1234567:oidc-provider/ack-rrsa-e2e"
    throughput: 1
---
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata:
  name: fast
  namespace: argo
spec:
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /many-files/
  mode: generic
  generic:
    rrsaConfigs:
      roleArn: "acs:ram::1234567:role/oss-populator"
      oidcProviderArn: "acs:ram::1234567:oidc-provider/ack-rrsa-e2e"
YAML

created_events() {  # created_events NS PVC: PopulatorCreated events (and their counts) on the PVC
  local uid
  uid=$(k get pvc "$2" -n "$1" -o jsonpath='{.metadata.uid}')
  k get events -n "$1" --field-selector "involvedObject.uid=$uid,reason=PopulatorCreated" \
    -o jsonpath='{range .items[*]}{.count}{"\n"}{end}'
}

# --- Controller killed and restarted mid-population.
make_pvc argo restart slow
uid=$(k get pvc restart -n argo -o jsonpath='{.metadata.uid}')
wait_for "populator pod running" 60 bash -c \
  "[[ \$(kubectl get pod populate-$uid -n $PNS -o jsonpath='{.status.phase}') == Running ]]"
pod_uid=$(k get pod "populate-$uid" -n "$PNS" -o jsonpath='{.metadata.uid}')
stop_controller
sleep 1
start_controller
sleep 2
[[ "$(k get pod "populate-$uid" -n "$PNS" -o jsonpath='{.metadata.uid}')" == "$pod_uid" ]] \
  || fail "the restarted controller replaced the running populator pod"

# --- Meanwhile: freeze the controller, drop every watch, churn past
# kube-sim's watch history and restart the API server: every resumed watch is
# answered 410 and relists. The freeze comes first: kube-sim sends a bookmark
# with the current resourceVersion every second, and one that reached a watch
# still open during the churn would sit in the frozen controller's socket and
# move its informer past the churn (no 410; seen on a loaded machine).
kill -STOP "$CTRL_PID"
ks_admin /kube-sim/drop-watches
for i in $(seq 1 60); do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: churn-%s, namespace: argo}\n' "$i"; done \
  | k apply -f - > /dev/null
ks_admin /kube-sim/restart
kill -CONT "$CTRL_PID"
wait_for "PVC restart Bound" 120 pvc_bound argo restart
[[ "$(created_events argo restart)" == "1" ]] || fail "duplicate populator pods: $(created_events argo restart)"
# The PVC can bind before every informer has reconnected (slow builds).
wait_for "a relist after 410 in the controller log" 30 grep -q "relisting" "$WORK/ctrl.log"
wait_for "a watch reconnect in the controller log" 30 grep -q "watch ended, resuming\|watch failed, reconnecting\|watch expired" "$WORK/ctrl.log"
sums=$(run_reader argo restart-reader restart)
[[ "$sums" == "$(expected_sums "$SEED/big")" ]] || fail "data differs after the restart"
pass "controller restart + dropped watches + 410: resumed, one pod, data intact"

# --- A PVC created while the controller is down is picked up at start.
stop_controller
make_pvc argo offline fast
start_controller
wait_for "PVC offline Bound" 60 pvc_bound argo offline
pass "PVC created while the controller was down: populated after start"

# --- Orphans: objects whose PVC vanished while the controller was down
# (finalizer forced away) are swept at start-up.
make_pvc argo orphan slow
uid=$(k get pvc orphan -n argo -o jsonpath='{.metadata.uid}')
wait_for "orphan's populator pod running" 60 bash -c \
  "[[ \$(kubectl get pod populate-$uid -n $PNS -o jsonpath='{.status.phase}') == Running ]]"
stop_controller
k patch pvc orphan -n argo --type=merge -p '{"metadata":{"finalizers":null}}' > /dev/null
k delete pvc orphan -n argo --wait=false > /dev/null
wait_for "PVC orphan gone" 30 bash -c "! kubectl get pvc orphan -n argo > /dev/null 2>&1"
k get pod "populate-$uid" -n "$PNS" > /dev/null 2>&1 || fail "test setup: the orphan pod should still exist"
start_controller
wait_for "orphans swept" 60 bash -c \
  "! kubectl get pod populate-$uid -n $PNS > /dev/null 2>&1 && ! kubectl get pvc prime-$uid -n $PNS > /dev/null 2>&1"
grep -q "sweep: deleting orphaned populator pod" "$WORK/ctrl.log" || fail "sweep not logged"
pass "orphaned pod and prime PVC swept at start-up"

# --- 20 PVCs at once.
start=$SECONDS
for i in $(seq 1 20); do make_pvc argo "many-$i" fast; done
for i in $(seq 1 20); do wait_for "PVC many-$i Bound" 180 pvc_bound argo "many-$i"; done
for i in 1 20; do
  [[ "$(created_events argo "many-$i")" == "1" ]] || fail "many-$i: expected exactly one populator pod"
done
sums=$(run_reader argo many-reader many-7)
[[ "$sums" == "$(expected_sums "$SEED/many-files")" ]] || fail "many-7 data differs"
wait_for "no temporary objects left" 60 bash -c \
  "[[ -z \$(kubectl get pods,pvc -n $PNS -o name 2>/dev/null | grep -E 'populate-|prime-') ]]"
pass "20 PVCs populated concurrently in $((SECONDS - start))s, each once, nothing left behind"
echo "resilience: all checks passed"
