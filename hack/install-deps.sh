#!/usr/bin/env bash
# Installs every Debian package ossvp needs to build, test and benchmark.
# Idempotent: quiet and fast when everything is already there.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config ninja-build ccache
  libcpprest-dev nlohmann-json3-dev libyaml-cpp-dev libssl-dev libcurl4-openssl-dev
  libboost-dev libboost-system-dev libboost-program-options-dev
  catch2 libfuse3-dev fuse3 libpugixml-dev libisal-dev libspdlog-dev libfmt-dev libcli11-dev clang libclang-rt-14-dev
)
# Real third-party clients and peers used by integration tests.
TEST_PKGS=(curl awscli s3fs rclone nodejs npm openssl procps psmisc python3 python3-boto3 python3-kubernetes kubernetes-client
  podman runc  # podman + runc: kube-sim --runtime podman and hack/images.sh
  strace)  # hardening_secret_argv: the arguments of every program a test starts
# Peers used only by hack/bench (installed with --bench).
BENCH_PKGS=(nginx-light fio hyperfine librsvg2-bin)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
case "${1:-}" in
  --bench) want+=("${BENCH_PKGS[@]}") ;;
  --build-only) want=("${BUILD_PKGS[@]}") ;;  # container image build stages
esac

missing=()
for p in "${want[@]}"; do
  if [[ "$p" == kubernetes-client ]]; then command -v kubectl >/dev/null && continue; fi
  if [[ "$p" == awscli ]]; then command -v aws >/dev/null && continue; fi
  # The machine image may ship Node.js (with npm) from another repository; keep it.
  if [[ "$p" == nodejs || "$p" == npm ]]; then command -v "$p" >/dev/null && continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" > /dev/null || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
