#!/usr/bin/env bash
# kube-sim node lifecycle with the real kubectl: a simulated node powered off
# (kubesim.io/power=off) kills its containers, turns NotReady (Unknown) and is
# tainted unreachable; taint eviction honours tolerationSeconds; a pod
# deleted there stays Terminating until the node is back (or the node is
# tainted out-of-service: pod GC); a node back restarts or fails its pods as
# after a reboot; a deleted node's pods are failed and removed by pod GC; a
# node-local (WaitForFirstConsumer) volume is unusable until its node rejoins.
# Env: OSSVP_BIN (build/bin), OSSVP_SRC (repo root). Needs root.
source "$OSSVP_SRC/tests/integration/controller/lib.sh"
source "$OSSVP_SRC/tests/integration/lib/assert.sh"

phase() { jp pod "$1" -n t -o jsonpath='{.status.phase}'; }
gone() { ! k get pod "$1" -n t > /dev/null 2>&1; }
# Our containers are "sleep <run id><number>": how many of PATTERN run. The
# run id keeps another run of this test on the machine out of the counts.
export RUN=$((RANDOM % 9000 + 1000))
sleeping() { pgrep -fc "sleep $RUN$1\$" || true; }
node_ready() { jp node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }
power() {  # power NODE on|off
  if [[ $2 == off ]]; then k annotate node "$1" kubesim.io/power=off --overwrite > /dev/null
  else k annotate node "$1" kubesim.io/power- > /dev/null; fi
}
pod_yaml() {  # pod_yaml NAME NODE SLEEP RESTART-POLICY [EXTRA-SPEC (flow entries)]
  printf -- '---\n{apiVersion: v1, kind: Pod, metadata: {name: %s, namespace: t}, spec: {nodeSelector: {kubernetes.io/hostname: %s}, restartPolicy: %s, terminationGracePeriodSeconds: 1, containers: [{name: c, image: busybox, command: [sleep, "%s"]}]%s}}\n' \
    "$1" "$2" "$4" "$3" "${5:+, $5}"
}

export KUBESIM_NODE_MONITOR_GRACE_PERIOD=2 KUBESIM_POD_GC_QUARANTINE=8
start_kube_sim --nodes 3
k create namespace t > /dev/null

# --- power off: containers die, node Unknown + tainted, taint eviction ----------
BRIEF='tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]'
{
  pod_yaml never node-1 "${RUN}7101" Never
  pod_yaml always node-1 "${RUN}7102" Always
  pod_yaml brief node-1 "${RUN}7103" Never "$BRIEF"
  pod_yaml deleted node-1 "${RUN}7104" Never
} | k apply -f - > /dev/null
for p in never always brief deleted; do wait_for "pod $p Running" 30 bash -c "[[ \$(kubectl get pod $p -n t -o jsonpath='{.status.phase}') == Running ]]"; done
expect_eq "$(sleeping '710[1-4]')" 4 "containers running on node-1"
power node-1 off
wait_for "containers of node-1 killed" 5 bash -c '! pgrep -f "sleep ${RUN}710[1-4]$"'
wait_for "node-1 Unknown" 10 bash -c "[[ \$(kubectl get node node-1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == Unknown ]]"
# The taints, the pods' Ready condition and the events follow the node's
# status in separate writes: wait for all of them, then check each.
UNREACHABLE="node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute "
taints_of_node1() { jp node node-1 -o jsonpath='{range .spec.taints[*]}{.key}:{.effect} {end}'; }
never_ready() { jp pod never -n t -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }
lost_node_settled() {
  [[ "$(taints_of_node1)" == "$UNREACHABLE" && "$(never_ready)" == False ]] &&
    k get events -n t --field-selector reason=NodeNotReady -o name | grep . > /dev/null
}
wait_for "node-1's taints, pod conditions and NodeNotReady events" 10 lost_node_settled
expect_eq "$(taints_of_node1)" "$UNREACHABLE" "node-1 taints"
expect_eq "$(never_ready)" "False" "pod Ready on a lost node"
# The NodeNotReady events are asserted by the wait above (lost_node_settled).
# A re-query here with `| grep -q .` failed twice on 2026-12-06/07 though the
# events were there: kubectl writes each `-o name` line on its own, grep -q
# exits at the first, kubectl dies of SIGPIPE on the next and pipefail fails
# the pipeline. Not a kube-sim defect; assert_test.sh now refuses such pipes.
pass "power off: containers SIGKILLed, node-1 Unknown, tainted unreachable, pods NotReady"

wait_for "brief evicted after its 2 s toleration" 10 bash -c "kubectl get pod brief -n t -o jsonpath='{.metadata.deletionTimestamp}' | grep -q ."
expect_eq "$(jp pod brief -n t -o jsonpath='{.status.conditions[?(@.type=="DisruptionTarget")].reason}')" \
  "DeletionByTaintManager" "evicted pod's DisruptionTarget"
k get events -n t --field-selector reason=TaintManagerEviction,involvedObject.name=brief -o name | grep . > /dev/null \
  || fail "no TaintManagerEviction event"
k delete pod deleted -n t --wait=false > /dev/null
# Default tolerations (300 s) keep the others; nobody confirms the deletions.
sleep 8
expect_eq "$(jp pod never -n t -o jsonpath='{.metadata.deletionTimestamp}')" "" "never (tolerates 300 s) not evicted"
k get pod brief deleted -n t > /dev/null 2>&1 || fail "pods deleted on a powered-off node must stay Terminating"
pass "taint eviction after tolerationSeconds; deleted pods stay Terminating on a lost node"

# New pods avoid the tainted node (node-3 is reserved): node-2.
pod_yaml elsewhere "" "${RUN}7105" Never | sed 's/nodeSelector: {kubernetes.io\/hostname: }, //' | k apply -f - > /dev/null
wait_for "elsewhere Running" 30 bash -c "[[ \$(kubectl get pod elsewhere -n t -o jsonpath='{.status.phase}') == Running ]]"
expect_eq "$(jp pod elsewhere -n t -o jsonpath='{.spec.nodeName}')" "node-2" "scheduler avoids the unreachable node"

# --- power on: as after a reboot ---------------------------------------------------
power node-1 on
wait_for "node-1 Ready" 10 bash -c "[[ \$(kubectl get node node-1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
expect_eq "$(jp node node-1 -o jsonpath='{.spec.taints}')" "" "node-1 taints after power on"
wait_for "Terminating pods finished" 10 bash -c "! kubectl get pod brief -n t && ! kubectl get pod deleted -n t"
wait_for "never Failed" 10 bash -c "[[ \$(kubectl get pod never -n t -o jsonpath='{.status.phase}') == Failed ]]"
expect_eq "$(jp pod never -n t -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')" "137" "never's exit code"
wait_for "always restarted" 15 bash -c "[[ \$(kubectl get pod always -n t -o jsonpath='{.status.containerStatuses[0].restartCount}') -ge 1 ]] && pgrep -f 'sleep ${RUN}7102$'"
pass "power on: node Ready, untainted; Terminating pods finish, Never pods Failed (137), Always pods restart"

# --- out-of-service taint: pod GC removes what a dead node holds --------------------
pod_yaml oos node-1 "${RUN}7106" Never | k apply -f - > /dev/null
wait_for "oos Running" 30 bash -c "[[ \$(kubectl get pod oos -n t -o jsonpath='{.status.phase}') == Running ]]"
power node-1 off
wait_for "node-1 Unknown" 10 bash -c "[[ \$(kubectl get node node-1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == Unknown ]]"
k delete pod oos -n t --wait=false > /dev/null
sleep 3
k get pod oos -n t > /dev/null 2>&1 || fail "oos must stay Terminating"
k taint node node-1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute > /dev/null
wait_for "oos force-deleted by pod GC" 10 gone oos
k taint node node-1 node.kubernetes.io/out-of-service- > /dev/null
power node-1 on
pass "out-of-service taint: pod GC force-deletes a Terminating pod of a dead node"

# --- node deleted: pod GC, node-local volume unusable until the node rejoins --------
k apply -f - > /dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: local, namespace: t}
spec:
  storageClassName: kube-sim-local-wffc
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: t}
spec:
  nodeSelector: {kubernetes.io/hostname: node-2}
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: [sh, -c, 'echo kept > /data/f && exec sleep ${RUN}7107'], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: local}}]
YAML
wait_for "writer Running" 30 bash -c "[[ \$(kubectl get pod writer -n t -o jsonpath='{.status.phase}') == Running ]]"
expect_eq "$(sleeping '710[57]')" 2 "containers running on node-2"
k delete node node-2 > /dev/null
# Checked at once: under load the kill below can take most of the quarantine.
k get pod writer -n t > /dev/null 2>&1 || fail "pod GC must wait for its quarantine"
wait_for "node-2's containers killed" 5 bash -c '! pgrep -f "sleep ${RUN}710[57]$"'
wait_for "writer removed by pod GC" 20 gone writer
wait_for "elsewhere removed by pod GC" 10 gone elsewhere
k apply -f - > /dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: t}
spec:
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: [cat, /data/f], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: local}}]
YAML
wait_for "reader unschedulable (volume on the deleted node)" 15 bash -c \
  "kubectl get pod reader -n t -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].message}' | grep 'volume node affinity conflict' > /dev/null"
echo '{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-2"}}' | k create -f - > /dev/null
wait_for "node-2 registered Ready" 10 bash -c "[[ \$(kubectl get node node-2 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
wait_for "reader Succeeded on the rejoined node" 30 bash -c "[[ \$(kubectl get pod reader -n t -o jsonpath='{.status.phase}') == Succeeded ]]"
expect_eq "$(k logs reader -n t)" "kept" "data of the node-local volume"
expect_eq "$(jp pod reader -n t -o jsonpath='{.spec.nodeName}')" "node-2" "reader's node"
pass "node deleted: pods failed + removed by pod GC; its local volume is usable again once node-2 rejoins"
echo "PASS: kube-sim node lifecycle"
