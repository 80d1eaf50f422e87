#!/usr/bin/env bash
# The README's "Installing on a real cluster", as literally as kube-sim
# allows, with the images hack/images.sh built into the local podman storage:
# the two images set in (a copy of) manifests/base/controller-deployment.yaml,
# `kubectl apply -k manifests/`, `kubectl apply -k manifests/pod-handler/`,
# then the user guide's check (`rollout status deployment/ossvp-controller`)
# and its scenario 2 with the Secret (manifests/examples/generic/ as written,
# the emulator's AccessKey in place of the placeholders), then scenario 1
# (manifests/examples/bmcpfs-dataflow/00-03 as written, the controller's
# OpenAPI Secret and `rollout restart` as the user guide says; the CPFS and its
# data flows are the emulator's). The vLLM StatefulSet and the busybox verify
# pod are not run (no such images locally): a consumer pod of
# debian:bookworm-slim reads each volume instead.
#
# kube-sim runs --runtime podman --authorization rbac: the controller runs as
# a pod of its image, in-cluster (service-account token, CA and
# KUBERNETES_SERVICE_HOST/PORT from kube-sim), authorized only by the
# manifests' RBAC, two replicas with leader election. What differs from a
# real cluster, and why:
#  * host network (kube-sim's podman runtime): the two replicas would both
#    bind the manifests' health/metrics ports 8081/8080, so the copy binds
#    127.0.0.1:0 instead (kube-sim runs no probes);
#  * the bucket's endpoint and the NAS OpenAPI reach the OSS/CPFS emulator
#    through the controller's --endpoint-override (added to the copy's args),
#    which it also hands to the populator pods;
#  * manifests/examples/kube-sim/storageclasses.yaml stands in for ACK's
#    alicloud-disk-essd class (a host directory per volume).
# Checks: the PVCs go Bound with byte-identical data (read by a consumer pod),
# the populator pod ran non-root (the files are its uid's) on a read-only
# root, no AccessKey Secret value in any pod spec, event or log, and after the
# PVCs and ossvps are deleted only the controller is left in
# ack-volume-populator.
# Skips (exit 77, reason printed) without root, podman, runc or the images,
# or when an image was built from other sources than the checkout's
# (hack/lib/container-prereqs.sh: a failure under hack/test.sh).
# Env: OSSVP_BIN (build/bin), OSSVP_SRC (repo root).
source "$OSSVP_SRC/hack/lib/container-prereqs.sh"
VERSION=$(sed -n 's/^project(ossvp VERSION \([0-9][0-9.]*\).*/\1/p' "$OSSVP_SRC/CMakeLists.txt")
CONSUMER_IMAGE=debian:bookworm-slim
require_container_runtime "ossvp-controller:$VERSION" "ossvp-populator:$VERSION" "$CONSUMER_IMAGE"
# An image built from other sources than this checkout's tests other code
# against today's manifests (e.g. a Role that no longer grants what an older
# controller asks for): say so instead of failing on it.
source "$OSSVP_SRC/hack/lib/image-sources.sh"
for program in controller populator; do
  label=$(podman image inspect --format '{{index .Labels "io.ossvp.sources"}}' "ossvp-$program:$VERSION")
  digest=$(cd "$OSSVP_SRC" && image_source_digest "$program")
  [[ "$label" == "$digest" ]] \
    || skip "ossvp-$program:$VERSION was built from other sources (io.ossvp.sources '$label', this checkout '$digest'): rebuild with sudo hack/images.sh"
done

source "$OSSVP_SRC/tests/integration/controller/lib.sh"
source "$OSSVP_SRC/tests/integration/lib/assert.sh"
PNS=ack-volume-populator
NAS_HOST=nas.cn-hangzhou.aliyuncs.com
# read_volume NS PVC: a consumer pod (consumer-PVC) prints the md5sum of
# every file of the volume, then "owner UID" per distinct file owner.
read_volume() {
  k apply -f - > /dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: consumer-$2, namespace: $1}
spec:
  restartPolicy: Never
  containers:
    - name: read
      image: $CONSUMER_IMAGE
      command: [sh, -c, 'cd /data && find . -type f ! -path "./.ossvp-populator/*" | sort | xargs md5sum && find . -type f ! -path "./.ossvp-populator/*" -printf "owner %U\n" | sort -u']
      volumeMounts: [{name: data, mountPath: /data, readOnly: true}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: $2, readOnly: true}}]
YAML
  wait_for "consumer pod $1/consumer-$2 to succeed" 90 bash -c \
    "[[ \$(kubectl get pod consumer-$2 -n $1 -o jsonpath='{.status.phase}') == Succeeded ]]"
  k logs "consumer-$2" -n "$1"
}
# Running controller pods of the current template (not being deleted).
controller_pods() {
  jp pods -n "$PNS" -l app.kubernetes.io/name=ossvp-controller -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{if eq .status.phase "Running"}}{{.metadata.name}}{{"\n"}}{{end}}{{end}}{{end}}'
}

# --- the data and the emulator ----------------------------------------------------
SEED=$WORK/seed
mkdir -p "$SEED/many-files/sub"
for i in $(seq 1 20); do head -c $((RANDOM * 2 + 1)) /dev/urandom > "$SEED/many-files/f$i.bin"; done
head -c 3000000 /dev/urandom > "$SEED/many-files/sub/big.bin"
MODEL=$WORK/model  # scenario 1: my-model-bucket/Qwen3-32B/
mkdir -p "$MODEL/Qwen3-32B/tokenizer" "$WORK/cpfs"
head -c 2000000 /dev/urandom > "$MODEL/Qwen3-32B/model-00001.safetensors"
echo '{"model_type":"qwen3"}' > "$MODEL/Qwen3-32B/config.json"
echo tok > "$MODEL/Qwen3-32B/tokenizer/tokenizer.json"
start_emu "$SEED" --seed "my-model-bucket=$MODEL" --cpfs-root "$WORK/cpfs"

# --- the README: set the two images in the Deployment (a copy), apply -k ------------
SRC=$WORK/src
mkdir -p "$SRC"
cp -r "$OSSVP_SRC/manifests" "$OSSVP_SRC/crds" "$SRC/"
DEPLOYMENT=$SRC/manifests/base/controller-deployment.yaml
sed -i -e "s|image: .*/ossvp-controller:.*|image: ossvp-controller:$VERSION|" \
  -e "s|--populator-image=.*|--populator-image=ossvp-populator:$VERSION|" \
  -e "s|--health-addr=0.0.0.0:8081|--health-addr=127.0.0.1:0|" \
  -e "s|--metrics-addr=0.0.0.0:8080|--metrics-addr=127.0.0.1:0|" \
  -e "s|^\( *\)- --log-json=true|&\n\1- --endpoint-override=$OSS_HOST=$EMU_URL\n\1- --endpoint-override=$NAS_HOST=$EMU_URL|" \
  "$DEPLOYMENT"
for want in "image: ossvp-controller:$VERSION" "--populator-image=ossvp-populator:$VERSION" \
  "--health-addr=127.0.0.1:0" "--metrics-addr=127.0.0.1:0" "--endpoint-override=$OSS_HOST=$EMU_URL" \
  "--endpoint-override=$NAS_HOST=$EMU_URL"; do
  grep -qF -- "$want" "$DEPLOYMENT" || fail "could not set '$want' in the Deployment: has its layout changed?"
done

# The bmcpfs class provisions filesets through the emulator's NAS API.
KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
  start_kube_sim --runtime podman --authorization rbac --rbac-audit "$WORK/rbac.jsonl" --cpfs-root "$WORK/cpfs"
k apply -k "$SRC/manifests/" > "$WORK/apply.out" || fail "kubectl apply -k manifests/: $(cat "$WORK/apply.out")"
k apply -k "$SRC/manifests/pod-handler/" > "$WORK/apply-ph.out" \
  || fail "kubectl apply -k manifests/pod-handler/: $(cat "$WORK/apply-ph.out")"
grep -q "deployment.apps/ossvp-controller configured" "$WORK/apply-ph.out" \
  || fail "pod-handler did not change the Deployment: $(cat "$WORK/apply-ph.out")"
# The user guide's check that it runs.
k wait --for=condition=established crd/ossvolumepopulators.storage.alibabacloud.com > /dev/null
out=$(k -n "$PNS" rollout status deployment/ossvp-controller --timeout=180s) \
  || fail "rollout status deployment/ossvp-controller: $out"
k get ossvp -A > /dev/null 2>&1 || fail "kubectl get ossvp -A"
pods=$(controller_pods)
expect_eq "$(grep -c . <<< "$pods")" 2 "running controller pods"
for p in $pods; do
  expect_eq "$(jp pod "$p" -n "$PNS" -o jsonpath='{.spec.containers[0].image} {.spec.serviceAccountName}')" \
    "ossvp-controller:$VERSION ossvp-controller" "controller pod $p image and service account"
  jp pod "$p" -n "$PNS" -o jsonpath='{.spec.containers[0].args}' | grep "VolumePopulatorPodHandler=true" > /dev/null \
    || fail "controller pod $p is not from the pod-handler template"
done
pass "apply -k manifests/ and manifests/pod-handler/: rollout of 2 controller pods from ossvp-controller:$VERSION"

# Leader election: one Lease, held by one of the two pods (after the
# pod-handler rollout, once the old leader's lease has expired).
lease_holder_pod() {
  local holder
  holder=$(jp lease -n "$PNS" -o jsonpath='{.items[*].spec.holderIdentity}')
  [[ -n "$holder" ]] && grep -qx "${holder%_*}" <<< "$(controller_pods)" && echo "${holder%_*}"
}
wait_for "a running controller pod to hold the lease" 90 lease_holder_pod
leader=$(lease_holder_pod) || fail "the lease holder changed or left"
wait_for "leader's caches synced" 60 bash -c "kubectl logs -n $PNS $leader | grep -q 'caches synced'"
# In-cluster: every request the controller made was authorized as its service account.
sa=system:serviceaccount:$PNS:ossvp-controller
grep -q "\"user\":\"$sa\"" "$WORK/rbac.jsonl" || fail "no request of $sa in the RBAC audit"
denied=$(grep "\"user\":\"$sa\"" "$WORK/rbac.jsonl" | grep '"allowed":false' | head -3 || true)
[[ -z "$denied" ]] || fail "requests of $sa denied by the manifests' RBAC: $denied"
pass "the controller runs in-cluster as $sa; leader $leader"

# --- scenario 2 with the Secret, the examples as written ------------------------------
k apply -f "$OSSVP_SRC/manifests/examples/kube-sim/storageclasses.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/00-namespace.yaml" > /dev/null
fill_access_key "$OSSVP_SRC/manifests/examples/generic/01-secret.yaml" "$AK" "$SK" | k apply -f - > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/03-ossvp-secretref.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/04-pvc-secretref.yaml" > /dev/null
# Until Bound: keep the populator pod's spec as seen while it exists.
deadline=$((SECONDS + 180 * ${OSSVP_TIMEOUT_SCALE:-1}))
until pvc_bound argo many-files; do
  ((SECONDS < deadline)) || fail "PVC argo/many-files not Bound after 180 s"
  [[ -s "$WORK/populator-pod.json" ]] || jp pods -n "$PNS" -o json \
    | python3 -c 'import json,sys; p=[i for i in json.load(sys.stdin)["items"] if i["metadata"]["name"].startswith("populate-")]; p and print(json.dumps(p[0]))' \
      > "$WORK/populator-pod.json"
  sleep 0.2
done
pass "PVC argo/many-files Pending -> Bound"
[[ -s "$WORK/populator-pod.json" ]] || fail "never saw the populator pod"
read -r image nonroot rofs < <(python3 -c '
import json, sys
p = json.load(open(sys.argv[1])); c = p["spec"]["containers"][0]
sc, psc = c.get("securityContext", {}), p["spec"].get("securityContext", {})
print(c["image"], sc.get("runAsNonRoot", psc.get("runAsNonRoot", False)), sc.get("readOnlyRootFilesystem", False))
' "$WORK/populator-pod.json")
expect_eq "$image $nonroot $rofs" "ossvp-populator:$VERSION True True" "populator pod image, runAsNonRoot, readOnlyRootFilesystem"
pass "the populator pod ran ossvp-populator:$VERSION with runAsNonRoot and a read-only root filesystem"
wait_for "describe ossvp to say 'Populated successfully'" 10 ossvp_populated argo generic-demo-secret

read_out=$(read_volume argo many-files)
expect_eq "$(grep -v '^owner ' <<< "$read_out")" "$(expected_sums "$SEED/many-files")" "data read by the consumer"
expect_eq "$(grep '^owner ' <<< "$read_out")" "owner 65532" "owner of the populated files (the populator's uid)"
pass "consumer pod reads byte-identical data ($(grep -vc '^owner ' <<< "$read_out") files) written by uid 65532"

# --- scenario 1 (bmcpfs-dataflow): the user guide's credentials, then the examples --
# As the user guide says: the OpenAPI AccessKey Secret (its values on a pipe,
# not on kubectl's command line), then a rollout restart.
secret_create "$PNS" ossvp-controller-credentials accessKeyId="$AK" accessKeySecret="$SK" > /dev/null
k -n "$PNS" rollout restart deployment ossvp-controller > /dev/null
out=$(k -n "$PNS" rollout status deployment/ossvp-controller --timeout=180s) \
  || fail "rollout status after rollout restart: $out"
expect_eq "$(jp deploy ossvp-controller -n "$PNS" -o jsonpath='{.status.replicas} {.status.updatedReplicas} {.status.availableReplicas}')" \
  "2 2 2" "controller Deployment after rollout restart"
pass "rollout restart with ossvp-controller-credentials: 2 new controller pods"
EX=$OSSVP_SRC/manifests/examples/bmcpfs-dataflow
for f in "$EX"/0[0-3]*.yaml; do k apply -f "$f" > /dev/null; done
wait_for "scenario 1 PVC Bound (a new leader may first wait for the old lease)" 180 \
  pvc_bound bmcpfs-dataflow-demo qwen3-32b
wait_for "scenario 1 ossvp to say 'Populated successfully'" 10 ossvp_populated bmcpfs-dataflow-demo qwen3-32b
read_out=$(read_volume bmcpfs-dataflow-demo qwen3-32b)
expect_eq "$(grep -v '^owner ' <<< "$read_out")" "$(expected_sums "$MODEL/Qwen3-32B")" "scenario 1 model read by the consumer"
pass "scenario 1: PVC Bound through a CPFS data flow, the model byte-identical in a consumer pod"

# --- no secret anywhere it must not be -------------------------------------------------
# Each source must deliver something: a failed or empty one would leave the
# search below nothing to find the secret in. kube-sim keeps every pod's log,
# the controller's included, under pod-logs/.
collect() {  # collect WHAT CMD...: appends CMD's output to exposed.txt
  local out
  out=$("${@:2}") || fail "collecting $1 to search for secrets failed"
  [[ -n "$out" ]] || fail "nothing collected from $1 to search for secrets"
  printf '%s
' "$out" >> "$WORK/exposed.txt"
}
: > "$WORK/exposed.txt"
collect "the populator pod spec" cat "$WORK/populator-pod.json"
collect "the pods" k get pods -A -o json
collect "the events" k get events -A -o json
compgen -G "$WORK/ks/pod-logs/*/*/*.log" > /dev/null || fail "no pod logs under $WORK/ks/pod-logs"
collect "the pod logs" bash -c 'cat "$1"/ks/pod-logs/*/*/*.log' _ "$WORK"
# The secret is matched from a file, not from grep's argv.
! grep -qF -f <(printf '%s\n' "$SK") "$WORK/exposed.txt" ||
  fail "the AccessKey Secret appears in a pod spec, event or log"
pass "the AccessKey Secret is in no pod spec, event or pod log"

# --- cleanup leaves only the controller ----------------------------------------------
k delete pod consumer-many-files -n argo --wait=false > /dev/null
k delete pod consumer-qwen3-32b -n bmcpfs-dataflow-demo --wait=false > /dev/null
k delete pvc many-files -n argo --wait=false > /dev/null
k delete pvc qwen3-32b -n bmcpfs-dataflow-demo --wait=false > /dev/null
k delete ossvp generic-demo-secret -n argo --wait=false > /dev/null
k delete ossvp qwen3-32b -n bmcpfs-dataflow-demo --wait=false > /dev/null
for ns in argo bmcpfs-dataflow-demo; do
  wait_for "PVCs and ossvps of $ns gone" 60 bash -c "[[ -z \$(kubectl get pvc,ossvp -n $ns -o name) ]]"
done
wait_for "only the controller left in $PNS" 60 bash -c \
  "[[ -z \$(kubectl get pods,pvc -n $PNS -o name | grep -v '^pod/ossvp-controller-') ]]"
expect_eq "$(controller_pods | grep -c .)" 2 "controller pods after cleanup"
pass "after deleting the PVCs and ossvps only the controller is left in $PNS"
# The manifests' RBAC was enough for everything the controller and the
# populator pods did.
denied=$(grep '"allowed":false' "$WORK/rbac.jsonl" | head -3 || true)
[[ -z "$denied" ]] || fail "requests denied by the manifests' RBAC during the scenarios: $denied"
grep -q "\"user\":\"system:serviceaccount:$PNS:ossvp-populator\"" "$WORK/rbac.jsonl" \
  || fail "no request of the populator pods' service account in the RBAC audit"
pass "no request of the controller or populator pods was denied"
echo "install: all checks passed"
