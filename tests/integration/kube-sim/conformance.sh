#!/usr/bin/env bash
# kube-sim conformance test: drives the REAL kubectl (v1.32) and curl against
# build/bin/kube-sim and checks the behaviours ossvp and kubectl rely on
# (discovery, OpenAPI-backed apply,
# CRDs with printer columns/short names/validation, core semantics, watch,
# finalizers, GC, fault injection, restart with persisted state, RBAC).
set -uo pipefail

BIN=${OSSVP_BIN:-$(cd "$(dirname "$0")/../../../build/bin" && pwd)}
SRC=${OSSVP_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
FIX=$SRC/tests/integration/kube-sim/fixtures
source "$SRC/hack/lib/secrets.sh"
WORK=$(mktemp -d)
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

FAILS=0
pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; FAILS=$((FAILS + 1)); }
# check NAME COMMAND... : passes when the command succeeds.
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi; }
# expect_out NAME PATTERN COMMAND... : output (stdout+stderr) matches the extended regex.
expect_out() {
  local name=$1 pat=$2; shift 2
  local out; out=$("$@" 2>&1)
  if grep -Eq -- "$pat" <<< "$out"; then pass "$name"; else fail "$name: wanted /$pat/, got: $(echo "$out" | head -5)"; fi
}
# expect_fail NAME PATTERN COMMAND... : command fails and output matches.
expect_fail() {
  local name=$1 pat=$2; shift 2
  local out rc; out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 0 ] && grep -Eq -- "$pat" <<< "$out"; then pass "$name"; else fail "$name: rc=$rc, wanted /$pat/, got: $(echo "$out" | head -5)"; fi
}

start_sim() {  # start_sim [extra args]: (re)starts kube-sim on the same state dir
  rm -f "$WORK/kubeconfig"
  "$BIN/kube-sim" --listen 127.0.0.1:${HTTPS_PORT:-0} --http-listen 127.0.0.1:${HTTP_PORT:-0} \
    --state-dir "$WORK/state" --kubeconfig-out "$WORK/kubeconfig" --watch-history 10 \
    --image-map "busybox:1=$(command -v sh)" "$@" \
    >"$WORK/sim.out" 2>>"$WORK/sim.err" &
  PID=$!
  for _ in $(seq 100); do [ -s "$WORK/kubeconfig" ] && break; sleep 0.1; done
  [ -s "$WORK/kubeconfig" ] || { echo "kube-sim did not start"; cat "$WORK/sim.err"; exit 1; }
  HTTPS_PORT=$(sed -n 's/.*serving https on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")
  HTTP_PORT=$(sed -n 's/.*serving http on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")
  SIM=http://127.0.0.1:$HTTP_PORT
}
stop_sim() { kill "$PID"; wait "$PID" 2>/dev/null; PID=""; }

export HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
mkdir -p "$HOME"
start_sim
k() { kubectl "$@"; }
rv_of() { curl -s "$SIM$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])'; }

# ---------------------------------------------------------------- discovery
expect_out "version over HTTPS with the generated CA + token" 'Server Version: v1\.32' k version
V6=$(k get pods -A -v=6 2>&1)
if [ "$(echo "$V6" | grep -cE 'GET https://[^ ]*/(api|apis)\?')" = 2 ] && grep -q 'No resources found' <<< "$V6"; then
  pass "get pods -A: exactly two discovery GETs (aggregated discovery)"
else fail "get pods -A discovery: $(echo "$V6" | grep GET)"; fi
expect_fail "unknown resource type" "doesn't have a resource type \"ossvp\"" k get ossvp
API=$(k api-resources 2>&1)
for row in 'pods +po +v1 +true +Pod' 'persistentvolumeclaims +pvc' 'persistentvolumes +pv +v1 +false' 'events +ev' 'customresourcedefinitions +crd,crds'; do
  grep -Eq "$row" <<< "$API" && pass "api-resources: $row" || fail "api-resources: $row"
done
expect_fail "no token: 401" 'Unauthorized|provide credentials' kubectl --token=wrong get ns

# ---------------------------------------------------------------- namespaces, protobuf creates
expect_out "create ns (protobuf body)" 'namespace/t created' k create ns t
expect_out "uid + creationTimestamp" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
  k get ns t -o jsonpath='{.metadata.uid} {.metadata.creationTimestamp}'
expect_out "namespace default ServiceAccount" 'default' k get sa default -n t -o name

# ---------------------------------------------------------------- CRDs
expect_out "apply CRD + wait established" 'condition met' \
  bash -c "kubectl apply -f $FIX/widget-crd.yaml && kubectl wait --for=condition=established crd/widgets.test.kubesim.io --timeout=5s"
expect_out "api-resources for the CRD group" 'widgets +wd +test\.kubesim\.io/v1 +true +Widget' k api-resources --api-group=test.kubesim.io
OUT=$(k apply -f "$FIX/w1.yaml" -v=6 2>&1)
if grep -q 'widget.test.kubesim.io/w1 created' <<< "$OUT" && grep -q 'fieldValidation=Strict' <<< "$OUT"; then
  pass "apply CR with strict validation (OpenAPI v3 served)"; else fail "apply CR: $OUT"; fi
expect_out "schema default applied" '^1$' k get wd w1 -n t -o jsonpath='{.spec.size}'
expect_fail "unknown field rejected (strict)" 'strict decoding error: unknown field "spec.bogus"' k apply -f "$FIX/w-unknown.yaml"
check "object with unknown field not created" bash -c '! kubectl get wd w2 -n t'
expect_fail "type error" 'spec\.size: Invalid value: "string": spec\.size in body must be of type integer' k apply -f "$FIX/w-badtype.yaml"
expect_fail "x-kubernetes-validations rule" 'spec: Invalid value: "object": spec\.node needs mode b' k apply -f "$FIX/w-cel.yaml"
expect_fail "enum" 'Unsupported value: "c": supported values: "a", "b"' \
  bash -c "sed 's/mode: a/mode: c/' $FIX/w1.yaml | kubectl apply -f -"
GET=$(k get wd -A 2>&1)
if grep -Eq '^NAMESPACE +NAME +SIZE +PHASE +AGE$' <<< "$(head -1 <<< "$GET")" && grep -Eq '^t +w1 +1 +' <<< "$GET"; then
  pass "printer columns (-A)"; else fail "printer columns: $GET"; fi
expect_out "priority-1 column with -o wide" 'NAME +SIZE +PHASE +NODE +AGE' k get wd -n t -o wide
expect_out "category all" 'widget.test.kubesim.io/w1' k get all -n t
expect_fail "SMP on a CR is 415" 'unknown format - accepted media types include: application/json-patch\+json, application/merge-patch\+json, application/apply-patch\+yaml' \
  k patch wd w1 -n t -p '{"spec":{"size":3}}'
k patch wd w1 -n t --type=merge -p '{"spec":{"size":2}}' >/dev/null
expect_out "generation bumped by spec change" '^2$' k get wd w1 -n t -o jsonpath='{.metadata.generation}'
k patch wd w1 -n t --type=merge -p '{"status":{"phase":"Ready"}}' >/dev/null
expect_out "main endpoint ignores status" '^\[\]$' k get wd w1 -n t -o jsonpath='[{.status.phase}]'
k patch wd w1 -n t --type=merge -p '{"status":{"phase":"Ready"}}' --subresource=status >/dev/null
expect_out "status subresource; generation unchanged" '^\[Ready\] 2$' k get wd w1 -n t -o jsonpath='[{.status.phase}] {.metadata.generation}'
sed 's/mode: a/mode: a\n  size: 5/' "$FIX/w1.yaml" >"$WORK/w1b.yaml"
OUT=$(k apply -f "$WORK/w1b.yaml" -v=6 2>&1)
grep -q 'configured' <<< "$OUT" && grep -q 'PATCH' <<< "$OUT" && pass "re-apply: configured" || fail "re-apply: $OUT"
expect_out "re-apply unchanged" 'widget.test.kubesim.io/w1 unchanged' k apply -f "$WORK/w1b.yaml"

# ---------------------------------------------------------------- core semantics
N1=$(k create -f "$FIX/gen-cm.yaml" -n t -o name); N2=$(k create -f "$FIX/gen-cm.yaml" -n t -o name)
if [[ $N1 =~ ^configmap/gen-[bcdfghjklmnpqrstvwxz2456789]{5}$ && $N2 =~ ^configmap/gen-[bcdfghjklmnpqrstvwxz2456789]{5}$ && $N1 != "$N2" ]]; then
  pass "generateName"; else fail "generateName: $N1 $N2"; fi
expect_fail "create in missing namespace" 'namespaces "nope" not found' k create configmap c -n nope
check "create configmap" k create configmap c -n t --from-literal=a=b
expect_fail "AlreadyExists" 'configmaps "c" already exists' k create configmap c -n t
k get cm c -n t -o yaml >"$WORK/old.yaml"; k label cm c -n t x=1 >/dev/null
expect_fail "stale replace: 409" 'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again' \
  k replace -f "$WORK/old.yaml"
for spec in "s1 app=a tier=db" "s2 app=b" "s3 app=c" "s4 app=a tier=web"; do
  set -- $spec; name=$1; shift; k create cm "$name" -n t >/dev/null; k label cm "$name" -n t "$@" >/dev/null
done
expect_out "label selector set-based" '^configmap/s2 configmap/s4$' bash -c "kubectl get cm -n t -l 'app in (a,b),tier!=db' -o name | tr '\n' ' ' | sed 's/ \$//'"
expect_fail "unsupported field selector" 'field label not supported: spec.foo' k get pods -A --field-selector spec.foo=x
expect_fail "json patch failing test op: 422" 'is invalid' \
  k patch cm c -n t --type=json -p '[{"op":"test","path":"/data/a","value":"zzz"},{"op":"remove","path":"/data/a"}]'
expect_out "failed json patch changed nothing" '^b$' k get cm c -n t -o jsonpath='{.data.a}'
cat >"$WORK/two.yaml" <<Y
apiVersion: v1
kind: Pod
metadata: {name: two, namespace: t}
spec:
  nodeName: node-x
  containers: [{name: a, image: busybox:1}, {name: b, image: busybox:1}]
Y
k apply -f "$WORK/two.yaml" >/dev/null
k patch pod two -n t -p '{"spec":{"containers":[{"name":"b","image":"busybox:2"}]}}' >/dev/null
expect_out "strategic merge by name" '^a=busybox:1 b=busybox:2 $' k get pod two -n t -o jsonpath='{range .spec.containers[*]}{.name}={.image} {end}'
expect_out "field selector spec.nodeName" '^pod/two$' k get pods -A --field-selector spec.nodeName=node-x -o name
# resource quantities: one that does not parse fails the API server's decoding
# (400, nothing stored); a negative container resource fails validation (422)
cat >"$WORK/badmem.yaml" <<Y
apiVersion: v1
kind: Pod
metadata: {name: badmem, namespace: t}
spec:
  nodeName: node-x
  containers: [{name: a, image: busybox:1, resources: {limits: {memory: 12Qi}}}]
Y
expect_fail "unparsable memory limit: 400 from the decoder" \
  "Error from server \(BadRequest\): error when creating \".*badmem.yaml\": Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '\^\(\[\+-\]\?\[0-9\.\]\+\)\(\[eEinumkKMGTP\]\*\[-\+\]\?\[0-9\]\*\)\\$'" \
  k apply -f "$WORK/badmem.yaml"
expect_fail "a pod with an unparsable limit is not created" 'pods "badmem" not found' k get pod badmem -n t
sed -i 's/12Qi/-1Gi/' "$WORK/badmem.yaml"
expect_fail "negative memory limit: 422" \
  'The Pod "badmem" is invalid: spec\.containers\[0\]\.resources\.limits\.memory: Invalid value: "-1Gi": must be greater than or equal to 0' \
  k apply -f "$WORK/badmem.yaml"
# pod defaulting: requests default to limits; status.qosClass from cpu/memory
# requests and limits (equal when written differently: 1 cpu is 1000m)
cat >"$WORK/qos.yaml" <<Y
apiVersion: v1
kind: Pod
metadata: {name: qos-be, namespace: t}
spec:
  nodeName: node-x
  containers: [{name: a, image: busybox:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: qos-burst, namespace: t}
spec:
  nodeName: node-x
  containers: [{name: a, image: busybox:1, resources: {requests: {cpu: 100m}, limits: {memory: 64Mi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: qos-guar, namespace: t}
spec:
  nodeName: node-x
  initContainers: [{name: i, image: busybox:1, resources: {limits: {cpu: 500m, memory: 64Mi}}}]
  containers:
  - {name: a, image: busybox:1, resources: {limits: {cpu: "1", memory: 1Gi}}}
  - {name: b, image: busybox:1, resources: {requests: {cpu: 1000m, memory: "1073741824"}, limits: {cpu: "1", memory: 1Gi}}}
Y
check "create pods of the three QoS classes" k apply -f "$WORK/qos.yaml"
expect_out "no requests or limits: BestEffort" '^BestEffort$' k get pod qos-be -n t -o jsonpath='{.status.qosClass}'
expect_out "a cpu request and a memory limit: Burstable" '^Burstable$' k get pod qos-burst -n t -o jsonpath='{.status.qosClass}'
expect_out "a missing request defaults to the limit, a given one is kept" '^\{"cpu":"100m","memory":"64Mi"\}$' \
  k get pod qos-burst -n t -o jsonpath='{.spec.containers[0].resources.requests}'
expect_out "limits only (requests defaulted), requests equal to limits: Guaranteed" '^Guaranteed$' \
  k get pod qos-guar -n t -o jsonpath='{.status.qosClass}'
expect_out "requests defaulted from limits on containers and init containers" '^1 1Gi 500m 64Mi$' \
  k get pod qos-guar -n t -o jsonpath='{.spec.containers[0].resources.requests.cpu} {.spec.containers[0].resources.requests.memory} {.spec.initContainers[0].resources.requests.cpu} {.spec.initContainers[0].resources.requests.memory}'
expect_out "kubectl describe shows the QoS class" 'QoS Class: +Guaranteed' k describe pod qos-guar -n t

# finalizers
cat <<Y | k apply -f - >/dev/null
apiVersion: v1
kind: ConfigMap
metadata: {name: f, namespace: t, finalizers: [test.kubesim.io/hold]}
Y
expect_out "delete with finalizer" 'configmap "f" deleted' k delete cm f -n t --wait=false
expect_out "deletionTimestamp set, object kept" '^[0-9]{4}-' k get cm f -n t -o jsonpath='{.metadata.deletionTimestamp}'
expect_fail "no new finalizers while deleting" 'no new finalizers' k patch cm f -n t --type=merge -p '{"metadata":{"finalizers":["a/b","test.kubesim.io/hold"]}}'
k patch cm f -n t --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null
expect_fail "removed once finalizers are gone" 'configmaps "f" not found' k get cm f -n t

# garbage collection
owned_pair() {  # owned_pair OWNER DEPENDENT: configmap DEPENDENT owned by configmap OWNER
  k create cm "$1" -n t >/dev/null
  local uid; uid=$(k get cm "$1" -n t -o jsonpath='{.metadata.uid}')
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: t\n  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: %s, uid: %s}]\n' \
    "$2" "$1" "$uid" | k apply -f - >/dev/null
}
owned_pair owner dep
check "GC deletes dependents" bash -c "kubectl delete cm owner -n t && kubectl wait --for=delete cm/dep -n t --timeout=10s && ! kubectl get cm dep -n t"
owned_pair owner2 dep2
k delete cm owner2 -n t --cascade=orphan >/dev/null
expect_out "orphan propagation keeps dependents, strips ownerReferences" '^\[\]$' k get cm dep2 -n t -o jsonpath='[{.metadata.ownerReferences}]'

# PVC admission + describe with events
cat <<Y | k apply -f - >/dev/null
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: p, namespace: t}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  storageClassName: no-such-class
Y
expect_out "pvc-protection finalizer" '^\["kubernetes.io/pvc-protection"\]$' k get pvc p -n t -o jsonpath='{.metadata.finalizers}'
PUID=$(k get pvc p -n t -o jsonpath='{.metadata.uid}')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ); OLD=$(date -u -d '-5 min' +%Y-%m-%dT%H:%M:%SZ); MNOW=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
cat <<Y | k apply -f - >/dev/null
apiVersion: v1
kind: Event
metadata: {name: p.a1, namespace: t}
involvedObject: {kind: PersistentVolumeClaim, namespace: t, name: p, uid: $PUID, apiVersion: v1}
type: Normal
reason: Counted
message: counted three times
count: 3
firstTimestamp: "$OLD"
lastTimestamp: "$NOW"
source: {component: sim-test}
---
apiVersion: v1
kind: Event
metadata: {name: p.a2, namespace: t}
involvedObject: {kind: PersistentVolumeClaim, namespace: t, name: p, uid: $PUID, apiVersion: v1}
type: Warning
reason: Series
message: series of four
eventTime: "$MNOW"
series: {count: 4, lastObservedTime: "$MNOW"}
reportingComponent: ossvp-controller
reportingInstance: ossvp-controller-1
action: Populate
---
apiVersion: v1
kind: Event
metadata: {name: p.other, namespace: t}
involvedObject: {kind: PersistentVolumeClaim, namespace: t, name: p, uid: 00000000-0000-0000-0000-000000000000, apiVersion: v1}
type: Normal
reason: OtherUid
message: not mine
Y
DESC=$(k describe pvc p -n t 2>&1)
if grep -Eq 'Counted +[^ ]+ \(x3 over 5m' <<< "$DESC" && grep -Eq 'Series +[^ ]+ \(x4 over .*ossvp-controller' <<< "$DESC" && ! grep -q OtherUid <<< "$DESC"; then
  pass "describe pvc: events by involvedObject field selector"; else fail "describe pvc: $DESC"; fi
expect_out "events field selector by uid" '^event/p.a1 event/p.a2 $' bash -c "kubectl get events -n t --field-selector involvedObject.uid=$PUID,reason!=ProvisioningFailed -o name | grep 'p.a' | tr '\n' ' '"
expect_out "events.k8s.io/v1 view of core events" 'note: series of four' k get events.v1.events.k8s.io p.a2 -n t -o yaml

# kubectl wait on a jsonpath condition, satisfied by a later status write
( sleep 1; curl -s -X PATCH -H 'Content-Type: application/merge-patch+json' \
    "$SIM/apis/test.kubesim.io/v1/namespaces/t/widgets/w1/status" -d '{"status":{"phase":"Done"}}' >/dev/null ) &
expect_out "kubectl wait --for=jsonpath (list+watch)" 'condition met' k wait --for=jsonpath='{.status.phase}'=Done wd/w1 -n t --timeout=10s

# kubectl get -w prints Table rows for watch events
( k get cm -n t -w >"$WORK/getw.txt" 2>&1 & echo $! >"$WORK/getw.pid" )
for _ in $(seq 100); do grep -q '^NAME' "$WORK/getw.txt" 2>/dev/null && break; sleep 0.1; done
k create cm watched -n t >/dev/null
for _ in $(seq 100); do grep -q '^watched' "$WORK/getw.txt" && break; sleep 0.1; done
kill "$(cat "$WORK/getw.pid")" 2>/dev/null
if [ "$(grep -c '^NAME' "$WORK/getw.txt")" = 1 ] && grep -Eq '^watched +0 +' "$WORK/getw.txt"; then
  pass "kubectl get -w (Table watch events)"; else fail "get -w: $(cat "$WORK/getw.txt")"; fi

# pods/log: the kubelet actor runs the container, the API server serves its log
cat <<Y | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: logger, namespace: t}
spec:
  restartPolicy: Never
  containers: [{name: main, image: "busybox:1", command: [sh, -c, 'echo first; sleep 0.5; echo second']}]
Y
for _ in $(seq 100); do  # logs of a container that has not started yet are a 400, as upstream
  [ -n "$(k get pod logger -n t -o jsonpath='{.status.containerStatuses[0].state.running}{.status.containerStatuses[0].state.terminated}')" ] && break
  sleep 0.1
done
expect_out "kubectl logs -f follows the container log" '^first second $' bash -c "kubectl logs -f logger -n t | tr '\n' ' '"
expect_out "kubectl logs --tail" '^second$' bash -c "kubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/logger -n t --timeout=15s >/dev/null && kubectl logs logger -n t --tail=1"
expect_fail "logs of an unknown container" 'container nope is not valid for pod logger' k logs logger -n t -c nope

# namespace deletion: Terminating, contents removed, then gone
k create ns doomed >/dev/null; k create cm x -n doomed >/dev/null
check "kubectl delete ns waits until the namespace is gone" bash -c "kubectl delete ns doomed --timeout=20s && ! kubectl get ns doomed"

# ---------------------------------------------------------------- raw watch
k create cm c2 -n t >/dev/null
RV=$(rv_of /api/v1/namespaces/t/configmaps)
# The changes are made before the watch starts: a watch from a resourceVersion
# replays what happened after it (no race with how fast kubectl runs here).
k label cm c -n t y=2 >/dev/null; k delete cm c2 -n t >/dev/null
START=$(date +%s)
curl -sN "$SIM/api/v1/namespaces/t/configmaps?watch=1&resourceVersion=$RV&timeoutSeconds=3" >"$WORK/w29"
END=$(date +%s)
TYPES=$(python3 -c '
import json,sys
evs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rvs=[int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
print(" ".join(e["type"] for e in evs), "sorted" if rvs==sorted(rvs) else "unsorted")' "$WORK/w29")
[ "$TYPES" = "MODIFIED DELETED sorted" ] && [ $((END - START)) -le 4 ] && pass "watch from RV: MODIFIED then DELETED, timeoutSeconds honoured" || fail "watch from RV: $TYPES"
NCM=$(k get cm -n t -o name | wc -l)
NADD=$(curl -sN "$SIM/api/v1/namespaces/t/configmaps?watch=1&timeoutSeconds=1" | grep -c '"type":"ADDED"')
[ "$NADD" = "$NCM" ] && pass "watch without RV: synthetic ADDED per object" || fail "synthetic ADDED: $NADD vs $NCM"
RVC=$(k get cm c -n t -o jsonpath='{.metadata.resourceVersion}')
curl -sN "$SIM/api/v1/namespaces/t/configmaps?watch=1&labelSelector=y%3D2&resourceVersion=$RVC&timeoutSeconds=2" >"$WORK/w31" &
CURL=$!; sleep 0.5; k label cm c -n t y- >/dev/null; wait $CURL
[ "$(grep -c . "$WORK/w31")" = 1 ] && grep -q '"type":"DELETED".*"name":"c"' "$WORK/w31" && pass "selector transition delivered as DELETED" || fail "selector transition: $(cat "$WORK/w31")"
curl -sN "$SIM/api/v1/namespaces/t/configmaps?watch=1&resourceVersion=$(rv_of /api/v1/namespaces/t/configmaps)&allowWatchBookmarks=true&timeoutSeconds=3" >"$WORK/w33"
python3 -c '
import json,sys
evs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bm=[e for e in evs if e["type"]=="BOOKMARK"]
assert bm, "no bookmark"
for b in bm: assert list(b["object"]["metadata"].keys())==["resourceVersion"], b' "$WORK/w33" && pass "bookmarks carry only metadata.resourceVersion" || fail "bookmarks"
OLDRV=$(rv_of /api/v1/namespaces/t/configmaps)
for i in $(seq 20); do k label cm c -n t n=$i --overwrite >/dev/null; done
OUT=$(curl -sN -w '\nHTTP %{http_code}' "$SIM/api/v1/namespaces/t/configmaps?watch=1&resourceVersion=$OLDRV")
if grep -q '"type":"ERROR".*"code":410' <<< "$OUT" && grep -q '"reason":"Expired"' <<< "$OUT" && grep -q 'HTTP 200' <<< "$OUT"; then
  pass "watch from compacted RV: 410 Expired ERROR event"; else fail "410: $OUT"; fi

# ---------------------------------------------------------------- fault injection + restart
curl -s -X POST "$SIM/kube-sim/faults" -d '{"rules":[{"method":"GET","pathContains":"/configmaps/c","code":500,"count":1}]}' >/dev/null
expect_fail "injected 500" 'injected internal error' k get cm c -n t
check "fault consumed after one hit" k get cm c -n t
curl -s -X POST "$SIM/kube-sim/faults" -d '{"rules":[{"pathContains":"/configmaps/c","code":429,"count":1}]}' >/dev/null
check "429 is retried by kubectl" k get cm c -n t
curl -sN "$SIM/api/v1/namespaces/t/configmaps?watch=1&timeoutSeconds=30" >/dev/null &
CURL=$!; sleep 0.5; T0=$(date +%s)
curl -s -X POST "$SIM/kube-sim/drop-watches" >/dev/null
wait $CURL; T1=$(date +%s)
[ $((T1 - T0)) -le 3 ] && pass "drop-watches ends open watches" || fail "drop-watches"
BEFORE=$(k get cm c -n t -o jsonpath='{.metadata.uid}')
stop_sim; start_sim
expect_out "restart keeps objects (state dir)" "^$BEFORE\$" k get cm c -n t -o jsonpath='{.metadata.uid}'
expect_out "restart keeps CRDs served" 'w1' k get wd -n t

# ---------------------------------------------------------------- RBAC (--authorization rbac)
stop_sim; start_sim --authorization rbac
k create sa reader -n t >/dev/null
TOKEN=$(k create token reader -n t)
k create role cm-reader -n t --verb=get,list --resource=configmaps >/dev/null
k create rolebinding cm-reader -n t --role=cm-reader --serviceaccount=t:reader >/dev/null
# The token in a kubeconfig of its own (mode 600), not on kubectl's command line.
(umask 077 && kubeconfig_with_token "$KUBECONFIG" "$TOKEN" > "$WORK/reader.kubeconfig")
check "SA token: allowed by Role" env KUBECONFIG="$WORK/reader.kubeconfig" kubectl get cm c -n t
expect_fail "SA token: forbidden without a rule" 'User "system:serviceaccount:t:reader" cannot delete resource "configmaps"' env KUBECONFIG="$WORK/reader.kubeconfig" kubectl delete cm c -n t
expect_fail "SA token: forbidden in another namespace" 'forbidden' env KUBECONFIG="$WORK/reader.kubeconfig" kubectl get cm -n default

echo "kube-sim conformance: $FAILS failure(s)"
[ $FAILS -eq 0 ]
