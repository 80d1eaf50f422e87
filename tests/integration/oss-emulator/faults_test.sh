#!/usr/bin/env bash
# Fault injection (/-/admin and flags), /-/stats and concurrency.
source "$(dirname "$0")/lib.sh"
start_emulator --allow-anonymous
python3 "$(dirname "$0")/faults_test.py" "$EMU_PORT"
stop_emulator
# Flags: --fault-rate 1 fails every request with 503 SlowDown; --latency-ms delays it.
EMU_DATA=$WORK/data2 start_emulator --allow-anonymous --fault-rate 1 --latency-ms 200 --rng-seed 7
start=$(date +%s%N)
r=$(curl -s -w ' %{http_code}' "$EMU_URL/any/key")
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "$(sed -n 's:.*<Code>\(.*\)</Code>.*:\1:p' <<<"$r") ${r##* }" "SlowDown 503" "--fault-rate 1"
(( took >= 200 )) || fail "--latency-ms 200 not applied (${took} ms)"
pass "--latency-ms"
stop_emulator
