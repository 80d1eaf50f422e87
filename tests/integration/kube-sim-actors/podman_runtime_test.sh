#!/usr/bin/env bash
# kube-sim --runtime podman with the real kubectl: pods run as real containers
# of the debian:bookworm-slim base image (hack/images.sh imports it into the
# local podman storage). Checks exit code and reason, the termination message,
# env from a Secret, a PVC written by a non-root uid with fsGroup, read-only
# root, no-new-privileges and dropped capabilities, the service account
# mount and KUBERNETES_SERVICE_*, runAsNonRoot refusing a root image,
# OOMKilled under a memory limit, kubectl logs, pod deletion (container
# stopped and removed) and no container left when kube-sim stops. On exit,
# passed or failed midway, no container of this run is left either (the
# cleanup of controller/lib.sh: kube-sim's by their owner label, the test's
# own by RUN_LABEL; podman_cleanup_test.sh checks it), and no other is touched.
# Skips (exit 77, reason printed) without root, podman, runc or the image.
# Env: OSSVP_BIN (build/bin), OSSVP_SRC (repo root).
IMAGE=debian:bookworm-slim
source "$OSSVP_SRC/hack/lib/container-prereqs.sh"
require_container_runtime "$IMAGE"

source "$OSSVP_SRC/tests/integration/controller/lib.sh"
source "$OSSVP_SRC/tests/integration/lib/assert.sh"
terminated() { jp pod "$1" -n t -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}'; }
wait_phase() {  # wait_phase POD PHASE
  wait_for "pod $1 $2" 60 bash -c "[[ \$(kubectl get pod $1 -n t -o jsonpath='{.status.phase}') == $2 ]]"
}
apply_pod() {  # apply_pod POD SPEC (YAML flow mapping)
  printf -- '---\n{apiVersion: v1, kind: Pod, metadata: {name: %s, namespace: t}, spec: %s}\n' "$1" "$2" \
    | k apply -f - > /dev/null || fail "apply pod $1"
}
sleeper() {  # sleeper POD: a pod sleeping in a container (grace period 2 s), Running
  apply_pod "$1" "{terminationGracePeriodSeconds: 2, containers: [{name: main, image: $IMAGE, command: [/bin/sleep, '600']}]}"
  wait_phase "$1" Running
}
# Podman containers kube-sim owns (by label), optionally of one pod.
owned() {
  podman ps --all --quiet --filter "label=io.kube-sim.owner=$WORK/ks" \
    ${1:+--filter "label=io.kubernetes.pod.name=$1"}
}

start_kube_sim --runtime podman
KS_PID=${_PIDS[-1]}
k create namespace t > /dev/null
secret_create t creds token=s3cr3t > /dev/null

# --- a non-root pod: secret env, PVC with fsGroup, read-only root, SA mount -----
k apply -f - > /dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: vol, namespace: t}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: t}
spec:
  restartPolicy: Never
  securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000}
  volumes: [{name: data, persistentVolumeClaim: {claimName: vol}}]
  containers:
  - name: main
    image: $IMAGE
    command: [/bin/sh, -c]
    args:
    - |
      echo "uid=\$(id -u) groups=\$(id -G)"
      echo "token=\$TOKEN"
      [ -f /run/.containerenv ] && echo "in a container"
      echo hello > /data/by-container && echo "wrote /data/by-container"
      if touch /rootfile 2>/dev/null; then echo "root writable"; else echo "root read-only"; fi
      grep -E '^(NoNewPrivs|CapEff):' /proc/self/status | tr -s '\t' ' '
      echo "sa-namespace=\$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"
      [ -s /var/run/secrets/kubernetes.io/serviceaccount/token ] && echo "sa-token present"
      echo "api=\$KUBERNETES_SERVICE_HOST:\$KUBERNETES_SERVICE_PORT"
      echo "to stderr" >&2
      printf 'bye from writer' > /dev/termination-log
      exit 3
    env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
    volumeMounts: [{name: data, mountPath: /data}]
    securityContext:
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
YAML
wait_phase writer Failed
expect_eq "$(terminated writer)" "3 Error" "writer terminated state"
expect_eq "$(jp pod writer -n t -o jsonpath='{.status.containerStatuses[0].state.terminated.message}')" \
  "bye from writer" "writer termination message"
expect_contains "$(jp pod writer -n t -o jsonpath='{.status.containerStatuses[0].containerID}')" "podman://" "containerID"
LOGS=$(k logs writer -n t)
for want in "uid=1000 groups=1000 2000" "token=s3cr3t" "in a container" "wrote /data/by-container" "root read-only" \
  "NoNewPrivs: 1" "CapEff: 0000000000000000" "sa-namespace=t" "sa-token present" \
  "api=${KS_URL#https://}" "to stderr"; do
  expect_contains "$LOGS" "$want" "writer logs"
done
VOL_DIR=$(jp pv "$(jp pvc vol -n t -o jsonpath='{.spec.volumeName}')" -o jsonpath='{.spec.csi.volumeAttributes.kubesim\.io/host-path}')
expect_eq "$(stat -c '%u:%g %a' "$VOL_DIR/by-container")" "1000:2000 644" "file the container wrote (owner, fsGroup)"
expect_eq "$(stat -c '%g' "$VOL_DIR") $(($(stat -c '0%a' "$VOL_DIR") & 02070))" "2000 $((02070))" \
  "volume directory group, setgid and group rwx bits (fsGroup)"
pass "non-root container: exit 3 Error, termination message, Secret env, fsGroup volume, read-only root, no-new-privileges, no capabilities, service account, logs"

# --- runAsNonRoot with an image that runs as root: refused ---------------------
apply_pod rootimg "{restartPolicy: Never, securityContext: {runAsNonRoot: true},
  containers: [{name: main, image: $IMAGE, command: [/bin/true]}]}"
wait_for "rootimg CreateContainerConfigError" 30 bash -c \
  "[[ \$(kubectl get pod rootimg -n t -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}') == CreateContainerConfigError ]]"
expect_contains "$(jp pod rootimg -n t -o jsonpath='{.status.containerStatuses[0].state.waiting.message}')" \
  "container has runAsNonRoot and image will run as root" "rootimg waiting message"
expect_eq "$(owned rootimg)" "" "podman containers of rootimg"
pass "runAsNonRoot refuses the root image user (CreateContainerConfigError), no container created"

# --- OOMKilled under a memory limit -------------------------------------------------
if ! podman --runtime /usr/sbin/runc --cgroup-manager cgroupfs run --rm --label "$RUN_LABEL" --pull never --network none \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --memory 32m "$IMAGE" /bin/true > "$WORK/memory-probe" 2>&1; then
  echo "skip: OOMKilled case: this machine's cgroups refuse a container memory limit: $(cat "$WORK/memory-probe")"
else
  apply_pod oom "{restartPolicy: Never, containers: [{name: main, image: $IMAGE,
    command: [/bin/sh, -c, 'x=a; while true; do x=\"\$x\$x\"; done'], resources: {limits: {memory: 32Mi}}}]}"
  wait_phase oom Failed
  expect_eq "$(terminated oom)" "137 OOMKilled" "oom terminated state"
  pass "a container over its memory limit: exit 137 OOMKilled"
fi

# --- deletion: SIGTERM, SIGKILL after the grace period, container removed -------
sleeper sleeper
expect_eq "$(podman inspect --format '{{.State.Status}}' "$(owned sleeper)")" "running" "sleeper's podman container"
# A stopped container is removed on the runtime's removal thread (never the
# kubelet's), so its removal may end just after the pod is gone.
k delete pod sleeper -n t --wait=true --timeout=60s > /dev/null || fail "delete sleeper"
wait_for "sleeper's podman container removed" 30 bash -c "[[ -z \$(podman ps --all --quiet --filter label=io.kube-sim.owner=$WORK/ks --filter label=io.kubernetes.pod.name=sleeper) ]]"
k delete pod writer oom rootimg -n t --ignore-not-found --wait=true --timeout=60s > /dev/null || fail "delete pods"
wait_for "every podman container removed" 30 bash -c "[[ -z \$(podman ps --all --quiet --filter label=io.kube-sim.owner=$WORK/ks) ]]"
pass "pod deletion stops and removes its container; none left behind"

# --- leftovers: a killed kube-sim's containers are removed at its next start,
# --- and a stopping kube-sim removes the containers it still runs ---------------
sleeper last
LEFTOVER=$(owned last)
[[ -n "$LEFTOVER" ]] || fail "no podman container for pod last"
kill -9 "$KS_PID"
wait "$KS_PID" 2> /dev/null || true
expect_eq "$(podman inspect --format '{{.State.Status}}' "$LEFTOVER")" "running" "container of a killed kube-sim"
rm -f "$KUBECONFIG"
start_kube_sim --runtime podman
KS_PID=${_PIDS[-1]}
podman container exists "$LEFTOVER" && fail "container $LEFTOVER of the killed kube-sim still exists after the restart"
wait_for "last Running again" 60 bash -c "[[ \$(kubectl get pod last -n t -o jsonpath='{.status.containerStatuses[0].restartCount}') == 1 && \$(kubectl get pod last -n t -o jsonpath='{.status.phase}') == Running ]]"
[[ -n "$(owned last)" ]] || fail "no podman container for pod last after the restart"
kill "$KS_PID"
wait_for "kube-sim exit" 30 bash -c "! kill -0 $KS_PID"
expect_eq "$(owned)" "" "podman containers after kube-sim stopped"
pass "a killed kube-sim's containers are removed at its next start; a stopping kube-sim removes its containers"
