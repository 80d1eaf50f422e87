# Shared helpers for the controller end-to-end tests (sourced, not run).
# Each test gets its own OSS emulator, kube-sim and ossvp-controller on free
# loopback ports, a fresh HOME (kubectl discovery cache) and a temp dir; all
# processes are killed on exit.
#   start_emu SEED_DIR [args]   bucket my-test-bucket = SEED_DIR; sets EMU_URL
#   start_kube_sim [args]       sets KUBECONFIG, KS_URL, KS_TOKEN; with
#                               --runtime podman its containers are removed
#                               on exit even when kube-sim could not
#   RUN_LABEL                   a podman label (KEY=VALUE) unique to this run:
#                               containers a test makes itself carry it, and
#                               are removed on exit as well
#   install_ossvp               namespace, CRD, populator RBAC, kube-sim classes
#   start_controller [args]     sets CTRL_PID; log in $WORK/ctrl.log
#   wait_for DESC SECONDS CMD.. retries CMD every 0.3 s; SECONDS is scaled by
#                               OSSVP_TIMEOUT_SCALE (default 1; hack/sanitize.sh
#                               sets it for its slower sanitizer builds)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/emulator.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../../hack/lib/secrets.sh"
: "${OSSVP_BIN:?OSSVP_BIN must point at build/bin}"
: "${OSSVP_SRC:?OSSVP_SRC must point at the repository}"
WORK=$(mktemp -d /tmp/ossvp-ctrl-e2e.XXXXXX)
chmod 755 "$WORK"  # populator pods run as a non-root uid
export HOME=$WORK/home
mkdir -p "$HOME"
AK=e2eAK
SK=e2eSK-0123456789abcdef
OSS_HOST=oss-cn-hangzhou-internal.aliyuncs.com
POP_IMAGE=registry.cn-hangzhou.aliyuncs.com/acs/ossvp-populator:e2e
PNS=ack-volume-populator
RUN_LABEL=io.ossvp.test-run=$WORK
_PIDS=()
CTRL_PID=
_PODMAN=0  # 1 once kube-sim ran with --runtime podman

cleanup() {
  local p i
  for p in $CTRL_PID "${_PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for i in $(seq 1 30); do  # up to 3 s for a clean exit (kube-sim stops its pods)
    local alive=0
    for p in $CTRL_PID "${_PIDS[@]:-}"; do [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for p in $CTRL_PID "${_PIDS[@]:-}"; do [[ -n "$p" ]] && kill -9 "$p" 2>/dev/null || true; done
  for p in $CTRL_PID "${_PIDS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  ((_PODMAN)) && remove_run_containers
  # Size-enforced kube-sim volumes are tmpfs mounts under $WORK.
  grep " $WORK/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# remove_run_containers: removes this run's podman containers, and no other:
# kube-sim's (label io.kube-sim.owner=<its state dir>, which is under this
# run's $WORK) and the test's own (RUN_LABEL). A stopping kube-sim removes
# its containers itself, but not one killed (by the test, or by cleanup past
# its 3 s), and not when a failed check ends the test before it stops.
remove_run_containers() {
  local label
  for label in "io.kube-sim.owner=$WORK/ks" "$RUN_LABEL"; do
    podman ps --all --quiet --filter "label=$label" | xargs -r podman rm --force --time 0 > /dev/null 2>&1 || true
  done
}

k() { kubectl --request-timeout=30s "$@"; }

fail() {
  echo "FAIL: $*" >&2
  {
    echo "--- controller log (tail)"; tail -40 "$WORK/ctrl.log" 2>/dev/null
    echo "--- pods"; k get pods -A -o wide 2>&1 | head -40
    echo "--- pvcs"; k get pvc -A 2>&1 | head -40
    echo "--- ossvps"; k get ossvp -A -o yaml 2>&1 | tail -60
  } >&2 || true
  exit 1
}
pass() { echo "ok: $*"; }

wait_for() {  # wait_for DESC SECONDS CMD...
  local desc=$1 secs=$(($2 * ${OSSVP_TIMEOUT_SCALE:-1}))
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" > /dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for: $desc"
    sleep 0.3
  done
}

start_emu() {
  local seed=$1
  shift
  OSS_EMULATOR_SECRET_KEY=$SK emulator_start EMU "$WORK/emu.out" "$WORK/emu.err" --data-dir "$WORK/emu" \
    --region cn-hangzhou --access-key "$AK" --seed "my-test-bucket=$seed" "$@" || fail "oss-emulator did not start"
  _PIDS+=("$EMU_PID")
}

start_kube_sim() {
  "$OSSVP_BIN/kube-sim" --listen 127.0.0.1:0 --state-dir "$WORK/ks" --kubeconfig-out "$WORK/kubeconfig" \
    --image-map "$POP_IMAGE=$OSSVP_BIN/ossvp-populator" --image-map "busybox=/bin/sh" "$@" \
    > "$WORK/ks.out" 2> "$WORK/ks.err" &
  _PIDS+=($!)
  [[ ! " $* " =~ \ --runtime[=\ ]podman\  ]] || _PODMAN=1
  wait_for "kube-sim kubeconfig" 60 test -s "$WORK/kubeconfig"
  export KUBECONFIG=$WORK/kubeconfig
  KS_URL=$(sed -n 's/^ *server: //p' "$KUBECONFIG" | head -1)
  KS_TOKEN=$(sed -n 's/^ *token: //p' "$KUBECONFIG" | head -1)
  wait_for "kube-sim API" 30 k get ns default
}

ks_admin() {  # ks_admin PATH: POST to a kube-sim admin endpoint
  curl_bearer "$KS_TOKEN" -sfk -X POST "$KS_URL$1" > /dev/null || fail "kube-sim admin $1"
}

install_ossvp() {
  k apply -f "$OSSVP_SRC/manifests/base/namespace.yaml" > /dev/null
  k apply -f "$OSSVP_SRC/crds/storage.alibabacloud.com_ossvolumepopulators.yaml" > /dev/null
  wait_for "CRD established" 30 k wait --for=condition=established --timeout=2s \
    crd/ossvolumepopulators.storage.alibabacloud.com
  k apply -f "$OSSVP_SRC/manifests/pod-handler/populator-rbac.yaml" > /dev/null
  k apply -f "$OSSVP_SRC/manifests/examples/kube-sim/storageclasses.yaml" > /dev/null
  k apply -f "$OSSVP_SRC/manifests/examples/generic/00-namespace.yaml" > /dev/null
  # The seed's Secret, with the emulator's AccessKey in place of the placeholders.
  fill_access_key "$OSSVP_SRC/manifests/examples/generic/01-secret.yaml" "$AK" "$SK" | k apply -f - > /dev/null
}

start_controller() {
  # A restarted controller appends to the same log: wait for its own line.
  local synced
  synced=$(grep -c "caches synced" "$WORK/ctrl.log" 2>/dev/null) || true
  "$OSSVP_BIN/ossvp-controller" --kubeconfig "$KUBECONFIG" --populator-image "$POP_IMAGE" \
    --feature-gates VolumePopulator=true,VolumePopulatorPodHandler=true --workers 4 \
    --endpoint-override "$OSS_HOST=$EMU_URL" --endpoint-override "sts.aliyuncs.com=$EMU_URL" \
    --retry-base-delay 1 --resync-period 5 --sweep-period 5 --log-level debug "$@" >> "$WORK/ctrl.log" 2>&1 &
  CTRL_PID=$!
  wait_for "controller caches" 30 bash -c "(( \$(grep -c 'caches synced' '$WORK/ctrl.log') > ${synced:-0} ))"
}

stop_controller() {
  kill -9 "$CTRL_PID" 2>/dev/null || true
  wait "$CTRL_PID" 2>/dev/null || true
  CTRL_PID=
}

# pvc_phase NS NAME: the PVC's status.phase, read once. kube-sim sets the
# phase when it admits a PVC (as the API server's defaulting does), so an
# empty answer is a failed kubectl call: its error goes to stderr and the
# empty phase goes back to the caller, whose wait or assertion then fails or
# tries again on its own terms (no hidden retry).
pvc_phase() {
  local phase err
  err=$(mktemp)
  if ! phase=$(k get pvc "$2" -n "$1" -o jsonpath='{.status.phase}' 2> "$err") || [[ -z "$phase" ]]; then
    echo "pvc_phase $1/$2: kubectl answered '${phase}': $(tr '\n' ' ' < "$err")" >&2
  fi
  rm -f "$err"
  printf '%s' "$phase"
}
pvc_bound() { [[ "$(pvc_phase "$1" "$2")" == Bound ]]; }

# make_pvc NS NAME OSSVP [CLASS] [SIZE]: a PVC filled from OSSVP.
pvc_yaml() {  # pvc_yaml NS NAME OSSVP [CLASS] [SIZE]: the manifest make_pvc applies
  cat <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $2
  namespace: $1
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${4:-alicloud-disk-essd}
  resources:
    requests:
      storage: ${5:-1Gi}
  dataSourceRef:
    apiGroup: storage.alibabacloud.com
    kind: OSSVolumePopulator
    name: $3
YAML
}

make_pvc() {  # make_pvc NS NAME OSSVP [CLASS] [SIZE]
  pvc_yaml "$@" | k apply -f - > /dev/null
}

# checksum pod: prints "md5  ./path" for every file of the PVC, sorted.
run_reader() {  # run_reader NS POD PVC
  k apply -f - > /dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $2
  namespace: $1
spec:
  restartPolicy: Never
  containers:
    - name: read
      image: busybox:1.36
      command: ["sh", "-c", "cd /data && find . -type f ! -path './.ossvp-populator/*' | sort | xargs md5sum"]
      volumeMounts:
        - name: data
          mountPath: /data
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: $3
YAML
  wait_for "reader pod $1/$2 to succeed" 60 bash -c \
    "[[ \$(kubectl get pod $2 -n $1 -o jsonpath='{.status.phase}') == Succeeded ]]"
  k logs "$2" -n "$1"
}

expected_sums() {  # expected_sums DIR: the same listing for a local directory
  (cd "$1" && find . -type f | sort | xargs md5sum)
}

# The describe output of an ossvp, for assertions.
describe_ossvp() { k describe ossvp "$2" -n "$1"; }
# ossvp_populated NS NAME: describe shows "Message: Populated successfully".
# The outcome joins the controller's next status write (up to 250 ms after
# the PVC is Bound, StatusWriter), so callers wait for it briefly.
ossvp_populated() { describe_ossvp "$1" "$2" | grep "Message: *Populated successfully" > /dev/null; }
