/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * One running n8n, driven the ways users and the e2e suite drive it: the internal REST API with the owner's
 * cookie, the public API with an API key, and the CLI against the same user folder and database.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OWNER } from './n8nEnv';
import { isFinal, randomId, extractJsonBlock } from './n8nTypes';
import type { CredentialJson, Execution, StartTimings, WorkflowJson } from './n8nTypes';
import { n8nBin, n8nVersion, node24 } from './paths';
import { freePort, run, stopProcess, tailFile, waitFor } from './proc';

/** Per-call options of the REST and public API calls. */
export interface CallOptions {
	timeoutMs?: number;
}

/** A node or credential type as the editor's type list gives it. */
export interface LoadedType {
	name: string;
	displayName: string;
	icon?: unknown;
	iconUrl?: unknown;
	[k: string]: unknown;
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
	async rest<T = any>(method: string, route: string, body?: unknown, opts: CallOptions = {}) {
		if (!this.cookie) await this.login();
		const parsed = await this.callJson(
			`/rest${route}`,
			{ method, body, ...opts },
			{
				cookie: this.cookie!,
				// The editor sends this on every call; some routes refuse requests without it.
				'browser-id': 'sentinel-e2e',
			},
		);
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}

	/** One JSON call to n8n; throws on a non-2xx answer, returns the parsed answer (undefined when empty). */
	private async callJson(
		route: string,
		call: CallOptions & { method: string; body?: unknown },
		headers: Record<string, string>,
	): Promise<any> {
		const { method, body, timeoutMs = 30_000 } = call;
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
		return text ? JSON.parse(text) : undefined;
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
	async api<T = any>(method: string, route: string, body?: unknown, opts: CallOptions = {}) {
		const key = await this.createApiKey();
		const headers = { 'X-N8N-API-KEY': key, accept: 'application/json' };
		return (await this.callJson(`/api/v1${route}`, { method, body, ...opts }, headers)) as T;
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
	async nodeTypes(): Promise<LoadedType[]> {
		return this.loadedTypes('nodes');
	}

	/** Credential types n8n has loaded, by name. */
	async credentialTypes(): Promise<LoadedType[]> {
		return this.loadedTypes('credentials');
	}

	/** The editor's list of loaded node or credential types (a session is needed in n8n 2.x). */
	private async loadedTypes(kind: 'nodes' | 'credentials'): Promise<LoadedType[]> {
		if (!this.cookie) await this.login();
		const res = await fetch(`${this.baseUrl}/types/${kind}.json`, {
			headers: { cookie: this.cookie! },
			signal: AbortSignal.timeout(30_000),
		});
		if (!res.ok) throw new Error(`GET /types/${kind}.json: HTTP ${res.status}`);
		return res.json() as Promise<LoadedType[]>;
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
