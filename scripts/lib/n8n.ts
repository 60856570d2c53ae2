/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test tooling, runs outside n8n */
/**
 * Real n8n for the end-to-end suite: the pinned release from scripts/ensure-n8n.sh, a fresh user folder with
 * our packed package installed under its real name, an owner set up through environment variables, and
 * helpers over n8n's REST API, public API and CLI (scripts/lib/n8nHandle.ts; the environment and install in
 * scripts/lib/n8nEnv.ts, the stored shapes in scripts/lib/n8nTypes.ts).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installPackage, n8nEnv, OWNER } from './n8nEnv';
import { N8nHandle } from './n8nHandle';
import type { StartN8nOptions } from './n8nTypes';
import { n8nBin, node24, tmpRoot } from './paths';
import { FatalWaitError, freePort, track, waitFor } from './proc';

export { bcryptHash, installPackage, n8nEnv, OWNER } from './n8nEnv';
export { N8nHandle } from './n8nHandle';
export { extractJsonBlock, nodeOutput } from './n8nTypes';
export type {
	CredentialJson,
	Execution,
	NodeRun,
	StartN8nOptions,
	StartTimings,
	WorkflowJson,
} from './n8nTypes';

/** Starts n8n with our package installed and waits until the editor and REST API answer. */
export async function startN8n(opts: StartN8nOptions = {}): Promise<N8nHandle> {
	const fresh = !opts.userFolder;
	fs.mkdirSync(tmpRoot, { recursive: true });
	const userFolder = opts.userFolder ?? fs.mkdtempSync(path.join(tmpRoot, 'n8n-'));
	fs.mkdirSync(userFolder, { recursive: true });
	const logFile = opts.logFile ?? path.join(userFolder, 'n8n.log');

	const installPackageMs = opts.packageTgz ? await installPackage(userFolder, opts.packageTgz) : 0;

	const port = opts.port ?? (await freePort());
	const brokerPort = await freePort();
	const env = n8nEnv(userFolder, port, brokerPort, opts.env);

	const log = fs.openSync(logFile, 'a');
	const started = Date.now();
	const child = track(
		spawn(node24(), [n8nBin(), 'start'], {
			cwd: userFolder,
			env,
			detached: true,
			stdio: ['ignore', log, log],
		}),
	);
	fs.closeSync(log);
	const keep = process.env.SENTINEL_E2E_KEEP === '1';
	const handle = new N8nHandle(
		port,
		userFolder,
		logFile,
		env,
		{ installPackageMs, healthzMs: 0, readyMs: 0, editorMs: 0 },
		child,
		opts.cleanup ?? (fresh && !keep),
	);
	try {
		await waitUntilReady(handle, started, opts.readyTimeoutMs ?? 180_000);
	} catch (err) {
		await handle.stop();
		throw err;
	}
	return handle;
}

/**
 * Waits until n8n answers as a user's browser needs it: health, readiness, the editor and REST API, the
 * owner's login and the node type list; records when each answered. Ends at once when n8n exits.
 */
async function waitUntilReady(
	handle: N8nHandle,
	started: number,
	timeoutMs: number,
): Promise<void> {
	const base = handle.baseUrl;
	const onTimeout = () => `n8n log (${handle.logFile}):\n${handle.logTail()}`;
	const alive = () => {
		if (!handle.running)
			throw new FatalWaitError(
				`n8n exited during start-up (${handle.exitStatus}):\n${handle.logTail()}`,
			);
	};
	const ok = (url: string) => async () => {
		alive();
		const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
		await res.arrayBuffer();
		return res.ok;
	};
	await waitFor('n8n /healthz', ok(`${base}/healthz`), { timeoutMs, intervalMs: 200, onTimeout });
	handle.timings.healthzMs = Date.now() - started;
	await waitFor('n8n /healthz/readiness', ok(`${base}/healthz/readiness`), {
		timeoutMs,
		intervalMs: 250,
		onTimeout,
	});
	handle.timings.readyMs = Date.now() - started;
	await waitFor(
		'the editor and REST API',
		async () => {
			alive();
			const [settings, editor] = await Promise.all([
				fetch(`${base}/rest/settings`, { signal: AbortSignal.timeout(5000) }),
				fetch(`${base}/`, { signal: AbortSignal.timeout(5000) }),
			]);
			const html = await editor.text();
			await settings.arrayBuffer();
			return settings.ok && editor.ok && html.includes('/assets/index-');
		},
		{ timeoutMs, intervalMs: 500, onTimeout },
	);
	await setUpOwnerWhenAsked(base);
	await waitFor('owner login', () => handle.login().then(() => true), {
		timeoutMs: 30_000,
		intervalMs: 500,
		onTimeout,
	});
	// The node and credential type lists need a session in n8n 2.x.
	await waitFor('node types', () => handle.nodeTypes().then((t) => t.length > 0), {
		timeoutMs: 60_000,
		intervalMs: 500,
		onTimeout,
	});
	handle.timings.editorMs = Date.now() - started;
}

/**
 * n8n 1.x has no owner managed by environment variables (N8N_INSTANCE_OWNER_*, new in 2.x) and asks for the
 * owner on first load: set it up as the setup form does (n8n 1.123.81 dist/controllers/owner.controller.js,
 * POST /rest/owner/setup). n8n 2.x answers showSetupOnFirstLoad false, so nothing happens there.
 */
async function setUpOwnerWhenAsked(base: string): Promise<void> {
	const res = await fetch(`${base}/rest/settings`, { signal: AbortSignal.timeout(5000) });
	const settings = (await res.json()) as {
		data?: { userManagement?: { showSetupOnFirstLoad?: boolean } };
	};
	if (settings.data?.userManagement?.showSetupOnFirstLoad !== true) return;
	const setup = await fetch(`${base}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
		signal: AbortSignal.timeout(15_000),
	});
	if (!setup.ok) throw new Error(`owner setup failed: HTTP ${setup.status} ${await setup.text()}`);
}
