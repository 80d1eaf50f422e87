#!/usr/bin/env bash
# tests/integration/lib/assert.sh: what its checks accept and refuse, what
# they report, and that it stays the one copy: no integration script defines
# expect_eq, expect_contains or jp of its own. Env: OSSVP_SRC (repo root).
set -uo pipefail
SRC=${OSSVP_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
LIB=$SRC/tests/integration/lib/assert.sh
FAILS=0
bad() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

# run SNIPPET: runs SNIPPET in a fresh bash that sourced the library, with a
# fail that prints "failed: MESSAGE" and exits 1, a pass that prints
# "passed: WHAT" and a k that prints its arguments (stdout) and "k-stderr"
# (stderr). Prints all that came out of it, then "exit N".
run() {
  bash -c 'fail() { echo "failed: $*"; exit 1; }; pass() { echo "passed: $*"; }
           k() { echo "k $*"; echo k-stderr >&2; }
           source "$1"; eval "$2"; echo "end"' _ "$LIB" "$1" 2>&1
  echo "exit $?"
}
# check WHAT SNIPPET EXPECTED-OUTPUT
check() {
  local got
  got=$(run "$2")
  if [[ "$got" == "$3" ]]; then ok "$1"; else bad "$1: expected [$3], got [$got]"; fi
}

check "expect_eq: equal strings hold" 'expect_eq "a b" "a b" same' $'end\nexit 0'
check "expect_eq: different strings fail with both values" 'expect_eq "a" "b" letters' \
  $'failed: letters: expected \'b\', got \'a\'\nexit 1'
check "expect_eq: the expected value is no pattern" 'expect_eq "abc" "a*" glob' \
  $'failed: glob: expected \'a*\', got \'abc\'\nexit 1'
check "expect_eq: empty equals empty only" 'expect_eq "" "" e1; expect_eq "" "x" e2' \
  $'failed: e2: expected \'x\', got \'\'\nexit 1'
check "expect_eq: a value like a test operator" 'expect_eq "!" "!" bang; expect_eq "(" "=" paren' \
  $'failed: paren: expected \'=\', got \'(\'\nexit 1'
check "expect_eq holds under set -e" 'set -e; expect_eq 1 1 one' $'end\nexit 0'
check "expect_contains: a substring holds" 'expect_contains "hello world" "lo w" sub' $'end\nexit 0'
check "expect_contains: a missing part fails with both" 'expect_contains "hello" "xyz" miss' \
  $'failed: miss: \'xyz\' not in: hello\nexit 1'
check "expect_contains: the part is no pattern" 'expect_contains "a*b" "*" star; expect_contains "ab" "?" qm' \
  $'failed: qm: \'?\' not in: ab\nexit 1'
check "ASSERT_REPORT_PASSES=1 reports each check that holds" \
  'ASSERT_REPORT_PASSES=1; expect_eq x x eq; expect_contains xy y has; expect_eq x y no' \
  $'passed: eq\npassed: has\nfailed: no: expected \'y\', got \'x\'\nexit 1'
check "jp: k get with its stderr dropped" 'jp pod p -n t -o "jsonpath={.a b}"' \
  $'k get pod p -n t -o jsonpath={.a b}\nend\nexit 0'

# The one copy: no script under tests/ or hack/ defines these helpers again.
copies=$(grep -rnE --include='*.sh' '^[[:space:]]*(function[[:space:]]+)?(expect_eq|expect_contains|jp)[[:space:]]*\(\)' \
  "$SRC/tests" "$SRC/hack" | grep -v "^$LIB:" || true)
if [[ -z "$copies" ]]; then ok "no script defines its own expect_eq, expect_contains or jp"
else bad "copies of the shared helpers (source tests/integration/lib/assert.sh instead):"$'\n'"$copies"; fi

# Under pipefail (controller/lib.sh, most suites), `PRODUCER | grep -q P` fails
# at random: grep exits at the first match, and a producer that still writes
# (kubectl writes each line of `-o name` on its own) dies of SIGPIPE, so the
# pipeline's status is 141 though P was there. That made node_lifecycle's
# event check flaky (`set -o pipefail; yes | grep -q y` shows it: status 141).
# So scripts read the whole stream (grep P > /dev/null) or grep a here-string.
# `bash -c "... | grep -q P"` strings are exempt: they set no pipefail. The
# pattern finds -q (or --quiet) in any of grep's options, e.g. `grep -E -q`.
early=$(grep -rnE --include='*.sh' '(^|[^|])\|[[:space:]]*grep([[:space:]]+-[-a-zA-Z]+)*[[:space:]]+(-[a-zA-Z]*q|--quiet)' "$SRC/tests" "$SRC/hack" "$SRC/.ci" 2>/dev/null |
  grep -vE "(bash|sh) -c ['\"]|^[^:]*:[0-9]+:[[:space:]]*#" || true)
if [[ -z "$early" ]]; then ok "no script pipes a producer into an early-exit grep -q"
else bad "pipes into grep -q (under pipefail the producer can die of SIGPIPE; use 'grep P > /dev/null' or 'grep -q P <<< \"\$VAR\"'):"$'\n'"$early"; fi

if ((FAILS)); then echo "$FAILS check(s) failed"; exit 1; fi
echo "assert.sh: all checks passed"
