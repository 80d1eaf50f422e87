#!/usr/bin/env bash
# High availability and observability, real kubectl against kube-sim:
#   - two replicas with --leader-elect: one leads (Lease), the other waits;
#     /healthz and /readyz answer on both, /metrics says who leads
#   - the leader killed (SIGKILL) mid-population (a bmcpfs data-flow import):
#     the standby takes over within the lease duration, the PVC gets Bound,
#     the same import task is kept (no duplicates: one PopulatorCreated event)
#   - /metrics (Prometheus text): reconciles by result, queue depth,
#     populations in flight, population durations, bytes populated, time to Bound
source "$(dirname "$0")/lib.sh"

NS=ha-demo
LEASE=4
SEED=$WORK/seed
mkdir -p "$SEED/big" "$WORK/cpfs" "$WORK/seed-empty"
for i in 1 2; do head -c 6000000 /dev/urandom > "$SEED/big/part$i.bin"; done

start_emu "$WORK/seed-empty" --seed "my-model-bucket=$SEED" --cpfs-root "$WORK/cpfs"
KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
  start_kube_sim --cpfs-root "$WORK/cpfs"
install_ossvp
k apply -f "$OSSVP_SRC/manifests/examples/bmcpfs-dataflow/01-storageclass.yaml" > /dev/null
k create namespace "$NS" > /dev/null

replica() {  # replica NAME: starts one controller replica, log $WORK/NAME.log
  ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK POD_NAME=$1 \
    "$OSSVP_BIN/ossvp-controller" --kubeconfig "$KUBECONFIG" --workers 2 \
    --endpoint-override "$OSS_HOST=$EMU_URL" --endpoint-override "nas.cn-hangzhou.aliyuncs.com=$EMU_URL" \
    --cpfs-throughput-mbps 1 --cpfs-poll-interval 0.3 --resync-period 2 \
    --leader-elect=true --leader-elect-lease-duration "$LEASE" --leader-elect-renew-interval 0.5 \
    --health-addr 127.0.0.1:0 --metrics-addr 127.0.0.1:0 --log-level debug > "$WORK/$1.log" 2>&1 &
  eval "PID_$1=$!"
  _PIDS+=($!)
}
port_of() { sed -n "s/.*$2 on port \([0-9]*\).*/\1/p" "$WORK/$1.log" | head -1; }
http_code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2"; }

replica a
wait_for "replica a leads" 30 grep -q "is the leader" "$WORK/a.log"
wait_for "replica a caches" 30 grep -q "caches synced" "$WORK/a.log"
replica b
wait_for "replica b waits for the Lease" 30 grep -q "waiting to lead" "$WORK/b.log"
wait_for "replica b health port" 30 grep -q "health endpoints on port" "$WORK/b.log"
sleep 1
grep -q "is the leader" "$WORK/b.log" && fail "both replicas lead"
for r in a b; do
  HP=$(port_of $r "health endpoints")
  [[ "$(http_code "$HP" /healthz)" == 200 ]] || fail "replica $r /healthz"
  [[ "$(http_code "$HP" /readyz)" == 200 ]] || fail "replica $r /readyz"
  [[ "$(http_code "$HP" /nope)" == 404 ]] || fail "replica $r unknown path not 404"
done
grep -qx "ossvp_leader 1" <<< "$(curl -s "http://127.0.0.1:$(port_of a metrics)/metrics")" || fail "a: ossvp_leader not 1"
grep -qx "ossvp_leader 0" <<< "$(curl -s "http://127.0.0.1:$(port_of b metrics)/metrics")" || fail "b: ossvp_leader not 0"
HOLDER=$(k get lease ossvp-controller -n "$PNS" -o jsonpath='{.spec.holderIdentity}')
[[ "$HOLDER" == a_* ]] || fail "Lease holder is '$HOLDER', expected replica a"
pass "one leader (Lease holder $HOLDER), a standby; /healthz /readyz /metrics on both"

k apply -f - > /dev/null <<YAML
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata: {name: big, namespace: $NS}
spec:
  bucket: my-model-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /big/
  mode: bmcpfs-dataflow
YAML
make_pvc "$NS" data big alicloud-bmcpfs-dataflow 100Gi
UID_=$(k get pvc data -n "$NS" -o jsonpath='{.metadata.uid}')
progress() { k get ossvp big -n "$NS" -o jsonpath="{.status.bmcpfsDataflow.$UID_.progress}"; }
mid() { [[ "$(progress)" =~ ^([0-9]+)%$ ]] && ((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] < 100)); }
wait_for "import in progress" 60 mid
TASK=$(k get ossvp big -n "$NS" -o jsonpath="{.status.bmcpfsDataflow.$UID_.dataFlowTaskId}")
kill -9 "$PID_a"
KILLED=$SECONDS
wait_for "replica b takes over" $((LEASE * 3)) grep -q "is the leader" "$WORK/b.log"
TOOK=$((SECONDS - KILLED))
((TOOK <= LEASE + 2)) || fail "failover took ${TOOK}s, lease duration is ${LEASE}s"
pass "leader killed mid-import; replica b leads after ${TOOK}s (lease ${LEASE}s)"
wait_for "PVC Bound" 120 pvc_bound "$NS" data
[[ "$(k get ossvp big -n "$NS" -o jsonpath="{.status.bmcpfsDataflow.$UID_.dataFlowTaskId}")" == "$TASK" ]] ||
  fail "the import task changed after the failover"
N=$(k get events -n "$NS" --field-selector involvedObject.name=data,reason=PopulatorCreated \
  -o jsonpath='{range .items[*]}{.count}{"\n"}{end}' | awk '{s+=$1} END {print s+0}')
[[ "$N" == 1 ]] || fail "expected one PopulatorCreated event, got $N"
DIR=$(k get pv "$(k get pvc data -n "$NS" -o jsonpath='{.spec.volumeName}')" \
  -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}')
diff <(expected_sums "$SEED/big") <(expected_sums "$DIR") || fail "data differs after the failover"
pass "no duplicates: same task $TASK, one creation, data byte-identical"

WANT=('^ossvp_reconciles_total\{result="Done"\} [1-9]' '^ossvp_workqueue_depth [0-9]'
  '^ossvp_populations_in_flight 0' '^ossvp_time_to_bound_seconds_count\{mode="bmcpfs-dataflow"\} 1'
  '^ossvp_population_duration_seconds_count\{mode="bmcpfs-dataflow",result="Succeeded"\} 1'
  '^ossvp_bytes_populated_total\{mode="bmcpfs-dataflow"\} [1-9]' '^ossvp_leader 1'
  '^# TYPE ossvp_time_to_bound_seconds histogram')
metrics_b() { curl -s "http://127.0.0.1:$(port_of b metrics)/metrics"; }
metrics_complete() {
  local m want
  m=$(metrics_b)
  for want in "${WANT[@]}"; do grep -qE "$want" <<< "$m" || return 1; done
}
# The population leaves "in flight" when its cleanup (data flow deleted) is
# done, which can trail the PVC's Bound: poll, then report what is missing.
for _ in $(seq 1 $((30 * ${OSSVP_TIMEOUT_SCALE:-1}))); do metrics_complete && break; sleep 1; done
M=$(metrics_b)
for want in "${WANT[@]}"; do
  grep -qE "$want" <<< "$M" || fail "metrics lack /$want/: $M"
done
pass "metrics: reconciles, queue depth, in flight, durations, bytes, time to Bound"
echo "HA and metrics e2e: all passed"
