#!/usr/bin/env bash
# Bad input, table-driven: every invalid ossvp and PVC that the existing
# tests do not already cover, each with the exact message the user sees
# (API rejection text from `kubectl apply`, or the event/status shown by
# `kubectl describe`), and a snapshot of the cluster's object names before
# and after proving nothing else changed.
# Already covered elsewhere (not repeated here):
#   tests/integration/manifests/install_test.sh: missing bucket, bucket with
#     uppercase/underscore, endpoint with https://, path without leading
#     slash, unknown mode, bmcpfs throughput out of range, no credentials,
#     both secretRef and rrsaConfigs, half an rrsaConfigs, options of the
#     other mode;
#   tests/integration/controller/failures_test.sh: missing Secret, wrong
#     credentials, unreachable endpoint, missing bucket, too-small PVC,
#     volumeMode Block, ossvp created after its PVC.
source "$(dirname "$0")/lib.sh"

SEED=$WORK/seed
mkdir -p "$SEED/data"
echo hello > "$SEED/data/a.txt"
start_emu "$SEED"
start_kube_sim
install_ossvp
start_controller
BASE=$(cluster_names)
N=0

# reject NAME EXPECTED  (spec lines, indented 2, on stdin): kubectl apply
# fails with EXPECTED in its output and the cluster's objects are unchanged.
reject() {
  local name=$1 want=$2 out
  ossvp_yaml "$name" argo > "$WORK/bad.yaml"
  if out=$(k apply -f "$WORK/bad.yaml" 2>&1); then fail "$name: accepted ($out)"; fi
  grep -qF -- "$want" <<< "$out" || fail "$name: message lacks [$want]; got: $out"
  [[ "$(cluster_names)" == "$BASE" ]] || fail "$name: the cluster changed: $(diff <(echo "$BASE") <(cluster_names))"
  N=$((N + 1))
  pass "rejected $name: $want"
}
ok_spec='  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /data/
  mode: generic
  generic: {secretRef: oss-secret}'
without() { grep -v "^  $1:" <<< "$ok_spec"; }
with() { sed "s|^  $1:.*|  $1: $2|" <<< "$ok_spec"; }

# --- Every required field missing (bucket: install_test).
reject no-region 'spec.region: Required value' <<< "$(without region)"
reject no-endpoint 'spec.endpoint: Required value' <<< "$(without endpoint)"
reject no-spec 'spec: Required value' < /dev/null
# --- Wrong types.
reject bucket-number 'spec.bucket: Invalid value: "integer": spec.bucket in body must be of type string' \
  <<< "$(with bucket 1234)"
reject throughput-string 'spec.generic.throughput: Invalid value: "string": spec.generic.throughput in body must be of type integer' \
  <<< "$(with generic '{secretRef: oss-secret, throughput: fast}')"
reject generic-list 'spec.generic: Invalid value: "array": spec.generic in body must be of type object' \
  <<< "$(with generic '[oss-secret]')"
reject labels-list 'spec.generic.labels: Invalid value: "array": spec.generic.labels in body must be of type object' \
  <<< "$(with generic '{secretRef: oss-secret, labels: [a]}')"
# --- Out of range.
reject throughput-zero 'spec.generic.throughput: Invalid value: 0: spec.generic.throughput in body should be greater than or equal to 1' \
  <<< "$(with generic '{secretRef: oss-secret, throughput: 0}')"
reject throughput-negative 'spec.generic.throughput: Invalid value: -5: spec.generic.throughput in body should be greater than or equal to 1' \
  <<< "$(with generic '{secretRef: oss-secret, throughput: -5}')"
# --- Bucket names OSS rejects (3-63 of a-z 0-9 -, not starting/ending with -).
reject bucket-short 'spec.bucket: Invalid value: "ab": spec.bucket in body should be at least 3 chars long' <<< "$(with bucket ab)"
long=$(printf 'b%.0s' $(seq 1 64))
reject bucket-long "spec.bucket: Too long: may not be more than 63 bytes" <<< "$(with bucket "$long")"
reject bucket-leading-hyphen 'spec.bucket: Invalid value: "-bucket": spec.bucket in body should match' <<< "$(with bucket '"-bucket"')"
reject bucket-trailing-hyphen 'spec.bucket: Invalid value: "bucket-": spec.bucket in body should match' <<< "$(with bucket bucket-)"
reject bucket-dot 'spec.bucket: Invalid value: "my.bucket": spec.bucket in body should match' <<< "$(with bucket my.bucket)"
# --- Endpoint with a scheme (http; https is in install_test), a path, a query.
reject endpoint-http 'spec.endpoint: Invalid value: "http://oss-cn-hangzhou.aliyuncs.com"' <<< "$(with endpoint http://oss-cn-hangzhou.aliyuncs.com)"
reject endpoint-path 'spec.endpoint: Invalid value: "oss-cn-hangzhou.aliyuncs.com/my-test-bucket"' \
  <<< "$(with endpoint oss-cn-hangzhou.aliyuncs.com/my-test-bucket)"
reject endpoint-query 'spec.endpoint: Invalid value: "oss-cn-hangzhou.aliyuncs.com?x=1"' <<< "$(with endpoint '"oss-cn-hangzhou.aliyuncs.com?x=1"')"
# --- Paths that would escape or are ambiguous.
reject path-dotdot 'spec.path: Invalid value: "/data/../etc/"' <<< "$(with path /data/../etc/)"
reject path-double-slash 'spec.path: Invalid value: "//data/"' <<< "$(with path //data/)"
# --- Region, Secret name, ARNs malformed.
reject region-upper 'spec.region: Invalid value: "CN-Hangzhou"' <<< "$(with region CN-Hangzhou)"
reject secret-name 'spec.generic.secretRef: Invalid value: "Oss_Secret"' <<< "$(with generic '{secretRef: Oss_Secret}')"
reject role-arn 'spec.generic.rrsaConfigs.roleArn: Invalid value: "arn:aws:iam::1:role/x"' \
  <<< "$(with generic "{rrsaConfigs: {roleArn: 'arn:aws:iam::1:role/x', oidcProviderArn: 'acs:ram::1:oidc-provider/p'}}")"
# --- A typo'd field is not silently ignored.
reject unknown-field 'unknown field "spec.bukcet"' <<< "$ok_spec
  bukcet: other-bucket"
echo "API rejections: $N cases, cluster unchanged after each"

# --- Accepted by the API, refused by the controller: the message is in
# `kubectl describe` (event on the PVC, status/event on the ossvp), and
# nothing is created in ack-volume-populator.
# describe_case NAME PVC-YAML-EXTRA WANT-ON-PVC [WANT-ON-OSSVP]
pvc_says() { grep -qF -- "$2" <<< "$(k describe pvc "$1" -n argo)"; }
ossvp_says() { grep -qF -- "$2" <<< "$(k describe ossvp "$1" -n argo)"; }
no_populator_objects() {
  local left
  left=$(k get pods,pvc -n "$PNS" -o name)
  [[ -z "$left" ]] || fail "$1: objects appeared in $PNS: $left"
}

# A Secret without the keys.
k create secret generic half-secret -n "$PNS" --from-literal=accessKeyId="$AK" > /dev/null
ossvp_yaml half argo <<< "$(with generic '{secretRef: half-secret}')" | k apply -f - > /dev/null
make_pvc argo half-pvc half
want="Secret $PNS/half-secret has no key 'accessKeySecret': it needs accessKeyId and accessKeySecret"
wait_for "the missing-key message on the PVC" 30 pvc_says half-pvc "$want"
ossvp_says half "has no key 'accessKeySecret'" || fail "ossvp half: describe lacks the missing-key message"
[[ "$(pvc_phase argo half-pvc)" == Pending ]] || fail "half-pvc should stay Pending"
no_populator_objects "Secret without keys"
pass "Secret without accessKeySecret: $want"
# Fixing the Secret unblocks it (the message was actionable).
k patch secret half-secret -n "$PNS" --patch-file <(printf '{"stringData":{"accessKeySecret":"%s"}}' "$SK") > /dev/null
wait_for "half-pvc Bound once the Secret has its keys" 90 pvc_bound argo half-pvc
pass "after adding the key, the PVC is populated"

# A StorageClass that does not exist.
ossvp_yaml nosc argo <<< "$ok_spec" | k apply -f - > /dev/null
make_pvc argo nosc-pvc nosc no-such-class
want="StorageClass no-such-class not found: population waits until it exists"
wait_for "the missing-StorageClass message" 30 pvc_says nosc-pvc "$want"
[[ "$(pvc_phase argo nosc-pvc)" == Pending ]] || fail "nosc-pvc should stay Pending"
no_populator_objects "missing StorageClass"
pass "StorageClass that does not exist: $want"

# (A dataSourceRef without a name is accepted by kube-sim although the real
# API server rejects it: see regression_kubesim_datasourceref_name.sh.)

# Cleanup of the accepted cases leaves the cluster as it was.
k delete pvc half-pvc nosc-pvc -n argo --wait=false > /dev/null
k delete ossvp half nosc -n argo --wait=false > /dev/null
k delete secret half-secret -n "$PNS" > /dev/null
cluster_is_base() { [[ "$(cluster_names)" == "$BASE" ]]; }
wait_for "cluster back to its initial objects" 60 cluster_is_base
pass "after deleting the accepted cases, the cluster's objects are exactly as before"
echo "bad input: all checks passed"
