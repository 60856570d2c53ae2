/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- end-to-end test code, runs outside n8n; the report secret is a test value */
/**
 * The reported case end to end in real n8n: the client degrades (group sends time out while private sends
 * work), example 1's verified send fails and reports it, example 3's trigger workflow restarts the client
 * through the NapCat WebUI, the health probe finds it up again, and the message is resent and arrives
 * exactly once (simulator ground truth).
 */
import type { ImplementationName, Simulator } from '../../simulator';
import {
	Receiver,
	exampleCredentialsFor,
	findNode,
	groundTruth,
	inboxWith,
	loadExample,
	messagesWith,
	outputItems,
	patchNode,
	setSettings,
	webhookUrl,
} from './lib/examples';
import { nodeOutput, type N8nHandle } from '../../scripts/lib/n8n';
import { startStack, stopStack } from './lib/stack';
import { sleep } from '../../scripts/lib/proc';

const REPORT_SECRET = 'reported-case-e2e-secret';

describe('the reported case in real n8n: stuck group sends, restart, probe, resend exactly once', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		const started = Date.now();
		({ sim, receiver, n8n } = await startStack((s) => {
			// The example credential gives the bot its Event WebSocket URL: self-reporting on, as the probe expects.
			s.world.account('bot').cfg.reportSelfMessage = true;
		}));
		timings.startMs = Date.now() - started;
	}, 400_000);

	afterAll(async () => {
		await stopStack({ n8n, receiver, sim });
		process.stderr.write(`[sentinel] reported case e2e timings (ms): ${JSON.stringify(timings)}\n`);
	});

	test('the failed group message is resent after the restart and arrives once; private sends kept working throughout', async () => {
		const notifyUrl = `${receiver.url}/notify`;
		const restartWorkflow = setSettings(loadExample('restartAndResend'), { notifyUrl });
		const trigger = findNode(restartWorkflow, 'On Delivery Failure');
		const reportUrl = webhookUrl(n8n, trigger.webhookId as string, 'onebot-failures');
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: reportUrl, secret: REPORT_SECRET }),
		);
		const restartId = await n8n.importWorkflow(restartWorkflow);
		await n8n.activate(restartId);

		const sendWorkflow = setSettings(loadExample('verifiedSend'), { notifyUrl });
		patchNode(sendWorkflow, 'Send With Verification', {
			deadlineSeconds: 1.5,
			retry: { backoffMs: 100, backoffCapMs: 300 },
			options: { pollIntervalMs: 150, minIntervalMs: 0 },
		});
		const sendId = await n8n.importWorkflow(sendWorkflow);
		try {
			// Healthy at first.
			const before = `e2e before degradation #${Date.now().toString(36)}`;
			await n8n.importWorkflow(setSettings(sendWorkflow, { text: before }));
			const healthy = await n8n.runWorkflow(sendId, { timeoutMs: 90_000 });
			expect(nodeOutput(healthy, 'Send With Verification', 0)).toEqual([
				expect.objectContaining({ status: 'delivered' }),
			]);

			// The client degrades: group sends time out, private sends still arrive.
			await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
			const privateText = `e2e private while stuck #${Date.now().toString(36)}`;
			const privateAnswer = await sendPrivate(sim, sim.urls.accounts.friend.selfId, privateText);
			expect(privateAnswer.status).toBe('ok');

			const text = `e2e reported case #${Date.now().toString(36)}`;
			await n8n.importWorkflow(setSettings(sendWorkflow, { text }));
			const sentAt = new Date();
			const t = Date.now();
			const failed = await n8n.runWorkflow(sendId, { timeoutMs: 120_000 });
			const [failure] = outputItems(failed, 'Send With Verification', 1);
			expect(failure).toMatchObject({
				status: 'failed',
				reason: 'send_timeout',
				reasonClass: 'ambiguous',
			});
			expect(failure.report).toMatchObject({ sent: true, status: 200 });

			const [recovery] = await n8n.waitForExecutions(
				{ workflowId: restartId, since: sentAt, count: 1 },
				{ timeoutMs: 180_000 },
			);
			timings.failureToResentMs = Date.now() - t;
			expect(recovery.status).toBe('success');
			expect(recovery.mode).toBe('webhook');
			const [event] = outputItems(recovery, 'On Delivery Failure');
			expect(event).toMatchObject({
				event: 'delivery_failed',
				source: 'send',
				reason: 'send_timeout',
				correlationId: failure.correlationId,
				workflowId: sendId,
				target: { type: 'group', id: 100200300 },
			});
			expect(JSON.stringify(event)).not.toContain(REPORT_SECRET);

			const [restart] = outputItems(recovery, 'Restart Client', 0);
			// The simulated client is back within 0.5 s, before the first check, so sawDown may be false: the ground truth below
			// shows the restart.
			expect(restart).toMatchObject({
				outcome: 'recovered',
				recovered: true,
				method: 'napcatWebUi',
			});
			const [probe] = outputItems(recovery, 'Health Probe', 0);
			expect(probe).toMatchObject({ observedState: 'up', state: 'up', diagnosis: 'ok' });
			expect(probe.canaries?.group).toMatchObject({ status: 'delivered', verification: 'witness' });
			expect(probe.canaries?.private).toMatchObject({
				status: 'delivered',
				verification: 'witness',
			});
			const [resent] = outputItems(recovery, 'Resend Failed Message', 0);
			expect(resent).toMatchObject({
				status: 'delivered',
				verification: 'witness',
				correlationId: failure.correlationId,
				target: failure.target,
				message: failure.message,
			});
			expect(resent.attempts).toHaveLength(1);
			expect(nodeOutput(recovery, 'Resent')).toHaveLength(1);

			// Settle, then the ground truth: one restart, and the message in the group exactly once.
			await sleep(2000);
			const truth = await groundTruth(sim);
			expect(truth.restarts.map((r) => r.account)).toEqual(['bot']);
			expect(inboxWith(truth, 'witness', text)).toHaveLength(1);
			expect(inboxWith(truth, 'friend', text)).toHaveLength(1);
			expect(inboxWith(truth, 'friend', privateText)).toEqual([
				expect.objectContaining({ messageType: 'private', fromAccount: 'bot' }),
			]);
			const copies = messagesWith(truth, text);
			expect(copies.filter((m) => m.deliveredTo.length > 0)).toHaveLength(1);
			// The example 1 notification for the failure went out (that workflow cannot know a resend follows); the
			// recovery workflow notified nothing.
			expect(receiver.at('/notify').map((r) => r.body.title)).toEqual(['QQ message not delivered']);
		} finally {
			await n8n.deactivate(restartId);
		}
	});
});

describe('the reported case for one-account users in real n8n: Kernel Confirmed (example 1b)', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;

	beforeAll(async () => {
		({ sim, receiver, n8n } = await startStack());
	}, 400_000);

	afterAll(async () => {
		await stopStack({ n8n, receiver, sim });
	});

	test('late confirmation delivered once without a resend; never confirmed, NOSEQ and self-reporting off end not_confirmed, never resent', async () => {
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: `${receiver.url}/report`, secret: REPORT_SECRET }),
		);
		const workflow = patchNode(loadExample('oneAccountSend'), 'Send With Verification', {
			deadlineSeconds: 1.5,
			retry: { backoffMs: 100, backoffCapMs: 300 },
			options: { pollIntervalMs: 150, minIntervalMs: 0 },
		});
		const send = async (text: string) => {
			const id = await n8n.importWorkflow(
				setSettings(workflow, { text, notifyUrl: `${receiver.url}/notify` }),
			);
			const exec = await n8n.runWorkflow(id, { timeoutMs: 120_000 });
			expect(exec.status).toBe('success');
			return {
				delivered: outputItems(exec, 'Send With Verification', 0),
				failed: outputItems(exec, 'Send With Verification', 1),
			};
		};
		const bot = sim.world.account('bot');
		bot.cfg.reportSelfMessage = true;

		// The kernel confirms just after the implementation's 200 ms wait ran out (NapCat #932 / LuckyLilliaBot #243).
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { lateAfterMs: 400 },
		});
		const late = `e2e one account late #${Date.now().toString(36)}`;
		const lateRun = await send(late);
		expect(lateRun.failed).toEqual([]);
		const [confirmed] = lateRun.delivered;
		expect(confirmed).toMatchObject({ status: 'delivered', verification: 'kernel' });
		expect(confirmed.attempts).toEqual([
			expect.objectContaining({ outcome: 'landed_after_check', reason: 'send_timeout' }),
		]);
		expect(confirmed.evidence).toMatchObject({
			check: { by: 'kernel', kernel: { via: 'self_event' } },
		});

		// The reported case itself: group sends stuck, the record stays "sending".
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const stuck = `e2e one account stuck #${Date.now().toString(36)}`;
		const [never] = (await send(stuck)).failed;
		expect(never).toMatchObject({
			status: 'failed',
			reason: 'not_confirmed',
			reasonClass: 'ambiguous',
		});
		expect(never.attempts).toHaveLength(1);
		await sim.control.clearFaults();

		// NOSEQ: the server gave no seq, so no self message is ever pushed.
		await sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { lateStatus: 3, lateAfterMs: 300 },
		});
		const noseq = `e2e one account noseq #${Date.now().toString(36)}`;
		const [noseqItem] = (await send(noseq)).failed;
		expect(noseqItem).toMatchObject({ reason: 'not_confirmed' });
		expect(noseqItem.attempts).toHaveLength(1);

		// Self-reporting off: the late confirmation cannot be seen, so the verdict is not_confirmed, and nothing is resent.
		bot.cfg.reportSelfMessage = false;
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { lateAfterMs: 400 },
		});
		const off = `e2e one account reporting off #${Date.now().toString(36)}`;
		const [offItem] = (await send(off)).failed;
		expect(offItem).toMatchObject({ reason: 'not_confirmed' });
		expect(JSON.stringify(offItem.evidence)).toContain('self-reporting may be off');

		await sleep(1000);
		const truth = await groundTruth(sim);
		for (const text of [late, stuck, noseq, off]) expect(messagesWith(truth, text)).toHaveLength(1);
		expect(inboxWith(truth, 'witness', late)).toHaveLength(1);
		expect(inboxWith(truth, 'witness', off)).toHaveLength(1);
		expect(inboxWith(truth, 'witness', stuck)).toEqual([]);
		expect(inboxWith(truth, 'witness', noseq)).toEqual([]);
		expect(receiver.at('/notify').map((r) => r.body.reason)).toEqual([
			'not_confirmed',
			'not_confirmed',
			'not_confirmed',
		]);
	});
});

/** A private message straight through the bot's OneBot HTTP API (not through n8n). */
async function sendPrivate(
	sim: Simulator,
	userId: number,
	text: string,
): Promise<{ status: string }> {
	const bot = sim.urls.accounts.bot;
	const res = await fetch(`${bot.http}/send_private_msg`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` },
		body: JSON.stringify({ user_id: userId, message: [{ type: 'text', data: { text } }] }),
		signal: AbortSignal.timeout(10_000),
	});
	return (await res.json()) as { status: string };
}

/**
 * Issue 13: on LLOneBot 4.0–4.6.1 (4.4.3 is the reported version) `message_seq` is an md5 short id, not a
 * server seq (docs/compatibility.md, table 'Witness matching'). In a group with history, witness matching that compared it with the
 * baseline's highest value called delivered messages lost and resent them. Example 1 in real n8n, on every
 * implementation and version the simulator models, in a group that already holds dozens of messages
 * (including earlier copies of the very text sent): Delivered once, never resent.
 */
describe('delivered messages in a group with history, every implementation and version, in real n8n', () => {
	const CASES: Array<[ImplementationName, string]> = [
		['llonebot', '3.28.0'],
		['llonebot', '4.4.3'],
		['llonebot', '4.6.2'],
		['llonebot', '5.0.0'],
		['llonebot', '7.0.1'],
		['napcat', '4.8.90'],
		['napcat', '4.10.32'],
		['gocq', 'v1.2.0'],
		['lagrange', '0.0.3'],
	];
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;

	beforeAll(async () => {
		({ sim, receiver, n8n } = await startStack());
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: `${receiver.url}/report`, secret: 'history-e2e-secret' }),
		);
	}, 400_000);

	afterAll(async () => {
		await stopStack({ n8n, receiver, sim });
	});

	test('example 1 delivers once on each, with no resend', async () => {
		const notifyUrl = `${receiver.url}/notify`;
		const results: string[] = [];
		for (const [flavour, version] of CASES) {
			await sim.control.reset();
			for (const account of ['bot', 'witness', 'friend'])
				await sim.control.setFlavour(account, flavour, version);
			const text = `daily report ${flavour} ${version}`;
			for (let i = 0; i < 45; i++) {
				await sim.control.inject(
					i % 3 === 0 ? 'bot' : 'friend',
					{ groupId: 100200300 },
					i === 4 || i === 30 ? text : `earlier ${i}`,
				);
			}
			await sleep(300);
			const workflow = setSettings(loadExample('verifiedSend'), { notifyUrl, text });
			patchNode(workflow, 'Send With Verification', {
				deadlineSeconds: 1.5,
				retry: { backoffMs: 100, backoffCapMs: 300 },
				options: { pollIntervalMs: 150, minIntervalMs: 0 },
			});
			const id = await n8n.importWorkflow(workflow);
			const run = await n8n.runWorkflow(id, { timeoutMs: 90_000 });
			const [delivered] = outputItems(run, 'Send With Verification', 0);
			await sleep(500);
			const truth = await groundTruth(sim);
			const copies = inboxWith(truth, 'witness', text).length;
			results.push(
				`${flavour} ${version}: ${delivered?.status ?? 'not delivered'}, attempts ${delivered?.attempts?.length ?? '-'}, copies ${copies}`,
			);
			process.stderr.write(`[sentinel] history e2e: ${results[results.length - 1]}\n`);
		}
		expect(results).toEqual(
			CASES.map(([flavour, version]) => `${flavour} ${version}: delivered, attempts 1, copies 3`),
		);
	}, 900_000);
});
