#!/usr/bin/env bash
# Least privilege, proven: the install's RBAC (manifests/base
# controller-rbac.yaml, manifests/pod-handler/populator-rbac.yaml) is exactly
# what ossvp needs.
#  A. Both modes run under that RBAC with kube-sim's decision audit on
#     (--authorization rbac --rbac-audit): generic with a Secret, generic with
#     RRSA, bmcpfs-dataflow. No request may be denied, and every rule - each
#     of its verbs and resources - must be the ONLY grant of at least one
#     allowed request (so removing it would deny that request); a verb or
#     resource never needed is reported as superfluous.
#  B. Removing a rule really breaks something: for the Secret read, the
#     populator pod create, the PV read/patch, the ossvp status update, the
#     populator's own pod patch and the Lease, the rule (or verb) is taken out
#     of the live Role/ClusterRole and the visible consequence is asserted.
# Reuses the hardening/controller end-to-end helpers (emulator, kube-sim, readers).
source "$(dirname "$0")/lib.sh"

AUDIT=$WORK/rbac-audit.jsonl
NS=bmcpfs-dataflow-demo

SEED=$WORK/seed
mkdir -p "$SEED/many-files/sub" "$SEED/slow" "$WORK/models/Qwen3-32B" "$WORK/cpfs"
head -c 6000000 /dev/urandom > "$SEED/slow/blob"  # 6 s at 1 MB/s (part B5)
for i in 1 2 3 4; do head -c $((RANDOM * 2 + 1)) /dev/urandom > "$SEED/many-files/f$i.bin"; done
head -c 200000 /dev/urandom > "$SEED/many-files/sub/part"
head -c 300000 /dev/urandom > "$WORK/models/Qwen3-32B/model-00001.safetensors"
echo '{"model_type":"qwen3"}' > "$WORK/models/Qwen3-32B/config.json"

start_emu "$SEED" --seed "my-model-bucket=$WORK/models" --cpfs-root "$WORK/cpfs"
KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
  start_kube_sim --authorization rbac --rbac-audit "$AUDIT" --cpfs-root "$WORK/cpfs"
ADMIN_KUBECONFIG=$KUBECONFIG

# The objects of the examples (install_ossvp), then the whole install as a user
# applies it (kube-sim stores the Deployment; the controller runs below as its
# ServiceAccount, with a kubeconfig holding that account's token).
install_ossvp
k apply -k "$OSSVP_SRC/manifests/pod-handler" > /dev/null || fail "kubectl apply -k manifests/pod-handler"
for f in 00-namespace 01-storageclass; do
  k apply -f "$OSSVP_SRC/manifests/examples/bmcpfs-dataflow/$f.yaml" > /dev/null
done
SA_TOKEN=$(k create token ossvp-controller -n "$PNS" --duration=1h) && [[ -n "$SA_TOKEN" ]] ||
  fail "no token for ServiceAccount ossvp-controller"
SA_KUBECONFIG=$WORK/sa.kubeconfig
(umask 077 && kubeconfig_with_token "$ADMIN_KUBECONFIG" "$SA_TOKEN" > "$SA_KUBECONFIG")

# The controller as its ServiceAccount, with the Deployment's leader election
# (short Lease so that losing it shows within seconds) and both modes on.
ctrl() {
  ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK KUBECONFIG=$SA_KUBECONFIG start_controller \
    --leader-elect=true --leader-elect-lease-duration 3 --leader-elect-renew-interval 0.5 \
    --endpoint-override "nas.cn-hangzhou.aliyuncs.com=$EMU_URL" --cpfs-region cn-hangzhou \
    --cpfs-throughput-mbps 100 --cpfs-poll-interval 0.3
}
ctrl
pass "controller started as system:serviceaccount:$PNS:ossvp-controller (leader election on)"

ks_fault() {  # ks_fault METHOD PATH_PART CODE: answer the next matching request with CODE
  curl_bearer "$KS_TOKEN" -sfk -X POST -H 'Content-Type: application/json' \
    -d "{\"rules\":[{\"method\":\"$1\",\"pathContains\":\"$2\",\"code\":$3,\"count\":1}]}" \
    "$KS_URL/kube-sim/faults" > /dev/null || fail "cannot arm a kube-sim fault"
}
ossvp_generic() {  # ossvp_generic NAME PATH GENERIC: a generic ossvp in argo (GENERIC in flow style)
  ossvp_yaml "$1" argo <<< "  {bucket: my-test-bucket, region: cn-hangzhou, endpoint: $OSS_HOST, path: $2,
    mode: generic, generic: $3}" | k apply -f - > /dev/null || fail "cannot create ossvp $1"
}
event_count() {  # event_count NS OBJECT REASON: the count of that event (0 if none)
  k get events -n "$1" --field-selector "involvedObject.name=$2,reason=$3" \
    -o jsonpath='{range .items[*]}{.count}{"\n"}{end}' | awk '{s+=$1} END {print s+0}'
}
has_event() { (($(event_count "$1" "$2" "$3") >= $4)); }  # has_event NS OBJECT REASON MIN_COUNT

# --- A. both modes, audited ---------------------------------------------------
# Besides the seed's examples, the paths a healthy run takes only by chance
# are taken on purpose (each is a real-cluster event): a write conflict on
# the ossvp status (re-read the ossvp), a failed finalizer patch (re-read the
# PVC), a PVC pre-bound to a volume ossvp did not fill (re-read the PV before
# reporting a foreign binding), and a repeated warning (missing Secret: the
# event's count is patched).
ks_fault PUT /ossvolumepopulators/generic-demo-secret/status 409
ks_fault PATCH /namespaces/argo/persistentvolumeclaims/many-files 422
k apply -f "$OSSVP_SRC/manifests/examples/generic/03-ossvp-secretref.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/04-pvc-secretref.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/02-ossvp-rrsa.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/05-pod-ephemeral.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/bmcpfs-dataflow/02-ossvp.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/bmcpfs-dataflow/03-pvc.yaml" > /dev/null
ossvp_generic no-secret /many-files/ "{secretRef: missing-secret}"
make_pvc argo no-secret no-secret
# WaitForFirstConsumer: the controller reads the Node selected for the PVC (get nodes).
make_pvc argo wffc generic-demo-secret alicloud-disk-topology-alltype
k apply -f - > /dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata: {name: static-pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], storageClassName: alicloud-disk-essd,
       claimRef: {namespace: argo, name: prebound}, hostPath: {path: $WORK/static-pv}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: prebound, namespace: argo}
spec: {accessModes: [ReadWriteOnce], storageClassName: alicloud-disk-essd, volumeName: static-pv,
       resources: {requests: {storage: 1Gi}},
       dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator, name: generic-demo-secret}}
YAML
wait_for "generic Secret PVC Bound" 120 pvc_bound argo many-files
wait_for "RRSA task pod succeeded" 120 bash -c \
  "[[ \$(kubectl get pod ossvp-generic-task-1 -n argo -o jsonpath='{.status.phase}') == Succeeded ]]"
wait_for "bmcpfs PVC Bound" 120 pvc_bound "$NS" qwen3-32b
sums=$(run_reader argo reader-1 many-files)
[[ "$sums" == "$(expected_sums "$SEED/many-files")" ]] || fail "generic data differs: $sums"
[[ "$(run_reader argo wffc-reader wffc)" == "$(expected_sums "$SEED/many-files")" ]] || fail "WFFC data differs"
PV=$(k get pvc qwen3-32b -n "$NS" -o jsonpath='{.spec.volumeName}')
DIR=$(k get pv "$PV" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}')
[[ -n "$DIR" ]] && diff <(expected_sums "$WORK/models/Qwen3-32B") <(expected_sums "$DIR") > /dev/null ||
  fail "bmcpfs-dataflow: the fileset of PV $PV does not hold the imported data"
wait_for "temporary objects removed" 30 bash -c \
  "[[ -z \$(kubectl get pods,pvc -n $PNS -o name 2>/dev/null | grep -E 'populate-|prime-') ]]"
wait_for "a repeated warning about the missing Secret" 60 has_event argo no-secret PopulatorPrerequisiteMissing 2
wait_for "foreign binding of the pre-bound PVC reported" 60 has_event argo prebound PopulatorForeignBinding 1
k delete pvc no-secret prebound -n argo --wait=false > /dev/null
wait_for "PVCs no-secret, prebound deleted" 60 bash -c "[[ -z \$(kubectl get pvc no-secret prebound -n argo -o name 2>/dev/null) ]]"
pass "generic (Secret, RRSA) and bmcpfs-dataflow populated under the manifests' RBAC"

# Every rule, verb and resource must be the only grant of an allowed request.
AUDIT_A=$(wc -l < "$AUDIT")
{ k get clusterrole ossvp-controller -o json; k get role ossvp-controller ossvp-populator -n "$PNS" -o json; } \
  > "$WORK/roles.json"
head -n "$AUDIT_A" "$AUDIT" > "$WORK/audit-a.jsonl"
python3 - "$WORK/roles.json" "$WORK/audit-a.jsonl" > "$WORK/necessity.txt" <<'PY' || { cat "$WORK/necessity.txt"; fail "RBAC is not least privilege (above)"; }
import json, sys
docs, text, dec = [], open(sys.argv[1]).read(), json.JSONDecoder()
while text.strip():  # concatenated kubectl outputs: a ClusterRole and a List of Roles
    obj, end = dec.raw_decode(text.lstrip())
    docs.append(obj)
    text = text.lstrip()[end:]
roles = [r for d in docs for r in (d["items"] if d["kind"] == "List" else [d])]
lines = [json.loads(l) for l in open(sys.argv[2])]
def rid(r, i):
    ns = r["metadata"].get("namespace")
    return f'{r["kind"]}/{ns + "/" if ns else ""}{r["metadata"]["name"]}#{i}'
def res(a):
    return a["resource"] + ("/" + a["subresource"] if a["subresource"] else "")
needed = {}  # (rule, group, resource, verb) -> example requests
bad = []
for a in lines:
    if not a["allowed"]:
        bad.append(f'DENIED: {a["user"]} {a["verb"]} {res(a)} {a["namespace"]}/{a["name"]}')
        continue
    sole = {m["rule"] for m in a["matches"]}
    if len(sole) == 1:
        needed.setdefault((sole.pop(), a["apiGroup"], res(a), a["verb"]), []).append(a)
for r in roles:
    for i, rule in enumerate(r.get("rules", [])):
        for g in rule.get("apiGroups", []):
            for rs in rule.get("resources", []):
                for v in rule.get("verbs", []):
                    ex = needed.get((rid(r, i), g, rs, v))
                    if not ex:
                        bad.append(f'SUPERFLUOUS: {rid(r, i)} grants {v} on {rs} ({g or "core"}) but no request needed it')
                        continue
                    e = ex[0]
                    who = e["user"].split(":")[-1]
                    obj = (e["namespace"] + "/" if e["namespace"] else "") + (e["name"] or "*")
                    print(f'{rid(r, i):45} {v:7} {rs:28} {len(ex):3}x  e.g. {who} {v} {obj}')
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
cat "$WORK/necessity.txt"
pass "no request denied; every rule, verb and resource was the only grant of a request ($AUDIT_A decisions)"

# --- B. removing a rule breaks something ------------------------------------------
CTRL_RBAC=$OSSVP_SRC/manifests/base/controller-rbac.yaml
POP_RBAC=$OSSVP_SRC/manifests/pod-handler/populator-rbac.yaml
edit_role() {  # edit_role KIND NAME NS RESOURCE [VERB]: without VERB the rule, else that verb of it
  local ns=(); [[ -n "$3" ]] && ns=(-n "$3")
  k get "$1" "$2" "${ns[@]}" -o json | python3 -c '
import json, sys
role, res, verb = json.load(sys.stdin), sys.argv[1], sys.argv[2]
rules = [r for r in role["rules"] if verb or res not in r["resources"]]
for r in rules:
    if res in r["resources"]: r["verbs"] = [v for v in r["verbs"] if v != verb]
role["rules"] = rules
json.dump(role, sys.stdout)' "$4" "${5:-}" > "$WORK/edited.json"
  k replace -f "$WORK/edited.json" > /dev/null || fail "cannot edit $1 $2"
}
drop_rule() { edit_role "$1" "$2" "$3" "$4"; }        # drop_rule KIND NAME NS RESOURCE
drop_verb() { edit_role "$1" "$2" "$3" "$4" "$5"; }   # drop_verb KIND NAME NS RESOURCE VERB
restore_rbac() { k apply -f "$CTRL_RBAC" -f "$POP_RBAC" > /dev/null || fail "cannot restore the manifests' RBAC"; }
MARK=0
mark() { MARK=$(wc -l < "$AUDIT"); }
denied() {  # denied SA VERB RESOURCE[/SUB] [NAME_PREFIX]: the audit has refused it since the last mark
  tail -n +$((MARK + 1)) "$AUDIT" | python3 -c '
import json, sys
sa, verb, res, prefix = sys.argv[1:5]
for line in sys.stdin:
    a = json.loads(line)
    r = a["resource"] + ("/" + a["subresource"] if a["subresource"] else "")
    if not a["allowed"] and a["verb"] == verb and r == res and a["user"].endswith(":" + sa) \
            and a["name"].startswith(prefix):
        sys.exit(0)
sys.exit(1)' "$1" "$2" "$3" "${4:-}"
}
event_says() {  # event_says NS OBJECT REGEX: an event about OBJECT matches REGEX
  grep -q -i -E -- "$3" <<< "$(k get events -n "$1" --field-selector "involvedObject.name=$2" \
    -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}')"
}
uid_of() { k get pvc "$2" -n "$1" -o jsonpath='{.metadata.uid}'; }
no_pod() { ! k get pod "populate-$(uid_of "$1" "$2")" -n "$PNS" > /dev/null 2>&1; }

# B1. Secret read (Role ossvp-controller, secrets get).
mark
drop_rule Role ossvp-controller "$PNS" secrets
make_pvc argo b-secret generic-demo-secret
wait_for "the refused Secret read reported on PVC b-secret" 60 event_says argo b-secret "cannot read Secret .*forbidden"
denied ossvp-controller get secrets oss-secret || fail "the audit shows no refused Secret read"
[[ "$(pvc_phase argo b-secret)" == Pending ]] && no_pod argo b-secret || fail "b-secret went on without the Secret"
restore_rbac
pass "without 'get secrets': PVC Pending, no populator pod, event 'cannot read Secret ... forbidden'"

# B2. Populator pod create (Role ossvp-controller, pods: verb create).
mark
drop_verb Role ossvp-controller "$PNS" pods create
make_pvc argo b-pod generic-demo-secret
wait_for "the refused pod creation reported on PVC b-pod" 60 event_says argo b-pod "cannot create populator pod .*forbidden"
denied ossvp-controller create pods || fail "the audit shows no refused pod creation"
[[ "$(pvc_phase argo b-pod)" == Pending ]] && no_pod argo b-pod || fail "b-pod went on without its populator pod"
restore_rbac
pass "without 'create pods': PVC Pending, no populator pod, event 'cannot create populator pod ... forbidden'"

# B3. PV read/patch (ClusterRole ossvp-controller, persistentvolumes). The
# running informers keep their watches; handing the volume over needs the patch.
mark
drop_rule ClusterRole ossvp-controller "" persistentvolumes
make_pvc argo b-pv generic-demo-secret
wait_for "the refused PV hand-over" 90 denied ossvp-controller patch persistentvolumes
wait_for "the hand-over failure in the controller log" 20 grep -q "rebinding PV .*forbidden" "$WORK/ctrl.log"
sleep 2
[[ "$(pvc_phase argo b-pv)" == Pending ]] || fail "b-pv was bound although its PV could not be handed over"
restore_rbac
pass "without the PV rule: data populated but the PVC stays Pending (PV hand-over forbidden)"

# B4. ossvp status update (ClusterRole ossvp-controller, ossvolumepopulators/status).
mark
drop_rule ClusterRole ossvp-controller "" ossvolumepopulators/status
ossvp_generic b-status /many-files/ "{secretRef: oss-secret}"
make_pvc argo b-status b-status
wait_for "the refused status update" 60 denied ossvp-controller update ossvolumepopulators/status b-status
sleep 2
[[ -z "$(k get ossvp b-status -n argo -o jsonpath='{.status}')" ]] || fail "ossvp b-status has a status without the rule"
grep -q -E "^ *(Phase|Message):" <<< "$(describe_ossvp argo b-status)" && fail "describe ossvp b-status shows a phase/message"
restore_rbac
pass "without 'update ossvolumepopulators/status': the ossvp shows no status at all"

# B5. The populator's own pod patch (Role ossvp-populator): a 1 MB/s
# population, so the pod runs for seconds without its progress annotation.
ossvp_generic b-progress /slow/ "{secretRef: oss-secret, throughput: 1}"
mark
drop_rule Role ossvp-populator "$PNS" pods
make_pvc argo b-progress b-progress
wait_for "the refused progress patch" 60 denied ossvp-populator patch pods populate-
POD=populate-$(uid_of argo b-progress)
state=$(k get pod "$POD" -n "$PNS" \
  -o jsonpath='{.status.phase}/{.metadata.annotations.storage\.alibabacloud\.com/populator-progress}')
[[ "$state" == Running/ ]] || fail "$POD: expected Running without a progress annotation, got '$state'"
[[ -z "$(k get ossvp b-progress -n argo -o jsonpath='{.status.generic.*.bytesTotal}')" ]] ||
  fail "ossvp b-progress shows byte progress without the annotation"
wait_for "the populator's log to report the refusal" 30 bash -c \
  "grep -q 'PATCH pod $PNS/$POD: HTTP 403' $WORK/ks/pod-logs/$PNS/${POD}_*/populate.log"
restore_rbac
pass "without the populator's 'patch pods': no progress annotation, no byte progress, HTTP 403 in its log"

# B6. The Lease (Role ossvp-controller, leases): the leader cannot renew and stops.
mark
drop_rule Role ossvp-controller "$PNS" leases
wait_for "the controller to give up leadership and exit" 30 bash -c "! kill -0 $CTRL_PID"
grep -q "could not renew Lease" "$WORK/ctrl.log" || fail "no 'could not renew Lease' in the controller log"
denied ossvp-controller update leases || denied ossvp-controller get leases || fail "the audit shows no refused Lease"
wait "$CTRL_PID" 2>/dev/null || true
CTRL_PID=
restore_rbac
pass "without the Lease rule: the leader stops ('could not renew Lease')"

# Everything recovers once the rules are back: the refusals were the only cause.
mv "$WORK/ctrl.log" "$WORK/ctrl-1.log"
ctrl
for p in b-secret b-pod b-pv b-status b-progress; do wait_for "PVC $p Bound after the rules came back" 120 pvc_bound argo "$p"; done
pass "with the manifests' RBAC restored, all five PVCs are Bound"
echo "PASS"
