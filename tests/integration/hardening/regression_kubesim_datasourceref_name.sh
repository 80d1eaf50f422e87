#!/usr/bin/env bash
# Regression (found by hardening_bad_input): kube-sim accepts a PVC whose
# spec.dataSourceRef has no name; the real API server rejects it
# (ValidatePersistentVolumeClaimSpec -> validateDataSource:
# "spec.dataSourceRef.name: Required value"), so users of kube-sim never see
# the message a real cluster gives, and the controller gets a PVC it cannot
# resolve. Owner: hack/kube-sim (built-in admission / validation).
source "$(dirname "$0")/lib.sh"
start_kube_sim
install_ossvp
before=$(cluster_names)
out=$(apply_claim wrong-ref <<'YAML'
  dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator}
YAML
)
grep -qF "spec.dataSourceRef.name: Required value" <<< "$out" || fail "PVC with a nameless dataSourceRef: got: $out"
[[ "$(cluster_names)" == "$before" ]] || fail "the PVC was created anyway"
pass "a nameless dataSourceRef is rejected as on a real API server"
