#!/usr/bin/env bash
# `npm run bench`: measures the package in the pinned real n8n against the OneBot simulator and writes
# bench/RESULTS.md, bench/results.json and bench/latency.png. A benchmark, not a test: goals that are missed
# are reported, never turned into a failing exit code. Extra arguments go to bench/run.ts (--quick, --only=...).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_node24

ensure_n8n_and_packages

# The chart is drawn as SVG and converted offline with rsvg-convert (Debian: librsvg2-bin).
if ! command -v rsvg-convert >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		sentinel_log "installing librsvg2-bin through apt for the chart (first run only)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends librsvg2-bin >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends librsvg2-bin >/dev/null 2>&1; } ||
			sentinel_log "librsvg2-bin could not be installed: the chart is converted with ImageMagick if present, else stays SVG"
	else
		sentinel_log "rsvg-convert is missing (apt-get install librsvg2-bin): trying ImageMagick, else the chart stays SVG"
	fi
fi

exec npx tsx bench/run.ts "$@"
