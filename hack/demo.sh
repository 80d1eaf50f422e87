#!/usr/bin/env bash
# The main job on an embedded default, on one machine, nothing external:
#   1. builds ossvp (installing what is missing),
#   2. starts a local OSS (hack/oss-emulator) holding a small dataset, and a
#      local Kubernetes API server with its cluster actors (hack/kube-sim),
#   3. installs ossvp (CRD, RBAC, examples) with real kubectl and runs
#      ossvp-controller against it,
#   4. applies the product document's examples as written — generic mode
#      (a populator Pod copies into a disk-class volume) and, when the
#      controller supports it, bmcpfs-dataflow mode (CPFS imports the data
#      itself) — and shows each PVC going Pending -> Bound with live progress,
#      then `kubectl describe ossvp`, then a Pod reading the populated data.
# It cleans up after itself and leaves no process behind.
# Environment: DEMO_KEEP=1 keeps the work dir; DEMO_FILES / DEMO_MB size the dataset.
#
# hack/demo.sh --containers shows the same flow the way a cluster runs it:
# the two images (hack/images.sh, built or brought up to date first), the
# README's `kubectl apply -k` install on kube-sim with real containers
# (--runtime podman) and RBAC enforced, the controller in-cluster, then both
# scenarios (tests/integration/install/install_test.sh, printed as it goes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$ROOT/build/bin
source "$ROOT/hack/lib/emulator.sh"
source "$ROOT/hack/lib/secrets.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [[ "${1:-}" == --containers ]]; then
  say "Building ossvp and its two images (a first run takes a while: the images compile ossvp)"
  bash hack/install-deps.sh
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build build -j "$(nproc)" --target oss-emulator kube-sim > /dev/null
  bash hack/images.sh
  say "Installing ossvp from its images on kube-sim (real containers) and running both scenarios"
  OSSVP_SRC=$ROOT OSSVP_BIN=$BIN bash tests/integration/install/install_test.sh
  exit
elif [[ -n "${1:-}" ]]; then
  echo "usage: hack/demo.sh [--containers]" >&2
  exit 2
fi

say "Building ossvp (first run installs packages and takes a few minutes)"
bash hack/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" --target oss-emulator kube-sim ossvp-controller ossvp-populator > /dev/null

WORK=$(mktemp -d /tmp/ossvp-demo.XXXXXX)
chmod 755 "$WORK"
export HOME=$WORK/home  # kubectl's discovery cache stays inside the demo
mkdir -p "$HOME"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill -9 "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  grep " $WORK/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
  if [[ -n "${DEMO_KEEP:-}" ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

wait_for() {  # wait_for SECONDS CMD...
  local deadline=$((SECONDS + $1))
  shift
  until "$@" > /dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "demo: timed out waiting for: $*" >&2; exit 1; fi
    sleep 0.3
  done
}
k() { kubectl --request-timeout=30s "$@"; }

# Demo credentials of the local emulator (not real keys).
AK=demoAccessKeyId
SK=demo-access-key-secret-0123456789
OSS_HOST=oss-cn-hangzhou-internal.aliyuncs.com
POP_IMAGE=registry.cn-hangzhou.aliyuncs.com/acs/ossvp-populator:demo

say "Seeding bucket my-test-bucket with /many-files/ (${DEMO_FILES:-200} files, ${DEMO_MB:-256} MiB in large objects)"
SEED=$WORK/seed
mkdir -p "$SEED/many-files/results-2025-04-16T07:48:00Z" "$SEED/Qwen3-32B"
for i in $(seq 1 "${DEMO_FILES:-200}"); do
  head -c $((4096 + RANDOM)) /dev/urandom > "$SEED/many-files/results-2025-04-16T07:48:00Z/part-$i.csv"
done
head -c $(( ${DEMO_MB:-256} * 1024 * 1024 )) /dev/urandom > "$SEED/many-files/train.bin"
for i in 1 2 3; do head -c $((8 * 1024 * 1024)) /dev/urandom > "$SEED/Qwen3-32B/model-0000$i-of-00003.safetensors"; done
echo '{"architectures":["Qwen3ForCausalLM"]}' > "$SEED/Qwen3-32B/config.json"

say "Starting the OSS emulator and kube-sim"
EMULATOR_BIN=$BIN/oss-emulator OSS_EMULATOR_SECRET_KEY=$SK emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" \
  --data-dir "$WORK/oss" --region cn-hangzhou --access-key "$AK" --seed "my-test-bucket=$SEED" \
  --seed "my-model-bucket=$SEED" --cpfs-root "$WORK/cpfs" --latency-ms 2 || exit 1
PIDS+=("$EMU_PID")
echo "OSS emulator: $EMU_URL (requests for $OSS_HOST are sent there by --endpoint-override)"

KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
"$BIN/kube-sim" --listen 127.0.0.1:0 --state-dir "$WORK/kube" --kubeconfig-out "$WORK/kubeconfig" \
  --cpfs-root "$WORK/cpfs" \
  --image-map "$POP_IMAGE=$BIN/ossvp-populator" --image-map "busybox=/bin/sh" \
  > "$WORK/kube.out" 2> "$WORK/kube.err" &
PIDS+=($!)
wait_for 60 test -s "$WORK/kubeconfig"
export KUBECONFIG=$WORK/kubeconfig
wait_for 30 k get ns default
k get nodes

say "Installing ossvp: namespace, CRD, RBAC, storage classes"
k apply -f manifests/base/namespace.yaml
k apply -f crds/storage.alibabacloud.com_ossvolumepopulators.yaml
k wait --for=condition=established --timeout=30s crd/ossvolumepopulators.storage.alibabacloud.com
k apply -f manifests/pod-handler/populator-rbac.yaml
k apply -f manifests/examples/kube-sim/storageclasses.yaml

# The controller's own OpenAPI credentials (for CPFS data flows) come from its
# environment, as from the Secret ossvp-controller-credentials in the Deployment.
# --cpfs-throughput-mbps slows the emulated CPFS import so progress is visible.
ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
"$BIN/ossvp-controller" --kubeconfig "$KUBECONFIG" --populator-image "$POP_IMAGE" \
  --feature-gates VolumePopulator=true,VolumePopulatorPodHandler=true --workers 4 \
  --endpoint-override "$OSS_HOST=$EMU_URL" --endpoint-override "sts.aliyuncs.com=$EMU_URL" \
  --endpoint-override "nas.cn-hangzhou.aliyuncs.com=$EMU_URL" --cpfs-throughput-mbps 5 \
  ${CTRL_EXTRA_ARGS:-} > "$WORK/controller.log" 2>&1 &
PIDS+=($!)
wait_for 30 grep -q "caches synced" "$WORK/controller.log"
echo "ossvp-controller running (log: $WORK/controller.log)"

# watch_population NS PVC OSSVP: prints phase and progress until Bound.
watch_population() {
  local ns=$1 pvc=$2 ossvp=$3 last="" line deadline=$((SECONDS + 300))
  while ((SECONDS < deadline)); do
    line="PVC $pvc: $(k get pvc "$pvc" -n "$ns" -o jsonpath='{.status.phase}')   ossvp $ossvp: $(k get ossvp "$ossvp" -n "$ns" --no-headers 2>/dev/null | awk '{$1=""; print}')"
    [[ "$line" != "$last" ]] && echo "$line" && last=$line
    [[ "$(k get pvc "$pvc" -n "$ns" -o jsonpath='{.status.phase}')" == Bound ]] && return 0
    sleep 0.5
  done
  echo "demo: PVC $ns/$pvc did not become Bound; controller log tail:" >&2
  tail -20 "$WORK/controller.log" >&2
  exit 1
}

say "Scenario 2 (generic mode): the product document's Secret, ossvp and a PVC"
k apply -f manifests/examples/generic/00-namespace.yaml
fill_access_key manifests/examples/generic/01-secret.yaml "$AK" "$SK" | k apply -f -
k apply -f manifests/examples/generic/03-ossvp-secretref.yaml
k apply -f manifests/examples/generic/04-pvc-secretref.yaml
PVC=$(k get -f manifests/examples/generic/04-pvc-secretref.yaml -o jsonpath='{.metadata.name}')
OSSVP=$(k get -f manifests/examples/generic/03-ossvp-secretref.yaml -o jsonpath='{.metadata.name}')
k get pvc "$PVC" -n argo
watch_population argo "$PVC" "$OSSVP"
k get pvc "$PVC" -n argo
say "kubectl describe ossvp $OSSVP -n argo"
k describe ossvp "$OSSVP" -n argo

say "A Pod reads the populated volume"
k apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: demo-reader, namespace: argo}
spec:
  restartPolicy: Never
  containers:
    - name: read
      image: busybox:1.36
      command: ["sh", "-c", "ls /data | head; echo; du -sh /data; find /data -type f | wc -l"]
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: $PVC}}]
YAML
wait_for 60 bash -c "[[ \$(kubectl get pod demo-reader -n argo -o jsonpath='{.status.phase}') == Succeeded ]]"
k logs demo-reader -n argo

if grep -q "cpfs-endpoint" <("$BIN/ossvp-controller" --help 2>&1); then
  say "Scenario 1 (bmcpfs-dataflow mode): CPFS imports the model itself"
  for f in manifests/examples/bmcpfs-dataflow/0[0-3]*.yaml; do k apply -f "$f"; done
  PVC=$(k get -f manifests/examples/bmcpfs-dataflow/03-pvc.yaml -o jsonpath='{.metadata.name}')
  OSSVP=$(k get -f manifests/examples/bmcpfs-dataflow/02-ossvp.yaml -o jsonpath='{.metadata.name}')
  NS=$(k get -f manifests/examples/bmcpfs-dataflow/02-ossvp.yaml -o jsonpath='{.metadata.namespace}')
  watch_population "$NS" "$PVC" "$OSSVP"
  say "kubectl describe ossvp $OSSVP -n $NS"
  k describe ossvp "$OSSVP" -n "$NS"
fi

say "Done: every PVC went Pending -> Bound with its data in place. Cleaning up."
