#!/usr/bin/env bash
# Applies the ossvp install and every example with real kubectl, and checks
# that invalid ossvps are rejected with the messages the user guide documents.
# Phase 1 (offline): kustomize builds. Phase 2: against kube-sim
# ($OSSVP_BIN/kube-sim); exits 77 (skipped) when kube-sim is not built.
set -euo pipefail

SRC=${OSSVP_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
BIN=${OSSVP_BIN:-$SRC/build/bin}
TMP=$(mktemp -d)
SIM_PID=""
cleanup() {
  if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# ---- phase 1: kustomize builds --------------------------------------------
kubectl kustomize "$SRC/manifests" > "$TMP/base.yaml" || fail "kustomize manifests/"
kubectl kustomize "$SRC/manifests/pod-handler" > "$TMP/pod-handler.yaml" || fail "kustomize manifests/pod-handler"
kubectl kustomize "$SRC/manifests/volume-populator" > "$TMP/vp.yaml" || fail "kustomize manifests/volume-populator"
grep -q -- '- --feature-gates=VolumePopulator=true$' "$TMP/base.yaml" || fail "base: feature gate arg"
grep -q -- '- --feature-gates=VolumePopulator=true,VolumePopulatorPodHandler=true$' "$TMP/pod-handler.yaml" \
  || fail "pod-handler: gate not patched"
[[ $(grep -c '^kind: ' "$TMP/pod-handler.yaml") -eq $(( $(grep -c '^kind: ' "$TMP/base.yaml") + 3 )) ]] \
  || fail "pod-handler must add exactly ServiceAccount, Role, RoleBinding"
pass "kustomize builds"

# ---- phase 2: kube-sim ------------------------------------------------------
if [[ ! -x "$BIN/kube-sim" ]]; then
  echo "SKIP: $BIN/kube-sim not built"
  exit 77
fi
export HOME="$TMP/home" KUBECONFIG="$TMP/kubeconfig"
mkdir -p "$HOME"
"$BIN/kube-sim" --listen 127.0.0.1:0 --state-dir "$TMP/state" --kubeconfig-out "$KUBECONFIG" \
  > "$TMP/kube-sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do [[ -s "$KUBECONFIG" ]] && break; sleep 0.1; done
[[ -s "$KUBECONFIG" ]] || { cat "$TMP/kube-sim.log" >&2; fail "kube-sim did not start"; }

k() { kubectl --request-timeout=20s "$@"; }

k apply -k "$SRC/manifests" > "$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "apply -k manifests/"; }
k wait --for=condition=established --timeout=20s crd/ossvolumepopulators.storage.alibabacloud.com > /dev/null \
  || fail "CRD not established"
pass "kubectl apply -k manifests/"

k apply -f "$SRC/manifests/examples/kube-sim/storageclasses.yaml" > /dev/null || fail "apply kube-sim storage classes"
for dir in generic bmcpfs-dataflow; do
  k apply -f "$SRC/manifests/examples/$dir/" > "$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "apply examples/$dir"; }
  pass "kubectl apply -f manifests/examples/$dir/"
done

# The ephemeral volume of the plain-pod example became a PVC naming the ossvp,
# Pending (no controller runs here).
for _ in $(seq 1 50); do k -n argo get pvc ossvp-generic-task-1-workdir > /dev/null 2>&1 && break; sleep 0.2; done
[[ $(k -n argo get pvc ossvp-generic-task-1-workdir -o jsonpath='{.spec.dataSourceRef.kind}/{.spec.dataSourceRef.name} {.status.phase}') \
   == "OSSVolumePopulator/generic-demo Pending" ]] || fail "ephemeral PVC of 05-pod-ephemeral.yaml"
pass "ephemeral PVC created from the pod's volumeClaimTemplate"

# The Argo example, against a stand-in Workflow CRD (kube-sim has no Argo):
# proves the file is well-formed and applies as written.
cat > "$TMP/workflow-crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: workflows.argoproj.io}
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Workflow, plural: workflows, singular: workflow, shortNames: [wf]}
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
YAML
k apply -f "$TMP/workflow-crd.yaml" > /dev/null || fail "stand-in Workflow CRD"
k wait --for=condition=established --timeout=20s crd/workflows.argoproj.io > /dev/null || fail "Workflow CRD"
k apply -f "$SRC/manifests/examples/argo/workflow.yaml" > "$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "apply argo/workflow.yaml"; }
[[ $(k -n argo get workflow ossvp-generic-demo \
  -o jsonpath='{.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.dataSourceRef.name}') == generic-demo ]] \
  || fail "workflow's ephemeral volume"
pass "kubectl apply -f manifests/examples/argo/workflow.yaml"

# Printer columns and short name.
k get ossvp -A > "$TMP/get" || fail "get ossvp"
grep -Eq '^NAMESPACE +NAME +MODE +BUCKET +PATH +PHASE +PROGRESS +AGE$' <<< "$(head -1 "$TMP/get")" \
  || { cat "$TMP/get" >&2; fail "printer columns"; }
[[ $(tail -n +2 "$TMP/get" | wc -l) -eq 3 ]] || fail "expected 3 ossvps"
grep -Eq '^bmcpfs-dataflow-demo +qwen3-32b +bmcpfs-dataflow +my-model-bucket +/Qwen3-32B/ ' "$TMP/get" \
  || { cat "$TMP/get" >&2; fail "qwen3-32b row"; }
pass "kubectl get ossvp columns"

# Defaults applied by the server.
[[ $(k -n argo get ossvp generic-demo-secret -o jsonpath='{.spec.generic.secretRef}') == oss-secret ]] || fail "secretRef"
cat > "$TMP/defaults.yaml" <<'YAML'
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata: {name: defaults, namespace: bmcpfs-dataflow-demo}
spec:
  bucket: my-model-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  mode: bmcpfs-dataflow
  bmcpfsDataflow: {}
YAML
k apply -f "$TMP/defaults.yaml" > /dev/null || fail "apply defaults.yaml"
got=$(k -n bmcpfs-dataflow-demo get ossvp defaults \
  -o jsonpath='{.spec.path} {.spec.bmcpfsDataflow.throughput} {.spec.bmcpfsDataflow.dataType}')
[[ "$got" == "/ 600 metadataAndData" ]] || fail "defaults: got '$got'"
pass "server-side defaults"

# The status shape: the seed's bmcpfsDataflow entry renders in describe as the
# seed shows it; a field outside the schema is refused (strict validation).
entry='"dataFlowId":"df-29d3ad9e9xxxxxxx","dataFlowTaskId":"task-2993179xxxxxxxxx","fileSetId":"fset-2997498xxxxxxxxx","fileSystemId":"bmcpfs-29000z8xz3lf5xxxxxxxx","progress":"59%"'
status_patch() { k -n bmcpfs-dataflow-demo patch ossvp qwen3-32b --subresource=status --type=merge -p "$1"; }
if status_patch "{\"status\":{\"bmcpfsDataflow\":{\"u\":{$entry,\"notInSchema\":\"x\"}}}}" > "$TMP/out" 2>&1; then
  fail "a status field outside the schema was accepted"
fi
grep -q 'unknown field "status.bmcpfsDataflow.u.notInSchema"' "$TMP/out" || { cat "$TMP/out" >&2; fail "strict status"; }
status_patch "{\"status\":{\"phase\":\"Populating\",\"progress\":\"59%\",\"bmcpfsDataflow\":{\"62a4e7ec-fae1-4f11-848f-b57cxxxxxxxx\":{$entry}}}}" \
  > /dev/null || fail "status patch"
k -n bmcpfs-dataflow-demo describe ossvp qwen3-32b > "$TMP/describe"
for line in "Bmcpfs Dataflow:" "62a4e7ec-fae1-4f11-848f-b57cxxxxxxxx:" "Data Flow Id: *df-29d3ad9e9xxxxxxx" \
            "Data Flow Task Id: *task-2993179xxxxxxxxx" "File Set Id: *fset-2997498xxxxxxxxx" \
            "File System Id: *bmcpfs-29000z8xz3lf5xxxxxxxx" "Progress: *59%"; do
  grep -Eq "^ +$line\$" "$TMP/describe" || { cat "$TMP/describe" >&2; fail "describe lacks '$line'"; }
done
k -n bmcpfs-dataflow-demo patch ossvp qwen3-32b --subresource=status --type=merge \
  -p '{"status":{"phase":"Succeeded","progress":"100%","message":"Populated successfully","bmcpfsDataflow":null}}' > /dev/null
k -n bmcpfs-dataflow-demo describe ossvp qwen3-32b | grep -E '^  Message: +Populated successfully$' > /dev/null \
  || fail "describe lacks 'Message: Populated successfully'"
pass "status renders as the seed shows it (describe ossvp)"

# Invalid ossvps: rejected with the documented message, nothing created.
reject() {  # reject NAME EXPECTED-SUBSTRING  (spec YAML on stdin, indented 2)
  local name=$1 want=$2
  { printf 'apiVersion: storage.alibabacloud.com/v1beta1\nkind: OSSVolumePopulator\nmetadata: {name: %s, namespace: argo}\nspec:\n' "$name"
    cat; } > "$TMP/bad.yaml"
  if k apply -f "$TMP/bad.yaml" > "$TMP/out" 2>&1; then fail "$name: accepted"; fi
  grep -qF -- "$want" "$TMP/out" || { cat "$TMP/out" >&2; fail "$name: message lacks: $want"; }
  if k -n argo get ossvp "$name" > /dev/null 2>&1; then fail "$name: created anyway"; fi
  pass "rejected $name"
}
base='  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
'
reject no-bucket 'spec.bucket: Required value' <<< "$base  generic: {secretRef: oss-secret}"
reject bad-bucket 'spec.bucket' <<< "  bucket: My_Bucket
$base  generic: {secretRef: oss-secret}"
reject bad-endpoint 'spec.endpoint' <<< "  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: https://oss-cn-hangzhou.aliyuncs.com
  generic: {secretRef: oss-secret}"
reject bad-path 'spec.path' <<< "  bucket: my-test-bucket
  path: many-files/
$base  generic: {secretRef: oss-secret}"
reject bad-mode 'spec.mode: Unsupported value: "fast"' <<< "  bucket: my-test-bucket
  mode: fast
$base"
reject bad-throughput 'spec.bmcpfsDataflow.throughput' <<< "  bucket: my-test-bucket
  mode: bmcpfs-dataflow
$base  bmcpfsDataflow: {throughput: 1000}"
reject no-credentials 'generic mode needs OSS credentials: set spec.generic.secretRef' <<< "  bucket: my-test-bucket
$base"
reject both-credentials 'spec.generic.secretRef and spec.generic.rrsaConfigs are mutually exclusive' <<< "  bucket: my-test-bucket
$base  generic:
    secretRef: oss-secret
    rrsaConfigs: {roleArn: 'acs:ram::1:role/r', oidcProviderArn: 'acs:ram::1:oidc-provider/p'}"
reject half-rrsa 'spec.generic.rrsaConfigs needs both roleArn' <<< "  bucket: my-test-bucket
$base  generic:
    rrsaConfigs: {roleArn: 'acs:ram::1:role/r'}"
reject bmcpfs-options-in-generic 'spec.bmcpfsDataflow is only used with mode bmcpfs-dataflow' <<< "  bucket: my-test-bucket
$base  generic: {secretRef: oss-secret}
  bmcpfsDataflow: {throughput: 1200}"
reject generic-options-in-bmcpfs 'spec.generic is only used with mode generic' <<< "  bucket: my-test-bucket
  mode: bmcpfs-dataflow
$base  generic: {secretRef: oss-secret}"

# The pod-handler overlay and the VolumePopulator registration.
k apply -k "$SRC/manifests/pod-handler" > "$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "apply -k manifests/pod-handler"; }
args=$(k -n ack-volume-populator get deploy ossvp-controller -o jsonpath='{.spec.template.spec.containers[0].args[0]}')
[[ "$args" == "--feature-gates=VolumePopulator=true,VolumePopulatorPodHandler=true" ]] || fail "pod-handler args: $args"
k -n ack-volume-populator get role ossvp-populator > /dev/null || fail "populator Role"
pass "kubectl apply -k manifests/pod-handler/"
k apply -k "$SRC/manifests/volume-populator" > "$TMP/out" 2>&1 \
  || { cat "$TMP/out" >&2; fail "apply -k manifests/volume-populator"; }
pass "kubectl apply -k manifests/volume-populator/"
echo "PASS"
