#!/usr/bin/env bash
# The README's test command (`npm test`): installs what the tests need, then runs every suite.
# Stages: install, typecheck, lint, build, jest (unit, simulator, node tests), real n8n end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_node24
sentinel_log "node $(node --version), npm $(npm --version)"

ensure_packages

sentinel_log "format check (prettier)"
npm run --silent format:check
sentinel_log "typecheck"
npx tsc -p tsconfig.json --noEmit
sentinel_log "lint (n8n-node lint, community rules)"
npx n8n-node lint
sentinel_log "build"
npm run build --silent

sentinel_log "jest: unit, simulator, node and package tests (npm pack + n8n's package scanner)"
npx jest --ci

if [ -f scripts/e2e.sh ] && [ "${SENTINEL_SKIP_E2E:-0}" != 1 ]; then
	bash scripts/e2e.sh
fi

if [ "${SENTINEL_SKIP_E2E:-0}" != 1 ] && [ "${SENTINEL_SKIP_QUEUE:-0}" != 1 ]; then
	bash scripts/queue-mode.sh test
fi
