/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- end-to-end test code, runs outside n8n; the report secret is a test value */
/**
 * The Delivery Failure Trigger in real n8n: a Send With Verification failure in one workflow starts the
 * trigger's workflow, which resends the message once the fault is gone, and the simulator shows it delivered
 * exactly once. Forged, unsigned and replayed reports start no execution.
 */
import { randomUUID } from 'node:crypto';
import { signReport } from '../../core/signing';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	Receiver,
	exampleCredentialsFor,
	groundTruth,
	inboxWith,
	loadExample,
	outputItems,
	patchNode,
	setSettings,
	webhookUrl,
} from './lib/examples';
import { nodeOutput, startN8n, type N8nHandle, type WorkflowJson } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { sleep } from '../../scripts/lib/proc';

const REPORT_SECRET = 'trigger-e2e-report-secret';
const PKG = 'n8n-nodes-onebot-sentinel';
const BOT = { oneBotApi: { id: 'sentinelBotSim01', name: 'OneBot bot (simulator)' } };
const WITNESS = {
	oneBotWitnessApi: { id: 'sentinelWitSim01', name: 'OneBot witness (simulator)' },
};

/** Trigger → resend the event's message to its target, verified by the witness, never reporting again. */
function resendWorkflow(webhookId: string): WorkflowJson {
	return {
		id: 'sentinelTrigE2e01',
		name: 'e2e: resend on delivery failure',
		nodes: [
			{
				id: randomUUID(),
				name: 'On Delivery Failure',
				type: `${PKG}.oneBotDeliveryFailureTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events: ['delivery_failed'], options: {} },
				credentials: BOT,
			},
			{
				id: randomUUID(),
				name: 'Resend',
				type: `${PKG}.oneBotSendWithVerification`,
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					targetType: '={{ $json.target.type }}',
					targetId: '={{ $json.target.id }}',
					messageMode: 'segments',
					segments: '={{ JSON.stringify($json.message) }}',
					verification: 'witness',
					deadlineSeconds: 5,
					retry: { maxAttempts: 1 },
					options: {
						correlationId: '={{ $json.correlationId }}',
						reportFailures: false,
						pollIntervalMs: 150,
					},
				},
				credentials: { ...BOT, ...WITNESS },
			},
		],
		connections: {
			'On Delivery Failure': { main: [[{ node: 'Resend', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Trigger → No Operation: a workflow in which no node writes static data. */
function triggerOnlyWorkflow(webhookId: string): WorkflowJson {
	return {
		id: 'sentinelTrigE2e02',
		name: 'e2e: failure trigger only',
		nodes: [
			{
				id: randomUUID(),
				name: 'On Delivery Failure',
				type: `${PKG}.oneBotDeliveryFailureTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events: ['delivery_failed'], options: {} },
				credentials: BOT,
			},
			{
				id: randomUUID(),
				name: 'Received',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [260, 0],
				parameters: {},
			},
		],
		connections: {
			'On Delivery Failure': { main: [[{ node: 'Received', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

describe('Delivery Failure Trigger in real n8n', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;
	let triggerUrl: string;
	let resendId: string;
	let triggerOnlyUrl: string;
	let triggerOnlyId: string;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		const started = Date.now();
		sim = await startSimulator({
			...defaultWorld(),
			kernelTimeoutMs: 200,
			deliveryDelayMs: 20,
			heartbeatIntervalMs: 60_000,
		});
		receiver = await Receiver.start();
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		const webhookId = randomUUID();
		triggerUrl = webhookUrl(n8n, webhookId, 'onebot-failures');
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: triggerUrl, secret: REPORT_SECRET }),
		);
		resendId = await n8n.importWorkflow(resendWorkflow(webhookId));
		await n8n.activate(resendId);
		const triggerOnlyWebhookId = randomUUID();
		triggerOnlyUrl = webhookUrl(n8n, triggerOnlyWebhookId, 'onebot-failures');
		triggerOnlyId = await n8n.importWorkflow(triggerOnlyWorkflow(triggerOnlyWebhookId));
		await n8n.activate(triggerOnlyId);
		timings.startMs = Date.now() - started;
	}, 400_000);

	afterAll(async () => {
		if (resendId) await n8n?.deactivate(resendId).catch(() => undefined);
		if (triggerOnlyId) await n8n?.deactivate(triggerOnlyId).catch(() => undefined);
		await n8n?.stop();
		await receiver?.close();
		await sim?.close();
		process.stderr.write(`[sentinel] trigger e2e timings (ms): ${JSON.stringify(timings)}\n`);
	});

	const storedStaticData = async (id: string) =>
		(await n8n.rest<{ staticData?: unknown }>('GET', `/workflows/${id}`)).staticData ?? null;
	/** A replay must be answered 403; otherwise fail with what the trigger's replay memory held in n8n's database. */
	const expectRefusedReplay = async (answer: Response, workflowId: string) => {
		if (answer.status === 403) return;
		const stored = JSON.stringify(await storedStaticData(workflowId));
		throw new Error(
			`the replayed report was answered ${answer.status}, not 403; the workflow's stored static data: ${stored}`,
		);
	};
	const runsSince = async (since: Date) =>
		(await n8n.listExecutions({ workflowId: resendId, since })).length;

	test('a failed send in another workflow starts the trigger workflow, which resends it once the fault is gone: delivered exactly once', async () => {
		const text = `e2e trigger resend #${Date.now().toString(36)}`;
		const sender = setSettings(loadExample('verifiedSend'), {
			text,
			notifyUrl: `${receiver.url}/notify`,
		});
		patchNode(sender, 'Send With Verification', {
			deadlineSeconds: 1,
			retry: { backoffMs: 100, backoffCapMs: 300 },
			options: { pollIntervalMs: 150, minIntervalMs: 0 },
		});
		const senderId = await n8n.importWorkflow(sender);
		// Group sends time out for the sender's three attempts, then the fault is spent (cleared).
		await sim.control.setFault({ kind: 'stuck_group', count: 3, scope: { account: 'bot' } });
		const since = new Date();
		const t = Date.now();
		const failed = await n8n.runWorkflow(senderId, { timeoutMs: 120_000 });
		const [failure] = outputItems(failed, 'Send With Verification', 1);
		expect(failure).toMatchObject({ reason: 'send_timeout', report: { sent: true, status: 200 } });
		expect(await sim.control.faults()).toEqual([]);

		const [run] = await n8n.waitForExecutions(
			{ workflowId: resendId, since, count: 1 },
			{ timeoutMs: 120_000 },
		);
		timings.failureToResendMs = Date.now() - t;
		expect(run.status).toBe('success');
		expect(nodeOutput(run, 'On Delivery Failure')).toEqual([
			expect.objectContaining({
				event: 'delivery_failed',
				source: 'send',
				correlationId: failure.correlationId,
				workflowId: senderId,
			}),
		]);
		expect(nodeOutput(run, 'Resend', 0)).toEqual([
			expect.objectContaining({
				status: 'delivered',
				correlationId: failure.correlationId,
				message: failure.message,
			}),
		]);

		await sleep(2000);
		const truth = await groundTruth(sim);
		expect(inboxWith(truth, 'witness', text)).toHaveLength(1);
		expect(inboxWith(truth, 'friend', text)).toHaveLength(1);
		expect(await runsSince(since)).toBe(1);
	});

	describe('reports that must start nothing', () => {
		const report = (text: string) =>
			JSON.stringify({
				event: 'delivery_failed',
				source: 'send',
				reportedAt: new Date().toISOString(),
				status: 'failed',
				reason: 'send_timeout',
				reasonClass: 'ambiguous',
				target: { type: 'group', id: 100200300 },
				message: [{ type: 'text', data: { text } }],
				correlationId: randomUUID(),
			});
		const post = (body: string, headers: Record<string, string>, url = triggerUrl) =>
			fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body,
				signal: AbortSignal.timeout(15_000),
			});

		test('forged (wrong secret) and unsigned reports are refused and start no execution', async () => {
			const since = new Date();
			const text = `e2e forged #${Date.now().toString(36)}`;
			const body = report(text);
			const forged = await post(
				body,
				signReport(body, 'not-the-secret', Math.floor(Date.now() / 1000)),
			);
			expect(forged.status).toBe(403);
			expect(JSON.stringify(await forged.json())).not.toContain(REPORT_SECRET);
			const unsigned = await post(body, {});
			expect(unsigned.status).toBe(401);
			await sleep(3000);
			expect(await runsSince(since)).toBe(0);
			expect(inboxWith(await groundTruth(sim), 'witness', text)).toEqual([]);
		});

		test('a valid report starts one execution; the same request replayed is refused and starts none', async () => {
			const since = new Date();
			const text = `e2e replay #${Date.now().toString(36)}`;
			const body = report(text);
			const headers = signReport(body, REPORT_SECRET, Math.floor(Date.now() / 1000));
			const first = await post(body, headers);
			expect(first.status).toBe(200);
			const [run] = await n8n.waitForExecutions(
				{ workflowId: resendId, since, count: 1 },
				{ timeoutMs: 60_000 },
			);
			expect(nodeOutput(run, 'Resend', 0)).toEqual([
				expect.objectContaining({ status: 'delivered' }),
			]);

			const replayed = await post(body, headers);
			await expectRefusedReplay(replayed, resendId);
			await sleep(3000);
			expect(await runsSince(since)).toBe(1);
			expect(inboxWith(await groundTruth(sim), 'witness', text)).toHaveLength(1);
		});

		test('replay refused by a trigger whose workflow writes no static data (its replay memory is kept)', async () => {
			const since = new Date();
			const body = report(`e2e replay, trigger only #${Date.now().toString(36)}`);
			const headers = signReport(body, REPORT_SECRET, Math.floor(Date.now() / 1000));
			expect((await post(body, headers, triggerOnlyUrl)).status).toBe(200);
			await n8n.waitForExecutions(
				{ workflowId: triggerOnlyId, since, count: 1 },
				{ timeoutMs: 60_000 },
			);
			const replayed = await post(body, headers, triggerOnlyUrl);
			await expectRefusedReplay(replayed, triggerOnlyId);
			await sleep(2000);
			expect((await n8n.listExecutions({ workflowId: triggerOnlyId, since })).length).toBe(1);
		});
	});
});
