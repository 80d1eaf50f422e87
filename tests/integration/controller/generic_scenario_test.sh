#!/usr/bin/env bash
# The seed's generic scenario (scenario 2) as written, end to end with real
# kubectl on kube-sim: the Secret path and the RRSA path, a PVC going
# Pending -> Bound with byte-identical data, live progress in
# `kubectl describe ossvp` and "Populated successfully" at the end, the
# Argo-style pod with an ephemeral volumeClaimTemplate, and parallel tasks
# each getting an isolated volume.
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/many-files/results/sub" "$SEED/big"
for i in $(seq 1 40); do head -c $((RANDOM * 3 + 1)) /dev/urandom > "$SEED/many-files/f$i.bin"; done
echo "results" > "$SEED/many-files/results-2025-04-16T07:48:00Z"
for i in 1 2 3; do head -c 70000 /dev/urandom > "$SEED/many-files/results/sub/r$i"; done
head -c 12000000 /dev/urandom > "$SEED/big/model.safetensors"

start_emu "$SEED"
start_kube_sim
install_ossvp
start_controller

# --- Secret path: the seed's ossvp and PVC, applied as written.
k apply -f "$OSSVP_SRC/manifests/examples/generic/03-ossvp-secretref.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/04-pvc-secretref.yaml" > /dev/null
[[ "$(pvc_phase argo many-files)" == Pending ]] || fail "PVC should start Pending"
wait_for "PVC many-files Bound" 90 pvc_bound argo many-files
pass "PVC with dataSourceRef went Pending -> Bound"
sums=$(run_reader argo reader-1 many-files)
[[ "$sums" == "$(expected_sums "$SEED/many-files")" ]] || fail "data differs: $sums"
pass "populated data is byte-identical ($(echo "$sums" | wc -l) files)"
wait_for "describe ossvp to say 'Populated successfully'" 5 ossvp_populated argo generic-demo-secret
grep -q PopulatorFinished <<< "$(k describe pvc many-files -n argo)" || fail "no PopulatorFinished event on the PVC"
! grep -q PopulatorPodStuck <<< "$(k describe pvc many-files -n argo)" \
  || fail "a population that went fine reported PopulatorPodStuck"
row=$(k get ossvp generic-demo-secret -n argo --no-headers)
for col in generic my-test-bucket /many-files/ Succeeded 100%; do
  grep -q -- "$col" <<< "$row" || fail "kubectl get ossvp row lacks $col: $row"
done
pass "describe ossvp says Populated successfully; PVC has the events; get ossvp shows phase and progress"
wait_for "temporary objects removed" 30 bash -c \
  "[[ -z \$(kubectl get pods,pvc -n $PNS -o name 2>/dev/null | grep -E 'populate-|prime-') ]]"
pass "populator pod and prime PVC cleaned up"

# --- Progress visible while copying (a throttled source).
k apply -f - > /dev/null <<'YAML'
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata:
  name: slow-model
  namespace: argo
spec:
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /big/
  mode: generic
  generic:
    secretRef: oss-secret
    throughput: 1
YAML
make_pvc argo model slow-model
seen=""
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  p=$(describe_ossvp argo slow-model | sed -n 's/^ *Progress: *\([0-9]*\)%.*/\1/p' | head -1)
  if [[ -n "$p" && "$p" -gt 0 && "$p" -lt 100 ]]; then seen=$p; break; fi
  pvc_bound argo model && break
  sleep 0.3
done
[[ -n "$seen" ]] || fail "no intermediate progress visible in describe ossvp"
[[ "$(pvc_phase argo model)" == Pending ]] || fail "PVC bound while progress < 100%"
pass "describe ossvp shows progress ${seen}% while the PVC is Pending"
# The copy rate (throttled to 1 MB/s: 12 s of copy) shows once the reports span 2 s.
rate=""
until [[ -n "$rate" ]] || pvc_bound argo model; do
  rate=$(k get ossvp slow-model -n argo -o wide --no-headers | grep -o '[0-9.]* [KM]iB/s' || true)
  sleep 0.3
done
[[ -n "$rate" ]] || fail "no throughput in kubectl get ossvp -o wide while copying"
pass "get ossvp -o wide shows the throughput ($rate) while copying"
wait_for "PVC model Bound" 60 pvc_bound argo model
wait_for "slow-model to say Populated successfully" 5 ossvp_populated argo slow-model
pass "slow population finished"

# --- RRSA path: the seed's ossvp as written, used by the Argo-style pod with
# an ephemeral volumeClaimTemplate.
k apply -f "$OSSVP_SRC/manifests/examples/generic/02-ossvp-rrsa.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/05-pod-ephemeral.yaml" > /dev/null
wait_for "task pod succeeded" 120 bash -c \
  "[[ \$(kubectl get pod ossvp-generic-task-1 -n argo -o jsonpath='{.status.phase}') == Succeeded ]]"
log=$(k logs ossvp-generic-task-1 -n argo)
for want in "1-logs" "results-2025-04-16T07:48:00Z" "f1.bin" "Sub-task finished, id: 1"; do
  grep -q -- "$want" <<< "$log" || fail "task log lacks '$want': $log"
done
pass "RRSA path: the ephemeral volume holds the data (task log lists it)"

# --- Parallel tasks: each gets its own, isolated volume.
for id in 2 3 4; do
  sed -e "s/ossvp-generic-task-1/ossvp-generic-task-$id/" -e "s/id: 1/id: $id/g" -e "s|/data/1-logs|/data/$id-logs|" \
    "$OSSVP_SRC/manifests/examples/generic/05-pod-ephemeral.yaml" | k apply -f - > /dev/null
done
for id in 2 3 4; do
  wait_for "task $id succeeded" 120 bash -c \
    "[[ \$(kubectl get pod ossvp-generic-task-$id -n argo -o jsonpath='{.status.phase}') == Succeeded ]]"
  log=$(k logs "ossvp-generic-task-$id" -n argo)
  grep -q "^$id-logs" <<< "$log" || fail "task $id does not see its own file: $log"
  grep -q "f1.bin" <<< "$log" || fail "task $id does not see the populated data"
  for other in 1 2 3 4; do
    [[ $other == "$id" ]] && continue
    grep -q "^$other-logs" <<< "$log" && fail "task $id sees task $other's file: volumes are not isolated"
  done
done
pass "parallel tasks each got an isolated, populated volume"
echo "generic scenario: all checks passed"
