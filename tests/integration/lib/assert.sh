# shellcheck shell=bash
# Assertions of the integration test scripts (sourced, not run): the one copy
# of the helpers the kube-sim-actors, install and oss-emulator tests share.
# A failed check calls the sourcing script's own `fail MESSAGE` (which exits),
# so each suite keeps its own failure report (the logs it dumps).
#
#   expect_eq ACTUAL EXPECTED WHAT     fails "WHAT: expected 'EXPECTED', got 'ACTUAL'"
#                                      unless the two strings are equal
#   expect_contains TEXT PART WHAT     fails "WHAT: 'PART' not in: TEXT" unless TEXT
#                                      holds PART (a plain substring, not a pattern)
#   jp GET-ARGS...                     `k get GET-ARGS` (the caller's k: kubectl and
#                                      its options), stderr dropped: the value to
#                                      compare, e.g. jp pod p -n t -o jsonpath='{.status.phase}'
#
# ASSERT_REPORT_PASSES=1 (the oss-emulator suite): a check that holds also
# calls `pass WHAT`. Needs bash; no state of its own.

expect_eq() {
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
  _assert_passed "$3"
}

expect_contains() {
  [[ "$1" == *"$2"* ]] || fail "$3: '$2' not in: $1"
  _assert_passed "$3"
}

jp() { k get "$@" 2>/dev/null; }

_assert_passed() {
  [[ "${ASSERT_REPORT_PASSES:-0}" != 1 ]] || pass "$1"
}
