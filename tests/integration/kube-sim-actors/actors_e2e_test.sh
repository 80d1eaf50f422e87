#!/usr/bin/env bash
# kube-sim cluster actors, driven with the real kubectl (see CMakeLists.txt).
# Env: OSSVP_BIN (build/bin), OSSVP_SRC (repo root). Needs root (mounts).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/emulator.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/secrets.sh"
BIN="${OSSVP_BIN:-$(cd "$(dirname "$0")/../../.." && pwd)/build/bin}"
WORK="$(mktemp -d /tmp/kube-sim-actors-e2e.XXXXXX)"
export HOME="$WORK/home" KUBECONFIG="$WORK/kubeconfig"
mkdir -p "$HOME"
PIDS=()
FAILED=0
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if [ "$FAILED" = 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILED=1; tail -30 "$WORK/kube-sim.log" >&2; exit 1; }
ok() { echo "ok - $*"; }
k() { kubectl "$@"; }
# Timeouts are scaled by OSSVP_TIMEOUT_SCALE (default 1; hack/sanitize.sh sets
# it for its slower sanitizer builds). ts N: N seconds scaled, as "<n>s".
ts() { echo "$(($1 * ${OSSVP_TIMEOUT_SCALE:-1}))s"; }
# wait_for DESC SECONDS CMD...: polls CMD until it succeeds.
wait_for() {
  local desc=$1 secs=$(($2 * ${OSSVP_TIMEOUT_SCALE:-1})); shift 2
  local end=$((SECONDS + secs))
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -ge $end ] && fail "timed out after ${secs}s: $desc"
    sleep 0.2
  done
}
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"  # expect_eq, expect_contains, jp
# apply_pvc NAME SIZE [CLASS [ACCESS-MODE [EXTRA-SPEC-LINE]]]: a PVC in namespace t.
apply_pvc() {
  {
    echo "apiVersion: v1"
    echo "kind: PersistentVolumeClaim"
    echo "metadata: {name: $1, namespace: t}"
    echo "spec:"
    if [ -n "${3:-}" ]; then echo "  storageClassName: $3"; fi
    echo "  accessModes: [${4:-ReadWriteOnce}]"
    echo "  resources: {requests: {storage: $2}}"
    if [ -n "${5:-}" ]; then echo "  $5"; fi
  } | kubectl apply -f - > /dev/null || fail "apply pvc $1"
}

# --- optional: the oss-emulator's NAS API for bmcpfs filesets ---------------
mkdir -p "$WORK/cpfs"
NAS_ENV=()
if [ -x "$BIN/oss-emulator" ]; then
  EMULATOR_BIN=$BIN/oss-emulator OSS_EMULATOR_SECRET_KEY=kubesimsk emulator_start EMU "$WORK/emu.out" "$WORK/emu.log" \
    --data-dir "$WORK/emu" --cpfs-root "$WORK/cpfs" --access-key kubesimak || fail "oss-emulator did not start"
  PIDS+=("$EMU_PID")
  EMU=$EMU_URL
  NAS_ENV=(KUBESIM_NAS_ENDPOINT="$EMU" KUBESIM_NAS_ACCESS_KEY_ID=kubesimak KUBESIM_NAS_ACCESS_KEY_SECRET=kubesimsk)
fi

env "${NAS_ENV[@]}" "$BIN/kube-sim" --listen 127.0.0.1:0 --state-dir "$WORK/state" --kubeconfig-out "$KUBECONFIG" \
  --nodes 3 --cpfs-root "$WORK/cpfs" --image-map busybox=/bin/sh --image-map entry-sh=/bin/sh > "$WORK/kube-sim.log" 2>&1 &
PIDS+=($!)
wait_for "kube-sim kubeconfig" 60 test -s "$KUBECONFIG"
wait_for "kube-sim API" 30 kubectl get ns default
k create namespace t > /dev/null || fail "create namespace"

# --- bootstrap: nodes and classes --------------------------------------------
expect_eq "$(jp nodes -o jsonpath='{.items[*].metadata.name}')" "node-1 node-2 node-3" "nodes"
expect_eq "$(jp node node-3 -o jsonpath='{.spec.taints[0].key}={.spec.taints[0].effect}')" \
  "kubesim.io/reserved=NoSchedule" "node-3 taint"
expect_eq "$(jp sc kube-sim-local -o jsonpath='{.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}')" \
  "true" "default class"
ok "nodes and storage classes bootstrapped"

# --- dynamic provisioning ------------------------------------------------------
apply_pvc d 1Gi kube-sim-local
k wait --for=jsonpath='{.status.phase}'=Bound pvc/d -n t --timeout=$(ts 15) > /dev/null || fail "pvc d not Bound"
D_UID=$(jp pvc d -n t -o jsonpath='{.metadata.uid}')
PV_D="pvc-$D_UID"
expect_eq "$(jp pvc d -n t -o jsonpath='{.spec.volumeName}')" "$PV_D" "pvc d volumeName"
expect_eq "$(jp pv "$PV_D" -o jsonpath='{.metadata.annotations.pv\.kubernetes\.io/provisioned-by}')" \
  "kube-sim.local/hostpath" "provisioned-by"
expect_eq "$(jp pv "$PV_D" -o jsonpath='{.status.phase}')" "Bound" "pv phase"
DESC=$(k describe pvc d -n t)
for r in ExternalProvisioning Provisioning ProvisioningSucceeded; do expect_contains "$DESC" "$r" "describe pvc d"; done
D_DIR=$(jp pv "$PV_D" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}')
[ -d "$D_DIR" ] || fail "volume directory $D_DIR missing"
ok "PVC provisioned and bound (PV $PV_D)"

# --- DefaultStorageClass admission: a claim without a class gets the default ---
apply_pvc noclass 1Gi
expect_eq "$(jp pvc noclass -n t -o jsonpath='{.spec.storageClassName}')" "kube-sim-local" "defaulted class"
k wait --for=jsonpath='{.status.phase}'=Bound pvc/noclass -n t --timeout=$(ts 15) > /dev/null || fail "pvc noclass not Bound"
ok "a claim without storageClassName gets the default class and binds"

# --- populator data source: left alone -----------------------------------------
apply_pvc q 1Gi kube-sim-local "" "dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator, name: x}"
wait_for "populator Provisioning event" 10 sh -c "kubectl describe pvc q -n t | grep -q 'Assuming an external populator'"
sleep 1
expect_eq "$(jp pvc q -n t -o jsonpath='{.status.phase}')" "Pending" "pvc q phase"
Q_UID=$(jp pvc q -n t -o jsonpath='{.metadata.uid}')
k get pv "pvc-$Q_UID" > /dev/null 2>&1 && fail "a PV was provisioned for a populator claim"
ok "claim with a populator dataSourceRef stays Pending"

# --- WaitForFirstConsumer + a pod writing into its claim -------------------------
apply_pvc w 64Mi kube-sim-local-wffc
wait_for "WaitForFirstConsumer event" 10 sh -c "kubectl describe pvc w -n t | grep -q WaitForFirstConsumer"
expect_eq "$(jp pvc w -n t -o jsonpath='{.status.phase}')" "Pending" "pvc w before consumer"
secret_create t creds token=s3cr3t > /dev/null || fail "create secret"
k apply -f - > /dev/null <<'YAML' || fail "apply pod writer"
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: t}
spec:
  restartPolicy: Never
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: w}}
  - {name: sec, secret: {secretName: creds}}
  containers:
  - name: main
    image: busybox:1.36
    command: [sh, -c]
    args:
    - |
      echo "hello from $POD_NAME in $POD_NAMESPACE" > /data/hello.txt
      mkdir -p /data/sub && echo nested > /data/sub/f
      echo "token=$TOKEN file=$(cat /etc/creds/token)"
      echo "wrote $(ls /data | tr '\n' ' ')"
      printf 'all done' > /dev/termination-log
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: sec, mountPath: /etc/creds, readOnly: true}
YAML
k wait --for=jsonpath='{.status.phase}'=Succeeded pod/writer -n t --timeout=$(ts 30) > /dev/null || fail "writer not Succeeded"
NODE=$(jp pod writer -n t -o jsonpath='{.spec.nodeName}')
expect_eq "$(jp pvc w -n t -o jsonpath='{.metadata.annotations.volume\.kubernetes\.io/selected-node}')" "$NODE" "selected-node"
expect_eq "$(jp pvc w -n t -o jsonpath='{.status.phase}')" "Bound" "pvc w phase"
LOGS=$(k logs writer -n t)
expect_contains "$LOGS" "token=s3cr3t file=s3cr3t" "writer logs"
expect_contains "$LOGS" "wrote hello.txt sub" "writer logs"
expect_eq "$(jp pod writer -n t -o jsonpath='{.status.containerStatuses[0].state.terminated.message}')" "all done" "termination message"
W_DIR=$(jp pv "$(jp pvc w -n t -o jsonpath='{.spec.volumeName}')" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}')
expect_eq "$(cat "$W_DIR/hello.txt")" "hello from writer in t" "file written into the PVC"
expect_eq "$(cat "$W_DIR/sub/f")" "nested" "nested file written into the PVC"
EV=$(k describe pod writer -n t)
for r in Scheduled Pulled Created Started; do expect_contains "$EV" "$r" "describe pod writer"; done
ok "WaitForFirstConsumer: selected-node $NODE, pod wrote into its PVC and Succeeded with logs"

# --- the populator pod's shape: non-root, fsGroup, args-only image, projected token ---
k create serviceaccount pop -n t > /dev/null 2>&1 || true
apply_pvc prime 16Mi kube-sim-local
k apply -f - > /dev/null <<'YAML' || fail "apply pod nonroot"
apiVersion: v1
kind: Pod
metadata: {name: nonroot, namespace: t}
spec:
  restartPolicy: Never
  serviceAccountName: pop
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532}
  volumes:
  - {name: target, persistentVolumeClaim: {claimName: prime}}
  - name: oidc
    projected:
      defaultMode: 0440
      sources: [{serviceAccountToken: {audience: sts.aliyuncs.com, expirationSeconds: 3600, path: token}}]
  containers:
  - name: populate
    image: registry.example.com/ossvp/entry-sh:v1
    args: [-c, 'id -u; echo data > /data/f && cut -d. -f2 /var/run/oidc/token | tr "_-" "/+" | base64 -d 2>/dev/null; echo']
    terminationMessagePolicy: FallbackToLogsOnError
    volumeMounts: [{name: target, mountPath: /data}, {name: oidc, mountPath: /var/run/oidc, readOnly: true}]
YAML
k wait --for=jsonpath='{.status.phase}'=Succeeded pod/nonroot -n t --timeout=$(ts 30) > /dev/null || fail "nonroot not Succeeded: $(k logs nonroot -n t 2>&1)"
NL=$(k logs nonroot -n t)
expect_contains "$NL" "65532" "nonroot uid"
expect_contains "$NL" '"sts.aliyuncs.com"' "projected token audience"
expect_contains "$NL" "system:serviceaccount:t:pop" "projected token subject"
ok "non-root pod with fsGroup wrote into its PVC and read its projected token (audience sts.aliyuncs.com)"

# --- a failing container ---------------------------------------------------------
k run x -n t --image=busybox --restart=Never --command -- sh -c 'echo boom > /dev/termination-log; exit 3' > /dev/null \
  || fail "kubectl run x"
k wait --for=jsonpath='{.status.phase}'=Failed pod/x -n t --timeout=$(ts 30) > /dev/null || fail "x not Failed"
expect_eq "$(jp pod x -n t -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}')" \
  "3 Error" "x terminated state"
expect_contains "$(jp pod x -n t -o jsonpath='{.status.containerStatuses[0].state.terminated.message}')" "boom" "x message"
ok "failing container: exit code, reason and termination message"

# --- StatefulSet with volumeClaimTemplates, ephemeral volume -----------------------
k apply -f - > /dev/null <<'YAML' || fail "apply statefulset"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: t}
spec:
  replicas: 2
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: app
        image: busybox
        command: [sh, -c, 'echo $HOSTNAME > /data/host; exec sleep 600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 16Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: e, namespace: t}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'trap "echo got-sigterm; exit 0" TERM; echo started > /scratch/f; while true; do sleep 0.2; done']
    volumeMounts: [{name: scratch, mountPath: /scratch}]
  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 16Mi}}
YAML
for p in web-0 web-1 e; do
  # kubectl wait fails at once on a pod that does not exist yet (web-1 is
  # created only once web-0 is Ready).
  wait_for "pod $p created" 40 k get pod "$p" -n t
  k wait --for=jsonpath='{.status.phase}'=Running pod/$p -n t --timeout=$(ts 40) > /dev/null || fail "$p not Running"
done
k wait --for=condition=Ready pod/web-1 -n t --timeout=$(ts 10) > /dev/null || fail "web-1 not Ready"
for c in data-web-0 data-web-1 e-scratch; do
  expect_eq "$(jp pvc $c -n t -o jsonpath='{.status.phase}')" "Bound" "pvc $c"
done
expect_eq "$(jp pvc e-scratch -n t -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].controller}/{.metadata.ownerReferences[0].blockOwnerDeletion}')" \
  "Pod/e/true/true" "e-scratch owner"
wait_for "statefulset readyReplicas" 10 sh -c "[ \"\$(kubectl get sts web -n t -o jsonpath='{.status.readyReplicas}')\" = 2 ]"
E_UID=$(jp pod e -n t -o jsonpath='{.metadata.uid}')
ok "StatefulSet pods and claims, ephemeral volume: Running and Bound"

k delete pod e -n t --timeout=$(ts 20) > /dev/null || fail "delete pod e"
expect_contains "$(cat "$WORK/state/pod-logs/t/e_$E_UID/main.log")" "got-sigterm" "SIGTERM delivered on delete"
k wait --for=delete pvc/e-scratch -n t --timeout=$(ts 20) > /dev/null || fail "e-scratch not garbage-collected"
ok "pod delete: SIGTERM, pod gone, ephemeral PVC collected"

# --- reclaim Delete --------------------------------------------------------------------
k delete pvc d -n t > /dev/null || fail "delete pvc d"
k wait --for=delete pv/"$PV_D" --timeout=$(ts 20) > /dev/null || fail "PV $PV_D not deleted"
[ -e "$D_DIR" ] && fail "volume directory $D_DIR still exists"
ok "reclaim Delete removed the PV and its directory"

# --- pre-bound PV and the populator's rebind ----------------------------------------------
k apply -f - > /dev/null <<'YAML' || fail "apply manual class"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
YAML
apply_pvc p 1Gi manual
P_UID=$(jp pvc p -n t -o jsonpath='{.metadata.uid}')
mkdir -p "$WORK/pv-a"
k apply -f - > /dev/null <<YAML || fail "apply pv-a"
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-a}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: $WORK/pv-a}
  claimRef: {namespace: t, name: p, uid: $P_UID}
YAML
k wait --for=jsonpath='{.status.phase}'=Bound pvc/p -n t --timeout=$(ts 20) > /dev/null || fail "p not Bound"
expect_eq "$(jp pvc p -n t -o jsonpath='{.spec.volumeName} {.status.capacity.storage} {.metadata.annotations.pv\.kubernetes\.io/bind-completed} {.metadata.annotations.pv\.kubernetes\.io/bound-by-controller}')" \
  "pv-a 2Gi yes yes" "pre-bound claim"
expect_eq "$(jp pv pv-a -o jsonpath='{.metadata.annotations.pv\.kubernetes\.io/bound-by-controller}')" "" "pv-a bound-by-controller"
apply_pvc target 1Gi manual
T_UID=$(jp pvc target -n t -o jsonpath='{.metadata.uid}')
k patch pv pv-a -p "{\"spec\":{\"claimRef\":{\"namespace\":\"t\",\"name\":\"target\",\"uid\":\"$T_UID\"}}}" > /dev/null || fail "patch pv-a"
k wait --for=jsonpath='{.status.phase}'=Bound pvc/target -n t --timeout=$(ts 20) > /dev/null || fail "target not Bound"
k wait --for=jsonpath='{.status.phase}'=Lost pvc/p -n t --timeout=$(ts 20) > /dev/null || fail "p not Lost"
expect_contains "$(k describe pvc p -n t)" "ClaimMisbound" "describe pvc p"
ok "pre-bound PV binds; rebinding moves it to the new claim and the old one is Lost"

# --- bmcpfs fileset class -----------------------------------------------------------------
k apply -f - > /dev/null <<'YAML' || fail "apply bmcpfs class"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: bmcpfs}
provisioner: bmcpfsplugin.csi.alibabacloud.com
parameters: {bmcpfsId: bmcpfs-0123456789abcd, path: /}
reclaimPolicy: Delete
volumeBindingMode: Immediate
YAML
apply_pvc cpfs 20Gi bmcpfs ReadWriteMany
k wait --for=jsonpath='{.status.phase}'=Bound pvc/cpfs -n t --timeout=$(ts 20) > /dev/null || fail "cpfs not Bound"
PV_C=$(jp pvc cpfs -n t -o jsonpath='{.spec.volumeName}')
ATTRS=$(jp pv "$PV_C" -o jsonpath='{.spec.csi.volumeAttributes.bmcpfsId} {.spec.csi.volumeAttributes.path} {.spec.csi.volumeAttributes.csi\.alibabacloud\.com/fileset-id}')
read -r FSID FSPATH FSETID <<< "$ATTRS"
expect_eq "$FSID $FSPATH" "bmcpfs-0123456789abcd /$PV_C/" "bmcpfs volume attributes"
expect_contains "$FSETID" "fset-" "fileset id"
expect_eq "$(jp pv "$PV_C" -o jsonpath='{.spec.csi.volumeHandle}')" "$FSID+$FSETID" "bmcpfs volumeHandle"
[ -d "$WORK/cpfs/$FSID/$PV_C" ] || fail "fileset directory missing under --cpfs-root"
MODE=$(jp pv "$PV_C" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/fileset-mode}')
k delete pvc cpfs -n t > /dev/null || fail "delete pvc cpfs"
k wait --for=delete pv/"$PV_C" --timeout=$(ts 20) > /dev/null || fail "bmcpfs PV not deleted"
[ -e "$WORK/cpfs/$FSID/$PV_C" ] && fail "fileset directory left behind"
ok "bmcpfs: fileset $FSETID created ($MODE) at $FSPATH and deleted with the PV"

# --- size-enforced volume: too small ---------------------------------------------------------
k apply -f - > /dev/null <<'YAML' || fail "apply tiny class"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: tiny}
provisioner: kube-sim.local/hostpath
parameters: {kubesim.io/enforce-capacity: "true"}
YAML
apply_pvc small 1Mi tiny
k apply -f - > /dev/null <<'YAML' || fail "apply filler pod"
---
apiVersion: v1
kind: Pod
metadata: {name: filler, namespace: t}
spec:
  restartPolicy: Never
  volumes: [{name: v, persistentVolumeClaim: {claimName: small}}]
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'stat -f -c "blocks=%b bsize=%S" /v; dd if=/dev/zero of=/v/big bs=1024 count=2048']
    volumeMounts: [{name: v, mountPath: /v}]
YAML
k wait --for=jsonpath='{.status.phase}'=Failed pod/filler -n t --timeout=$(ts 30) > /dev/null || fail "filler did not fail"
FL=$(k logs filler -n t)
expect_contains "$FL" "No space left on device" "filler logs"
expect_contains "$FL" "blocks=256 bsize=4096" "statvfs of a 1Mi volume"
ok "enforced capacity: statvfs shows 1Mi and writing 2Mi fails with ENOSPC"

# --- scheduling: taints and node selectors -------------------------------------------------------
k apply -f - > /dev/null <<'YAML' || fail "apply reserved pods"
apiVersion: v1
kind: Pod
metadata: {name: reserved-no, namespace: t}
spec:
  nodeSelector: {kubesim.io/reserved: "true"}
  containers: [{name: c, image: busybox, command: [sh, -c, 'exit 0']}]
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: reserved-yes, namespace: t}
spec:
  nodeSelector: {kubesim.io/reserved: "true"}
  tolerations: [{key: kubesim.io/reserved, operator: Exists, effect: NoSchedule}]
  containers: [{name: c, image: busybox, command: [sh, -c, 'exit 0']}]
  restartPolicy: Never
YAML
k wait --for=jsonpath='{.status.phase}'=Succeeded pod/reserved-yes -n t --timeout=$(ts 30) > /dev/null || fail "reserved-yes"
expect_eq "$(jp pod reserved-yes -n t -o jsonpath='{.spec.nodeName}')" "node-3" "tolerating pod node"
wait_for "FailedScheduling for reserved-no" 10 sh -c "kubectl describe pod reserved-no -n t | grep -q 'untolerated taint'"
expect_eq "$(jp pod reserved-no -n t -o jsonpath='{.spec.nodeName}')" "" "untolerating pod stays unscheduled"
ok "scheduler respects taints, tolerations and node selectors"

echo "PASS: kube-sim actors e2e"
