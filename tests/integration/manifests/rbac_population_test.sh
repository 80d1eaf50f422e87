#!/usr/bin/env bash
# The install's RBAC is enough: with kube-sim enforcing RBAC, the controller
# runs under the ossvp-controller ServiceAccount (manifests/base) and the
# populator pods under ossvp-populator (manifests/pod-handler), and the seed's
# generic examples are populated end to end, with live progress, on both the
# Secret and the RRSA path. Any "forbidden" in the controller log fails it.
# (That no rule is superfluous is the hardening suite's job.)
# Reuses the controller end-to-end helpers (emulator, kube-sim, readers).
source "$(dirname "$0")/../controller/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/many-files/sub"
for i in $(seq 1 12); do head -c $((RANDOM * 2 + 1)) /dev/urandom > "$SEED/many-files/f$i.bin"; done
echo "results" > "$SEED/many-files/results-2025-04-16T07:48:00Z"
head -c 300000 /dev/urandom > "$SEED/many-files/sub/part"

start_emu "$SEED"
start_kube_sim --authorization rbac
ADMIN_KUBECONFIG=$KUBECONFIG

# The whole install, as a user would apply it (the Deployment is only stored:
# kube-sim runs no Deployments; the controller runs below, as its ServiceAccount).
k apply -k "$OSSVP_SRC/manifests/pod-handler" > /dev/null || fail "kubectl apply -k manifests/pod-handler"
wait_for "CRD established" 30 k wait --for=condition=established --timeout=2s \
  crd/ossvolumepopulators.storage.alibabacloud.com
k apply -f "$OSSVP_SRC/manifests/examples/kube-sim/storageclasses.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/00-namespace.yaml" > /dev/null
fill_access_key "$OSSVP_SRC/manifests/examples/generic/01-secret.yaml" "$AK" "$SK" | k apply -f - > /dev/null

# A kubeconfig for the ServiceAccount ossvp-controller (TokenRequest).
SA_TOKEN=$(curl_bearer "$KS_TOKEN" -sfk -X POST -H 'Content-Type: application/json' \
  -d '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}' \
  "$KS_URL/api/v1/namespaces/$PNS/serviceaccounts/ossvp-controller/token" \
  | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
[[ -n "$SA_TOKEN" ]] || fail "no token for ServiceAccount ossvp-controller"
SA_KUBECONFIG=$WORK/sa.kubeconfig
(umask 077 && kubeconfig_with_token "$ADMIN_KUBECONFIG" "$SA_TOKEN" > "$SA_KUBECONFIG")
# RBAC is really enforced for that identity.
if KUBECONFIG=$SA_KUBECONFIG kubectl --request-timeout=10s get secrets -n default > /dev/null 2>&1; then
  fail "kube-sim lets ossvp-controller read Secrets outside $PNS: RBAC not enforced"
fi
pass "controller identity is RBAC-restricted"

# The controller as its ServiceAccount, with the Deployment's feature gates.
KUBECONFIG=$SA_KUBECONFIG start_controller
pass "controller started as system:serviceaccount:$PNS:ossvp-controller"

# Secret path: the seed's examples as written.
k apply -f "$OSSVP_SRC/manifests/examples/generic/03-ossvp-secretref.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/04-pvc-secretref.yaml" > /dev/null
wait_for "PVC argo/many-files Bound" 120 pvc_bound argo many-files
sums=$(run_reader argo reader-1 many-files)
[[ "$sums" == "$(expected_sums "$SEED/many-files")" ]] || fail "data differs: $sums"
wait_for "describe ossvp to say 'Populated successfully'" 5 ossvp_populated argo generic-demo-secret
k describe pvc many-files -n argo | grep PopulatorFinished > /dev/null || fail "no PopulatorFinished event on the PVC"
pass "Secret path populated under least-privilege RBAC"

# RRSA path: the seed's ossvp and the Argo-style pod with an ephemeral volume.
k apply -f "$OSSVP_SRC/manifests/examples/generic/02-ossvp-rrsa.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/05-pod-ephemeral.yaml" > /dev/null
wait_for "task pod succeeded" 150 bash -c \
  "[[ \$(kubectl get pod ossvp-generic-task-1 -n argo -o jsonpath='{.status.phase}') == Succeeded ]]"
log=$(k logs ossvp-generic-task-1 -n argo)
for want in "1-logs" "results-2025-04-16T07:48:00Z" "f1.bin"; do
  grep -q -- "$want" <<< "$log" || fail "task log lacks '$want': $log"
done
pass "RRSA path populated under least-privilege RBAC"

# Nothing was refused: neither the controller nor the populator pods' annotation patches.
if grep -i -E 'forbidden|\b403\b.*(pods|persistentvolume|ossvolumepopulator|events|secrets)' "$WORK/ctrl.log" | head -5 | grep .; then
  fail "the controller was refused something (above)"
fi
# The populator pods' progress patches (Role ossvp-populator) were accepted:
# their logs (kept by kube-sim under its state dir) report no refusal.
logs=$(find "$WORK/ks/pod-logs/$PNS" -name 'populate.log' 2>/dev/null)
[[ -n "$logs" ]] || fail "no populator pod logs found under $WORK/ks/pod-logs/$PNS"
if grep -h -E "PATCH pod .*HTTP 40[13]" $logs | head -3 | grep .; then
  fail "a populator pod could not patch its progress annotation (above)"
fi
wait_for "temporary objects removed" 30 bash -c \
  "[[ -z \$(kubectl get pods,pvc -n $PNS -o name 2>/dev/null | grep -E 'populate-|prime-') ]]"
pass "no RBAC refusal (controller, populator pods); temporary objects cleaned up"
echo "PASS"
