#!/usr/bin/env bash
# Controller scale benchmark: N PVCs (default 200; 1000 is the target scale)
# created at once on kube-sim, generic mode, small data (one 4 KiB object).
# Reports:
#   - time from PVC creation to Bound (p50, p99) and the same minus the
#     populator pod's lifetime (status.generic.<uid> startTime -> completionTime,
#     1 s resolution; includes the pod's scheduling and start, not only the copy)
#   - API requests per PVC, counted from kube-sim's debug request log (every
#     client: the controller, kubectl's creates, the populator pods' progress
#     patches, kube-sim's own actors do not go through HTTP)
#   - the controller's peak RSS (VmHWM)
#   - the controller's own timing per phase, scraped from its /metrics
#     (ossvp_phase_duration_seconds, millisecond buckets): count, mean, p50,
#     p99 per interval, each labelled "controller" (its own reaction) or
#     "harness/pod" (kube-sim's scheduling, volumes, container start, the
#     copy, the PV binding), and the sums per owner (phase_metrics.py)
#   - kube-sim's own figures: populator container starts per second per node
#     during the run (kubelet log), then, with the controller stopped, kube-sim
#     alone (hack/kube-sim/load_check.py): N PVC and N pod creates/s and
#     container starts/s per node with a no-op image, and the latency from a
#     container's exit to its pod showing it terminated
# Usage: OSSVP_BIN=build/bin hack/bench/controller_scale.sh [N] [WORKERS]
#   POPULATOR=noop: populator pods run a no-op program that exits 0 at once
#     after writing the populator's success summary as its termination message
#     (populator/README.md), so the controller sees a completed copy: measures
#     the controller + kube-sim without the copy. Default POPULATOR=real (the
#     real ossvp-populator copies the 4 KiB object from the emulator).
#   CTRL_ARGS="--status-coalesce-window 0": extra controller flags (e.g. to
#   compare status-write coalescing on and off with one binary)
# Not part of the test run. Results: docs/performance-controller.md.
set -euo pipefail
export OSSVP_SRC=${OSSVP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export OSSVP_BIN=${OSSVP_BIN:-$OSSVP_SRC/build/bin}
N=${1:-200}
WORKERS=${2:-16}
POPULATOR=${POPULATOR:-real}
source "$OSSVP_SRC/tests/integration/controller/lib.sh"
[[ "$POPULATOR" == real || "$POPULATOR" == noop ]] || fail "POPULATOR=$POPULATOR: expected real or noop"

mkdir -p "$WORK/seed/data"
head -c 4096 /dev/urandom > "$WORK/seed/data/small.bin"
start_emu "$WORK/seed"
POP_ARGS=()
if [[ "$POPULATOR" == noop ]]; then
  # Named like the real program: the pod has no command, kube-sim runs the
  # image's mapped program with the controller's args (ignored here).
  mkdir -p "$WORK/noop"
  cat > "$WORK/noop/ossvp-populator" <<'SH'
#!/bin/sh
printf '%s' '{"result":"Succeeded","exitCode":0,"bucket":"my-test-bucket","path":"/data/","bytesTotal":4096,"objectsTotal":1,"objectsCopied":1,"objectsSkipped":0,"bytesCopied":4096,"directories":0,"rejectedKeys":0,"rejected":[],"durationSeconds":0,"throughputMBps":0}' > /dev/termination-log
SH
  chmod 755 "$WORK/noop" "$WORK/noop/ossvp-populator"
  POP_ARGS=(--image-map "$POP_IMAGE=$WORK/noop/ossvp-populator")  # the later mapping wins
fi
start_kube_sim --log-level debug --nodes 3 --http-listen 127.0.0.1:0 --image-map noop=/bin/sh "${POP_ARGS[@]}"
KS_HTTP=$(sed -n 's/.*serving http on \(127.0.0.1:[0-9]*\).*/\1/p' "$WORK/ks.out")
install_ossvp
"$OSSVP_BIN/ossvp-controller" --kubeconfig "$KUBECONFIG" --populator-image "$POP_IMAGE" \
  --feature-gates VolumePopulator=true,VolumePopulatorPodHandler=true --workers "$WORKERS" \
  --endpoint-override "$OSS_HOST=$EMU_URL" --metrics-addr 127.0.0.1:0 ${CTRL_ARGS:-} > "$WORK/ctrl.log" 2>&1 &
CTRL_PID=$!
wait_for "controller caches" 30 grep -q "caches synced" "$WORK/ctrl.log"
METRICS_URL="http://127.0.0.1:$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$WORK/ctrl.log" | head -1)/metrics"
NS=scale
k create namespace "$NS" > /dev/null
k apply -f - > /dev/null <<YAML
apiVersion: storage.alibabacloud.com/v1beta1
kind: OSSVolumePopulator
metadata: {name: small, namespace: $NS}
spec:
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: $OSS_HOST
  path: /data/
  generic:
    secretRef: oss-secret
YAML
REQ_RE='kube-sim: [A-Z]+ /'  # the debug log line of one API request
# The controller's own API requests (its /metrics), before the PVCs arrive.
ctrl_requests() { curl -sf "$METRICS_URL" | awk '/^ossvp_api_requests_total\{/ {s += $2} END {print s + 0}'; }
CREQ0=$(ctrl_requests)
# CPU seconds a process has used (user + system).
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
CPU0=$(cpu_secs "$CTRL_PID")
REQ0=$(grep -cE "$REQ_RE" "$WORK/ks.err" || true)

# All PVCs in one kubectl call ("at once").
for i in $(seq 1 "$N"); do
  cat <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc-$i, namespace: $NS}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: alicloud-disk-essd
  resources: {requests: {storage: 1Gi}}
  dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator, name: small}
---
YAML
done > "$WORK/pvcs.yaml"
# The first time each PVC is seen Bound, from a watch started before the
# PVCs exist (polling 1,000 PVCs with kubectl would load the machine the
# controller is measured on).
python3 -c '
import os, subprocess, sys, time
n, ns, out, bound = int(sys.argv[1]), sys.argv[2], sys.argv[3], {}
while len(bound) < n:  # a watch that ends (server timeout) is opened again; it lists first
    if os.getppid() == 1:  # the bench is gone (failed or killed): stop watching
        sys.exit(1)
    w = subprocess.Popen(["kubectl", "get", "pvc", "-n", ns, "-w", "--output-watch-events", "-o",
                          "jsonpath={.type} {.object.metadata.name} {.object.status.phase}{\"\\n\"}"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in w.stdout:
        f = line.split()
        if len(f) == 3 and f[2] == "Bound" and f[1] not in bound:
            bound[f[1]] = time.time()
            if len(bound) == n:
                break
    w.kill()
    if w.wait() not in (0, -9) and len(bound) < n:
        time.sleep(1)  # kubectl failed (kube-sim gone or restarting): no busy loop
with open(out + ".tmp", "w") as o:
    o.writelines(f"{k} {v:.3f}\n" for k, v in bound.items())
os.rename(out + ".tmp", out)
' "$N" "$NS" "$WORK/bound.txt" &
WATCHER=$!
_PIDS+=("$WATCHER")  # stopped with the rest when the bench fails
sleep 1  # the watch is open before the first create
START=$(date +%s.%N)
k apply -f "$WORK/pvcs.yaml" > /dev/null
CREATED=$(date +%s.%N)
for _ in $(seq 3600); do [[ -s "$WORK/bound.txt" ]] && break; sleep 0.5; done
[[ -s "$WORK/bound.txt" ]] || fail "not all PVCs Bound after 30 minutes"
wait "$WATCHER" 2> /dev/null || true
END=$(sort -k2 -n "$WORK/bound.txt" | tail -1 | cut -d' ' -f2)
REQ1=$(grep -cE "$REQ_RE" "$WORK/ks.err" || true)
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$CTRL_PID/status")
CPU1=$(cpu_secs "$CTRL_PID")
# The phase histogram is observed when a PVC's cleanup is done, which trails its Bound.
cleaned() {
  curl -sf "$METRICS_URL" > "$WORK/metrics.txt" &&
    awk -v n="$N" '/^ossvp_phase_duration_seconds_count\{mode="generic",phase="bound_to_cleanup"/ {c = $2}
                   END {exit !(c >= n)}' "$WORK/metrics.txt"
}
# At N=1000 the cleanups can trail Bound by minutes: wait up to 300 s, then
# report what was recorded rather than nothing.
for _ in $(seq 600); do cleaned && break; sleep 0.5; done
if ! cleaned; then
  echo "WARNING: only $(awk '/^ossvp_phase_duration_seconds_count\{mode="generic",phase="bound_to_cleanup"/ {print $2}' \
    "$WORK/metrics.txt") of $N cleanups recorded 300 s after the last Bound; the phase table covers those"
fi

# Copy time per PVC from the ossvp status (RFC 3339, 1 s resolution).
k get ossvp small -n "$NS" -o json > "$WORK/ossvp.json"
k get pvc -n "$NS" -o json > "$WORK/pvcs.json"
python3 - "$WORK/ossvp.json" "$WORK/pvcs.json" "$WORK/bound.txt" "$START" <<'PY'
import json, sys, datetime
ossvp = json.load(open(sys.argv[1])); pvcs = json.load(open(sys.argv[2])); start = float(sys.argv[4])
bound = dict(l.split() for l in open(sys.argv[3]))
ts = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
entries = ossvp.get("status", {}).get("generic", {})
total, beyond = [], []
for p in pvcs["items"]:
    name, uid = p["metadata"]["name"], p["metadata"]["uid"]
    t = float(bound[name]) - start  # all PVCs created by one apply at START
    e = entries.get(uid, {})
    copy = ts(e["completionTime"]) - ts(e["startTime"]) if e.get("startTime") and e.get("completionTime") else 0
    total.append(t); beyond.append(max(0.0, t - copy))
def pct(v, q):
    v = sorted(v); return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]
print(f"creation->Bound      p50 {pct(total, .5):7.1f} s   p99 {pct(total, .99):7.1f} s   max {max(total):7.1f} s")
print(f"beyond the copy time p50 {pct(beyond, .5):7.1f} s   p99 {pct(beyond, .99):7.1f} s")
PY
echo "PVCs: $N, workers: $WORKERS, populator: $POPULATOR, create call took $(echo "$CREATED - $START" | bc) s, all Bound after $(echo "$END - $START" | bc) s"
echo "API requests during the run: $((REQ1 - REQ0)) ($(echo "scale=1; ($REQ1 - $REQ0) / $N" | bc) per PVC, all clients)"
CREQ1=$(awk '/^ossvp_api_requests_total\{/ {s += $2} END {print s + 0}' "$WORK/metrics.txt")
echo "controller's own API requests: $((CREQ1 - CREQ0)) ($(echo "scale=1; ($CREQ1 - $CREQ0) / $N" | bc) per PVC, up to the cleanups), by verb and resource:"
awk '/^ossvp_api_requests_total\{/ {print}' "$WORK/metrics.txt" | sed -E 's/ossvp_api_requests_total//' | sort -k2 -rn | sed 's/^/  /'
echo "PopulatorPodStuck warnings: $(grep -c "PopulatorPodStuck" "$WORK/ctrl.log" || true)"
echo "controller peak RSS: $((RSS_KB / 1024)) MiB; CPU until the last Bound: $(echo "$CPU1 - $CPU0" | bc) s ($(echo "scale=1; 1000 * ($CPU1 - $CPU0) / $N" | bc) ms per PVC) on $(nproc) cores"
echo "controller phase timing (its /metrics; controller = its own reaction, harness/pod = kube-sim and the pod):"
python3 "$OSSVP_SRC/hack/bench/phase_metrics.py" "$WORK/metrics.txt" generic | sed 's/^/  /'
grep -E "$REQ_RE" "$WORK/ks.err" | tail -n +$((REQ0 + 1)) |
  sed -E 's/.*kube-sim: ([A-Z]+) ([^ ?]*).*/\1 \2/; s#/namespaces/[^/]+#/namespaces/NS#; s#(/[a-z]+)/[^/ ]+(/status)?$#\1/NAME\2#' |
  sort | uniq -c | sort -rn > "$WORK/requests.txt"
head -15 "$WORK/requests.txt"
STATUS_W=$(awk '$2 == "PUT" && $3 ~ /ossvolumepopulators\/NAME\/status$/ {s += $1} END {print s + 0}' "$WORK/requests.txt")
OSSVP_GET=$(awk '$2 == "GET" && $3 ~ /ossvolumepopulators\/NAME$/ {s += $1} END {print s + 0}' "$WORK/requests.txt")
echo "ossvp status writes: $STATUS_W ($(echo "scale=2; $STATUS_W / $N" | bc) per PVC), ossvp re-reads (409): $OSSVP_GET"

# kube-sim during the run: populator container starts per node (kubelet log).
grep -E "kube-sim kubelet [^ ]+: started $PNS/" "$WORK/ks.err" | python3 -c '
import sys, datetime, collections
per = collections.defaultdict(list)
for line in sys.stdin:
    ts, node = line.split()[0], line.split("kube-sim kubelet ")[1].split(":")[0]
    per[node].append(datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp())
for node, t in sorted(per.items()):
    span = max(t) - min(t)
    rate = f"{(len(t) - 1) / span:.1f}/s" if span > 0 else "-"
    print(f"kube-sim {node}: {len(t)} populator container starts over {span:.1f} s ({rate})")
'
# kube-sim alone, same instance, controller stopped: its own capacity.
kill "$CTRL_PID" 2>/dev/null || true
wait "$CTRL_PID" 2>/dev/null || true
CTRL_PID=
echo "kube-sim alone (hack/kube-sim/load_check.py, $N PVCs + $N no-op pods, 2 schedulable nodes):"
python3 "$OSSVP_SRC/hack/kube-sim/load_check.py" "http://$KS_HTTP" --pvcs "$N" --pods "$N" --nodes 2 \
  --namespace kube-sim-load --timeout 300 | sed 's/^/  /'
