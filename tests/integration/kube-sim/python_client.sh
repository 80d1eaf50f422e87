#!/usr/bin/env bash
# kube-sim with the official Kubernetes Python client (python3-kubernetes):
# starts build/bin/kube-sim and runs python_client_check.py against it over
# HTTPS with the kubeconfig kube-sim writes (embedded CA, bearer token).
set -uo pipefail

BIN=${OSSVP_BIN:-$(cd "$(dirname "$0")/../../../build/bin" && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
KUBESIM=${KUBESIM_BIN:-$BIN/kube-sim}

# The Debian package installs into the system interpreter's dist-packages.
source "$(dirname "$0")/../../../hack/lib/python.sh"
PY=$(python_with kubernetes)
[ -x "$KUBESIM" ] || { echo "FAIL - $KUBESIM is not built (cmake --build build --target kube-sim)" >&2; exit 1; }

WORK=$(mktemp -d)
"$KUBESIM" --listen 127.0.0.1:0 --state-dir "$WORK/state" --kubeconfig-out "$WORK/kubeconfig" \
  --image-map "busybox:1=$(command -v sh)" > "$WORK/kube-sim.log" 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 300); do
  [ -s "$WORK/kubeconfig" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || break
  sleep 0.1
done
if [ ! -s "$WORK/kubeconfig" ]; then
  echo "FAIL - kube-sim did not write its kubeconfig within 30 s; its log:" >&2
  tail -n 20 "$WORK/kube-sim.log" >&2
  exit 1
fi

HOME=$WORK "$PY" "$HERE/python_client_check.py" "$WORK/kubeconfig" pyclient "$WORK/log-gate"
rc=$?
[ $rc -eq 0 ] || { echo "--- kube-sim log (last 20 lines)"; tail -n 20 "$WORK/kube-sim.log"; }
exit $rc
