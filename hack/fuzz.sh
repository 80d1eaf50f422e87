#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang-14 (ASan + UBSan +
# libFuzzer) in build-fuzz (or $OSSVP_FUZZ_BUILD) and runs each for SECONDS,
# growing its corpus in <build>/corpus/<target> (seeded from
# tests/fuzz/corpus/<target> and tests/fuzz/regressions/<target>).
#
#   hack/fuzz.sh [SECONDS] [--smoke] [--only REGEX] [--build-only]
#     SECONDS      per target, default 60 (--smoke: 10)
#     --only       run only targets whose name matches REGEX
# Prints, per target, executions, exec/s, coverage (libFuzzer's cov: edges /
# ft: features), corpus size and findings, and a total; exits non-zero when
# any target found something. A crash input is saved as
# build-fuzz/findings/<target>/crash-*; once fixed, copy it to
# tests/fuzz/regressions/<target>/<what-it-was> so ctest replays it forever.
# Environment: OSSVP_JOBS (build jobs, default 2), OSSVP_FUZZ_RSS_MB (2048),
# OSSVP_FUZZ_BUILD (build dir, default build-fuzz; never build/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER=60
ONLY=""
BUILD_ONLY=0
while (($#)); do
  case "$1" in
    --smoke) SECONDS_PER=10 ;;
    --only) ONLY="$2"; shift ;;
    --build-only) BUILD_ONLY=1 ;;
    -h|--help) sed -n 2,19p "$0"; exit 0 ;;
    *[!0-9]*) echo "fuzz.sh: unknown argument '$1' (expected SECONDS, --smoke, --only REGEX, --build-only)" >&2; exit 2 ;;
    *) SECONDS_PER="$1" ;;
  esac
  shift
done
JOBS=${OSSVP_JOBS:-2}
built=()
BUILD=${OSSVP_FUZZ_BUILD:-build-fuzz}
[[ "$BUILD" == build || "$BUILD" == build/ ]] && { echo "fuzz.sh: OSSVP_FUZZ_BUILD must not be build/" >&2; exit 2; }

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool missing: run hack/install-deps.sh (clang, libclang-rt-14-dev)" >&2; exit 2; }
done

echo "== configure $BUILD (clang, -fsanitize=fuzzer,address,undefined) =="
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  -DOSSVP_SANITIZE=address -DOSSVP_UNIT_ONLY=ON -DOSSVP_FUZZ=ON >"$BUILD/configure.log" 2>&1 \
  || { cat "$BUILD/configure.log"; exit 2; }

# Cheapest libraries first, so a short run still covers most targets; a
# target that fails to build is reported and counted as a finding.
ORDER=(oss_xml_responses oss_error oss_signer populator_key_mapper controller_ossvp_spec
  controller_watch_events controller_kubeconfig ossemu_http_request kubesim_cel kubesim_schema
  kubesim_protobuf kubesim_api_request)
# fuzz_all is the aggregate target (tests/fuzz/CMakeLists.txt), not a fuzzer.
configured=$(ninja -C "$BUILD" -t targets all 2>/dev/null | grep -oE '^fuzz_[a-z0-9_]+:' | tr -d : \
  | grep -vx fuzz_all | sort -u)
build_failures=0
: >"$BUILD/build.log"
declare -A attempted=()
for name in "${ORDER[@]}" $(echo "$configured" | sed 's/^fuzz_//'); do
  [[ -n "${attempted[$name]:-}" ]] && continue
  attempted[$name]=1
  grep -qx "fuzz_$name" <<<"$configured" || { echo "fuzz_$name: not configured (library missing)"; continue; }
  [[ -n "$ONLY" && ! "$name" =~ $ONLY ]] && continue
  echo "== build fuzz_$name (-j$JOBS) =="
  if cmake --build "$BUILD" -j "$JOBS" --target "fuzz_$name" >>"$BUILD/build.log" 2>&1; then
    built+=("$name")
  else
    echo "fuzz_$name: BUILD FAILED (see $BUILD/build.log)"
    build_failures=$((build_failures + 1))
  fi
done
warnings=$(grep -c "warning:" "$BUILD/build.log" || true)
echo "clang warnings (not errors in this build): $warnings (see $BUILD/build.log)"
((BUILD_ONLY)) && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
total_execs=0
total_findings=$build_failures
printf '\n%-26s %10s %8s %13s %7s %9s %s\n' target executions exec/s 'cov / ft' corpus findings notes
for name in "${built[@]}"; do
  bin="$BUILD/fuzz/fuzz_$name"
  corpus="$BUILD/corpus/$name"; findings="$BUILD/findings/$name"; log="$BUILD/logs/$name.log"
  rm -rf "$findings"; mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  seeds=("$ROOT/tests/fuzz/corpus/$name")
  [[ -d "$ROOT/tests/fuzz/regressions/$name" ]] && seeds+=("$ROOT/tests/fuzz/regressions/$name")
  # Reproducible runs (hack/test.sh's smoke): a fixed seed and run count from
  # the repository's corpus alone, so every machine walks the same inputs
  # (a slower one stops earlier, at -max_total_time, on a prefix of them).
  repro=()
  if [[ -n "${OSSVP_FUZZ_SEED:-}" ]]; then
    repro+=(-seed="$OSSVP_FUZZ_SEED")
    rm -rf "$corpus" && mkdir -p "$corpus"
  fi
  [[ -n "${OSSVP_FUZZ_RUNS:-}" ]] && repro+=(-runs="$OSSVP_FUZZ_RUNS")
  set +e
  "$bin" "$corpus" "${seeds[@]}" "${repro[@]}" -max_total_time="$SECONDS_PER" -timeout=10 \
    -rss_limit_mb="${OSSVP_FUZZ_RSS_MB:-2048}" -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  set -e
  # (|| true: a run that died before its stats, e.g. a missing binary, must
  # still be reported, not end this script under pipefail)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  execs=${execs:-0}; rate=${rate:-0}
  # The last status line ("#N DONE cov: C ft: F corp: K/...") has the coverage.
  last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  field() { grep -oE "$1: [0-9]+" <<<"$last" | grep -oE '[0-9]+$' || true; }
  cov=$(field cov); ft=$(field ft); corp=$(field corp)
  found=$(find "$findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  note=""
  if ((rc != 0)) && ((found == 0)); then found=1; note="exit $rc, see $log"; fi
  ((found > 0)) && [[ -z "$note" ]] && note="see $findings and $log"
  printf '%-26s %10s %8s %13s %7s %9s %s\n' "$name" "$execs" "$rate" "${cov:-?} / ${ft:-?}" "${corp:-?}" \
    "$found" "$note"
  total_execs=$((total_execs + execs))
  total_findings=$((total_findings + found))
done
printf '%-26s %10s %8s %13s %7s %9s\n' TOTAL "$total_execs" "" "" "" "$total_findings"
if ((total_findings > 0)); then
  echo "fuzz.sh: findings (inputs under $BUILD/findings/<target>/, logs under $BUILD/logs/)" >&2
  exit 1
fi
echo "fuzz.sh: no findings (${SECONDS_PER}s per target)"
