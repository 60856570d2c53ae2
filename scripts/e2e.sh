#!/usr/bin/env bash
# The real-n8n end-to-end suite: provisions Node 24, the pinned n8n and Chromium (all cached), then runs
# test/e2e/**/*.e2e.test.ts with jest. Extra arguments go to jest (e.g. a test path or -t "name").
# SENTINEL_E2E_KEEP=1 keeps each run's n8n user folder and log under .tmp/e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_node24

ensure_n8n_and_packages
SENTINEL_CHROMIUM=$(bash scripts/ensure-chromium.sh)
export SENTINEL_CHROMIUM

sentinel_log "end-to-end: real n8n $N8N_VERSION with the packed package, headless Chromium"
exec npx jest -c jest.e2e.config.js --runInBand "$@"
