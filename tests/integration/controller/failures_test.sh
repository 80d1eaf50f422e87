#!/usr/bin/env bash
# Failure and edge cases, each with its message where the seed's
# troubleshooting section says to look (kubectl describe pvc / ossvp, the
# failed pod in ack-volume-populator): an ossvp created after its PVC,
# WaitForFirstConsumer, a missing Secret (then created), wrong credentials,
# a bad endpoint (bounded retries), a missing bucket, a too-small PVC, block volume mode, and a PVC deleted
# mid-way (nothing left behind).
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/many-files" "$SEED/big"
for i in $(seq 1 10); do head -c $((RANDOM + 1)) /dev/urandom > "$SEED/many-files/f$i"; done
head -c 3000000 /dev/urandom > "$SEED/big/blob"
mkdir -p "$SEED/slow"
head -c 8000000 /dev/urandom > "$SEED/slow/blob"  # 8 s at 1 MB/s

start_emu "$SEED"
start_kube_sim
install_ossvp
start_controller --max-attempts 2

ossvp() {  # ossvp NAME SECRET [BUCKET] [PATH] [THROUGHPUT]
  k apply -f - > /dev/null <<YAML
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata:
  name: $1
  namespace: argo
spec:
  bucket: ${3:-my-test-bucket}
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: ${4:-/many-files/}
  mode: generic
  generic:
    secretRef: $2
$( [[ -n "${5:-}" ]] && echo "    throughput: $5" )
YAML
}
pvc_says() { grep -q -- "$2" <<< "$(k describe pvc "$1" -n argo)"; }
ossvp_says() { grep -q -- "$2" <<< "$(describe_ossvp argo "$1")"; }

# --- ossvp created after its PVC.
make_pvc argo early late-source
wait_for "DataSourceNotFound event" 30 pvc_says early PopulatorDataSourceNotFound
ossvp late-source oss-secret
wait_for "PVC early Bound" 60 pvc_bound argo early
pass "ossvp created after its PVC: event, then populated"

# --- WaitForFirstConsumer: nothing happens until a consumer is scheduled.
ossvp wffc-src oss-secret
make_pvc argo wffc wffc-src alicloud-disk-topology-alltype
sleep 2
[[ "$(pvc_phase argo wffc)" == Pending ]] || fail "WFFC PVC bound without a consumer"
grep -q prime- <<< "$(k get pvc -n "$PNS" -o name)" && fail "prime PVC created before a node was selected"
sums=$(run_reader argo wffc-reader wffc)
[[ "$sums" == "$(expected_sums "$SEED/many-files")" ]] || fail "WFFC data differs"
node=$(k get pvc wffc -n argo -o jsonpath='{.metadata.annotations.volume\.kubernetes\.io/selected-node}')
[[ -n "$node" ]] || fail "no selected node on the WFFC PVC"
pass "WaitForFirstConsumer: populated on node $node once a consumer existed"

# --- Missing Secret: clear message, and population starts once it exists.
ossvp needs-secret late-secret
make_pvc argo nosecret needs-secret
wait_for "missing-Secret message" 30 pvc_says nosecret "Secret ack-volume-populator/late-secret"
ossvp_says needs-secret "late-secret" || fail "ossvp status/events do not name the missing Secret"
secret_create "$PNS" late-secret accessKeyId="$AK" accessKeySecret="$SK" > /dev/null
wait_for "PVC nosecret Bound after the Secret appeared" 90 pvc_bound argo nosecret
pass "missing Secret: reported, then populated once created"

# --- Wrong credentials: permanent, no retry, failed pod kept.
secret_create "$PNS" bad-keys accessKeyId="$AK" accessKeySecret=wrong-secret-value > /dev/null
ossvp bad-creds bad-keys
make_pvc argo badcreds bad-creds
wait_for "wrong-credentials failure" 60 ossvp_says bad-creds "not retried"
ossvp_says bad-creds "AccessKey" || fail "the failure does not point at the credentials"
pvc_says badcreds PopulatorFailed || fail "no PopulatorFailed event on the PVC"
uid=$(k get pvc badcreds -n argo -o jsonpath='{.metadata.uid}')
[[ "$(k get pod "populate-$uid" -n "$PNS" -o jsonpath='{.status.phase}')" == Failed ]] \
  || fail "the failed populator pod was not kept"
[[ "$(k get pod "populate-$uid" -n "$PNS" -o jsonpath='{.metadata.labels.storage\.alibabacloud\.com/populator-attempt}')" \
  == 1 ]] || fail "a permanent error was retried"
# The seed's troubleshooting step: the failed pod's log says why.
grep -q "SignatureDoesNotMatch\|InvalidAccessKeyId\|403" <<< "$(k logs "populate-$uid" -n "$PNS" 2>&1)" \
  || fail "kubectl logs of the failed populator pod does not show the OSS error"
! grep -q wrong-secret-value <<< "$(describe_ossvp argo bad-creds; k describe pvc badcreds -n argo)" \
  || fail "a secret leaked into status or events"
[[ "$(pvc_phase argo badcreds)" == Pending ]] || fail "a failed PVC must stay Pending"
pass "wrong credentials: permanent failure with a fix hint, failed pod kept"

# --- Bad endpoint (unreachable): retried with a new pod, then gives up.
k apply -f - > /dev/null <<'YAML'
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata:
  name: bad-endpoint
  namespace: argo
spec:
  bucket: my-test-bucket
  region: cn-nowhere
  endpoint: oss-cn-nowhere.aliyuncs.com
  path: /many-files/
  mode: generic
  generic:
    secretRef: oss-secret
YAML
make_pvc argo badendpoint bad-endpoint
wait_for "bad-endpoint gives up" 90 ossvp_says bad-endpoint "gave up after 2 attempts"
ossvp_says bad-endpoint "oss-cn-nowhere.aliyuncs.com" || fail "the failure does not name the endpoint"
pvc_says badendpoint PopulatorRetrying || fail "no PopulatorRetrying event"
uid=$(k get pvc badendpoint -n argo -o jsonpath='{.metadata.uid}')
[[ "$(k get pod "populate-$uid" -n "$PNS" -o jsonpath='{.metadata.labels.storage\.alibabacloud\.com/populator-attempt}')" \
  == 2 ]] || fail "expected the kept pod to be attempt 2"
pass "bad endpoint: retried with a new pod and backoff, then a terminal message"

# --- Missing bucket.
ossvp no-bucket oss-secret no-such-bucket
make_pvc argo nobucket no-bucket
wait_for "NoSuchBucket failure" 60 ossvp_says no-bucket "spec.bucket"
pass "missing bucket: reported with what to check"

# --- Too-small PVC (a size-enforced class).
k apply -f - > /dev/null <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: small-enforced
provisioner: kube-sim.local/hostpath
parameters:
  kubesim.io/enforce-capacity: "true"
reclaimPolicy: Delete
volumeBindingMode: Immediate
YAML
ossvp big-src oss-secret my-test-bucket /big/
make_pvc argo toosmall big-src small-enforced 1Mi
wait_for "too-small failure" 60 ossvp_says big-src "larger PVC"
pass "too-small PVC: reported, asks for a larger PVC"

# --- Block volume mode.
k apply -f - > /dev/null <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: block
  namespace: argo
spec:
  accessModes: [ReadWriteOnce]
  volumeMode: Block
  storageClassName: alicloud-disk-essd
  resources:
    requests:
      storage: 1Gi
  dataSourceRef:
    apiGroup: storage.alibabacloud.com
    kind: OSSVolumePopulator
    name: late-source
YAML
wait_for "block mode message" 30 pvc_says block "volumeMode Block is not supported"
pass "block volume mode: clear event"

# --- storageClassName "": static binding only, never provisioned: refused at once.
make_pvc argo static late-source '""'
wait_for "static binding message" 30 pvc_says static "created by dynamic provisioning"
uid=$(k get pvc static -n argo -o jsonpath='{.metadata.uid}')
k get pvc "prime-$uid" -n "$PNS" > /dev/null 2>&1 && fail "a prime PVC was created for a PVC with storageClassName \"\""
pass "storageClassName \"\": refused with a clear event, no prime PVC"

# --- An ossvp deleted while a PVC uses it is kept until the PVC is done.
ossvp inuse oss-secret my-test-bucket /slow/ 1
make_pvc argo inuse-pvc inuse
uid=$(k get pvc inuse-pvc -n argo -o jsonpath='{.metadata.uid}')
wait_for "populator pod running" 60 bash -c \
  "[[ \$(kubectl get pod populate-$uid -n $PNS -o jsonpath='{.status.phase}') == Running ]]"
k delete ossvp inuse -n argo --wait=false > /dev/null
k get ossvp inuse -n argo > /dev/null 2>&1 || fail "the ossvp vanished while a PVC was being populated from it"
wait_for "in-use event" 30 ossvp_says inuse "kept until 1 PVC(s)"
ossvp_says inuse OSSVolumePopulatorInUse || fail "the in-use event's reason is not OSSVolumePopulatorInUse"
wait_for "PVC inuse-pvc Bound" 90 pvc_bound argo inuse-pvc
wait_for "ossvp inuse deleted after its PVC finished" 30 bash -c "! kubectl get ossvp inuse -n argo > /dev/null 2>&1"
pass "ossvp deleted mid-population: kept (with an event) until its PVC was done"

# --- A foreign provisioner binds the PVC first: reported, never success.
ossvp foreign-src oss-secret my-test-bucket /slow/ 1
make_pvc argo foreign foreign-src
uid=$(k get pvc foreign -n argo -o jsonpath='{.metadata.uid}')
wait_for "populator pod running" 60 bash -c \
  "[[ \$(kubectl get pod populate-$uid -n $PNS -o jsonpath='{.status.phase}') == Running ]]"
k apply -f - > /dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: foreign-pv
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  storageClassName: alicloud-disk-essd
  persistentVolumeReclaimPolicy: Retain
  hostPath:
    path: $WORK/foreign
  claimRef:
    namespace: argo
    name: foreign
    uid: $uid
YAML
wait_for "foreign binding reported" 60 pvc_says foreign PopulatorForeignBinding
ossvp_says foreign-src "another provisioner" || fail "ossvp does not report the foreign binding"
ossvp_says foreign-src "Populated successfully" && fail "a foreign binding was reported as success"
wait_for "temporary objects of the foreign PVC removed" 60 bash -c \
  "! kubectl get pod populate-$uid -n $PNS > /dev/null 2>&1 && ! kubectl get pvc prime-$uid -n $PNS > /dev/null 2>&1"
pass "foreign provisioner binding: reported, not counted as success, cleaned up"

# --- PVC deleted mid-way: everything it caused goes away.
ossvp slow oss-secret my-test-bucket /slow/ 1
make_pvc argo midway slow
uid=$(k get pvc midway -n argo -o jsonpath='{.metadata.uid}')
wait_for "populator pod running" 60 bash -c \
  "[[ \$(kubectl get pod populate-$uid -n $PNS -o jsonpath='{.status.phase}') == Running ]]"
pv=$(k get pvc "prime-$uid" -n "$PNS" -o jsonpath='{.spec.volumeName}')
k delete pvc midway -n argo --wait=false > /dev/null
wait_for "PVC midway gone" 60 bash -c "! kubectl get pvc midway -n argo > /dev/null 2>&1"
wait_for "pod and prime PVC gone" 60 bash -c \
  "! kubectl get pod populate-$uid -n $PNS > /dev/null 2>&1 && ! kubectl get pvc prime-$uid -n $PNS > /dev/null 2>&1"
[[ -z "$pv" ]] || wait_for "PV $pv released and deleted" 60 bash -c "! kubectl get pv $pv > /dev/null 2>&1"
grep -q "$uid" <<< "$(describe_ossvp argo slow)" && fail "status still lists the deleted PVC"
pass "PVC deleted mid-way: pod, prime PVC, PV and status entry removed"
echo "failures: all checks passed"
