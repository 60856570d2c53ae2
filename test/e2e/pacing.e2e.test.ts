/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- end-to-end test code, runs outside n8n; the report secret is a test value */
/**
 * Account-wide pacing and the circuit breaker in real n8n: one n8n process, many executions sending from
 * one account, checked against the simulator's ground truth (when each send reached the client, what
 * arrived, how often the client was restarted).
 */
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	Receiver,
	exampleCredentialsFor,
	findNode,
	groundTruth,
	inboxWith,
	loadExample,
	outputItems,
	setSettings,
	webhookUrl,
} from './lib/examples';
import { startN8n, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { batchWorkflow } from '../../scripts/lib/workflows';
import { sleep } from '../../scripts/lib/proc';

const REPORT_SECRET = 'pacing-e2e-secret';
const GROUP = 100200300;
const CREDENTIALS = {
	oneBotApi: { id: 'sentinelBotSim01', name: 'OneBot bot (simulator)' },
	oneBotWitnessApi: { id: 'sentinelWitSim01', name: 'OneBot witness (simulator)' },
};

interface TruthMessage {
	text: string;
	timeMs: number;
	accepted: boolean;
	deliveredTo: string[];
	fault?: string | null;
	senderAccount: string;
}

/**
 * Posts to a production webhook. Right after activation n8n may still answer 404 (not registered yet); a 404
 * started nothing, so asking again is safe.
 */
async function post(url: string, body: unknown): Promise<number> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		await res.text();
		if (res.status !== 404 || Date.now() > deadline) return res.status;
		await sleep(250);
	}
}

function sendNode(parameters: Record<string, unknown>) {
	return {
		id: 'b1c4a9c2-53b5-4bd6-9d0a-1f1f5c2a0001',
		name: 'Send With Verification',
		type: 'n8n-nodes-onebot-sentinel.oneBotSendWithVerification',
		typeVersion: 1,
		position: [440, 0],
		credentials: CREDENTIALS,
		parameters: {
			targetType: 'group',
			targetId: String(GROUP),
			messageMode: 'text',
			...parameters,
		},
	};
}

describe('account pacing and the circuit breaker in real n8n', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;
	const figures: Record<string, number> = {};

	beforeAll(async () => {
		sim = await startSimulator({
			...defaultWorld(),
			kernelTimeoutMs: 200,
			deliveryDelayMs: 20,
			heartbeatIntervalMs: 60_000,
		});
		receiver = await Receiver.start();
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
	}, 400_000);

	afterAll(async () => {
		await n8n?.stop();
		await receiver?.close();
		await sim?.close();
		process.stderr.write(`[sentinel] pacing e2e figures: ${JSON.stringify(figures)}\n`);
	});

	test('20 executions started together, one message each to one group: spaced at the simulator as configured, each once', async () => {
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: `${receiver.url}/report`, secret: REPORT_SECRET }),
		);
		const path = 'pacing-e2e-send';
		const workflow = {
			id: 'sentinelPacing01',
			name: 'Pacing e2e: one message per execution',
			nodes: [
				{
					id: 'b1c4a9c2-53b5-4bd6-9d0a-1f1f5c2a0002',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [200, 0],
					webhookId: 'c0d0e0f0-53b5-4bd6-9d0a-1f1f5c2a0003',
					parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
				},
				sendNode({
					text: '={{ $json.body.text }}',
					verification: 'api',
					deadlineSeconds: 5,
					options: { accountRatePerMinute: 60, minIntervalMs: 0, reportFailures: false },
				}),
			],
			connections: {
				Webhook: { main: [[{ node: 'Send With Verification', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		};
		const id = await n8n.importWorkflow(workflow);
		await n8n.activate(id);
		try {
			const since = new Date();
			const texts = Array.from(
				{ length: 20 },
				(_, i) => `pacing e2e burst ${i} #${Date.now().toString(36)}`,
			);
			const answers = await Promise.all(
				texts.map((text) => post(`${n8n.baseUrl}/webhook/${path}`, { text })),
			);
			expect(answers).toEqual(texts.map(() => 200));
			const executions = await n8n.waitForExecutions(
				{ workflowId: id, since, count: 20 },
				{ timeoutMs: 180_000 },
			);
			expect(executions).toHaveLength(20);
			const items = executions.flatMap((e) => outputItems(e, 'Send With Verification', 0));
			expect(items).toHaveLength(20);
			expect(items.every((item) => item.status === 'delivered')).toBe(true);

			await sleep(1000);
			const truth = (await groundTruth(sim)) as unknown as { messages: TruthMessage[] };
			const sent = truth.messages
				.filter((m) => texts.includes(m.text))
				.sort((a, b) => a.timeMs - b.timeMs);
			// None lost, none duplicated: each text reached the client once and arrived in the group once.
			expect(sent.map((m) => m.text).sort()).toEqual([...texts].sort());
			for (const text of texts)
				expect(inboxWith(await groundTruth(sim), 'witness', text)).toHaveLength(1);
			// Spaced as configured: 60 a minute, one a second (the simulator stamps on arrival; allow transit jitter).
			const gaps = sent.slice(1).map((m, i) => m.timeMs - sent[i].timeMs);
			figures.burstMinGapMs = Math.min(...gaps);
			figures.burstSpanMs = sent[sent.length - 1].timeMs - sent[0].timeMs;
			// In n8n each send started at least 1 s after the previous one (its attempt's startedAt is when it got its slot)...
			const startedAt = items
				.map((item) => Date.parse((item.attempts as Array<{ startedAt: string }>)[0].startedAt))
				.sort((a, b) => a - b);
			const slotGaps = startedAt.slice(1).map((at, i) => at - startedAt[i]);
			figures.burstMinSlotGapMs = Math.min(...slotGaps);
			expect(Math.min(...slotGaps)).toBeGreaterThanOrEqual(999);
			// ...and at the simulator, which stamps arrival, the delay between taking the slot and the request arriving
			// (n8n's event loop and HTTP on two shared, busy cores: up to several hundred ms) shifts single sends, but the
			// median spacing and the span stay as configured.
			const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
			figures.burstMedianGapMs = median;
			expect(median).toBeGreaterThanOrEqual(950);
			expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
			expect(figures.burstSpanMs).toBeGreaterThanOrEqual(19 * 1000 - 300);
			// The wait is visible on every item (how long depends on when n8n started each execution).
			const waits = items.map(
				(item) => (item as { timing?: { pacingWaitMs?: number } }).timing?.pacingWaitMs,
			);
			expect(waits.every((wait) => typeof wait === 'number' && wait >= 0)).toBe(true);
			figures.burstMaxPacingWaitMs = Math.max(...(waits as number[]));
			expect(Math.max(...(waits as number[]))).toBeGreaterThanOrEqual(900);
			expect(
				items.every(
					(item) =>
						(item as { evidence?: { pacing?: { ratePerMinute?: number } } }).evidence?.pacing
							?.ratePerMinute === 60,
				),
			).toBe(true);
			expect(
				items.every(
					(item) =>
						(item as { evidence?: { breaker?: { state: string } } }).evidence?.breaker?.state ===
						'closed',
				),
			).toBe(true);
		} finally {
			await n8n.deactivate(id);
		}
	}, 300_000);

	test('the reported case with 200 queued messages: the breaker opens, one report, one restart, every message once', async () => {
		await sim.control.reset();
		const restartWorkflow = setSettings(loadExample('restartAndResend'), {
			notifyUrl: `${receiver.url}/notify`,
		});
		const trigger = findNode(restartWorkflow, 'On Delivery Failure');
		const reportUrl = webhookUrl(n8n, trigger.webhookId as string, 'onebot-failures');
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: reportUrl, secret: REPORT_SECRET }),
		);
		const restartId = await n8n.importWorkflow(restartWorkflow);
		await n8n.activate(restartId);
		const stamp = Date.now().toString(36);
		const workflow = batchWorkflow({
			id: 'sentinelPacing02',
			name: 'Pacing e2e: 200 queued messages',
			count: 200,
			node: sendNode({
				text: `={{ 'queued ${stamp} ' + $json.n }}`,
				verification: 'witness',
				deadlineSeconds: 1.5,
				retry: { maxAttempts: 3, backoffMs: 100, backoffCapMs: 300 },
				options: {
					pollIntervalMs: 150,
					minIntervalMs: 0,
					accountRatePerMinute: 0,
					breakerThreshold: 3,
					breakerHoldSeconds: 300,
					breakerCoolDownSeconds: 240,
				},
			}),
		});
		const sendId = await n8n.importWorkflow(workflow);
		try {
			await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
			const since = new Date();
			const started = Date.now();
			const run = await n8n.runWorkflow(sendId, { timeoutMs: 400_000 });
			const delivered = outputItems(run, 'Send With Verification', 0);
			const failed = outputItems(run, 'Send With Verification', 1);
			figures.reportedCaseRunMs = Date.now() - started;
			expect(failed).toEqual([]);
			expect(delivered).toHaveLength(200);

			const recoveries = await n8n.waitForExecutions(
				{ workflowId: restartId, since, count: 1 },
				{ timeoutMs: 60_000 },
			);
			await sleep(3000);
			const all = await n8n.listExecutions({ workflowId: restartId, since });
			expect(all).toHaveLength(1);
			const [recovery] = recoveries;
			expect(recovery.status).toBe('success');
			const [event] = outputItems(recovery, 'On Delivery Failure');
			expect(event).toMatchObject({
				event: 'delivery_failed',
				reason: 'circuit_open',
				reasonClass: 'account',
			});
			expect(outputItems(recovery, 'Restart Client', 0)).toEqual([
				expect.objectContaining({ outcome: 'recovered' }),
			]);

			const truth = (await groundTruth(sim)) as unknown as {
				messages: TruthMessage[];
				restarts: Array<{ account: string }>;
			};
			expect(truth.restarts.map((r) => r.account)).toEqual(['bot']);
			const ours = truth.messages.filter((m) => m.text.startsWith(`queued ${stamp} `));
			const whileStuck = ours.filter(
				(m) => m.fault === 'stuck_group' || (!m.accepted && m.deliveredTo.length === 0),
			);
			figures.sendsToStuckClientPer200 = whileStuck.length;
			expect(whileStuck.length).toBeLessThanOrEqual(5);
			for (let i = 0; i < 200; i++) {
				const text = `queued ${stamp} ${i}`;
				expect({
					text,
					arrived: ours.filter((m) => m.text === text && m.deliveredTo.includes('witness')).length,
				}).toEqual({ text, arrived: 1 });
			}
			const first = delivered.find(
				(item) =>
					(item as { evidence?: { breaker?: { openedByThisItem?: boolean } } }).evidence?.breaker
						?.openedByThisItem,
			);
			expect(first).toBeDefined();
		} finally {
			await n8n.deactivate(restartId);
		}
	}, 600_000);
});
