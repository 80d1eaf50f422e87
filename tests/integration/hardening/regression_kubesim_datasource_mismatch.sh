#!/usr/bin/env bash
# Regression: kube-sim accepted a PVC whose spec.dataSource and
# spec.dataSourceRef name different objects, and copied dataSourceRef into
# dataSource only for PVCs and VolumeSnapshots. The real API server
# (AnyVolumeDataSource, GA) rejects the pair ("spec: Invalid value: {}: must
# match dataSourceRef") and copies a populator reference into dataSource too
# (NormalizeDataSources), which `kubectl get pvc -o yaml` shows. Owner:
# hack/kube-sim (built-in admission).
source "$(dirname "$0")/lib.sh"
start_kube_sim
install_ossvp
before=$(cluster_names)
out=$(apply_claim two-sources <<'YAML'
  dataSource: {kind: PersistentVolumeClaim, name: other-claim}
  dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator, name: dataset}
YAML
)
grep -qF 'spec: Invalid value: {}: must match dataSourceRef' <<< "$out" || fail "PVC with two different sources: got: $out"
[[ "$(cluster_names)" == "$before" ]] || fail "the PVC was created anyway"

out=$(apply_claim ref-only <<'YAML'
  dataSourceRef: {apiGroup: storage.alibabacloud.com, kind: OSSVolumePopulator, name: dataset}
YAML
)
grep -qF "persistentvolumeclaim/ref-only created" <<< "$out" || fail "a PVC with a populator dataSourceRef: got: $out"
ds=$(k get pvc ref-only -n default -o jsonpath='{.spec.dataSource.apiGroup}/{.spec.dataSource.kind}/{.spec.dataSource.name}')
[[ "$ds" == "storage.alibabacloud.com/OSSVolumePopulator/dataset" ]] || fail "dataSource after create: '$ds'"
k delete pvc ref-only -n default --wait=false >/dev/null
pass "two different data sources are rejected, and a populator reference is copied into dataSource, as on a real API server"
