#!/usr/bin/env bash
# `npm run test:compat`: the smoke test and example 1 on every n8n version users run, each installed into its
# own cache directory by scripts/ensure-n8n.sh (about 3 GB and 3-6 minutes per version, once).
# Usage: scripts/compat.sh [version ...]   (default: the pinned version, the newest 1.x and the newest 2.x
# on the npm registry when these lines were last updated; docs/compatibility.md "n8n versions" has the results).
# Prints one line per version and exits non-zero when any version failed. Outside `npm test`: three n8n
# installs and runs do not fit CI's time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_node24

NEWEST_1X=1.123.81
NEWEST_2X=2.41.3
if [ $# -gt 0 ]; then versions=("$@"); else versions=("$N8N_PINNED_VERSION" "$NEWEST_1X" "$NEWEST_2X"); fi

# The cases: every smoke test, the import of every example, and example 1 (delivered; retried, then notified).
CASES='real n8n with the packed package|example workflows in real n8n (every example|1: )'
LOG_DIR=.tmp/compat
mkdir -p "$LOG_DIR"
ensure_packages

# One pack for every version: the same tarball is what each n8n installs.
# shellcheck disable=SC2016
SENTINEL_E2E_TGZ=$(npx tsx -e 'import { packPackage } from "./scripts/lib/pack"; packPackage({ reuse: false }).then((p) => console.log(p.tgz))')
export SENTINEL_E2E_TGZ

declare -A result
for version in "${versions[@]}"; do
	log="$LOG_DIR/n8n-$version.log"
	sentinel_log "n8n $version: installing when missing, then the smoke test and example 1 (log: $log)"
	if SENTINEL_N8N_VERSION="$version" bash scripts/e2e.sh test/e2e/smoke.e2e.test.ts \
		test/e2e/examples.e2e.test.ts -t "$CASES" >"$log" 2>&1; then
		result[$version]="pass"
	else
		result[$version]="FAIL"
	fi
	summary=$(grep -E '^Tests:' "$log" | tail -1 || true)
	sentinel_log "n8n $version: ${result[$version]} (${summary:-no jest summary: see $log})"
done

status=0
sentinel_log "compatibility on $(date -u +%Y-%m-%d), Node $(node --version):"
for version in "${versions[@]}"; do
	printf '%s\t%s\n' "$version" "${result[$version]}"
	[ "${result[$version]}" = pass ] || status=1
done
exit $status
