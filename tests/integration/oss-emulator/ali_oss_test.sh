#!/usr/bin/env bash
# Runs ali_oss_test.js (official ali-oss Node SDK) against the emulator.
source "$(dirname "$0")/lib.sh"
[[ -d "$OSSVP_SRC/hack/node_modules/ali-oss" ]] || fail "ali-oss is not installed: run hack/install-test-clients.sh"
ROLE='acs:ram::1234567890:role/ossvp-test'
PROVIDER='acs:ram::1234567890:oidc-provider/ack-rrsa-test'
start_emulator --sts-role-arn "$ROLE" --sts-oidc-provider-arn "$PROVIDER" --sts-duration-seconds 5
EMU_SK=$EMU_SK node "$(dirname "$0")/ali_oss_test.js" "$EMU_URL" "$EMU_AK" "$ROLE" "$PROVIDER" 5
stop_emulator
