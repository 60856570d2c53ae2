/* eslint-disable @n8n/community-nodes/no-restricted-imports -- end-to-end test code: runs outside n8n */
/**
 * The shipped example workflows (examples/*.json) and their simulator credentials, adapted to one test run:
 * credentials pointed at an in-process simulator, Settings values and node parameters patched by name, and
 * a local HTTP receiver standing in for the notification channel and for report URLs.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
	nodeOutput,
	type CredentialJson,
	type Execution,
	type N8nHandle,
	type WorkflowJson,
} from '../../../scripts/lib/n8n';
import { repoRoot } from '../../../scripts/lib/paths';
import { waitFor } from '../../../scripts/lib/proc';

export const examplesDir = path.join(repoRoot, 'examples');

export const EXAMPLE_FILES = {
	verifiedSend: '1-verified-send-with-retry.json',
	oneAccountSend: '1b-one-account-kernel-confirmed.json',
	quietHours: '2-quiet-hours-resend.json',
	restartAndResend: '3-restart-and-resend-on-failure.json',
	scheduledProbe: '4-scheduled-health-probe.json',
	scheduledRestart: '5-scheduled-restart.json',
	queuePacingAndBreaker: '6-queue-mode-pacing-and-breaker.json',
	notificationInbox: 'notification-inbox.json',
} as const;

export type ExampleName = keyof typeof EXAMPLE_FILES;

/** Every workflow file in examples/ (what `npm start` imports), by file name. */
export function exampleWorkflowFiles(): string[] {
	return fs
		.readdirSync(examplesDir)
		.filter((f) => f.endsWith('.json') && !f.startsWith('credentials.'))
		.sort();
}

/** A fresh copy of one example workflow. */
export function loadExample(name: ExampleName | string): WorkflowJson {
	const file = name in EXAMPLE_FILES ? EXAMPLE_FILES[name as ExampleName] : name;
	return JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as WorkflowJson;
}

/** The credentials the examples reference (fixed ids and names), as shipped for the simulator's default world. */
export function loadExampleCredentials(): CredentialJson[] {
	return JSON.parse(
		fs.readFileSync(path.join(examplesDir, 'credentials.simulator.json'), 'utf8'),
	) as CredentialJson[];
}

interface SimulatorUrlsLike {
	webui: string;
	accounts: Record<string, { http: string; ws: string; token: string }>;
}

/**
 * The example credentials pointed at a running simulator (its ephemeral ports) instead of the fixed demo
 * ports; report URL and secret as given (empty report URL: no reports).
 */
export function exampleCredentialsFor(
	sim: { urls: SimulatorUrlsLike; webuiToken(account?: string): string },
	report: { url: string; secret: string },
): CredentialJson[] {
	const accounts = sim.urls.accounts;
	return loadExampleCredentials().map((credential) => {
		const data = { ...credential.data };
		if (credential.type === 'oneBotApi') {
			Object.assign(data, {
				baseUrl: accounts.bot.http,
				wsUrl: accounts.bot.ws,
				accessToken: accounts.bot.token,
			});
			Object.assign(data, { reportUrl: report.url, reportSecret: report.secret });
		} else if (credential.type === 'oneBotWitnessApi') {
			Object.assign(data, {
				baseUrl: accounts.witness.http,
				wsUrl: accounts.witness.ws,
				accessToken: accounts.witness.token,
			});
		} else if (credential.type === 'napCatWebUiApi') {
			Object.assign(data, { baseUrl: sim.urls.webui, token: sim.webuiToken('bot') });
		}
		return { ...credential, data };
	});
}

type Parameters = Record<string, unknown>;
type NodeJson = { name: string; type: string; parameters: Parameters; [k: string]: unknown };

export function findNode(workflow: WorkflowJson, nodeName: string): NodeJson {
	const node = (workflow.nodes as NodeJson[]).find((n) => n.name === nodeName);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${nodeName}"`);
	return node;
}

/** Changes a node's parameters in place (deep-merged); returns the workflow for chaining. */
export function patchNode(
	workflow: WorkflowJson,
	nodeName: string,
	parameters: Record<string, unknown>,
): WorkflowJson {
	const node = findNode(workflow, nodeName);
	node.parameters = deepMerge(node.parameters, parameters);
	return workflow;
}

/** Sets values of the workflow's "Settings" node (the values users edit); every name must exist already. */
export function setSettings(workflow: WorkflowJson, values: Record<string, string>): WorkflowJson {
	const { assignments } = findNode(workflow, 'Settings').parameters.assignments as {
		assignments: Array<{ name: string; value: unknown }>;
	};
	for (const [name, value] of Object.entries(values)) {
		const assignment = assignments.find((a) => a.name === name);
		if (!assignment) throw new Error(`workflow "${workflow.name}": Settings has no "${name}"`);
		assignment.value = value;
	}
	return workflow;
}

/** Same workflow under another id and name, so it gets its own static data and executions. */
export function asCopy(workflow: WorkflowJson, id: string, suffix: string): WorkflowJson {
	return { ...workflow, id, name: `${workflow.name} (${suffix})` };
}

const isObject = (value: unknown): value is Parameters =>
	!!value && typeof value === 'object' && !Array.isArray(value);

function deepMerge(base: Parameters, patch: Parameters): Parameters {
	const out: Parameters = { ...base };
	for (const [key, value] of Object.entries(patch)) {
		const current = base[key];
		out[key] = isObject(value) && isObject(current) ? deepMerge(current, value) : value;
	}
	return out;
}

/** A production webhook URL of an activated workflow's webhook node. */
export function webhookUrl(n8n: N8nHandle, webhookId: string, nodePath: string): string {
	return `${n8n.baseUrl}/webhook/${webhookId}/${nodePath}`;
}

export interface ReceivedRequest {
	path: string;
	headers: http.IncomingHttpHeaders;
	rawBody: string;
	/** The parsed JSON body (a JSON object for every request our workflows and nodes send). */
	body: Record<string, unknown>;
	at: number;
}

/** A loopback HTTP server that records every POST (the examples' notifyUrl, or a report URL). */
export class Receiver {
	private constructor(
		private readonly server: http.Server,
		readonly url: string,
		readonly requests: ReceivedRequest[],
	) {}

	static async start(): Promise<Receiver> {
		const requests: ReceivedRequest[] = [];
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const rawBody = Buffer.concat(chunks).toString('utf8');
				let body: Record<string, unknown> = { raw: rawBody };
				try {
					body = JSON.parse(rawBody);
				} catch {
					// Not JSON: kept as { raw }.
				}
				requests.push({
					path: req.url ?? '/',
					headers: req.headers,
					rawBody,
					body,
					at: Date.now(),
				});
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		return new Receiver(server, `http://127.0.0.1:${port}`, requests);
	}

	/** Requests to one path (e.g. /notify), in arrival order. */
	at(pathPrefix: string): ReceivedRequest[] {
		return this.requests.filter((r) => r.path.startsWith(pathPrefix));
	}

	async waitFor(pathPrefix: string, count: number, timeoutMs = 60_000): Promise<ReceivedRequest[]> {
		return waitFor(
			`${count} request(s) to ${this.url}${pathPrefix}`,
			async () => (this.at(pathPrefix).length >= count ? this.at(pathPrefix) : undefined),
			{
				timeoutMs,
				intervalMs: 100,
				onTimeout: () => `received: ${JSON.stringify(this.requests.map((r) => [r.path, r.body]))}`,
			},
		);
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

/** The parts of the simulator's ground truth these tests read. */
export interface GroundTruth {
	accounts: Record<
		string,
		{
			inbox: Array<{
				messageType: 'group' | 'private';
				text: string;
				fromAccount?: string;
				groupId?: number;
			}>;
		}
	>;
	messages: Array<{ text: string; deliveredTo: string[]; fault?: string | null }>;
	restarts: Array<{ account: string }>;
}

export async function groundTruth(sim: {
	control: { groundTruth(): Promise<unknown> };
}): Promise<GroundTruth> {
	return (await sim.control.groundTruth()) as GroundTruth;
}

/** Ground-truth inbox entries of one account whose text contains `text`. */
export function inboxWith(
	truth: GroundTruth,
	account: string,
	text: string,
): GroundTruth['accounts'][string]['inbox'] {
	return (truth.accounts[account]?.inbox ?? []).filter((m) => String(m.text ?? '').includes(text));
}

/** Sent messages (every attempt) whose text is exactly `text`. */
export function messagesWith(truth: GroundTruth, text: string): GroundTruth['messages'] {
	return truth.messages.filter((m) => m.text === text);
}

/** What these tests read from Send With Verification, Health Probe and Restart Client items. */
export interface OutputItem {
	status?: string;
	reason?: string | null;
	reasonClass?: string | null;
	correlationId?: string;
	target?: { type: string; id: number };
	message?: unknown[];
	attempts?: unknown[];
	report?: { sent: boolean; status?: number } | null;
	quietHours?: Record<string, unknown>;
	state?: string;
	previousState?: string;
	observedState?: string;
	changed?: boolean;
	canaries?: Record<string, Record<string, unknown>>;
	outcome?: string;
	[key: string]: unknown;
}

/** Items one node emitted on one output, typed for assertions. */
export function outputItems(exec: Execution, nodeName: string, output = 0): OutputItem[] {
	return nodeOutput(exec, nodeName, output) as OutputItem[];
}
