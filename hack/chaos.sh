#!/usr/bin/env bash
# Chaos run: N populations at once (each its own ossvp + PVC, generic mode,
# Secret credentials) while, at seeded random points, the controller is
# SIGKILLed and restarted, kube-sim drops watches and answers 410/409/429/500,
# the OSS emulator injects 5% errors + 5% connection resets, populator
# processes are SIGKILLed, and a simulated node disappears (the one of the two
# schedulable nodes running most populator pods: powered off, i.e. crashed, or
# its Node deleted; it comes back / rejoins 4-15 s later; at least one per
# run). Then it checks: every PVC Bound exactly once (one
# PV, claimRef = the PVC's uid, no PV shared), every volume byte-identical to
# its source (reader pods), no leftover pod/PVC/PV/finalizer/deleting object
# in ack-volume-populator, no ossvp stuck (all Succeeded). Prints a table of
# counts; exits non-zero on any violation.
#
#   hack/chaos.sh [--short] [--seed N] [--populations N] [--chaos-seconds S]
#     --short: 8 populations, 35 s of chaos (the ctest version, < 4 min)
#     default: 50 populations, 120 s of chaos
# Env: OSSVP_BIN (default build/bin), OSSVP_SRC (default: this repo),
#      KEEP_WORK=1 keeps the temp dir.
#
# Node loss uses kube-sim's node lifecycle (hack/kube-sim/src/actors/README.md):
# a powered-off node's containers die at once, it turns NotReady + tainted
# unreachable after 3 s (KUBESIM_NODE_MONITOR_GRACE_PERIOD), and its pods fail
# when it comes back (as after a reboot); a deleted node's pods are failed and
# force-deleted by pod GC after 3 s (KUBESIM_POD_GC_QUARANTINE).
# Populator processes are killed by pid (children of this run's kube-sim),
# never by name, so parallel runs and other users are not touched.
SHORT=0 SEED_N=1 POPS="" CHAOS_SECS=""
while (($#)); do
  case $1 in
    --short) SHORT=1 ;;
    --seed) SEED_N=$2; shift ;;
    --populations) POPS=$2; shift ;;
    --chaos-seconds) CHAOS_SECS=$2; shift ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
POPS=${POPS:-$((SHORT ? 8 : 50))}
CHAOS_SECS=${CHAOS_SECS:-$((SHORT ? 35 : 120))}
export OSSVP_SRC=${OSSVP_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
export OSSVP_BIN=${OSSVP_BIN:-$OSSVP_SRC/build/bin}
source "$OSSVP_SRC/tests/integration/hardening/lib.sh"
RANDOM=$SEED_N
NS=chaos
NSRC=4
T0=$SECONDS

# --- Sources: NSRC prefixes, small files plus one 3 MB file each.
SEED=$WORK/seed
for s in $(seq 0 $((NSRC - 1))); do
  mkdir -p "$SEED/src$s/sub"
  for i in $(seq 1 6); do head -c $((RANDOM * 8 + 1)) /dev/urandom > "$SEED/src$s/f$i.bin"; done
  head -c 3000000 /dev/urandom > "$SEED/src$s/sub/large.bin"
  echo "source $s" > "$SEED/src$s/sub/name.txt"
done

start_emu "$SEED" --rng-seed "$SEED_N"
export KUBESIM_NODE_MONITOR_GRACE_PERIOD=3 KUBESIM_POD_GC_QUARANTINE=3
start_kube_sim --nodes 3  # node-3 is reserved (tainted): populator pods run on node-1/node-2
KS_PID=${_PIDS[-1]}
install_ossvp
start_controller --max-attempts 30
k create namespace "$NS" > /dev/null

# --- Populations, created in 4 waves over the chaos window so that faults hit
# every stage (creation, copy, binding); every other one is throttled so pods
# are killed mid-copy.
create_populations() {  # create_populations FIRST LAST
  local i throughput
  for i in $(seq "$1" "$2"); do
    throughput=""; ((i % 2)) && throughput="    throughput: 1"
    cat <<YAML
---
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata: {name: src-$i, namespace: $NS}
spec:
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: $OSS_HOST
  path: /src$((i % NSRC))/
  mode: generic
  generic:
    secretRef: oss-secret
$throughput
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc-$i, namespace: $NS}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: alicloud-disk-essd
  resources: {requests: {storage: 1Gi}}
  dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator, name: src-$i}
YAML
  done | k apply -f - > /dev/null
}
WAVES=4
created=0
next_wave() {  # creates the next wave (kube-sim faults may reject it: retried)
  local last=$(((${1:-1}) * POPS / WAVES)) try
  ((last > created)) || return 0
  for try in 1 2 3 4 5 6 7 8 9 10; do
    create_populations $((created + 1)) "$last" 2> "$WORK/apply.err" && break
    sleep 1
  done
  grep -q . "$WORK/apply.err" && ! k get pvc "pvc-$last" -n "$NS" > /dev/null 2>&1 && fail "cannot create populations: $(cat "$WORK/apply.err")"
  created=$last
  echo "chaos: $created/$POPS populations created at $((SECONDS - T0))s"
}

# --- Chaos.
N_CTRL_KILL=0 N_WATCH_DROP=0 N_KS_ARMED=0 N_EMU_ON=0 N_POP_KILL=0
N_NODE_CRASH=0 N_NODE_DELETE=0 N_NODE_BACK=0 N_NODE_PODS=0
declare -A KS_CODES=([410]=0 [409]=0 [429]=0 [500]=0)
bound_count() {
  k get pvc -n "$NS" -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' 2>/dev/null | grep -c '^Bound$' || true
}
emu_admin() { curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$EMU_URL/-/admin" > /dev/null; }
ks_faults() {
  curl_bearer "$KS_TOKEN" -sfk -X POST -H 'Content-Type: application/json' \
    -d "$1" "$KS_URL/kube-sim/faults" > /dev/null
}
populator_pids() {  # populator processes started by this run's kube-sim
  local p
  for p in $(pgrep -x ossvp-populator || true); do
    [[ "$p" == "$KS_PID" ]] && continue
    local a
    a=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null || true)
    while [[ -n "$a" && "$a" -gt 1 ]]; do
      [[ "$a" == "$KS_PID" ]] && { echo "$p"; break; }
      a=$(awk '{print $4}' "/proc/$a/stat" 2>/dev/null || true)
    done
  done
}
restart_controller() {
  kill -9 "$CTRL_PID" 2>/dev/null || true
  wait "$CTRL_PID" 2>/dev/null || true
  local before
  before=$(grep -c "caches synced" "$WORK/ctrl.log" || true)
  "$OSSVP_BIN/ossvp-controller" --kubeconfig "$KUBECONFIG" --populator-image "$POP_IMAGE" \
    --feature-gates VolumePopulator=true,VolumePopulatorPodHandler=true --workers 4 \
    --endpoint-override "$OSS_HOST=$EMU_URL" --endpoint-override "sts.aliyuncs.com=$EMU_URL" \
    --retry-base-delay 1 --resync-period 5 --sweep-period 5 --max-attempts 30 >> "$WORK/ctrl.log" 2>&1 &
  CTRL_PID=$!
  wait_for "controller caches after restart" 60 bash -c \
    "(( \$(grep -c 'caches synced' '$WORK/ctrl.log') > $before ))"
}

# Node loss: one node at a time, back (powered on / re-registered) 4-15 s later.
DOWN_NODE="" DOWN_MODE="" NODE_BACK_AT=0
lose_node() {  # the node running most populator pods; returns 1 when none runs one
  local n
  n=$(k get pods -n "$PNS" --field-selector status.phase=Running -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' \
    2>/dev/null | grep -E '^node-[12]$' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}' || true)
  [[ -n "$n" ]] || return 1
  N_NODE_PODS=$((N_NODE_PODS + $(k get pods -n "$PNS" --field-selector "spec.nodeName=$n,status.phase=Running" -o name 2>/dev/null | grep -c . || true)))
  if ((RANDOM % 2)); then
    k annotate node "$n" kubesim.io/power=off --overwrite > /dev/null && DOWN_MODE=crash && N_NODE_CRASH=$((N_NODE_CRASH + 1))
  else
    k delete node "$n" --wait=false > /dev/null && DOWN_MODE=delete && N_NODE_DELETE=$((N_NODE_DELETE + 1))
  fi
  [[ -n "$DOWN_MODE" ]] || return 0
  DOWN_NODE=$n NODE_BACK_AT=$((SECONDS + 4 + RANDOM % 12))
  echo "chaos: node $n lost ($DOWN_MODE) at $((SECONDS - T0))s"
}
node_back() {
  [[ -n "$DOWN_NODE" ]] || return 0
  if [[ $DOWN_MODE == crash ]]; then k annotate node "$DOWN_NODE" kubesim.io/power- > /dev/null || return 0
  else echo "{\"apiVersion\": \"v1\", \"kind\": \"Node\", \"metadata\": {\"name\": \"$DOWN_NODE\"}}" | k create -f - > /dev/null || return 0; fi
  echo "chaos: node $DOWN_NODE back at $((SECONDS - T0))s"
  DOWN_NODE="" DOWN_MODE="" N_NODE_BACK=$((N_NODE_BACK + 1))
}

emu_on=0
chaos_start=$SECONDS
chaos_end=$((SECONDS + CHAOS_SECS))
next_wave 1
while ((SECONDS < chaos_end)); do
  next_wave $((1 + (SECONDS - chaos_start) * WAVES / CHAOS_SECS))
  sleep "$((RANDOM % 3)).$((RANDOM % 10))"
  if [[ -n "$DOWN_NODE" ]] && ((SECONDS >= NODE_BACK_AT)); then node_back; fi
  # At least one node loss per run, from a third into the window on.
  if ((N_NODE_CRASH + N_NODE_DELETE == 0 && SECONDS - chaos_start >= CHAOS_SECS / 3)) && lose_node; then continue; fi
  case $((RANDOM % 7)) in
    0) restart_controller; N_CTRL_KILL=$((N_CTRL_KILL + 1)) ;;
    1) curl_bearer "$KS_TOKEN" -sfk -X POST "$KS_URL/kube-sim/drop-watches" > /dev/null \
         && N_WATCH_DROP=$((N_WATCH_DROP + 1)) ;;
    2 | 3)
      codes=(410 409 429 500); code=${codes[RANDOM % 4]}
      paths=("/persistentvolumeclaims" "/pods" "/ossvolumepopulators" "/persistentvolumes" "/events" "")
      path=${paths[RANDOM % ${#paths[@]}]}; count=$((RANDOM % 3 + 1))
      case $code in
        410) rule="{\"method\":\"GET\",\"pathContains\":\"$path\",\"watchOnly\":true,\"code\":410,\"count\":$count}" ;;
        409) methods=(PATCH PUT); rule="{\"method\":\"${methods[RANDOM % 2]}\",\"pathContains\":\"$path\",\"code\":409,\"count\":$count}" ;;
        *) methods=(GET POST PATCH PUT DELETE); rule="{\"method\":\"${methods[RANDOM % 5]}\",\"pathContains\":\"$path\",\"code\":$code,\"count\":$count}" ;;
      esac
      ks_faults "{\"rules\":[$rule]}" && { N_KS_ARMED=$((N_KS_ARMED + count)); KS_CODES[$code]=$((KS_CODES[$code] + count)); } ;;
    4)
      if ((emu_on)); then emu_admin '{"reset":true}' && emu_on=0
      else emu_admin '{"operation":"*","error_rate":0.05,"reset_rate":0.05}' && emu_on=1 && N_EMU_ON=$((N_EMU_ON + 1)); fi ;;
    5)
      mapfile -t pp < <(populator_pids)
      if ((${#pp[@]})); then
        kill -9 "${pp[RANDOM % ${#pp[@]}]}" 2>/dev/null && N_POP_KILL=$((N_POP_KILL + 1))
      fi ;;
    6) [[ -n "$DOWN_NODE" ]] || lose_node || true ;;
  esac
done
next_wave "$WAVES"
# Faults still armed at the end were not injected.
left=$(curl_bearer "$KS_TOKEN" -sfk "$KS_URL/kube-sim/faults" | jq '[.rules[]?.count] | add // 0')
N_KS_INJECTED=$((N_KS_ARMED - left))
curl_bearer "$KS_TOKEN" -sfk -X DELETE "$KS_URL/kube-sim/faults" > /dev/null
for try in 1 2 3 4 5; do [[ -z "$DOWN_NODE" ]] && break; node_back; sleep 1; done
[[ -z "$DOWN_NODE" ]] || fail "cannot bring node $DOWN_NODE back"
emu_admin '{"reset":true}'
EMU_ERRORS=$(curl -sf "$EMU_URL/-/stats" | jq '[.operations[]?.errors] | add // 0')
CHAOS_END=$((SECONDS - T0))
echo "chaos: stopped after $((SECONDS - T0))s; $(bound_count)/$POPS Bound so far"

# --- Convergence.
VIOL=()
violation() { VIOL+=("$*"); echo "VIOLATION: $*" >&2; }
deadline=$((SECONDS + (SHORT ? 120 : 300) * ${OSSVP_TIMEOUT_SCALE:-1}))  # scaled for sanitizer builds
while (($(bound_count) < POPS && SECONDS < deadline)); do sleep 1; done
CONVERGED=$((SECONDS - T0))
bound=$(bound_count)
((bound == POPS)) || violation "$((POPS - bound)) PVC(s) not Bound after convergence wait"

# Bound exactly once: one PV per PVC, claimRef uid matches, no PV shared.
k get pvc -n "$NS" -o json > "$WORK/pvcs.json"
k get pv -o json > "$WORK/pvs.json"
dup_pv=$(jq -r '[.items[].spec.volumeName // empty] | group_by(.) | map(select(length > 1)) | length' "$WORK/pvcs.json")
((dup_pv == 0)) || violation "$dup_pv PV(s) bound to more than one PVC"
while read -r name uid vol; do
  n=$(jq --arg u "$uid" '[.items[] | select(.spec.claimRef.uid == $u)] | length' "$WORK/pvs.json")
  ((n == 1)) || violation "PVC $name has $n PVs claiming it (want 1)"
  [[ "$(jq -r --arg v "$vol" '.items[] | select(.metadata.name == $v) | .spec.claimRef.uid' "$WORK/pvs.json")" == "$uid" ]] \
    || violation "PVC $name: its PV $vol does not claim it"
done < <(jq -r '.items[] | select(.status.phase == "Bound") | "\(.metadata.name) \(.metadata.uid) \(.spec.volumeName)"' "$WORK/pvcs.json")

# Byte-identical: one reader pod per Bound PVC, all at once.
for s in $(seq 0 $((NSRC - 1))); do expected_sums "$SEED/src$s" > "$WORK/expect-$s"; done
{
  for i in $(seq 1 "$POPS"); do
    pvc_bound "$NS" "pvc-$i" || continue
    reader_pod_yaml "$NS" "reader-$i" "pvc-$i"
  done
} | k apply -f - > /dev/null
IDENTICAL=0
for i in $(seq 1 "$POPS"); do
  k get pod "reader-$i" -n "$NS" > /dev/null 2>&1 || continue
  rdl=$((SECONDS + 120 * ${OSSVP_TIMEOUT_SCALE:-1}))
  until ph=$(k get pod "reader-$i" -n "$NS" -o jsonpath='{.status.phase}' 2>/dev/null) \
      && [[ "$ph" == Succeeded || "$ph" == Failed ]]; do
    ((SECONDS < rdl)) || break
    sleep 0.5
  done
  if [[ "$ph" != Succeeded ]]; then violation "reader-$i did not succeed (phase $ph)"; continue; fi
  if [[ "$(k logs "reader-$i" -n "$NS")" == "$(cat "$WORK/expect-$((i % NSRC))")" ]]; then
    IDENTICAL=$((IDENTICAL + 1))
  else
    violation "pvc-$i content differs from /src$((i % NSRC))/"
  fi
done

# Leftovers in the populator namespace (after the usual cleanup delay).
leftovers() {
  {
    k get pods,pvc -n "$PNS" -o name 2>/dev/null
    jq -r '.items[] | select(.spec.claimRef.namespace == "'"$PNS"'" or .status.phase != "Bound") | "pv/\(.metadata.name)"' \
      <(k get pv -o json)
    # A done PVC keeps no populator finalizer; nothing hangs in deletion.
    # (ossvp-in-use on an ossvp is by design until the ossvp is deleted:
    # checked below by deleting them all.)
    k get pvc,ossvp -n "$NS" -o json | jq -r '.items[] | select(.metadata.deletionTimestamp or
      ((.metadata.finalizers // []) | index("storage.alibabacloud.com/populate-target-protection")))
      | "finalizer-or-deleting: \(.kind)/\(.metadata.name) \(.metadata.finalizers)"'
  } | grep -v '^$' || true
}
deadline=$((SECONDS + 60 * ${OSSVP_TIMEOUT_SCALE:-1}))
while [[ -n "$(leftovers)" ]] && ((SECONDS < deadline)); do sleep 1; done
LEFT=$(leftovers)
N_LEFT=$(grep -c . <<< "$LEFT" || true)
((N_LEFT == 0)) || violation "leftovers: $(tr '\n' ' ' <<< "$LEFT")"

# No ossvp stuck: every one Succeeded.
STUCK=$(k get ossvp -n "$NS" -o json | jq -r '.items[] | select(.status.phase != "Succeeded") | "\(.metadata.name)=\(.status.phase)"')
N_STUCK=$(grep -c . <<< "$STUCK" || true)
((N_STUCK == 0)) || violation "ossvp not Succeeded: $(tr '\n' ' ' <<< "$STUCK")"

# Every ossvp can be deleted now (its in-use finalizer is released).
k delete ossvp --all -n "$NS" --wait=false > /dev/null
deadline=$((SECONDS + 60 * ${OSSVP_TIMEOUT_SCALE:-1}))
while [[ -n "$(k get ossvp -n "$NS" -o name 2>/dev/null)" ]] && ((SECONDS < deadline)); do sleep 1; done
HELD=$(k get ossvp -n "$NS" -o name 2>/dev/null | wc -l)
((HELD == 0)) || violation "$HELD ossvp(s) still held by a finalizer 60 s after deletion"

# Figures.
k get events -n "$NS" -o json > "$WORK/events.json"
ev() { jq --arg r "$1" '[.items[] | select(.reason == $r) | (.count // 1)] | add // 0' "$WORK/events.json"; }
RETRIES=$(ev PopulatorRetrying)
CREATED=$(ev PopulatorCreated)
FAILED=$(ev PopulatorFailed)
# kube-sim's view of the node losses.
NOT_READY=$(grep -c "is unreachable (powered off" "$WORK/ks.err" || true)
POD_GC=$(grep -c "pod GC: force-deleted $PNS/" "$WORK/ks.err" || true)
KILLED_WITH_NODE=$(grep -c "node of $PNS/.* lost: killing" "$WORK/ks.err" || true)
CTRL_ERRORS=$(grep -ciE '"level":"(warn|error)"|\[(warn|error)\]| (WARN|ERROR) ' "$WORK/ctrl.log" || true)
printf '\n%-44s %s\n' "figure (seed $SEED_N)" "value"
printf '%-44s %s\n' \
  "populations" "$POPS" \
  "chaos window / converged at (s)" "$CHAOS_END / $CONVERGED" \
  "controller SIGKILL + restart" "$N_CTRL_KILL" \
  "kube-sim watch drops" "$N_WATCH_DROP" \
  "kube-sim faults armed / injected" "$N_KS_ARMED / $N_KS_INJECTED" \
  "  armed 410 / 409 / 429 / 500" "${KS_CODES[410]} / ${KS_CODES[409]} / ${KS_CODES[429]} / ${KS_CODES[500]}" \
  "emulator 5% error+reset windows" "$N_EMU_ON" \
  "emulator error answers (/-/stats)" "$EMU_ERRORS" \
  "populator processes SIGKILLed" "$N_POP_KILL" \
  "node losses: crashed / deleted" "$N_NODE_CRASH / $N_NODE_DELETE" \
  "  nodes back (powered on / rejoined)" "$N_NODE_BACK" \
  "  nodes NotReady + tainted unreachable" "$NOT_READY" \
  "  populator pods running on them / killed" "$N_NODE_PODS / $KILLED_WITH_NODE" \
  "  populator pods removed by pod GC" "$POD_GC" \
  "populator pods created (PopulatorCreated)" "$CREATED" \
  "retries (PopulatorRetrying events)" "$RETRIES" \
  "failed pod attempts (PopulatorFailed)" "$FAILED" \
  "controller warn/error log lines" "$CTRL_ERRORS" \
  "populations completed (Bound)" "$bound" \
  "volumes byte-identical" "$IDENTICAL" \
  "leftovers (pod/PVC/PV/finalizer)" "$N_LEFT" \
  "ossvps not deletable (finalizer held)" "$HELD" \
  "ossvps not Succeeded" "$N_STUCK" \
  "violations" "${#VIOL[@]}" \
  "total time (s)" "$((SECONDS - T0))"
if ((${#VIOL[@]})); then
  printf 'VIOLATION: %s\n' "${VIOL[@]}" >&2
  KEEP_WORK=${KEEP_WORK:-1}
  echo "--- controller log (tail)" >&2; tail -30 "$WORK/ctrl.log" >&2
  exit 1
fi
echo "chaos: all checks passed"
