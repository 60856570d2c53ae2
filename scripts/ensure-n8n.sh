#!/usr/bin/env bash
# Installs the pinned n8n (about 3 GB) once into the cache, outside the repository, and prints its home.
# Install scripts are off (n8n's optional Kafka native build fails offline); sqlite3 is then rebuilt for Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_node24

N8N_HOME="$SENTINEL_CACHE/n8n-$N8N_VERSION"
if [ ! -f "$N8N_HOME/.complete" ]; then
	sentinel_log "installing n8n $N8N_VERSION into $N8N_HOME (first run only; about 3 GB, several minutes)"
	rm -rf "$N8N_HOME"
	mkdir -p "$N8N_HOME"
	cd "$N8N_HOME"
	echo '{"private":true}' >package.json
	npm install --no-audit --no-fund --ignore-scripts --loglevel=http "n8n@$N8N_VERSION" 2>&1 |
		awk '/GET 200/ { n++; if (n % 250 == 0) { printf "[sentinel] n8n install: %d packages fetched\n", n > "/dev/stderr" } } /ERR!/ { print > "/dev/stderr" }'
	sentinel_log "rebuilding sqlite3 for Node $(node --version)"
	npm rebuild sqlite3 --ignore-scripts=false >/dev/null
	touch .complete
	cd - >/dev/null
fi
echo "$N8N_HOME"
