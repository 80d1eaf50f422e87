#!/usr/bin/env bash
# Regression (found by hack/chaos.sh --seed 42): a population that succeeded
# is reported as PopulatorForeignBinding (ossvp phase Failed, "delete and
# re-create the PVC") when the PVC informer sees the PVC Bound before the PV
# informer sees the PV's new claimRef. controller/src/pvc_reconciler.cpp
# stepBound(): `ours` is computed from the *cached* PV (annotation + claimRef
# uid == PVC uid); a stale PV (claimRef still the prime PVC) makes a started
# population fall through to the foreign-binding branch, which cleans up and
# reports failure, although the PV holds the data. A PVC can only be Bound to
# a PV whose claimRef is that PVC, so a cached claimRef that differs means the
# cache is stale (requeue / re-read), not a foreign binding.
# Reproduction: the PV watch and list are answered 500 (kube-sim fault rule)
# while the populator pod finishes, so the PV cache lags the PVC cache.
source "$(dirname "$0")/lib.sh"
SEED=$WORK/seed
mkdir -p "$SEED/slow"
head -c 3000000 /dev/urandom > "$SEED/slow/blob"
start_emu "$SEED"
start_kube_sim
install_ossvp
start_controller
ossvp_yaml slow argo <<'YAML' | k apply -f - > /dev/null
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /slow/
  mode: generic
  generic: {secretRef: oss-secret, throughput: 1}
YAML
make_pvc argo target slow
uid=$(k get pvc target -n argo -o jsonpath='{.metadata.uid}')
wait_for "populator pod running" 60 bash -c \
  "[[ \$(kubectl get pod populate-$uid -n $PNS -o jsonpath='{.status.phase}') == Running ]]"
# From now on the controller's PV cache cannot be refreshed.
curl_bearer "$KS_TOKEN" -sfk -X POST -H 'Content-Type: application/json' \
  -d '{"rules":[{"method":"GET","pathContains":"/api/v1/persistentvolumes","code":500,"count":-1}]}' \
  "$KS_URL/kube-sim/faults" > /dev/null || fail "cannot arm the kube-sim fault"
ks_admin /kube-sim/drop-watches
wait_for "PVC target Bound" 60 pvc_bound argo target
sleep 3
curl_bearer "$KS_TOKEN" -sfk -X DELETE "$KS_URL/kube-sim/faults" > /dev/null
wait_for "ossvp reports the PVC (Succeeded or Failed)" 60 bash -c \
  "grep -q 'Succeeded\|Failed' <<< \"\$(kubectl get ossvp slow -n argo -o jsonpath='{.status.generic}')\""
sleep 2
if grep -q PopulatorForeignBinding <<< "$(k describe pvc target -n argo)"; then
  fail "a successful population was reported as PopulatorForeignBinding (stale PV cache taken as a foreign binding)"
fi
grep -q "Populated successfully" <<< "$(k describe ossvp slow -n argo)" || fail "ossvp slow does not say Populated successfully"
pass "PVC bound by our own rebinding is reported as success even when the PV cache lags"
