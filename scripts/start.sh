#!/usr/bin/env bash
# `npm start`: a demo n8n with this package, wired to the OneBot simulator, on http://127.0.0.1:5678.
# First run: installs Node 24 and n8n into the cache (several minutes, with progress), later runs start in
# well under a minute. Ctrl-C stops n8n and the simulator.
#
# Real OneBot instead of the simulator (credentials point there; nothing else is started):
#   ONEBOT_URL=http://127.0.0.1:3000 ONEBOT_TOKEN=... [ONEBOT_WS_URL=ws://...]
#   [ONEBOT_WITNESS_URL=... ONEBOT_WITNESS_TOKEN=...] [NAPCAT_WEBUI_URL=... NAPCAT_WEBUI_TOKEN=...]
#   [ONEBOT_REPORT_SECRET=...] npm start
# Or: npm start -- --onebot-url URL --onebot-token TOKEN
# Other settings: SENTINEL_N8N_PORT (5678), SENTINEL_SIM_PORT (6700), SENTINEL_DEMO_DIR (n8n user folder,
# default .tmp/n8n-demo, or .tmp/n8n-real with a real endpoint).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

while [ $# -gt 0 ]; do
	case "$1" in
	--onebot-url) export ONEBOT_URL="$2"; shift 2 ;;
	--onebot-url=*) export ONEBOT_URL="${1#*=}"; shift ;;
	--onebot-token) export ONEBOT_TOKEN="$2"; shift 2 ;;
	--onebot-token=*) export ONEBOT_TOKEN="${1#*=}"; shift ;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) sentinel_log "unknown option: $1 (see --help)"; exit 2 ;;
	esac
done

ensure_node24
sentinel_log "node $(node --version)"
ensure_n8n_and_packages

exec node_modules/.bin/tsx scripts/start.ts
