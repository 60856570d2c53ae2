/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * Real n8n for the end-to-end suite: the pinned release from scripts/ensure-n8n.sh, a fresh user folder with
 * our packed package installed under its real name, an owner set up through environment variables, and
 * helpers over n8n's REST API, public API and CLI.
 * Long because it is the one client every e2e file, `npm start` and the benchmark drive n8n through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childEnv, n8nBin, n8nHome, n8nVersion, node24, tmpRoot } from './paths';
import { FatalWaitError, freePort, run, stopProcess, tailFile, track, waitFor } from './proc';

export const OWNER = {
	email: 'owner@example.com',
	password: 'Sentinel-Owner-1',
	firstName: 'Sentinel',
	lastName: 'Owner',
};

export interface StartN8nOptions {
	/** Tarball from packPackage(); installed into <userFolder>/.n8n/nodes. Omit to run n8n without it. */
	packageTgz?: string;
	/** N8N_USER_FOLDER; a fresh folder under .tmp/e2e when omitted. */
	userFolder?: string;
	/** HTTP port on 127.0.0.1; a free one when omitted. */
	port?: number;
	/** Extra environment for n8n (wins over the defaults). */
	env?: Record<string, string>;
	/** Log file (n8n's stdout and stderr); <userFolder>/n8n.log when omitted. */
	logFile?: string;
	/** Remove the user folder on stop() (default: true for a fresh folder, unless SENTINEL_E2E_KEEP=1). */
	cleanup?: boolean;
	/** Time allowed until the editor answers (default 180 s). */
	readyTimeoutMs?: number;
}

export interface StartTimings {
	installPackageMs: number;
	healthzMs: number;
	readyMs: number;
	editorMs: number;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	error?: { message: string; description?: string; [k: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; [k: string]: unknown }> | null> };
	[k: string]: unknown;
}

/** An execution as n8n stores it (public API with includeData=true, or the CLI's raw output). */
export interface Execution {
	id?: string;
	workflowId?: string;
	mode?: string;
	status?: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: { message: string; [k: string]: unknown };
		};
		[k: string]: unknown;
	};
	[k: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[k: string]: unknown;
}

export interface CredentialJson {
	id?: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
	[k: string]: unknown;
}

/** JSON items a node emitted on one of its outputs, in its run (default: the last run). */
export function nodeOutput(
	exec: Execution,
	nodeName: string,
	output = 0,
	runIndex = -1,
): Array<Record<string, unknown>> {
	const runs = exec.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) {
		const ran = Object.keys(exec.data.resultData.runData).join(', ');
		throw new Error(`node "${nodeName}" did not run (nodes that ran: ${ran || 'none'})`);
	}
	const nodeRun = runs[runIndex < 0 ? runs.length + runIndex : runIndex];
	if (nodeRun.error) throw new Error(`node "${nodeName}" failed: ${nodeRun.error.message}`);
	return (nodeRun.data?.main?.[output] ?? []).map((item) => item.json);
}

export class N8nHandle {
	readonly baseUrl: string;
	private cookie?: string;
	private apiKey?: string;
	private exited = false;
	private exitInfo = '';

	constructor(
		readonly port: number,
		readonly userFolder: string,
		readonly logFile: string,
		readonly env: NodeJS.ProcessEnv,
		readonly timings: StartTimings,
		readonly child: ChildProcess,
		private readonly cleanupFolder: boolean,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
		child.once('exit', (code, signal) => {
			this.exited = true;
			this.exitInfo = `exit ${code ?? signal}`;
		});
		child.once('error', (err) => {
			this.exited = true;
			this.exitInfo = `spawn error: ${err.message}`;
		});
	}

	get running(): boolean {
		return !this.exited;
	}

	/** How the n8n process ended ('' while it runs). */
	get exitStatus(): string {
		return this.exitInfo;
	}

	/** The process id of n8n (also its process group id: it runs detached). */
	get pid(): number | undefined {
		return this.child.pid;
	}

	/** The last lines of n8n's log, for error messages. */
	logTail(lines = 60): string {
		return tailFile(this.logFile, lines);
	}

	/** Logs in as the owner through the REST API and returns the auth cookie (`n8n-auth=...`). */
	async login(email = OWNER.email, password = OWNER.password): Promise<string> {
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: email, password }),
			signal: AbortSignal.timeout(15_000),
		});
		if (!res.ok) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
		const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (!setCookie) throw new Error('login answered without an n8n-auth cookie');
		this.cookie = setCookie.split(';')[0];
		return this.cookie;
	}

	/** Calls n8n's internal REST API (/rest/...) with the owner's cookie; returns the `data` field. */
	async rest<T = any>(
		method: string,
		route: string,
		body?: unknown,
		opts: { timeoutMs?: number } = {},
	): Promise<T> {
		if (!this.cookie) await this.login();
		const text = await this.call(method, `/rest${route}`, body, opts.timeoutMs, {
			cookie: this.cookie!,
			// The editor sends this on every call; some routes refuse requests without it.
			'browser-id': 'sentinel-e2e',
		});
		const parsed = text ? JSON.parse(text) : undefined;
		return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
	}

	/** One JSON call to n8n; throws on a non-2xx answer, returns the answer's text. */
	private async call(
		method: string,
		route: string,
		body: unknown,
		timeoutMs = 30_000,
		headers: Record<string, string>,
	): Promise<string> {
		const res = await fetch(`${this.baseUrl}${route}`, {
			method,
			headers: {
				...headers,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
		return text;
	}

	/** Creates (once) an owner API key for the public API and returns it. */
	async createApiKey(label = 'sentinel-e2e'): Promise<string> {
		if (this.apiKey) return this.apiKey;
		const scopes: string[] = await this.rest('GET', '/api-keys/scopes');
		const key = await this.rest('POST', '/api-keys', { label, scopes, expiresAt: null });
		this.apiKey = key.rawApiKey as string;
		return this.apiKey;
	}

	/** Calls the public API (/api/v1/...) with the API key. */
	async api<T = any>(
		method: string,
		route: string,
		body?: unknown,
		opts: { timeoutMs?: number } = {},
	): Promise<T> {
		const key = await this.createApiKey();
		const text = await this.call(method, `/api/v1${route}`, body, opts.timeoutMs, {
			'X-N8N-API-KEY': key,
			accept: 'application/json',
		});
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Runs an n8n CLI command against this instance's user folder and database (n8n keeps running). */
	async cli(args: string[], opts: { timeoutMs?: number; check?: boolean } = {}) {
		const brokerPort = await freePort();
		return run(node24(), [n8nBin(), ...args], {
			cwd: this.userFolder,
			env: { ...this.env, N8N_RUNNERS_BROKER_PORT: String(brokerPort), N8N_LOG_OUTPUT: 'console' },
			timeoutMs: opts.timeoutMs ?? 120_000,
			check: opts.check,
		});
	}

	/**
	 * Imports a workflow with `n8n import:workflow` (ids in the JSON are kept, so credential references by id
	 * hold) and returns its id. Import is allowed while n8n runs: the SQLite database is in WAL mode.
	 */
	async importWorkflow(workflow: WorkflowJson): Promise<string> {
		const wf = { ...workflow, id: workflow.id ?? randomId(), active: false };
		await this.cliImport('workflow', [wf]);
		return wf.id;
	}

	/** Imports several workflows with one `n8n import:workflow` call (one CLI start-up); returns their ids. */
	async importWorkflows(workflows: WorkflowJson[]): Promise<string[]> {
		const list = workflows.map((w) => ({ ...w, id: w.id ?? randomId(), active: false }));
		if (list.length > 0) await this.cliImport('workflow', list);
		return list.map((w) => w.id);
	}

	/** Imports credentials (plain `data`, encrypted by n8n on import) with `n8n import:credentials`; returns ids. */
	async importCredentials(credentials: CredentialJson | CredentialJson[]): Promise<string[]> {
		const list = (Array.isArray(credentials) ? credentials : [credentials]).map((c) => ({
			...c,
			id: c.id ?? randomId(),
		}));
		await this.cliImport('credentials', list);
		return list.map((c) => c.id);
	}

	private async cliImport(kind: 'workflow' | 'credentials', data: unknown[]): Promise<void> {
		const file = path.join(this.userFolder, `import-${kind}-${Date.now()}-${randomId()}.json`);
		fs.writeFileSync(file, JSON.stringify(data));
		try {
			const res = await this.cli([`import:${kind}`, `--input=${file}`], { check: false });
			if (res.code !== 0) {
				throw new Error(
					`n8n import:${kind} failed (exit ${res.code ?? res.signal}):\n${res.stdout.slice(-3000)}\n${res.stderr.slice(-3000)}`,
				);
			}
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** Activates (publishes) a workflow through the public API, so its triggers and webhooks go live. */
	async activate(id: string): Promise<void> {
		await this.api('POST', `/workflows/${id}/activate`);
	}

	async deactivate(id: string): Promise<void> {
		await this.api('POST', `/workflows/${id}/deactivate`);
	}

	/**
	 * Runs a workflow once, as the editor's "Execute workflow" button does (REST, inside this n8n process),
	 * starting from `trigger` (default: the first manual trigger), waits until it finishes and returns the
	 * stored execution with every node's output.
	 */
	async runWorkflow(
		id: string,
		opts: { trigger?: string; timeoutMs?: number } = {},
	): Promise<Execution> {
		const trigger = opts.trigger ?? (await this.findManualTrigger(id));
		// n8n 1.x runs the workflow sent in the body (1.123.81 dist/workflows/workflows.controller.js
		// runManually reads workflowData); n8n 2.x reads it from its database.
		const workflowData = n8nVersion.startsWith('1.')
			? await this.rest('GET', `/workflows/${id}`)
			: undefined;
		const started = await this.rest('POST', `/workflows/${id}/run`, {
			triggerToStartFrom: { name: trigger },
			...(workflowData ? { workflowData } : {}),
		});
		const executionId = started?.executionId as string | undefined;
		if (!executionId)
			throw new Error(`n8n did not start workflow ${id}: ${JSON.stringify(started)}`);
		return this.waitForExecution(executionId, { timeoutMs: opts.timeoutMs });
	}

	/**
	 * Runs a workflow with `n8n execute --id --rawOutput` in a separate n8n process (about 6 s with its
	 * start-up) and returns the run it prints. n8n 2.41.1's `execute` prints the run and then dies with
	 * SIGSEGV while exiting (exit 139), so the printed run decides, not the exit code.
	 */
	async executeCli(id: string, opts: { timeoutMs?: number } = {}): Promise<Execution> {
		const res = await this.cli(['execute', `--id=${id}`, '--rawOutput'], {
			timeoutMs: opts.timeoutMs,
			check: false,
		});
		const json = extractJsonBlock(res.stdout) as Execution | undefined;
		if (!json || !json.data?.resultData) {
			throw new Error(
				`n8n execute --id=${id} printed no run (exit ${res.code ?? res.signal}):\n${res.stdout.slice(-4000)}\n${res.stderr.slice(-4000)}`,
			);
		}
		return json;
	}

	/** One stored execution with its data (public API). */
	async getExecution(executionId: string): Promise<Execution> {
		const exec = await this.api('GET', `/executions/${executionId}?includeData=true`);
		if (typeof exec.data === 'string') exec.data = JSON.parse(exec.data);
		return exec as Execution;
	}

	/** Waits until an execution has finished (any final status) and returns it with its data. */
	async waitForExecution(
		executionId: string,
		opts: { timeoutMs?: number } = {},
	): Promise<Execution> {
		return waitFor(
			`execution ${executionId} to finish`,
			async () => {
				const exec = await this.getExecution(executionId);
				return isFinal(exec) ? exec : undefined;
			},
			{ timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 300, onTimeout: () => this.logTail(30) },
		);
	}

	/**
	 * Waits until at least `count` finished executions match the filter and returns them (newest first)
	 * with their data. Filter: workflowId, status (success | error | waiting | ...), since (only executions
	 * started at or after this Date).
	 */
	async waitForExecutions(
		filter: { workflowId?: string; status?: string; since?: Date; count?: number },
		opts: { timeoutMs?: number } = {},
	): Promise<Execution[]> {
		const count = filter.count ?? 1;
		const ids = await waitFor(
			`${count} execution(s) matching ${JSON.stringify(filter)}`,
			async () => {
				const found = await this.listExecutions(filter);
				const done = found.filter(isFinal);
				return done.length >= count ? done.map((e) => e.id!) : undefined;
			},
			{ timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 500, onTimeout: () => this.logTail(30) },
		);
		return Promise.all(ids.map((id) => this.getExecution(id)));
	}

	/** Executions (without data), newest first, optionally filtered. */
	async listExecutions(
		filter: { workflowId?: string; status?: string; since?: Date } = {},
	): Promise<Execution[]> {
		const q = new URLSearchParams({ limit: '250' });
		if (filter.workflowId) q.set('workflowId', filter.workflowId);
		if (filter.status) q.set('status', filter.status);
		const res = await this.api('GET', `/executions?${q}`);
		const list = (res.data ?? []) as Execution[];
		return filter.since
			? list.filter((e) => e.startedAt && new Date(e.startedAt) >= filter.since!)
			: list;
	}

	/** Node types n8n has loaded (the editor's list), by full type name. */
	async nodeTypes(): Promise<
		Array<{
			name: string;
			displayName: string;
			icon?: unknown;
			iconUrl?: unknown;
			[k: string]: unknown;
		}>
	> {
		if (!this.cookie) await this.login();
		const res = await fetch(`${this.baseUrl}/types/nodes.json`, {
			headers: { cookie: this.cookie! },
			signal: AbortSignal.timeout(30_000),
		});
		if (!res.ok) throw new Error(`GET /types/nodes.json: HTTP ${res.status}`);
		return res.json() as Promise<any>;
	}

	/** Credential types n8n has loaded, by name. */
	async credentialTypes(): Promise<
		Array<{ name: string; displayName: string; [k: string]: unknown }>
	> {
		if (!this.cookie) await this.login();
		const res = await fetch(`${this.baseUrl}/types/credentials.json`, {
			headers: { cookie: this.cookie! },
			signal: AbortSignal.timeout(30_000),
		});
		if (!res.ok) throw new Error(`GET /types/credentials.json: HTTP ${res.status}`);
		return res.json() as Promise<any>;
	}

	/** Stops n8n (and its task runner), then removes a fresh user folder unless asked to keep it. */
	async stop(): Promise<void> {
		await stopProcess(this.child, 15_000);
		if (this.cleanupFolder) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	private async findManualTrigger(id: string): Promise<string> {
		const wf = await this.api('GET', `/workflows/${id}`);
		const trigger = (wf.nodes as Array<{ name: string; type: string }>).find(
			(n) => n.type === 'n8n-nodes-base.manualTrigger',
		);
		if (!trigger) throw new Error(`workflow ${id} has no manual trigger: pass opts.trigger`);
		return trigger.name;
	}
}

/** Installs a packed package into <userFolder>/.n8n/nodes the way n8n's community package installer lays it out. */
export async function installPackage(userFolder: string, tgz: string): Promise<number> {
	const started = Date.now();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pkgJson = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pkgJson)) {
		fs.writeFileSync(
			pkgJson,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	await run(
		'npm',
		[
			'install',
			tgz,
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
		],
		{ cwd: nodesDir, env: childEnv(), timeoutMs: 180_000 },
	);
	return Date.now() - started;
}

/** A bcrypt hash for N8N_INSTANCE_OWNER_PASSWORD_HASH, made with the bcryptjs that n8n itself ships. */
export function bcryptHash(password: string): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const bcrypt = require(path.join(n8nHome(), 'node_modules', 'bcryptjs'));
	return bcrypt.hashSync(password, 10);
}

/** The environment n8n runs with here: loopback only, no calls home, owner managed by env. */
export function n8nEnv(
	userFolder: string,
	port: number,
	brokerPort: number,
	extra: Record<string, string> = {},
) {
	const env = childEnv({
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_ENCRYPTION_KEY: 'sentinel-e2e-encryption-key-not-secret',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcryptHash(OWNER.password),
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		DB_SQLITE_POOL_SIZE: '3',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_PYTHON_ENABLED: 'false',
		...extra,
	});
	// n8n changes behaviour under NODE_ENV=test (which jest sets); run it as users do.
	if (!extra.NODE_ENV) delete env.NODE_ENV;
	for (const key of Object.keys(env)) if (key.startsWith('JEST_')) delete env[key];
	return env;
}

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
	const base = handle.baseUrl;
	const timeoutMs = opts.readyTimeoutMs ?? 180_000;
	const onTimeout = () => `n8n log (${logFile}):\n${handle.logTail()}`;
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
	try {
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
	} catch (err) {
		await handle.stop();
		throw err;
	}
	return handle;
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

function isFinal(exec: Execution): boolean {
	return (
		!!exec.stoppedAt || ['success', 'error', 'crashed', 'canceled'].includes(exec.status ?? '')
	);
}

function randomId(): string {
	const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	let id = '';
	for (let i = 0; i < 16; i++) id += chars[Math.floor(Math.random() * chars.length)];
	return id;
}

/** The top-level JSON object in CLI output: from a line that is exactly `{` to the next line that is exactly `}`. */
export function extractJsonBlock(out: string): unknown | undefined {
	const lines = out.split('\n');
	const start = lines.findIndex((l) => l === '{');
	if (start < 0) return undefined;
	const end = lines.indexOf('}', start);
	if (end < 0) return undefined;
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}
