#!/usr/bin/env bash
# n8n in queue mode with this package: a throwaway PostgreSQL and Redis on loopback ports (Debian packages,
# data in a temp dir; the system services are never touched), an n8n main, a webhook process and two workers,
# each with the packed package installed in its own user folder, sharing the database, the queue and the
# encryption key.
#
#   bash scripts/queue-mode.sh deps    install postgresql and redis-server through apt when missing (root)
#   bash scripts/queue-mode.sh start   start the stack and keep it up until Ctrl-C (prints its URLs as JSON)
#   bash scripts/queue-mode.sh test    run the queue-mode scenarios (test/e2e/queue*.e2e.test.ts), time-boxed
#
# Environment: SENTINEL_QUEUE_WORKERS (2), SENTINEL_QUEUE_CONCURRENCY (5), SENTINEL_QUEUE_TIMEOUT (seconds
# for `test`, default 900), SENTINEL_E2E_KEEP=1 keeps the stack's folder (logs, user folders).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

ensure_queue_deps() {
	local missing=()
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || missing+=(postgresql)
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		sentinel_log "missing: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and run again."
		exit 1
	fi
	sentinel_log "installing ${missing[*]} through apt (first run only)"
	# Installing must not start the packaged system services: a temporary policy-rc.d forbids it.
	local policy=/usr/sbin/policy-rc.d added_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q 2>&1 | sed 's/^/[sentinel] apt: /' >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" 2>&1 |
		awk '/^(Get|Setting up|E:)/ { print "[sentinel] apt: " $0 > "/dev/stderr" }'
	[ "$added_policy" = 1 ] && rm -f "$policy"
	return 0
}

prepare() {
	ensure_queue_deps
	ensure_node24
	ensure_n8n_and_packages
	# Every process the stack starts is recorded here (process group ids) and ended on exit, even if the
	# test runner is killed by the time box.
	mkdir -p .tmp
	SENTINEL_QUEUE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-queue-run-XXXXXX")
	# PostgreSQL runs as the postgres user when we are root: it must be able to reach its data dir.
	chmod 755 "$SENTINEL_QUEUE_DIR"
	export SENTINEL_QUEUE_DIR
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

cleanup() {
	local pids
	pids=$(cat "$SENTINEL_QUEUE_DIR"/*/pids 2>/dev/null || true)
	for pid in $pids; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	if [ -n "$pids" ]; then
		sleep 3
		for pid in $pids; do kill -KILL -- "-$pid" 2>/dev/null || true; done
	fi
	if [ "${SENTINEL_E2E_KEEP:-0}" = 1 ]; then
		sentinel_log "kept $SENTINEL_QUEUE_DIR"
	else
		rm -rf "$SENTINEL_QUEUE_DIR"
	fi
}

pack() {
	sentinel_log "building and packing the package"
	npm run build --silent >&2
	local dest
	dest="$SENTINEL_QUEUE_DIR/pack"
	mkdir -p "$dest"
	SENTINEL_E2E_TGZ="$dest/$(npm pack --silent --pack-destination "$dest" | tail -n 1)"
	export SENTINEL_E2E_TGZ
}

case "${1:-}" in
deps)
	ensure_queue_deps
	sentinel_log "PostgreSQL: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1), Redis: $(command -v redis-server)"
	;;
start)
	prepare
	pack
	sentinel_log "starting PostgreSQL, Redis, n8n main, webhook process and ${SENTINEL_QUEUE_WORKERS:-2} workers (Ctrl-C stops everything)"
	npx tsx scripts/queue/stack.ts
	;;
test)
	shift
	prepare
	pack
	timeout_s="${SENTINEL_QUEUE_TIMEOUT:-900}"
	sentinel_log "queue-mode scenarios (time box ${timeout_s} s)"
	SENTINEL_QUEUE_E2E=1 timeout --kill-after=30 "$timeout_s" \
		npx jest -c jest.e2e.config.js --runInBand --testPathPatterns 'test/e2e/queue[^/]*\.e2e\.test\.ts$' "$@"
	;;
*)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
