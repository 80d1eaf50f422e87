#!/usr/bin/env bash
# Secrets never leak: populate with recognisable credentials on both paths
# (an AccessKey Secret; RRSA = a projected OIDC token exchanged at STS for an
# STS token), plus a wrong AccessKey secret (error paths are where secrets
# usually leak), then search everything a user or an operator can see:
#   * every log line of the controller, kube-sim and every populator pod
#     (kube-sim's pod-logs), and the emulator's request lines;
#   * every Event, every ossvp status, every pod (spec, args, env, termination
#     messages: `kubectl get pods -A -o json`), every object of every kind;
#   * every file of kube-sim's state dir, with exactly these exclusions:
#       - the Secret objects inside store.json (they hold the AccessKey by
#         design; every other object of store.json is searched),
#       - the files kube-sim writes into pod sandboxes for secret/projected
#         volumes (volumes/rrsa-oidc-token/token is where the OIDC token is
#         delivered to the populator; that is its purpose),
#       - pki/ is searched (it must not contain our values either);
#   * the command line of every running ossvp process.
# The STS AccessKeySecret and SecurityToken are minted randomly by the
# emulator, so the test matches the token by its shape (CAIS + >=100 base64
# characters) and the STS AccessKeyId "STS.<hex>" is reported only where it
# is paired with a secret. Zero hits, or the test fails naming every place.
source "$(dirname "$0")/lib.sh"

SK="LeakCanarySK-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WRONG_SK="LeakCanaryWrong-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ROLE='acs:ram::1234567*****:role/oss-populator'
PROVIDER='acs:ram::1234567*****:oidc-provider/my-oidc-provider'

SEED=$WORK/seed
mkdir -p "$SEED/many-files/sub"
for i in $(seq 1 8); do head -c $((RANDOM + 1)) /dev/urandom > "$SEED/many-files/f$i.bin"; done
head -c 4000000 /dev/urandom > "$SEED/many-files/big.bin"
echo hello > "$SEED/many-files/sub/a.txt"

mkdir -p "$SEED/model/Qwen3-32B/sub"
head -c 200000 /dev/urandom > "$SEED/model/Qwen3-32B/model.safetensors"
echo '{"a":1}' > "$SEED/model/Qwen3-32B/sub/config.json"

# bmcpfs-dataflow: the controller calls the NAS OpenAPI (the emulator) with
# the AccessKey from its environment (the same canary secret).
CPFS=0
if grep -q -- --cpfs-endpoint <<< "$("$OSSVP_BIN/ossvp-controller" --help 2>&1)"; then CPFS=1; fi
FSID=bmcpfs-29000z8xz3lf5xxxxxxxx  # the seed's StorageClass
mkdir -p "$WORK/cpfs/$FSID"
start_emu "$SEED" --sts-role-arn "$ROLE" --sts-oidc-provider-arn "$PROVIDER" --log-level debug \
  --cpfs-root "$WORK/cpfs" --seed "my-model-bucket=$SEED/model"
KUBESIM_NAS_ENDPOINT=$EMU_URL KUBESIM_NAS_ACCESS_KEY_ID=$AK KUBESIM_NAS_ACCESS_KEY_SECRET=$SK \
  start_kube_sim --log-level debug --cpfs-root "$WORK/cpfs"
install_ossvp
if ((CPFS)); then
  ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK start_controller --cpfs-endpoint "$EMU_URL"
else
  echo "note: bmcpfs-dataflow skipped: ossvp-controller --help has no --cpfs-endpoint (not implemented yet)"
  start_controller
fi

# --- Secret path.
k apply -f "$OSSVP_SRC/manifests/examples/generic/03-ossvp-secretref.yaml" > /dev/null
k apply -f "$OSSVP_SRC/manifests/examples/generic/04-pvc-secretref.yaml" > /dev/null
# --- RRSA path (the seed's ossvp, ARNs match the emulator's STS).
# Throttled (2 MB/s over a 4 MB file) so the projected token can be collected
# from the populator pod's sandbox while it runs.
sed 's/# throughput: 1000/throughput: 2/' "$OSSVP_SRC/manifests/examples/generic/02-ossvp-rrsa.yaml" \
  | k apply -f - > /dev/null
TOKENS=$WORK/oidc-tokens
mkdir -p "$TOKENS"
( while :; do
    for f in "$WORK"/ks/actors/pods/*/volumes/rrsa-oidc-token/token; do
      [[ -s "$f" ]] && cp "$f" "$TOKENS/$(basename "$(dirname "$(dirname "$(dirname "$f")")")")" 2>/dev/null
    done
    sleep 0.1
  done ) &
_PIDS+=($!)
make_pvc argo rrsa-pvc generic-demo
# --- Wrong secret: a permanent failure whose messages must not echo it.
secret_create "$PNS" bad-keys accessKeyId="$AK" accessKeySecret="$WRONG_SK" > /dev/null
ossvp_yaml bad-creds argo <<'YAML' | k apply -f - > /dev/null
  bucket: my-test-bucket
  region: cn-hangzhou
  endpoint: oss-cn-hangzhou-internal.aliyuncs.com
  path: /many-files/
  mode: generic
  generic: {secretRef: bad-keys}
YAML
make_pvc argo badcreds bad-creds

if ((CPFS)); then
  for f in 00-namespace 01-storageclass 02-ossvp 03-pvc; do
    k apply -f "$OSSVP_SRC/manifests/examples/bmcpfs-dataflow/$f.yaml" > /dev/null
  done
fi
wait_for "PVC many-files Bound (Secret path)" 120 pvc_bound argo many-files
wait_for "PVC rrsa-pvc Bound (RRSA path)" 120 pvc_bound argo rrsa-pvc
wait_for "bad-creds failure reported" 90 bash -c "grep -q 'not retried' <<< \"\$(kubectl describe ossvp bad-creds -n argo)\""
want=$(expected_sums "$SEED/many-files")
[[ "$(run_reader argo r1 many-files)" == "$want" ]] || fail "Secret path data differs"
[[ "$(run_reader argo r2 rrsa-pvc)" == "$want" ]] || fail "RRSA path data differs"
pass "both paths populated byte-identically; the wrong secret failed"
if ((CPFS)); then
  wait_for "bmcpfs PVC Bound" 120 pvc_bound bmcpfs-dataflow-demo qwen3-32b
  [[ "$(run_reader bmcpfs-dataflow-demo r3 qwen3-32b)" == "$(expected_sums "$SEED/model/Qwen3-32B")" ]] \
    || fail "bmcpfs-dataflow data differs"
  pass "bmcpfs-dataflow populated byte-identically (controller holds the AccessKey in its environment)"
fi
grep -q "AssumeRoleWithOIDC" "$WORK/emu.err" "$WORK/emu.out" 2>/dev/null \
  || grep -rq "STS\.\|AssumeRole" "$WORK/ks/pod-logs" 2>/dev/null \
  || echo "note: could not confirm from logs that STS was called (the RRSA PVC is Bound, so it was)"

# The OIDC tokens kube-sim delivered to the RRSA populator pod(s).
OIDC=()
for f in "$TOKENS"/*; do [[ -s "$f" ]] && OIDC+=("$(cat "$f")"); done
((${#OIDC[@]} > 0)) || fail "could not collect the projected OIDC token of the RRSA populator pod"
pass "collected ${#OIDC[@]} OIDC token(s) from the RRSA populator pod(s)"

# --- Gather everything visible into $WORK/seen/<place>.
S=$WORK/seen
mkdir -p "$S"
cp "$WORK/ctrl.log" "$S/controller.log"
cp "$WORK/ks.out" "$S/kube-sim.stdout"; cp "$WORK/ks.err" "$S/kube-sim.stderr"
cat "$WORK/emu.out" "$WORK/emu.err" > "$S/emulator.log"
k get events -A -o json > "$S/events.json"
k get ossvp -A -o json > "$S/ossvp-status.json"
k get pods -A -o json > "$S/pods.json"
k describe pvc -A > "$S/describe-pvc.txt" 2>&1
k describe ossvp -A > "$S/describe-ossvp.txt" 2>&1
k describe pods -A > "$S/describe-pods.txt" 2>&1
for kind in $(k api-resources --verbs=list -o name | grep -v '^secrets$'); do
  k get "$kind" -A -o json > "$S/all-$kind.json" 2>/dev/null || true
done
for p in $(pgrep -f "$OSSVP_BIN/ossvp-" || true); do
  tr '\0' ' ' < "/proc/$p/cmdline" > "$S/cmdline-$p" 2>/dev/null || true
done
jq 'del(.objects["/secrets"])' "$WORK/ks/store.json" > "$S/store-without-secrets.json"
n_secrets=$(jq '.objects["/secrets"] | length' "$WORK/ks/store.json")
((n_secrets >= 2)) || fail "store.json layout changed: found $n_secrets Secret objects (expected >= 2)"
# Every other state-dir file (pod logs, actor data, pki), minus the exclusions.
while IFS= read -r -d '' f; do
  rel=${f#"$WORK/ks/"}
  case "$rel" in
    store.json | store.json.*) continue ;;           # searched above, Secrets removed
    */volumes/rrsa-oidc-token/*) continue ;;           # delivers the OIDC token
    */volumes/kube-sim-api-access/*) continue ;;       # the automounted SA token
  esac
  if [[ "$rel" == */volumes/*/* ]]; then
    vol=${rel#*/volumes/}; vol=${vol%%/*}
    # a Secret-backed volume of some pod: holds the Secret by design
    jq -e --arg v "$vol" '[.items[].spec.volumes[]? | select(.name==$v and (.secret or .projected))] | length > 0' \
      "$S/pods.json" > /dev/null && continue
  fi
  mkdir -p "$S/state/$(dirname "$rel")"
  cp "$f" "$S/state/$rel" 2>/dev/null || true
  : # (a file removed meanwhile is simply skipped)
done < <(find "$WORK/ks" -type f -print0)

# --- Search.
JWT_RE='eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}'
scan() {  # scan DIR: prints "  <what> in <file>" for every secret found under DIR
  local dir=$1 t f jwt payload
  # The value is matched from a pipe, not from grep's argv.
  one() { [[ -n "$2" ]] && grep -rlaF -f <(printf '%s\n' "$2") "$dir" | sed "s|^$dir/|  $1 in |" || true; }
  one "AccessKey secret" "$SK"
  one "wrong AccessKey secret" "$WRONG_SK"
  for t in "${OIDC[@]}"; do
    one "OIDC token" "$t"
    one "OIDC token signature" "${t##*.}"
  done
  # STS SecurityToken (random, minted by the emulator) by its shape.
  grep -rlaE 'CAIS[A-Za-z0-9+/=]{100,}' "$dir" | sed "s|^$dir/|  STS SecurityToken in |" || true
  # Any JWT whose audience is STS (an OIDC token, whoever minted it).
  for f in $(grep -rlaE "$JWT_RE" "$dir" || true); do
    grep -aoE "$JWT_RE" "$f" | while read -r jwt; do
      payload=$(cut -d. -f2 <<< "$jwt" | tr '_-' '/+'); while ((${#payload} % 4)); do payload+="="; done
      if grep -q 'sts.aliyuncs.com' <<< "$(base64 -d <<< "$payload" 2>/dev/null)"; then
        echo "  OIDC-audience JWT in ${f#"$dir/"}"
      fi
    done || true
  done
}
# Self-check: the scan finds each value when it is planted (so a pass means
# the values are really absent, not that the search is broken).
PLANT=$WORK/planted
mkdir -p "$PLANT"
printf 'x %s y\n' "$SK" > "$PLANT/sk"; printf '%s\n' "$WRONG_SK" > "$PLANT/wrong"
cp "$TOKENS"/* "$PLANT/"
printf 'token=CAIS%s\n' "$(head -c 300 /dev/urandom | base64 -w0)" > "$PLANT/sts"
found=$(scan "$PLANT" | sort -u)
for want in "AccessKey secret in sk" "wrong AccessKey secret in wrong" "STS SecurityToken in sts" \
            "OIDC token in" "OIDC-audience JWT in"; do
  grep -qF -- "$want" <<< "$found" || fail "self-check: the scan misses a planted value ($want): $found"
done
pass "self-check: the scan finds every planted value"

hits=$(scan "$S" | sort -u)
if [[ -n "$hits" ]]; then
  echo "$hits" >&2
  fail "secrets leaked ($(wc -l <<< "$hits") place(s), listed above)"
fi
pass "no secret value in $(find "$S" -type f | wc -l) files of logs, events, statuses, pods, objects, state"
echo "secret leak: all checks passed"
