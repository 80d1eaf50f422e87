#!/usr/bin/env bash
# No secret on a command line. Every user can read a process's arguments
# (/proc/PID/cmdline, ps), so the harness hands secrets to programs through
# their environment, a pipe or a mode-600 file (hack/lib/secrets.sh). This
# test runs the paths that hand secrets over under strace, which records the
# arguments of every program started (execve; not its environment):
#   * start_emu: the emulator gets the AccessKey secret (OSS_EMULATOR_SECRET_KEY);
#   * install_ossvp: the examples' Secret with the AccessKey (fill_access_key);
#   * secret_create: a generic Secret from KEY=VALUE pairs;
#   * ks_admin / curl_bearer: kube-sim's admin token in a header;
#   * kubeconfig_with_token: a ServiceAccount token in a kubeconfig.
# Each secret must have arrived (the emulator accepts a request signed with
# it and refuses a wrong one, the Secrets hold it, kube-sim's admin API and
# the token's kubeconfig are let in), and none may be in any program's
# arguments. Skips (exit 77, reason printed) without a working strace.
# Env: OSSVP_BIN (build/bin), OSSVP_SRC (repo root).
if [[ -z "${SECRET_ARGV_SECRETS:-}" ]]; then
  # --- the tracer: runs this script under strace, then searches the trace ------
  set -uo pipefail
  command -v strace > /dev/null || { echo "SKIP: strace is not installed (apt-get install strace)"; exit 77; }
  strace -f -qq -e trace=execve -o /dev/null true 2> /dev/null \
    || { echo "SKIP: strace cannot trace here (ptrace not permitted)"; exit 77; }
  TRACE=$(mktemp -d /tmp/secret-argv-test.XXXXXX)
  trap 'rm -rf "$TRACE"' EXIT
  # -s: whole arguments; -f: every descendant (kubectl, curl, the emulator, kube-sim...).
  SECRET_ARGV_SECRETS=$TRACE/secrets strace -f -qq --seccomp-bpf -e trace=execve -e signal=none -s 1000000 \
    -o "$TRACE/execve.log" bash "$0"
  rc=$?
  ((rc == 0)) || { echo "FAIL: the traced part failed (exit $rc)"; exit 1; }
  [[ -s "$TRACE/secrets" ]] || { echo "FAIL: the traced part named no secret"; exit 1; }
  started=$(grep -c ' execve(' "$TRACE/execve.log")
  for program in oss-emulator kube-sim kubectl curl; do
    grep -q "execve(\"[^\"]*/$program\"" "$TRACE/execve.log" \
      || { echo "FAIL: the trace shows no $program started: is the trace complete?"; exit 1; }
  done
  # The secrets are matched from a file, not from grep's argv.
  if grep -F -f "$TRACE/secrets" "$TRACE/execve.log" > "$TRACE/hits"; then
    echo "FAIL: a secret is on the command line of $(wc -l < "$TRACE/hits") program(s) started (count, program):" >&2
    sed -E 's/^[0-9]+ +execve\("([^"]*)".*/\1/' "$TRACE/hits" | sort | uniq -c >&2
    exit 1
  fi
  echo "ok: none of the $started programs started had a secret among its arguments"
  echo "secret argv: all checks passed"
  exit 0
fi

# --- the traced part ----------------------------------------------------------------
source "$OSSVP_SRC/tests/integration/controller/lib.sh"
# Canary values, so that a hit is ours (the lib's SK is fixed; these are per run).
SK="ArgvCanarySK-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
GENERIC="ArgvCanaryGeneric-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$WORK/seed/dir"
echo hello > "$WORK/seed/dir/a.txt"

start_emu "$WORK/seed"
start_kube_sim
printf '%s\n' "$SK" "$GENERIC" "$KS_TOKEN" > "$SECRET_ARGV_SECRETS"

# s3_get SECRET KEY: GET my-test-bucket/KEY signed (SigV4) with AK and SECRET,
# the credentials in a curl config on a pipe; prints the HTTP status.
s3_get() {
  curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:cn-hangzhou:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    -K <(printf 'user = "%s:%s"\n' "$AK" "$1") "$EMU_URL/my-test-bucket/$2"
}
[[ "$(s3_get "$SK" dir/a.txt)" == 200 ]] || fail "the emulator refuses a request signed with the secret it was given"
[[ "$(s3_get wrong-secret dir/a.txt)" == 403 ]] || fail "the emulator accepts a wrong secret"
pass "the emulator has the AccessKey secret from its environment"

install_ossvp
secret_value() {  # secret_value NS NAME KEY
  k get secret "$2" -n "$1" -o jsonpath="{.data.$3}" | base64 -d
}
[[ "$(secret_value "$PNS" oss-secret accessKeySecret)" == "$SK" ]] || fail "oss-secret does not hold the AccessKey secret"
[[ "$(secret_value "$PNS" oss-secret accessKeyId)" == "$AK" ]] || fail "oss-secret does not hold the AccessKey ID"
pass "install_ossvp: the examples' Secret holds the AccessKey"

secret_create default creds accessKeyId=id-1 token="$GENERIC" > /dev/null || fail "secret_create"
[[ "$(secret_value default creds token)" == "$GENERIC" && "$(secret_value default creds accessKeyId)" == id-1 ]] \
  || fail "secret_create: the Secret does not hold the values given"
pass "secret_create: the Secret holds the values given"

ks_admin /kube-sim/drop-watches
pass "ks_admin: kube-sim's admin API lets the token in"

k create serviceaccount argv-test -n default > /dev/null
SA_TOKEN=$(k create token argv-test -n default --duration=1h) && [[ -n "$SA_TOKEN" ]] || fail "no ServiceAccount token"
printf '%s\n' "$SA_TOKEN" >> "$SECRET_ARGV_SECRETS"
(umask 077 && kubeconfig_with_token "$KUBECONFIG" "$SA_TOKEN" > "$WORK/sa.kubeconfig")
[[ "$(stat -c %a "$WORK/sa.kubeconfig")" == 600 ]] || fail "the token's kubeconfig is not mode 600"
grep -qF -f <(printf 'token: %s\n' "$SA_TOKEN") "$WORK/sa.kubeconfig" || fail "the kubeconfig does not hold the token"
KUBECONFIG=$WORK/sa.kubeconfig kubectl --request-timeout=30s get ns default > /dev/null \
  || fail "kube-sim refuses the kubeconfig with the ServiceAccount token"
pass "kubeconfig_with_token: kube-sim lets the ServiceAccount token in"
