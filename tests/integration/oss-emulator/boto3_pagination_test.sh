#!/usr/bin/env bash
# Runs boto3_pagination_test.py (boto3 list_objects_v2 paginator, an OSS V1
# client signing escaped tokens) against the emulator.
source "$(dirname "$0")/lib.sh"
source "$OSSVP_SRC/hack/lib/python.sh"
PY=$(python_with boto3)
start_emulator
AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true EMU_SK=$EMU_SK \
  "$PY" "$(dirname "$0")/boto3_pagination_test.py" "$EMU_URL" "$EMU_AK"
stop_emulator
