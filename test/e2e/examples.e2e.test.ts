/* eslint-disable @n8n/community-nodes/no-restricted-globals -- end-to-end test code, runs outside n8n */
/**
 * The shipped examples in real n8n with the packed package: imported as they are, credentials pointed at
 * the OneBot simulator, then each example run against simulator faults (schedules activated where the
 * example needs n8n's saved state). Every scenario checks the executions n8n stored and the simulator's
 * ground truth. Notifications and failure reports go to a loopback receiver.
 */
import { startSimulator, type Simulator, type WorldConfig } from '../../simulator';
import {
	EXAMPLE_FILES,
	Receiver,
	asCopy,
	exampleCredentialsFor,
	findNode,
	exampleWorkflowFiles,
	groundTruth,
	inboxWith,
	loadExample,
	loadExampleCredentials,
	messagesWith,
	outputItems,
	patchNode,
	setSettings,
	webhookUrl,
} from './lib/examples';
import { randomUUID } from 'node:crypto';
import { signReport } from '../../core/signing';
import { nodeOutput, type Execution, type N8nHandle } from '../../scripts/lib/n8n';
import { fastWorld, startStack, stopStack } from './lib/stack';
import { sleep, waitFor } from '../../scripts/lib/proc';

const REPORT_SECRET = 'examples-e2e-report-secret';

describe('example workflows in real n8n', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;
	const timings: Record<string, number> = {};
	let textCounter = 0;
	const uniqueText = (label: string) => `e2e ${label} #${Date.now().toString(36)}${++textCounter}`;

	beforeAll(async () => {
		const started = Date.now();
		({ sim, receiver, n8n } = await startStack());
		timings.startMs = Date.now() - started;
	}, 400_000);

	afterAll(async () => {
		await stopStack({ n8n, receiver, sim });
		process.stderr.write(`[sentinel] examples e2e timings (ms): ${JSON.stringify(timings)}\n`);
	});

	beforeEach(async () => {
		await sim.control.reset();
		// The example credential gives the bot its Event WebSocket URL: self-reporting on, as the probe expects.
		sim.world.account('bot').cfg.reportSelfMessage = true;
		receiver.requests.length = 0;
	});

	async function importCredentials(reportUrl = `${receiver.url}/report`) {
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: reportUrl, secret: REPORT_SECRET }),
		);
	}

	const notifications = () => receiver.at('/notify').map((r) => r.body);

	test('every example and the simulator credentials import as shipped, referencing only loaded types', async () => {
		const t = Date.now();
		const files = exampleWorkflowFiles();
		expect(files).toEqual(expect.arrayContaining(Object.values(EXAMPLE_FILES)));
		await n8n.importCredentials(loadExampleCredentials());
		const nodeTypes = new Set((await n8n.nodeTypes()).map((type) => type.name));
		const credentialIds = new Set(loadExampleCredentials().map((c) => c.id));
		for (const file of files) {
			const workflow = loadExample(file);
			const id = await n8n.importWorkflow(workflow);
			expect(id).toBe(workflow.id);
			const stored = await n8n.api('GET', `/workflows/${id}`);
			expect(stored.name).toBe(workflow.name);
			expect(stored.nodes.map((n: { name: string }) => n.name).sort()).toEqual(
				workflow.nodes.map((n) => n.name).sort(),
			);
			for (const node of stored.nodes as Array<{
				name: string;
				type: string;
				credentials?: Record<string, { id: string }>;
			}>) {
				expect({ node: node.name, type: node.type, loaded: nodeTypes.has(node.type) }).toEqual({
					node: node.name,
					type: node.type,
					loaded: true,
				});
				for (const ref of Object.values(node.credentials ?? {}))
					expect(credentialIds).toContain(ref.id);
			}
		}
		timings.importAllMs = Date.now() - t;
	});

	describe('1: verified send with retry and a notification when it finally fails', () => {
		const workflow = () =>
			patchNode(loadExample('verifiedSend'), 'Send With Verification', {
				deadlineSeconds: 1.5,
				retry: { backoffMs: 100, backoffCapMs: 300 },
				options: { pollIntervalMs: 150, minIntervalMs: 0 },
			});

		test('delivered: the witness saw it once, no notification', async () => {
			await importCredentials();
			const text = uniqueText('daily report');
			const id = await n8n.importWorkflow(
				setSettings(workflow(), { text, notifyUrl: `${receiver.url}/notify` }),
			);
			const exec = await n8n.runWorkflow(id, { timeoutMs: 90_000 });
			expect(exec.status).toBe('success');
			const [item] = nodeOutput(exec, 'Send With Verification', 0);
			expect(item).toMatchObject({
				status: 'delivered',
				reason: null,
				verification: 'witness',
				target: { type: 'group', id: 100200300 },
			});
			expect(nodeOutput(exec, 'Send With Verification', 1)).toEqual([]);
			expect(nodeOutput(exec, 'Delivered')).toHaveLength(1);
			const truth = await groundTruth(sim);
			expect(inboxWith(truth, 'witness', text)).toHaveLength(1);
			expect(notifications()).toEqual([]);
		});

		test('group sends time out (stuck client): three attempts, not delivered, one notification and one signed failure report', async () => {
			await importCredentials();
			await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
			const text = uniqueText('stuck');
			const id = await n8n.importWorkflow(
				setSettings(workflow(), { text, notifyUrl: `${receiver.url}/notify` }),
			);
			const t = Date.now();
			const exec = await n8n.runWorkflow(id, { timeoutMs: 120_000 });
			timings.example1FailureMs = Date.now() - t;
			expect(exec.status).toBe('success');
			expect(nodeOutput(exec, 'Send With Verification', 0)).toEqual([]);
			const [item] = outputItems(exec, 'Send With Verification', 1);
			expect(item).toMatchObject({
				status: 'failed',
				reason: 'send_timeout',
				reasonClass: 'ambiguous',
			});
			expect(item.attempts).toHaveLength(3);
			expect(item.report).toMatchObject({ sent: true, status: 200 });

			const [note] = notifications();
			expect(notifications()).toHaveLength(1);
			expect(note).toMatchObject({
				title: 'QQ message not delivered',
				reason: 'send_timeout',
				reasonClass: 'ambiguous',
				target: { type: 'group', id: 100200300 },
				correlationId: item.correlationId,
				attempts: 3,
				reportedToTrigger: true,
			});
			expect(note.text).toContain('send_timeout');

			const [report] = receiver.at('/report');
			expect(receiver.at('/report')).toHaveLength(1);
			expect(report.headers['x-onebot-sentinel-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
			expect(report.body).toMatchObject({
				event: 'delivery_failed',
				source: 'send',
				reason: 'send_timeout',
				correlationId: item.correlationId,
			});
			expect(JSON.stringify(report.body)).not.toContain(REPORT_SECRET);

			const truth = await groundTruth(sim);
			expect(inboxWith(truth, 'witness', text)).toEqual([]);
			expect(messagesWith(truth, text)).toHaveLength(3);
		});
	});

	describe('1b: one QQ account, Kernel Confirmed', () => {
		const workflow = () =>
			patchNode(loadExample('oneAccountSend'), 'Send With Verification', {
				deadlineSeconds: 1.5,
				retry: { backoffMs: 100, backoffCapMs: 300 },
				options: { pollIntervalMs: 150, minIntervalMs: 0 },
			});

		test('no witness credential: delivered on ok, delivered once on a late self message, one not_confirmed notification for a stuck send', async () => {
			await importCredentials();
			{
				const run = async (text: string) => {
					const id = await n8n.importWorkflow(
						setSettings(workflow(), { text, notifyUrl: `${receiver.url}/notify` }),
					);
					const exec = await n8n.runWorkflow(id, { timeoutMs: 90_000 });
					expect(exec.status).toBe('success');
					return exec;
				};
				const plain = uniqueText('one account');
				const ok = await run(plain);
				expect(outputItems(ok, 'Send With Verification', 0)).toEqual([
					expect.objectContaining({ status: 'delivered', verification: 'kernel' }),
				]);

				await sim.control.setFault({
					kind: 'timeout_delivered',
					scope: { account: 'bot' },
					count: 1,
					params: { lateAfterMs: 400 },
				});
				const late = uniqueText('one account late');
				const [confirmed] = outputItems(await run(late), 'Send With Verification', 0);
				expect(confirmed).toMatchObject({
					status: 'delivered',
					attempts: [expect.objectContaining({ outcome: 'landed_after_check' })],
				});

				await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
				const stuck = uniqueText('one account stuck');
				const [failed] = outputItems(await run(stuck), 'Send With Verification', 1);
				expect(failed).toMatchObject({
					status: 'failed',
					reason: 'not_confirmed',
					reasonClass: 'ambiguous',
				});
				expect(notifications()).toEqual([
					expect.objectContaining({
						title: 'QQ message not delivered',
						reason: 'not_confirmed',
						attempts: 1,
					}),
				]);

				const truth = await groundTruth(sim);
				expect(messagesWith(truth, late)).toHaveLength(1);
				expect(inboxWith(truth, 'witness', late)).toHaveLength(1);
				expect(messagesWith(truth, stuck)).toHaveLength(1);
			}
		});
	});

	describe('2: quiet hours, failures in the night wait until morning and are resent', () => {
		// Three failed sends (the example's Max Attempts), then the fault is spent: the morning resend gets through.
		const failThreeSends = () =>
			sim.control.setFault({ kind: 'stuck_group', count: 3, scope: { account: 'bot' } });
		const workflow = (nowOverride: string, text: string) => {
			const wf = setSettings(loadExample('quietHours'), {
				text,
				nowOverride,
				notifyUrl: `${receiver.url}/notify`,
			});
			const fast = {
				deadlineSeconds: 1.5,
				retry: { backoffMs: 100, backoffCapMs: 300 },
				options: { pollIntervalMs: 150, minIntervalMs: 0 },
			};
			patchNode(wf, 'Send With Verification', fast);
			return patchNode(wf, 'Resend in the Morning', fast);
		};

		test('inside the window (06:29:55 in Asia/Shanghai, given in UTC): waits until 06:30, resends, delivered exactly once', async () => {
			await importCredentials('');
			await failThreeSends();
			const text = uniqueText('night');
			// 22:29:55 UTC is 06:29:55 in Asia/Shanghai: five seconds before the quiet hours end.
			const id = await n8n.importWorkflow(workflow('2026-11-25T22:29:55Z', text));
			const t = Date.now();
			const exec = await n8n.runWorkflow(id, { timeoutMs: 120_000 });
			timings.example2InsideMs = Date.now() - t;
			expect(exec.status).toBe('success');
			const [failed] = outputItems(exec, 'Send With Verification', 1);
			expect(failed).toMatchObject({ status: 'failed', reason: 'send_timeout' });
			const [decided] = outputItems(exec, 'Quiet Hours?');
			expect(decided.quietHours).toMatchObject({
				inside: true,
				resendable: true,
				window: '00:30-06:30 Asia/Shanghai',
				endsAt: '2026-11-26T06:30:00.000+08:00',
				waitSeconds: 5,
			});
			const waited = exec.data.resultData.runData['Wait Until Quiet Hours End'][0];
			expect(waited.executionTime).toBeGreaterThanOrEqual(4_500);
			const [resent] = outputItems(exec, 'Resend in the Morning', 0);
			expect(resent).toMatchObject({
				status: 'delivered',
				correlationId: failed.correlationId,
				target: failed.target,
			});
			expect(resent.message).toEqual(failed.message);
			expect(nodeOutput(exec, 'Resent')).toHaveLength(1);
			expect(notifications()).toEqual([]);

			await sleep(1000);
			const truth = await groundTruth(sim);
			expect(inboxWith(truth, 'witness', text)).toHaveLength(1);
			const sent = messagesWith(truth, text);
			expect(sent).toHaveLength(4);
			// The delivered one was sent after the wait, not before it.
			const delivered = sent.filter((m) => m.deliveredTo.includes('witness'));
			expect(delivered).toHaveLength(1);
		});

		test('outside the window (12:00 in Asia/Shanghai): notified at once, nothing resent', async () => {
			await importCredentials('');
			await failThreeSends();
			const text = uniqueText('noon');
			const id = await n8n.importWorkflow(workflow('2026-11-26T12:00:00+08:00', text));
			const exec = await n8n.runWorkflow(id, { timeoutMs: 120_000 });
			expect(exec.status).toBe('success');
			const [decided] = outputItems(exec, 'Quiet Hours?');
			expect(decided.quietHours).toMatchObject({ inside: false, endsAt: null, waitSeconds: 0 });
			expect(exec.data.resultData.runData['Wait Until Quiet Hours End']).toBeUndefined();
			expect(exec.data.resultData.runData['Resend in the Morning']).toBeUndefined();
			const [note] = notifications();
			expect(notifications()).toHaveLength(1);
			expect(note).toMatchObject({
				title: 'QQ message not delivered',
				reason: 'send_timeout',
				quietHours: { inside: false },
			});
			const truth = await groundTruth(sim);
			expect(inboxWith(truth, 'witness', text)).toEqual([]);
			expect(messagesWith(truth, text)).toHaveLength(3);
		});

		test('a terminal failure inside the window (bot removed from the group) is notified at once, not resent', async () => {
			await importCredentials('');
			await sim.control.setFault({ kind: 'not_in_group', scope: { account: 'bot' } });
			const text = uniqueText('terminal');
			// 01:00 in Asia/Shanghai, inside a window that is given over midnight in UTC terms.
			const id = await n8n.importWorkflow(workflow('2026-11-25T17:00:00Z', text));
			const exec = await n8n.runWorkflow(id, { timeoutMs: 120_000 });
			const [decided] = outputItems(exec, 'Quiet Hours?');
			expect(decided).toMatchObject({ reason: 'not_in_group', reasonClass: 'terminal' });
			expect(decided.quietHours).toMatchObject({ inside: true, resendable: false });
			expect(exec.data.resultData.runData['Resend in the Morning']).toBeUndefined();
			expect(notifications()).toEqual([expect.objectContaining({ reason: 'not_in_group' })]);
		});
	});

	describe('3: failure trigger, restart, probe, resend', () => {
		test('five failure reports at the same moment restart the client once; every failed message is resent once', async () => {
			const wf = setSettings(loadExample('restartAndResend'), {
				notifyUrl: `${receiver.url}/notify`,
			});
			patchNode(wf, 'Restart Client', {
				recoveryDeadline: 30,
				options: { initialWait: 1, pollBase: 0.5, pollCap: 2 },
			});
			const trigger = findNode(wf, 'On Delivery Failure');
			const reportUrl = webhookUrl(n8n, trigger.webhookId as string, 'onebot-failures');
			await importCredentials(reportUrl);
			const id = await n8n.importWorkflow(wf);
			await n8n.activate(id);
			const texts = Array.from({ length: 5 }, (_, i) => uniqueText(`overlap ${i}`));
			const since = new Date();
			const t = Date.now();
			let runs: Execution[];
			try {
				// Five Send nodes reporting their failures together, as after a client got stuck.
				const answers = await Promise.all(
					texts.map((text) => {
						const body = JSON.stringify({
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
						return postUntilRegistered(reportUrl, body);
					}),
				);
				expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
				runs = await n8n.waitForExecutions(
					{ workflowId: id, since, count: 5 },
					{ timeoutMs: 180_000 },
				);
			} finally {
				await n8n.deactivate(id);
			}
			timings.example3OverlapMs = Date.now() - t;
			const restartItems = runs.map(
				(run) =>
					[...outputItems(run, 'Restart Client', 0), ...outputItems(run, 'Restart Client', 1)][0],
			);
			// One run restarts; each other one finds the restart under way (skipped_in_progress) or, when its
			// report reached n8n after the restart had finished, just done (skipped_cooldown). Both go on to the
			// probe and the resend.
			const outcomes = restartItems.map((item) => item.outcome as string);
			expect(outcomes.filter((o) => o === 'recovered')).toHaveLength(1);
			for (const outcome of outcomes.filter((o) => o !== 'recovered'))
				expect(['skipped_in_progress', 'skipped_cooldown']).toContain(outcome);
			for (const run of runs) expect(run.status).toBe('success');
			await sleep(1000);
			const truth = await groundTruth(sim);
			expect(truth.restarts.filter((r) => r.account === 'bot')).toHaveLength(1);
			for (const text of texts) expect(inboxWith(truth, 'witness', text)).toHaveLength(1);
			expect(notifications()).toEqual([]);
		});
	});

	describe('4: scheduled health probe, notifying only on state changes', () => {
		test('up → down (stuck group) → up: two notifications, none for the probes in between', async () => {
			await importCredentials('');
			const wf = asCopy(loadExample('scheduledProbe'), 'sentinelEx4e2e001', 'every 5 s');
			setSettings(wf, { notifyUrl: `${receiver.url}/notify` });
			// Every 5 s instead of 5 min; a shorter canary deadline. Thresholds stay as shipped (2 and 2).
			patchNode(wf, 'Every 5 Minutes', {
				rule: { interval: [{ field: 'seconds', secondsInterval: 5 }] },
			});
			patchNode(wf, 'Health Probe', { canaryDeadline: 2, options: { requestTimeout: 3 } });
			const id = await n8n.importWorkflow(wf);
			const started = new Date();
			const t = Date.now();
			await n8n.activate(id);
			try {
				const successes = (since: Date) =>
					n8n
						.listExecutions({ workflowId: id, since })
						.then((l) => l.filter((e) => e.status === 'success'));
				await waitFor('two healthy probes', async () => (await successes(started)).length >= 2, {
					timeoutMs: 60_000,
					intervalMs: 500,
				});
				expect(notifications()).toEqual([]);

				await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
				const [down] = await receiver.waitFor('/notify', 1, 90_000);
				expect(down.body).toMatchObject({
					state: 'down',
					previousState: 'up',
					diagnosis: 'group_send_blocked_private_ok',
				});
				expect(down.body.title).toBe('QQ bot up → down');
				// Two more probes while it stays down: no notification.
				const afterDown = new Date();
				await waitFor(
					'two more probes while down',
					async () => (await successes(afterDown)).length >= 2,
					{ timeoutMs: 60_000, intervalMs: 500 },
				);
				expect(notifications()).toHaveLength(1);

				await sim.control.clearFaults();
				const notes = await receiver.waitFor('/notify', 2, 90_000);
				expect(notes[1].body).toMatchObject({
					state: 'up',
					previousState: 'down',
					diagnosis: 'ok',
					title: 'QQ bot down → up',
				});
			} finally {
				await n8n.deactivate(id);
			}
			timings.example4Ms = Date.now() - t;
			// A probe that started before the deactivation must end here: finishing during example 5's restart, it
			// would see the account down and notify. (n8n's public API lists running executions only when asked.)
			await waitFor(
				'example 4 has no running execution',
				async () => (await n8n.listExecutions({ workflowId: id, status: 'running' })).length === 0,
				{ timeoutMs: 60_000, intervalMs: 500 },
			);
			const all = (await n8n.listExecutions({ workflowId: id })).filter(
				(e) => e.status === 'success',
			);
			const runs = await Promise.all(all.map((e) => n8n.getExecution(e.id!)));
			const states = runs
				.sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!))
				.map((e) => probeResult(e));
			// Every probe ran; only the two transitions went to the notification.
			expect(states.filter((s) => s.changed).map((s) => `${s.previousState}>${s.state}`)).toEqual([
				'up>down',
				'down>up',
			]);
			expect(states.length).toBeGreaterThanOrEqual(6);
			expect(notifications()).toHaveLength(2);
			const truth = await groundTruth(sim);
			// Canaries really went out on every probe (group and private, both seen by the witness while healthy).
			expect(inboxWith(truth, 'witness', 'Health probe').length).toBeGreaterThanOrEqual(4);
		});
	});

	describe('5: scheduled restart, respecting the restart guard', () => {
		// The restart guard is keyed by the account's QQ number in the n8n process (issue #23 row 5), and example 3
		// restarted the demo bot minutes ago: this run restarts a bot of its own (another simulator, another QQ
		// number), so its guard history starts empty, as on a fresh install.
		test('activated: the first run restarts and the account comes back; the next run is refused by the guard, quietly', async () => {
			const own = await startSimulator(ownBotWorld());
			try {
				await n8n.importCredentials(exampleCredentialsFor(own, { url: '', secret: REPORT_SECRET }));
				await scheduledRestartOnce(own);
			} finally {
				await own.close();
			}
		});

		async function scheduledRestartOnce(own: Simulator) {
			const wf = asCopy(loadExample('scheduledRestart'), 'sentinelEx5e2e001', 'every 10 s');
			setSettings(wf, { notifyUrl: `${receiver.url}/notify` });
			patchNode(wf, 'Every 12 Hours', {
				rule: { interval: [{ field: 'seconds', secondsInterval: 10 }] },
			});
			patchNode(wf, 'Restart Client', {
				recoveryDeadline: 30,
				options: {
					expectedSelfId: own.urls.accounts.bot.selfId,
					initialWait: 1,
					pollBase: 0.5,
					pollCap: 2,
				},
			});
			const id = await n8n.importWorkflow(wf);
			const started = new Date();
			const t = Date.now();
			await n8n.activate(id);
			let runs: Execution[];
			try {
				runs = await n8n.waitForExecutions(
					{ workflowId: id, since: started, count: 2 },
					{ timeoutMs: 90_000 },
				);
			} finally {
				await n8n.deactivate(id);
			}
			timings.example5Ms = Date.now() - t;
			runs.sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
			const [first, second] = runs;
			expect(first.status).toBe('success');
			const [recovered] = outputItems(first, 'Restart Client', 0);
			expect(recovered).toMatchObject({
				outcome: 'recovered',
				recovered: true,
				method: 'napcatWebUi',
				guard: { allowed: true, historyPersisted: true },
			});
			expect(nodeOutput(first, 'Back Online')).toHaveLength(1);

			const [refused] = outputItems(second, 'Restart Client', 1);
			expect(refused).toMatchObject({
				outcome: 'skipped_cooldown',
				guard: { allowed: false, blockedBy: 'min_interval', minIntervalMinutes: 60 },
			});
			expect(nodeOutput(second, 'Skipped')).toHaveLength(1);
			expect(second.data.resultData.runData['Notify: Restart Failed']).toBeUndefined();

			expect((await groundTruth(own)).restarts.filter((r) => r.account === 'bot')).toHaveLength(1);
			expect((await groundTruth(sim)).restarts).toEqual([]);
			expect(notifications()).toEqual([]);
		}

		test('a restart that cannot be requested (WebUI down) is notified', async () => {
			await importCredentials('');
			await sim.control.setFault({ kind: 'webui_down' });
			const wf = asCopy(loadExample('scheduledRestart'), 'sentinelEx5e2e002', 'WebUI down');
			setSettings(wf, { notifyUrl: `${receiver.url}/notify` });
			// This test is about a restart that cannot be requested, not the guard: the account was restarted earlier in
			// this n8n process (examples 3 and 5), so the guard is opened for it.
			patchNode(wf, 'Restart Client', {
				minIntervalMinutes: 0,
				maxPerHour: 60,
				options: { requestTimeout: 3 },
			});
			const id = await n8n.importWorkflow(wf);
			const exec = await n8n.runWorkflow(id, { trigger: 'Every 12 Hours', timeoutMs: 90_000 });
			const [failed] = outputItems(exec, 'Restart Client', 1);
			expect(failed).toMatchObject({ outcome: 'restart_failed', recovered: false });
			const [note] = notifications();
			expect(notifications()).toHaveLength(1);
			expect(note).toMatchObject({
				title: 'Scheduled QQ client restart: restart_failed',
				outcome: 'restart_failed',
			});
			const truth = await groundTruth(sim);
			expect(truth.restarts).toEqual([]);
		});
	});
});

/**
 * Posts a signed report; right after activation the production webhook may still answer 404 (not registered
 * yet), which started nothing, so it is safe to post again.
 */
async function postUntilRegistered(url: string, body: string): Promise<Response> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const res = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				...signReport(body, REPORT_SECRET, Math.floor(Date.now() / 1000)),
			},
			body,
			signal: AbortSignal.timeout(15_000),
		});
		if (res.status !== 404 || Date.now() > deadline) return res;
		await res.text();
		await sleep(500);
	}
}

function probeResult(exec: Execution): { state: string; previousState: string; changed: boolean } {
	const healthy = nodeOutput(exec, 'Health Probe', 0);
	const unhealthy = nodeOutput(exec, 'Health Probe', 1);
	const [item] = [...healthy, ...unhealthy] as Array<{
		state: string;
		previousState: string;
		changed: boolean;
	}>;
	return item;
}

/** The default world with other QQ numbers: a bot whose restart guard history no other example touched. */
function ownBotWorld(): WorldConfig {
	const world = fastWorld();
	const accounts = Object.entries(world.accounts ?? {}).map(([name, account]) => [
		name,
		{ ...account, selfId: account.selfId + 10_000 },
	]);
	return { ...world, accounts: Object.fromEntries(accounts) };
}
