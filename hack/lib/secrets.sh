# shellcheck shell=bash
# Handing secrets (AccessKey secrets, bearer tokens) to programs without a
# command line carrying them: a process's arguments are readable by every
# user (/proc/PID/cmdline, ps), its stdin, environment and mode-600 files are
# not. The demo, the benchmarks and the integration tests use these instead
# of `kubectl create secret --from-literal=`, `sed -e s/…/$SECRET/`,
# `curl -H "Authorization: Bearer $TOKEN"` or `kubectl --token=`. Each one
# builds the secret's text with bash builtins (printf, parameter expansion)
# and hands it over on a pipe (process substitution or stdin), never as an
# argument. Sourced, not run; no state of its own.
#
#   secret_create NS NAME KEY=VALUE...
#     `kubectl create secret generic NAME -n NS` with these keys, read from
#     an env file on a pipe (--from-env-file). Uses the caller's k (kubectl
#     and its options) when there is one, else kubectl.
#   fill_access_key FILE AK SK
#     Prints FILE (an example manifest) with <your-AccessKey-ID> and
#     <your-AccessKey-Secret> replaced by AK and SK: pipe it to `k apply -f -`.
#   kubeconfig_with_token KUBECONFIG TOKEN
#     Prints KUBECONFIG with every `token:` value replaced by TOKEN: redirect
#     it to a file made with umask 077.
#   curl_bearer TOKEN CURL-ARGS...
#     curl CURL-ARGS with the header "Authorization: Bearer TOKEN" read from
#     a pipe (-H @file).

secret_create() {
  local ns=$1 name=$2 kubectl=kubectl
  shift 2
  declare -F k > /dev/null && kubectl=k
  "$kubectl" create secret generic "$name" -n "$ns" --from-env-file=<(printf '%s\n' "$@")
}

fill_access_key() {
  local text
  text=$(< "$1") || return 1
  text=${text//"<your-AccessKey-ID>"/"$2"}
  printf '%s\n' "${text//"<your-AccessKey-Secret>"/"$3"}"
}

kubeconfig_with_token() {
  local line
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ ^([[:space:]]*token:[[:space:]]*) ]]; then
      printf '%s%s\n' "${BASH_REMATCH[1]}" "$2"
    else
      printf '%s\n' "$line"
    fi
  done < "$1"
}

curl_bearer() {
  local token=$1
  shift
  curl -H @<(printf 'Authorization: Bearer %s\n' "$token") "$@"
}
