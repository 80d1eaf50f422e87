#!/usr/bin/env bash
# kube-sim's Deployment and ReplicaSet controllers with the real kubectl and
# the process runtime (busybox -> /bin/sh): a Deployment gets a ReplicaSet
# `<name>-<pod-template-hash>` and its replicas as pods, `kubectl rollout
# status` and `kubectl get deploy` report it, a deleted pod is replaced,
# a change of spec.replicas changes the pod count, a template change rolls out a new
# ReplicaSet while the old one goes to 0, a Recreate rollout starts the new
# pod only once the old one has stopped, and deleting the Deployment
# collects its ReplicaSets and pods.
# Env: OSSVP_BIN (build/bin), OSSVP_SRC (repo root).
source "$OSSVP_SRC/tests/integration/controller/lib.sh"
source "$OSSVP_SRC/tests/integration/lib/assert.sh"

# The names of the Deployment's running pods (not being deleted), sorted.
live_pods() {
  jp pods -n t -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{if eq .status.phase "Running"}}{{.metadata.name}}{{"\n"}}{{end}}{{end}}{{end}}' | sort
}
live_count() { live_pods | grep -c . || true; }
rollout() { k rollout status deployment/web -n t --timeout=60s || fail "kubectl rollout status failed"; }

start_kube_sim
k create namespace t > /dev/null
deploy_yaml() {  # deploy_yaml VERSION
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: t, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: busybox:1.36
          command: [sh, -c, 'echo "version $1"; exec sleep 600', sh, "$1"]
YAML
}

# --- create: ReplicaSet <name>-<hash>, 3 pods, rollout status, get deploy -----
deploy_yaml v1 | k apply -f - > /dev/null
out=$(rollout)
[[ "$out" == *'deployment "web" successfully rolled out'* ]] || fail "rollout status said: $out"
expect_eq "$(live_count)" 3 "running pods after create"
rs=$(jp rs -n t -l app=web -o jsonpath='{.items[*].metadata.name}')
hash=$(jp rs "$rs" -n t -o jsonpath='{.metadata.labels.pod-template-hash}')
[[ -n "$hash" && "$rs" == "web-$hash" ]] || fail "ReplicaSet name '$rs' is not web-<pod-template-hash '$hash'>"
expect_eq "$(jp rs "$rs" -n t -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')" \
  Deployment/web "ReplicaSet owner"
for p in $(live_pods); do
  expect_eq "$(jp pod "$p" -n t -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.labels.pod-template-hash}')" \
    "ReplicaSet/$rs $hash" "pod $p owner and hash label"
  [[ "$p" == "$rs-"* ]] || fail "pod $p is not named after its ReplicaSet $rs"
done
row=$(k get deploy web -n t --no-headers)
[[ "$row" =~ ^web\ +3/3\ +3\ +3\  ]] || fail "kubectl get deploy: $row"
row=$(k get rs "$rs" -n t --no-headers)
[[ "$row" =~ ^$rs\ +3\ +3\ +3\  ]] || fail "kubectl get rs: $row"
expect_eq "$(jp deploy web -n t -o jsonpath='{.status.observedGeneration} {.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas}')" \
  "1 3 3 3 3" "deployment status"
wait_for "a pod log" 10 bash -c "kubectl logs -n t $(live_pods | head -1) | grep -q 'version v1'"
pass "Deployment -> ReplicaSet $rs -> 3 pods; rollout status and get deploy/rs report 3/3"

# --- a deleted pod is replaced --------------------------------------------------
victim=$(live_pods | head -1)
before=$(live_pods)
k delete pod "$victim" -n t --wait=false > /dev/null
wait_for "a replacement pod" 30 bash -c "[[ \$(kubectl get pods -n t -l app=web --no-headers | grep -v Terminating | grep -c Running) == 3 ]] && ! kubectl get pods -n t -l app=web --no-headers | grep -q '^$victim .*Running'"
after=$(live_pods)
expect_eq "$(comm -13 <(echo "$before") <(echo "$after") | grep -c .)" 1 "new pods after deleting $victim"
! grep -qx "$victim" <<< "$after" || fail "deleted pod $victim still counted"
pass "deleted pod $victim replaced"

# --- replicas -----------------------------------------------------------------------
set_replicas() { k patch deployment/web -n t --type merge -p "{\"spec\":{\"replicas\":$1}}" > /dev/null; }
set_replicas 1
wait_for "scale down to 1" 30 bash -c "[[ \$(kubectl get pods -n t -l app=web --no-headers | grep -c .) == 1 ]]"
rollout > /dev/null
set_replicas 2
rollout > /dev/null
expect_eq "$(live_count)" 2 "running pods after scaling to 2"
pass "spec.replicas down to 1 and up to 2"

# --- template change: a new ReplicaSet, the old one scaled to 0 -------------------
deploy_yaml v2 | sed 's/replicas: 3/replicas: 2/' | k apply -f - > /dev/null
out=$(rollout)
[[ "$out" == *'successfully rolled out'* ]] || fail "rollout status after the change said: $out"
rs2=$(jp deploy web -n t -o jsonpath='{.status.conditions[?(@.type=="Progressing")].message}' | sed 's/^ReplicaSet "\([^"]*\)".*/\1/')
[[ "$rs2" == web-* && "$rs2" != "$rs" ]] || fail "no new ReplicaSet after the template change (got '$rs2')"
wait_for "old pods gone" 30 bash -c "[[ -z \$(kubectl get pods -n t -l pod-template-hash=$hash -o name) ]]"
expect_eq "$(jp rs "$rs" -n t -o jsonpath='{.spec.replicas} {.status.replicas}')" "0 0" "old ReplicaSet"
expect_eq "$(jp rs "$rs2" -n t -o jsonpath='{.spec.replicas} {.status.readyReplicas} {.metadata.annotations.deployment\.kubernetes\.io/revision}')" \
  "2 2 2" "new ReplicaSet"
expect_eq "$(live_count)" 2 "running pods after the rollout"
for p in $(live_pods); do
  [[ "$p" == "$rs2-"* ]] || fail "pod $p is not from the new ReplicaSet $rs2"
  wait_for "pod $p log" 10 bash -c "kubectl logs -n t $p | grep -q 'version v2'"
done
expect_eq "$(jp deploy web -n t -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.updatedReplicas}')" \
  "4 4 2" "deployment generation after two replica changes and a template change"
events=$(k get events -n t --field-selector involvedObject.kind=Deployment -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}')
grep -q "ScalingReplicaSet: Scaled up replica set $rs2 from 0 to 2" <<< "$events" || fail "no scale-up event: $events"
grep -q "ScalingReplicaSet: Scaled down replica set $rs from 2 to 0" <<< "$events" || fail "no scale-down event: $events"
pass "template change rolled out: $rs2 at 2, $rs at 0, events recorded"

# --- Recreate: the new pod starts only once the old one has stopped ------------
# The old pod takes 4 s to stop after SIGTERM; a host file (the process
# runtime runs on the host) says whether it still runs when the new one starts.
recreate_yaml() {  # recreate_yaml VERSION
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: rec, namespace: t}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: rec}}
  template:
    metadata: {labels: {app: rec, version: "$1"}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: main
          image: busybox:1.36
          command:
            - sh
            - -c
            - |
              if [ -e $WORK/rec-running ]; then echo "started while an old pod ran"; else echo "started alone"; fi
              touch $WORK/rec-running
              trap 'sleep 4; rm -f $WORK/rec-running; exit 0' TERM
              while :; do sleep 1; done
YAML
}
recreate_yaml v1 | k apply -f - > /dev/null
k rollout status deployment/rec -n t --timeout=60s > /dev/null || fail "Recreate: first rollout"
old_pod=$(jp pods -n t -l app=rec,version=v1 -o jsonpath='{.items[0].metadata.name}')
recreate_yaml v2 | k apply -f - > /dev/null
k rollout status deployment/rec -n t --timeout=90s > /dev/null || fail "Recreate: rollout of v2"
new_pod=$(jp pods -n t -l app=rec,version=v2 -o jsonpath='{.items[0].metadata.name}')
[[ -n "$old_pod" && -n "$new_pod" ]] || fail "Recreate: pods '$old_pod' -> '$new_pod'"
wait_for "the new pod's log" 10 bash -c "kubectl logs -n t $new_pod | grep -q started"
expect_eq "$(k logs -n t "$new_pod")" "started alone" "Recreate: the new pod's start"
! jp pod "$old_pod" -n t -o name | grep . > /dev/null || fail "Recreate: old pod $old_pod still there"
expect_eq "$(jp deploy rec -n t -o jsonpath='{.status.replicas} {.status.updatedReplicas} {.status.availableReplicas}')" \
  "1 1 1" "Recreate: deployment status"
k delete deployment rec -n t --wait=false > /dev/null
pass "Recreate: $new_pod started only after $old_pod had stopped"

# --- cascade deletion -------------------------------------------------------------
k delete deployment web -n t --wait=false > /dev/null
wait_for "ReplicaSets collected" 30 bash -c "[[ -z \$(kubectl get rs -n t -o name) ]]"
wait_for "pods collected" 30 bash -c "[[ -z \$(kubectl get pods -n t -o name) ]]"
pass "deleting the Deployment removed its ReplicaSets and pods"
echo "deployment: all checks passed"
