#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is available for the browser end-to-end tests and prints its path.
# Uses Debian's chromium package (installed through apt when missing and we are root). Idempotent.
# SENTINEL_CHROMIUM may point at another Chromium binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

CHROMIUM="${SENTINEL_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
	echo "$CHROMIUM"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	sentinel_log "Chromium is missing at $CHROMIUM and we are not root, so it cannot be installed here."
	sentinel_log "Install it with: sudo apt-get install -y chromium   (Debian/Ubuntu)"
	sentinel_log "or point SENTINEL_CHROMIUM at an existing Chromium/Chrome binary."
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	sentinel_log "Chromium is missing at $CHROMIUM and apt-get is not available; install Chromium and set SENTINEL_CHROMIUM."
	exit 1
fi

sentinel_log "installing Debian chromium through apt (first run only)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q 2>&1 | sed 's/^/[sentinel] apt: /' >&2
apt-get install -y -q --no-install-recommends chromium fonts-liberation 2>&1 |
	awk '/^(Get|Setting up|E:)/ { print "[sentinel] apt: " $0 > "/dev/stderr" }'
if [ ! -x "$CHROMIUM" ]; then
	sentinel_log "apt finished but $CHROMIUM is still missing"
	exit 1
fi
echo "$CHROMIUM"
