#!/usr/bin/env bash
# Installs the third-party clients that integration tests drive and that do
# not come from Debian: the official Alibaba Cloud OSS Node.js SDK (ali-oss),
# into hack/node_modules (ignored by git). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
if [[ -f package.json && ! -d node_modules/ali-oss ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
