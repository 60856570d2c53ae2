#!/usr/bin/env bash
# Installs an n8n (about 3 GB) once into the cache, outside the repository, and prints its home.
# Usage: ensure-n8n.sh [version]   (default: the pinned N8N_VERSION from scripts/env.sh; each version has
# its own cache directory and lock, so the compatibility run can install other versions beside it).
# Install scripts are off (n8n's optional Kafka native build fails offline); sqlite3 is then rebuilt for Node 24.
# Idempotent: a finished install is marked by .complete; concurrent callers wait for each other (flock).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_node24
N8N_VERSION="${1:-$N8N_VERSION}"
if ! [[ $N8N_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	sentinel_log "not an n8n version: $N8N_VERSION"
	exit 2
fi

N8N_HOME="$SENTINEL_CACHE/n8n-$N8N_VERSION"
if [ ! -f "$N8N_HOME/.complete" ]; then
	mkdir -p "$SENTINEL_CACHE"
	exec 9>"$SENTINEL_CACHE/n8n-$N8N_VERSION.lock"
	if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
		sentinel_log "another process is installing n8n $N8N_VERSION; waiting for it"
		flock 9
	fi
fi
if [ ! -f "$N8N_HOME/.complete" ]; then
	started=$SECONDS
	sentinel_log "installing n8n $N8N_VERSION into $N8N_HOME (first run only: about 3 GB, 3-6 minutes)"
	rm -rf "$N8N_HOME"
	mkdir -p "$N8N_HOME"
	cd "$N8N_HOME"
	# n8n 1.x's n8n-nodes-base takes SheetJS (xlsx 0.20.2) from cdn.sheetjs.com rather than the npm registry;
	# the same release is on the registry as @e965/xlsx, the package n8n 2.x depends on itself.
	echo '{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' >package.json
	# About 3,600 packages for n8n 2.41; a line every 250 fetched, with the time so far, and a heartbeat with
	# the size on disk every 30 s (unpacking prints nothing).
	(
		while sleep 30; do
			sentinel_log "n8n install: $(du -sh "$N8N_HOME" 2>/dev/null | cut -f1) on disk ($((SECONDS - started))s)"
		done
	) &
	heartbeat=$!
	trap 'kill "$heartbeat" 2>/dev/null || true' EXIT
	npm install --no-audit --no-fund --ignore-scripts --loglevel=http "n8n@$N8N_VERSION" 2>&1 |
		awk -v t0="$(date +%s)" '
			/GET 200/ { n++; if (n % 250 == 0) { printf "[sentinel] n8n install: %d of ~3600 packages fetched (%ds)\n", n, systime() - t0 > "/dev/stderr"; fflush("/dev/stderr") } }
			/ERR!|^npm error/ { print > "/dev/stderr" }' || true
	kill "$heartbeat" 2>/dev/null || true
	if [ ! -f node_modules/n8n/package.json ]; then
		sentinel_log "npm did not install n8n $N8N_VERSION (see the errors above)"
		exit 1
	fi
	sentinel_log "n8n packages installed after $((SECONDS - started)) s; rebuilding sqlite3 for Node $(node --version) (about 1-2 minutes)"
	npm rebuild sqlite3 --ignore-scripts=false >/dev/null
	touch .complete
	sentinel_log "n8n $N8N_VERSION ready after $((SECONDS - started)) s"
	cd - >/dev/null
fi
echo "$N8N_HOME"
