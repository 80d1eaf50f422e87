#!/usr/bin/env bash
# Reserved characters in list query values (prefix, start-after, marker,
# continuation-token) through boto3 (SigV4, SigV2), awscli (SigV4) and ali-oss
# (OSS V1, OSS V4), each signing and escaping them its own way.
source "$(dirname "$0")/lib.sh"
source "$OSSVP_SRC/hack/lib/python.sh"
PY=$(python_with boto3)
[[ -d "$OSSVP_SRC/hack/node_modules/ali-oss" ]] || fail "ali-oss is not installed: run hack/install-test-clients.sh"
start_emulator
export EMU_SK  # the clients read the AccessKey secret from their environment
AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
  "$PY" "$(dirname "$0")/query_canonicalization_test.py" "$EMU_URL" "$EMU_AK" "$WORK/cases.json"
node "$(dirname "$0")/query_canonicalization_test.js" "$EMU_URL" "$EMU_AK" "$WORK/cases.json"
stop_emulator
