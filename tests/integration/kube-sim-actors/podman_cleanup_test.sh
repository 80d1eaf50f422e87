#!/usr/bin/env bash
# A kube-sim --runtime podman test that fails midway leaves no container of
# its run behind and removes no other container. A scenario shaped like
# podman_runtime_test.sh (controller/lib.sh, a pod running as a container, a
# container of the test's own with RUN_LABEL, kube-sim killed with SIGKILL so
# that it cannot remove its containers, then a failed check) runs as a child;
# after it exited 1, no container of its run may exist, while a container
# made here with a label of its own (a bystander, as another test's or a
# user's would be) must still exist. Skips (exit 77, reason printed) without
# root, podman, runc or the image. Env: OSSVP_BIN (build/bin), OSSVP_SRC.
set -uo pipefail
IMAGE=debian:bookworm-slim
source "$OSSVP_SRC/hack/lib/container-prereqs.sh"
require_container_runtime "$IMAGE"

TMP=$(mktemp -d /tmp/podman-cleanup-test.XXXXXX)
BYSTANDER=io.ossvp.cleanup-test-bystander=$TMP
CHILD_WORK=
# Whatever this test or its child made, whether it passed or not.
remove_labelled() {  # remove_labelled LABEL
  podman ps --all --quiet --filter "label=$1" | xargs -r podman rm --force --time 0 > /dev/null 2>&1 || true
}
finish() {
  remove_labelled "$BYSTANDER"
  if [[ -n "$CHILD_WORK" ]]; then
    remove_labelled "io.kube-sim.owner=$CHILD_WORK/ks"
    remove_labelled "io.ossvp.test-run=$CHILD_WORK"
  fi
  rm -rf "$TMP"
}
trap finish EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

podman create --label "$BYSTANDER" --pull never "$IMAGE" /bin/true > /dev/null || fail "cannot create the bystander container"

cat > "$TMP/child.sh" <<'CHILD'
source "$OSSVP_SRC/tests/integration/controller/lib.sh"
echo "$WORK" > "$CHILD_WORK_FILE"
start_kube_sim --runtime podman
KS_PID=${_PIDS[-1]}
k create namespace t > /dev/null
printf -- '---\n{apiVersion: v1, kind: Pod, metadata: {name: sleeper, namespace: t}, spec: {containers: [{name: main, image: %s, command: [/bin/sleep, "600"]}]}}\n' \
  "$IMAGE" | k apply -f - > /dev/null
wait_for "pod sleeper Running" 60 bash -c "[[ \$(kubectl get pod sleeper -n t -o jsonpath='{.status.phase}') == Running ]]"
podman create --label "$RUN_LABEL" --pull never "$IMAGE" /bin/true > /dev/null || exit 3
kill -9 "$KS_PID"
wait "$KS_PID" 2> /dev/null || true
fail "a check fails midway (on purpose)"
CHILD
CHILD_WORK_FILE=$TMP/child-work IMAGE=$IMAGE bash "$TMP/child.sh" > "$TMP/child.log" 2>&1
rc=$?
CHILD_WORK=$(cat "$TMP/child-work" 2>/dev/null)
[[ -n "$CHILD_WORK" ]] || fail "the child did not say its WORK: $(tail -20 "$TMP/child.log")"
grep -q "FAIL: a check fails midway (on purpose)" "$TMP/child.log" && ((rc == 1)) \
  || fail "the child did not fail where meant to (exit $rc): $(tail -20 "$TMP/child.log")"

left=$(podman ps --all --format '{{.ID}} {{.Names}} {{.Labels}}' --filter "label=io.kube-sim.owner=$CHILD_WORK/ks")
[[ -z "$left" ]] || fail "kube-sim's containers of a failed run left behind: $left"
left=$(podman ps --all --format '{{.ID}} {{.Names}}' --filter "label=io.ossvp.test-run=$CHILD_WORK")
[[ -z "$left" ]] || fail "the test's own container (RUN_LABEL) left behind: $left"
echo "ok: a run that failed after its kube-sim was killed left none of its containers"
[[ -n "$(podman ps --all --quiet --filter "label=$BYSTANDER")" ]] || fail "the cleanup removed a container not of its run"
echo "ok: a container not of the run is left alone"
echo "podman cleanup: all checks passed"
