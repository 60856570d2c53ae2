/**
 * Health Probe node against the OneBot simulator over real HTTP: the diagnoses the API checks alone
 * can make, hysteresis across runs in static data, routing, reports and invalid parameters.
 */
// A stand-in Delivery Failure Trigger receives the reports; node code itself never imports these.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { createServer } from 'node:http';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { OneBotHealthProbe } from '../../nodes/OneBotHealthProbe/OneBotHealthProbe.node';
import { verifyReport } from '../../core/signing';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';
import { processProbeMemory } from '../../core/runMemory';
import { runExecute } from '../support/n8nHarness';
import type { HarnessOptions, HttpLogEntry } from '../support/n8nHarness';

const node = new OneBotHealthProbe();
let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
});
beforeEach(async () => {
	// Hysteresis lives in process memory: every test starts as a fresh n8n process.
	processProbeMemory.clear();
	await sim.control.clearFaults();
});

function credentials(extra: IDataObject = {}) {
	const bot = sim.urls.accounts.bot;
	return { oneBotApi: { baseUrl: bot.http, accessToken: bot.token, ...extra } };
}

/** The fields of a probe item the assertions read. */
export interface ProbeJson {
	[key: string]: unknown;
	checks: Record<string, Record<string, unknown>>;
	canaries: Record<string, Record<string, unknown>>;
	history: Record<string, unknown>;
	report: Record<string, unknown> | null;
}

type ProbeOptions = Omit<Partial<HarnessOptions>, 'parameters'> & {
	parameters?: Record<string, unknown>;
};

async function probe(options: ProbeOptions = {}) {
	const outputs = await runExecute(node, {
		credentials: credentials(),
		...options,
		parameters: { canary: 'none', ...(options.parameters ?? {}) },
	});
	const [healthy, unhealthy] = outputs;
	const item = healthy[0] ?? unhealthy[0];
	return { healthy, unhealthy, json: item.json as unknown as ProbeJson };
}

describe('Health Probe node: API checks against the simulator', () => {
	it('reports up / ok on a healthy client with every check and its latency', async () => {
		const { healthy, json } = await probe();
		expect(healthy).toHaveLength(1);
		expect(json).toMatchObject({
			state: 'up',
			observedState: 'up',
			diagnosis: 'ok',
			reason: null,
			selfId: 10001,
			online: true,
		});
		expect(json.implementation).toMatchObject({ appName: 'NapCat.Onebot', appVersion: '4.10.32' });
		for (const check of ['login', 'status', 'version']) {
			expect(json.checks[check]).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
		}
		expect(healthy[0].pairedItem).toEqual({ item: 0 });
	});

	it('diagnoses a wrong token as auth_failed, on the Unhealthy output, as a result not an error', async () => {
		const { unhealthy, json } = await probe({ credentials: credentials({ accessToken: 'wrong' }) });
		expect(unhealthy).toHaveLength(1);
		expect(json).toMatchObject({ state: 'down', diagnosis: 'auth_failed', reason: 'auth_failed' });
		expect(JSON.stringify(json)).not.toContain('wrong');
	});

	it('diagnoses connection resets and a hanging API as unreachable', async () => {
		await sim.control.setFault({ kind: 'connection_reset', scope: { account: 'bot' } });
		expect((await probe()).json).toMatchObject({ diagnosis: 'unreachable', reason: 'unreachable' });
		await sim.control.clearFaults();
		await sim.control.setFault({
			kind: 'hang',
			scope: { account: 'bot' },
			params: { closeAfterMs: 3000 },
		});
		const { json } = await probe({ parameters: { options: { requestTimeout: 0.3 } } });
		expect(json).toMatchObject({
			state: 'down',
			diagnosis: 'unreachable',
			reason: 'client_timeout',
		});
	});

	it('diagnoses online:false as offline', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const { json } = await probe();
		expect(json).toMatchObject({
			state: 'down',
			diagnosis: 'offline',
			reason: 'client_offline',
			online: false,
		});
	});

	it('diagnoses HTTP 500 and malformed JSON as api_error', async () => {
		await sim.control.setFault({ kind: 'http_500', scope: { account: 'bot' } });
		expect((await probe()).json).toMatchObject({
			state: 'down',
			diagnosis: 'api_error',
			reason: 'http_error',
		});
		await sim.control.clearFaults();
		await sim.control.setFault({
			kind: 'malformed_json',
			scope: { account: 'bot', action: 'get_login_info' },
		});
		expect((await probe()).json).toMatchObject({
			state: 'down',
			diagnosis: 'api_error',
			reason: 'malformed_response',
		});
	});

	it('diagnoses a slow API as api_slow (degraded) and routes degraded as configured', async () => {
		await sim.control.setFault({
			kind: 'latency',
			scope: { account: 'bot', action: 'get_status' },
			params: { ms: 150 },
		});
		const toHealthy = await probe({ parameters: { options: { apiSlowMs: 100 } } });
		expect(toHealthy.json).toMatchObject({ state: 'degraded', diagnosis: 'api_slow' });
		expect(toHealthy.json.checks.status.slow).toBe(true);
		expect(toHealthy.healthy).toHaveLength(1);
		const toUnhealthy = await probe({
			parameters: { degradedOutput: 'unhealthy', options: { apiSlowMs: 100 } },
		});
		expect(toUnhealthy.unhealthy).toHaveLength(1);
	});

	it('says a manual run keeps no history: judged alone, never changed', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const staticData = { node: {} as IDataObject, global: {} as IDataObject };
		const { json } = await probe({ mode: 'manual', staticData });
		expect(json).toMatchObject({ state: 'down', previousState: 'unknown', changed: false });
		expect(json.history).toMatchObject({ kept: false });
		expect(json.history.note).toMatch(/Manual run/);
		expect(staticData.node).toEqual({});
	});

	it('runs one probe per input item, each on exactly one output', async () => {
		const outputs = await runExecute(node, {
			credentials: credentials(),
			parameters: { canary: 'none' },
			items: [{ json: {} }, { json: {} }, { json: {} }],
		});
		expect(outputs[0].map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(outputs[1]).toHaveLength(0);
	});
});

describe('Health Probe node: hysteresis across active runs', () => {
	const active = (
		staticData: { node: IDataObject; global: IDataObject },
		extra: ProbeOptions = {},
	) =>
		probe({
			mode: 'trigger',
			workflow: { id: 'wf-1', name: 'Probe', active: true },
			staticData,
			...extra,
		});

	it('turns down only after 3 consecutive failures and up only after 2 successes, reporting each change once', async () => {
		const staticData = { node: {} as IDataObject, global: {} as IDataObject };
		const seen: Array<[string, string, boolean]> = [];
		const step = async () => {
			const { json, healthy } = await active(staticData);
			seen.push([json.observedState as string, json.state as string, json.changed as boolean]);
			return { json, healthy };
		};
		const first = await step();
		expect(first.json.history).toMatchObject({ kept: true, startedEmpty: true });
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const pending = await step();
		expect(pending.healthy).toHaveLength(1); // one failure is not yet down
		await step();
		await step();
		await sim.control.clearFaults();
		await step();
		await step();
		expect(seen).toEqual([
			['up', 'up', false],
			['down', 'up', false],
			['down', 'up', false],
			['down', 'down', true],
			['up', 'down', false],
			['up', 'up', true],
		]);
	});

	it('does not flap on alternating results', async () => {
		const staticData = { node: {} as IDataObject, global: {} as IDataObject };
		const states: string[] = [];
		for (let i = 0; i < 6; i++) {
			if (i % 2 === 1)
				await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
			else await sim.control.clearFaults();
			const { json } = await active(staticData);
			expect(json.changed).toBe(false);
			states.push(json.state as string);
		}
		expect(states).toEqual(['up', 'up', 'up', 'up', 'up', 'up']);
	});

	it('keeps a separate history per account', async () => {
		const staticData = { node: {} as IDataObject, global: {} as IDataObject };
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		for (let i = 0; i < 2; i++) await active(staticData);
		const witness = sim.urls.accounts.witness;
		// A failure on another account must not complete the bot's streak.
		await active(staticData, {
			credentials: { oneBotApi: { baseUrl: witness.http, accessToken: 'wrong' } },
		});
		expect(Object.keys(staticData.node.probeHistory as IDataObject)).toHaveLength(2);
		const { json } = await active(staticData);
		expect(json).toMatchObject({ state: 'down', changed: true });
	});

	it('posts one signed probe_down report on the transition to down', async () => {
		const received: Array<{ headers: Record<string, string>; body: string }> = [];
		const trigger = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push({ headers: req.headers as Record<string, string>, body });
				res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve) => trigger.listen(0, '127.0.0.1', resolve));
		try {
			const reportUrl = `http://127.0.0.1:${(trigger.address() as AddressInfo).port}/webhook/failures`;
			const staticData = { node: {} as IDataObject, global: {} as IDataObject };
			const httpLog: HttpLogEntry[] = [];
			await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
			const runs = [];
			for (let i = 0; i < 4; i++) {
				runs.push(
					await active(staticData, {
						credentials: credentials({ reportUrl, reportSecret: 'report-secret' }),
						parameters: { options: { failureThreshold: 2 } },
						httpLog,
					}),
				);
			}
			expect(runs.map((r) => r.json.changed)).toEqual([false, true, false, false]);
			expect(runs[1].json.report).toMatchObject({ sent: true, status: 200 });
			expect(runs[2].json.report).toBeNull();
			expect(received).toHaveLength(1);
			const verification = verifyReport(
				received[0].headers,
				received[0].body,
				'report-secret',
				Date.now() / 1000,
			);
			expect(verification.ok).toBe(true);
			const event = JSON.parse(received[0].body);
			expect(event).toMatchObject({
				event: 'probe_down',
				source: 'probe',
				reason: 'client_offline',
				reasonClass: 'account',
				selfId: 10001,
				details: { diagnosis: 'offline', state: 'down', previousState: 'up' },
				workflowId: 'wf-1',
			});
			expect(received[0].body).not.toContain('report-secret');
			expect(received[0].body).not.toContain(sim.urls.accounts.bot.token);
		} finally {
			await new Promise<void>((resolve) => trigger.close(() => resolve()));
		}
	});
});

describe('Health Probe node: invalid parameters', () => {
	it('throws a NodeOperationError naming the item and the field', async () => {
		await expect(
			runExecute(node, {
				credentials: credentials(),
				parameters: { canary: 'group', groupId: 'abc' },
			}),
		).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: expect.stringMatching(/Probe Group ID/),
		});
		await expect(
			runExecute(node, {
				credentials: credentials(),
				parameters: { canary: 'group', groupId: '100200300', canaryTemplate: 'no nonce here' },
			}),
		).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: expect.stringMatching(/\{nonce\}/),
		});
		await expect(
			runExecute(node, {
				credentials: credentials(),
				parameters: { canary: 'none', options: { failureThreshold: 0 } },
			}),
		).rejects.toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0 } });
	});

	it('with continue on fail, an invalid item leaves on Unhealthy with the error and the others still run', async () => {
		const outputs = await runExecute(node, {
			credentials: credentials(),
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
			// "Canary" takes no expression in n8n, so the items differ in an option instead.
			parameters: (itemIndex) => ({
				canary: 'none',
				options: { requestTimeout: itemIndex === 0 ? -1 : 10 },
			}),
		});
		expect(outputs[1]).toEqual([
			{
				json: expect.objectContaining({ error: expect.stringMatching(/Request Timeout/) }),
				pairedItem: { item: 0 },
			},
		]);
		expect(outputs[0]).toHaveLength(1);
		expect(outputs[0][0].pairedItem).toEqual({ item: 1 });
	});
});
