/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @typescript-eslint/no-explicit-any -- runs outside n8n */
/**
 * The package in n8n queue mode: PostgreSQL, Redis, a main, a webhook process and two workers (each with the
 * package in its own user folder), against the OneBot simulator over real HTTP.
 * Run by `bash scripts/queue-mode.sh test` (which sets SENTINEL_QUEUE_E2E=1); skipped in the plain e2e run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	nodeOutput,
	type CredentialJson,
	type Execution,
	type WorkflowJson,
} from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { tmpRoot } from '../../scripts/lib/paths';
import { startQueueStack, type QueueStack } from '../../scripts/lib/queue';
import { signReport } from '../../core/signing';
import {
	exampleCredentialsFor,
	findNode,
	loadExample,
	patchNode,
	setSettings,
} from './lib/examples';

const PKG = 'n8n-nodes-onebot-sentinel';
const GROUP_ID = 100200300;
const REPORT_SECRET = 'queue-report-secret-not-secret';
const describeQueue = process.env.SENTINEL_QUEUE_E2E === '1' ? describe : describe.skip;

const ids = {
	bot: 'QueueCredBot00001',
	friend: 'QueueCredFriend01',
	botReports: 'QueueCredBotRep01',
	witness: 'QueueCredWitness1',
	docker: 'QueueCredDocker01',
	triggerWebhook: randomUUID(),
};

function node(
	name: string,
	type: string,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
	x = 0,
) {
	return { id: randomUUID(), name, type, typeVersion: 1, position: [x, 0], parameters, ...extra };
}

function webhookNode(pathName: string) {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		{ httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} },
		{ typeVersion: 2, webhookId: randomUUID() },
	);
}

const fastSend = {
	verification: 'witness',
	deadlineSeconds: 3,
	retry: { maxAttempts: 3, backoffMs: 50, backoffCapMs: 200, accountBackoffMs: 100 },
	// Include Input: the bulk scenario finds each output's input text in it.
	options: {
		minIntervalMs: 0,
		pollIntervalMs: 200,
		requestTimeoutMs: 2000,
		useEventStream: false,
		reportFailures: false,
		includeInput: true,
	},
};

const credRef = (id: string, name: string) => ({ id, name });

function sendNode(
	name: string,
	parameters: Record<string, unknown>,
	botCred: { id: string; name: string },
	x = 300,
) {
	return node(
		`${name}`,
		`${PKG}.oneBotSendWithVerification`,
		parameters,
		{
			credentials: { oneBotApi: botCred, oneBotWitnessApi: credRef(ids.witness, 'Witness') },
		},
		x,
	);
}

/** Reported case, sender side: a webhook sends one message, one attempt, failures reported to the trigger. */
function reportedSendWorkflow(): WorkflowJson {
	return {
		name: 'Queue: send and report',
		nodes: [
			webhookNode('queue-reported'),
			sendNode(
				'Send',
				{
					targetType: 'group',
					targetId: String(GROUP_ID),
					messageMode: 'text',
					text: '={{ $json.body.text }}',
					...fastSend,
					retry: { maxAttempts: 1 },
					options: { ...fastSend.options, reportFailures: true },
				},
				credRef(ids.botReports, 'Bot (reports)'),
			),
		],
		connections: { Webhook: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Reported case, recovery side: failure trigger → restart the client → resend what failed. */
function recoverWorkflow(): WorkflowJson {
	const trigger = 'OneBot Delivery Failure Trigger';
	return {
		name: 'Queue: recover',
		nodes: [
			node(
				trigger,
				`${PKG}.oneBotDeliveryFailureTrigger`,
				{ events: ['delivery_failed'], options: {} },
				{
					webhookId: ids.triggerWebhook,
					credentials: { oneBotApi: credRef(ids.botReports, 'Bot (reports)') },
				},
			),
			node(
				'Restart',
				`${PKG}.oneBotRestartClient`,
				{
					method: 'onebot',
					minIntervalMinutes: 10,
					maxPerHour: 3,
					recoveryDeadline: 30,
					options: {
						initialWait: 0.5,
						pollBase: 0.2,
						pollCap: 1,
						requestTimeout: 5,
						sendReport: false,
					},
				},
				{ credentials: { oneBotApi: credRef(ids.botReports, 'Bot (reports)') } },
				300,
			),
			sendNode(
				'Resend',
				{
					targetType: `={{ $('${trigger}').item.json.target.type }}`,
					targetId: `={{ $('${trigger}').item.json.target.id }}`,
					messageMode: 'segments',
					segments: `={{ JSON.stringify($('${trigger}').item.json.message) }}`,
					...fastSend,
				},
				credRef(ids.botReports, 'Bot (reports)'),
				600,
			),
		],
		connections: {
			[trigger]: { main: [[{ node: 'Restart', type: 'main', index: 0 }]] },
			Restart: { main: [[{ node: 'Resend', type: 'main', index: 0 }], []] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Bulk: each webhook call carries a batch of messages, split into items, sent and verified. */
function bulkWorkflow(): WorkflowJson {
	return {
		name: 'Queue: bulk send',
		nodes: [
			webhookNode('queue-bulk'),
			node(
				'Split Out',
				'n8n-nodes-base.splitOut',
				{ fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
				{},
				200,
			),
			sendNode(
				'Send',
				{
					targetType: 'group',
					targetId: String(GROUP_ID),
					messageMode: 'text',
					text: '={{ $json.text }}',
					...fastSend,
				},
				credRef(ids.bot, 'Bot'),
				400,
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Guard: each webhook call carries restart requests (items) for the bot's container, through the Docker Engine API. */
function restartWorkflow(name: string, pathName: string): WorkflowJson {
	return {
		name,
		nodes: [
			webhookNode(pathName),
			node(
				'Split Out',
				'n8n-nodes-base.splitOut',
				{ fieldToSplitOut: 'body.requests', include: 'noOtherFields', options: {} },
				{},
				200,
			),
			node(
				'Restart',
				`${PKG}.oneBotRestartClient`,
				{
					method: 'docker',
					container: 'napcat-friend',
					stopTimeout: 0,
					minIntervalMinutes: 10,
					maxPerHour: 3,
					recoveryDeadline: 30,
					// The initial wait keeps each run going for a while, so runs started together overlap.
					options: {
						initialWait: 2,
						pollBase: 0.2,
						pollCap: 1,
						requestTimeout: 5,
						sendReport: false,
					},
				},
				{
					credentials: {
						oneBotApi: credRef(ids.friend, 'Friend'),
						dockerEngineApi: credRef(ids.docker, 'Docker'),
					},
				},
				400,
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Restart', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

function restartItems(exec: Execution): Array<Record<string, any>> {
	return [...nodeOutput(exec, 'Restart', 0), ...nodeOutput(exec, 'Restart', 1)] as Array<
		Record<string, any>
	>;
}

function restartItem(exec: Execution): Record<string, any> {
	const all = restartItems(exec);
	if (all.length !== 1)
		throw new Error(`execution ${exec.id}: expected one Restart item, got ${all.length}`);
	return all[0];
}

function groupTexts(truth: any, account: string): string[] {
	return (truth.accounts[account].inbox as any[])
		.filter((m) => m.messageType === 'group' && m.groupId === GROUP_ID && m.fromAccount === 'bot')
		.map((m) => m.text as string);
}

function count<T>(values: T[]): Map<T, number> {
	const counts = new Map<T, number>();
	for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
	return counts;
}

/** One Redis command through redis-cli (installed with redis-server); its answer as printed, trimmed. */
function redisCli(port: number, ...args: string[]): string {
	return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
		encoding: 'utf8',
	}).trim();
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TruthMessage {
	text: string;
	timeMs: number;
	fault?: string;
}

describeQueue(
	'n8n queue mode: main, webhook process and two workers over PostgreSQL and Redis',
	() => {
		let stack: QueueStack;
		let sim: Simulator;
		const results: Record<string, unknown> = {};
		const suiteStarted = Date.now();

		/**
		 * Calls a production webhook on the webhook process. Right after activation the webhook process may
		 * still answer 404 (not registered yet); a 404 started nothing, so it is safe to ask again.
		 */
		async function post(pathName: string, body: unknown): Promise<void> {
			const deadline = Date.now() + 30_000;
			for (;;) {
				const res = await fetch(`${stack.webhookBaseUrl}/webhook/${pathName}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
					signal: AbortSignal.timeout(30_000),
				});
				const text = await res.text();
				if (res.ok) return;
				if (res.status !== 404 || Date.now() > deadline)
					throw new Error(`POST /webhook/${pathName}: HTTP ${res.status} ${text}`);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		}

		/** The worker that ran an execution; fails unless exactly one worker's log started it. */
		function workerOf(executionId: string): string {
			const workers = stack.executionWorkers().get(executionId) ?? [];
			if (workers.length !== 1)
				throw new Error(`execution ${executionId} was started by ${JSON.stringify(workers)}`);
			return workers[0];
		}

		beforeAll(async () => {
			const packed = await packPackage();
			sim = await startSimulator({ ...defaultWorld(), kernelTimeoutMs: 200, deliveryDelayMs: 20 });
			stack = await startQueueStack({ packageTgz: packed.tgz, workers: 2, concurrency: 5 });
			const credentials: CredentialJson[] = [
				{
					id: ids.bot,
					name: 'Bot',
					type: 'oneBotApi',
					data: { baseUrl: sim.urls.accounts.bot.http, accessToken: 'bot-token' },
				},
				// The restart-guard scenario restarts this account, which no other scenario restarts: the bot's earlier
				// restarts (reported case) are remembered by the workers and seen in Docker's StartedAt, rightly.
				{
					id: ids.friend,
					name: 'Friend',
					type: 'oneBotApi',
					data: { baseUrl: sim.urls.accounts.friend.http, accessToken: 'friend-token' },
				},
				{
					id: ids.botReports,
					name: 'Bot (reports)',
					type: 'oneBotApi',
					data: {
						baseUrl: sim.urls.accounts.bot.http,
						accessToken: 'bot-token',
						// The trigger's URL as the workers reach it: the webhook process, not the main.
						reportUrl: `${stack.webhookBaseUrl}/webhook/${ids.triggerWebhook}/onebot-failures`,
						reportSecret: REPORT_SECRET,
					},
				},
				{
					id: ids.witness,
					name: 'Witness',
					type: 'oneBotWitnessApi',
					data: { baseUrl: sim.urls.accounts.witness.http, accessToken: 'witness-token' },
				},
				{
					id: ids.docker,
					name: 'Docker',
					type: 'dockerEngineApi',
					data: { baseUrl: sim.urls.docker },
				},
			];
			await stack.main.importCredentials(credentials);
		}, 420_000);

		afterAll(async () => {
			await stack?.stop();
			await sim?.close();
			results.suiteMs = Date.now() - suiteStarted;
			fs.mkdirSync(tmpRoot, { recursive: true });
			fs.writeFileSync(path.join(tmpRoot, 'queue-results.json'), JSON.stringify(results, null, 2));
			process.stderr.write(`[sentinel] queue results: ${JSON.stringify(results)}\n`);
		}, 120_000);

		test('every process has the package in its own user folder and loads it', () => {
			const folders = [
				stack.main.userFolder,
				stack.webhook!.userFolder!,
				...stack.workers.map((w) => w.userFolder!),
			];
			expect(new Set(folders).size).toBe(4);
			for (const folder of folders) {
				const installed = path.join(folder, '.n8n', 'nodes', 'node_modules', PKG, 'package.json');
				expect({ folder, installed: fs.existsSync(installed) }).toEqual({
					folder,
					installed: true,
				});
			}
			// A worker without the package would log "Unrecognized node type" when it runs our nodes.
			for (const worker of stack.workers)
				expect(fs.readFileSync(worker.logFile, 'utf8')).toMatch(/n8n worker is now ready/);
		});

		test('the reported case: a send fails on a worker, its signed report reaches the trigger over HTTP, the recovery workflow runs on a worker, restarts the client and the message arrives exactly once', async () => {
			const started = Date.now();
			const since = new Date(started - 1000);
			const sendId = await stack.main.importWorkflow(reportedSendWorkflow());
			const recoverId = await stack.main.importWorkflow(recoverWorkflow());
			await stack.main.activate(sendId);
			await stack.main.activate(recoverId);
			await sim.control.clearFaults();
			const restartsBefore = (await sim.control.groundTruth()).restarts.length;
			// The stuck client: group sends time out and vanish while everything else answers; a restart cures it.
			await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });

			const text = `queue reported case ${randomUUID()}`;
			await post('queue-reported', { text });

			const [sendExec] = await stack.main.waitForExecutions(
				{ workflowId: sendId, since, count: 1 },
				{ timeoutMs: 90_000 },
			);
			const [recoverExec] = await stack.main.waitForExecutions(
				{ workflowId: recoverId, since, count: 1 },
				{ timeoutMs: 120_000 },
			);
			expect(sendExec.status).toBe('success');
			expect(nodeOutput(sendExec, 'Send', 0)).toEqual([]);
			const [failed] = nodeOutput(sendExec, 'Send', 1) as any[];
			expect(failed).toMatchObject({
				status: 'failed',
				reasonClass: 'ambiguous',
				report: { sent: true, status: 200 },
			});

			expect(recoverExec.status).toBe('success');
			const triggered = nodeOutput(recoverExec, 'OneBot Delivery Failure Trigger')[0] as any;
			expect(triggered).toMatchObject({
				event: 'delivery_failed',
				source: 'send',
				executionId: sendExec.id,
				workflowId: sendId,
			});
			expect(restartItem(recoverExec)).toMatchObject({ outcome: 'recovered', recovered: true });
			const resent = nodeOutput(recoverExec, 'Resend', 0) as any[];
			expect(resent).toHaveLength(1);
			expect(resent[0]).toMatchObject({ status: 'delivered', verification: 'witness' });
			expect(nodeOutput(recoverExec, 'Resend', 1)).toEqual([]);

			const truth = await sim.control.groundTruth();
			expect(groupTexts(truth, 'witness').filter((t) => t === text)).toHaveLength(1);
			expect(groupTexts(truth, 'friend').filter((t) => t === text)).toHaveLength(1);
			const restarts = truth.restarts.slice(restartsBefore);
			expect(restarts).toHaveLength(1);

			const sendWorker = workerOf(sendExec.id!);
			const recoverWorker = workerOf(recoverExec.id!);
			results.reportedCase = {
				sendExecution: sendExec.id,
				sendWorker,
				failedReason: failed.reason,
				recoverExecution: recoverExec.id,
				recoverWorker,
				restarts: restarts.length,
				deliveredCopies: 1,
				ms: Date.now() - started,
			};
			await stack.main.deactivate(sendId);
			await stack.main.deactivate(recoverId);
			await sim.control.clearFaults();
		}, 240_000);

		test('200 sends over both workers with random faults: every item on exactly one output, the ground truth agrees, no duplicates', async () => {
			const started = Date.now();
			const since = new Date(started - 1000);
			const wfId = await stack.main.importWorkflow(bulkWorkflow());
			await stack.main.activate(wfId);
			await sim.control.clearFaults();
			const scope = { account: 'bot', action: 'send_group_msg' };
			const faults = [
				{ kind: 'silent_drop', probability: 0.05 },
				{ kind: 'timeout_not_delivered', probability: 0.05 },
				{ kind: 'timeout_delivered', probability: 0.05 },
				{ kind: 'data_null', probability: 0.04 },
				{ kind: 'message_id_zero', probability: 0.03 },
				{ kind: 'http_500', probability: 0.04 },
				{ kind: 'connection_reset', probability: 0.03 },
				{ kind: 'malformed_json', probability: 0.03 },
				{ kind: 'latency', probability: 0.2, params: { ms: 50, jitterMs: 150 } },
			];
			for (const [i, f] of faults.entries())
				await sim.control.setFault({ ...f, seed: 9000 + i, scope } as any);

			const runId = randomUUID().slice(0, 8);
			const batches = 20;
			const perBatch = 10;
			const texts: string[] = [];
			const posts: Array<Promise<void>> = [];
			for (let b = 0; b < batches; b++) {
				const items = Array.from({ length: perBatch }, (_, i) => {
					const text = `bulk ${runId} #${b * perBatch + i}`;
					texts.push(text);
					return { text };
				});
				posts.push(post('queue-bulk', { items }));
			}
			await Promise.all(posts);
			const execs = await stack.main.waitForExecutions(
				{ workflowId: wfId, since, count: batches },
				{ timeoutMs: 360_000 },
			);
			expect(execs).toHaveLength(batches);
			expect(execs.map((e) => e.status)).toEqual(Array(batches).fill('success'));

			// Every item leaves on exactly one output.
			const outputs = new Map<
				string,
				Array<{ status: string; reason: string | null; exec: string }>
			>();
			for (const exec of execs) {
				for (const [output, items] of [
					nodeOutput(exec, 'Send', 0),
					nodeOutput(exec, 'Send', 1),
				].entries()) {
					for (const item of items as any[]) {
						expect(item.status).toBe(output === 0 ? 'delivered' : 'failed');
						const list = outputs.get(item.input.text) ?? [];
						list.push({ status: item.status, reason: item.reason, exec: exec.id! });
						outputs.set(item.input.text, list);
					}
				}
			}
			const missing = texts.filter((t) => !outputs.has(t));
			const twice = [...outputs.entries()].filter(([, list]) => list.length !== 1).map(([t]) => t);
			expect({ missing, twice }).toEqual({ missing: [], twice: [] });
			expect(outputs.size).toBe(texts.length);

			// The ground truth: no message reached the witness twice; each Delivered item reached it once.
			const truth = await sim.control.groundTruth();
			const received = count(
				groupTexts(truth, 'witness').filter((t) => t.startsWith(`bulk ${runId} `)),
			);
			const duplicates = [...received.entries()].filter(([, n]) => n > 1).map(([t]) => t);
			expect(duplicates).toEqual([]);
			const delivered = texts.filter((t) => outputs.get(t)![0].status === 'delivered');
			const failed = texts.filter((t) => outputs.get(t)![0].status === 'failed');
			expect(delivered.filter((t) => received.get(t) !== 1)).toEqual([]);
			// A Not Delivered item did not reach the witness by the deadline; one that arrived later is counted.
			const failedButArrived = failed.filter((t) => received.has(t));

			const workers = count(execs.map((e) => workerOf(e.id!)));
			expect(workers.size).toBe(2);
			const reasons = count(failed.map((t) => String(outputs.get(t)![0].reason)));
			results.bulk = {
				items: texts.length,
				executions: execs.length,
				delivered: delivered.length,
				notDelivered: failed.length,
				notDeliveredButArrivedLater: failedButArrived.length,
				duplicates: duplicates.length,
				reasons: Object.fromEntries(reasons),
				executionsPerWorker: Object.fromEntries(workers),
				faultsApplied: (await sim.control.faults()).map((f: any) => `${f.kind}:${f.applied}`),
				ms: Date.now() - started,
			};
			await stack.main.deactivate(wfId);
			await sim.control.clearFaults();
		}, 480_000);

		test('restart guard on two workers without a cluster lease: it holds within each worker process (process memory), not across workers', async () => {
			const started = Date.now();
			const wfId = await stack.main.importWorkflow(
				restartWorkflow('Queue: restart guard', 'queue-restart'),
			);
			await stack.main.activate(wfId);
			await sim.control.clearFaults();
			const restartsBefore = (await sim.control.groundTruth()).restarts.length;
			const dockerRestarts = async () =>
				(await sim.control.groundTruth()).restarts
					.slice(restartsBefore)
					.filter((r: any) => r.via === 'docker').length;

			// Two restart requests for the same account in one run: the first restarts, the second is refused.
			let since = new Date();
			await post('queue-restart', { requests: [{ n: 1 }, { n: 2 }] });
			const [oneRun] = await stack.main.waitForExecutions(
				{ workflowId: wfId, since, count: 1 },
				{ timeoutMs: 90_000 },
			);
			const [first, second] = restartItems(oneRun);
			expect(first).toMatchObject({ outcome: 'recovered', guard: { allowed: true } });
			expect(second).toMatchObject({
				outcome: 'skipped_cooldown',
				guard: { allowed: false, blockedBy: 'min_interval', restartsInLastHour: 1 },
			});
			expect(await dockerRestarts()).toBe(1);

			// Later runs, one after another, on either worker. n8n 2.41.1 starts every worker execution without the
			// saved static data, but each worker process keeps the history it made: a worker restarts the account at
			// most once per minimum interval; the other worker, which has not seen that restart, may restart it once.
			const sequential: Array<{
				execution: string;
				worker: string;
				outcome: string;
				restartsInLastHour: number;
			}> = [];
			for (let i = 0; i < 6; i++) {
				since = new Date();
				await post('queue-restart', { requests: [{ n: 1 }] });
				const [exec] = await stack.main.waitForExecutions(
					{ workflowId: wfId, since, count: 1 },
					{ timeoutMs: 90_000 },
				);
				const item = restartItem(exec);
				sequential.push({
					execution: exec.id!,
					worker: workerOf(exec.id!),
					outcome: item.outcome,
					restartsInLastHour: item.guard.restartsInLastHour,
				});
				if (i >= 1 && new Set(sequential.map((s) => s.worker)).size === 2) break;
			}
			const firstWorker = workerOf(oneRun.id!);
			for (const run of sequential.filter((r) => r.worker === firstWorker))
				expect(run).toMatchObject({ outcome: 'skipped_cooldown', restartsInLastHour: 1 });
			const otherRuns = sequential.filter((r) => r.worker !== firstWorker);
			expect(otherRuns.filter((r) => r.outcome === 'recovered').length).toBeLessThanOrEqual(1);
			expect(await dockerRestarts()).toBeLessThanOrEqual(2);

			results.guard = {
				withinOneRun: {
					worker: firstWorker,
					outcomes: [first.outcome, second.outcome],
					historyPersisted: first.guard.historyPersisted,
				},
				sequentialRuns: sequential,
				dockerRestarts: await dockerRestarts(),
				ms: Date.now() - started,
			};
			await stack.main.deactivate(wfId);
		}, 300_000);

		test('example 3 with the Redis lease: five failure reports at once, run by both workers, restart the client once', async () => {
			const started = Date.now();
			const workflow = loadExample('restartAndResend');
			setSettings(workflow, {
				notifyUrl: `${stack.webhookBaseUrl}/webhook/queue-nowhere`,
				clusterLease: 'redis',
				restartLeaseKey: `onebot-sentinel:restart:queue-${Date.now()}`,
			});
			// The earlier scenarios restarted this account on both workers, and each worker process remembers its
			// restarts per QQ number (the guard's process memory): with the example's 10-minute minimum interval the
			// lease winner would be refused by whichever worker it lands on. This scenario is about the lease, so the
			// guard is opened and only the Redis lease decides who restarts.
			patchNode(workflow, 'Restart Client', {
				minIntervalMinutes: 0,
				maxPerHour: 60,
				recoveryDeadline: 30,
				options: {
					expectedSelfId: sim.urls.accounts.bot.selfId,
					initialWait: 2,
					pollBase: 0.5,
					pollCap: 2,
					sendReport: false,
				},
			});
			const webhookId = findNode(workflow, 'On Delivery Failure').webhookId as string;
			const reportUrl = `${stack.webhookBaseUrl}/webhook/${webhookId}/onebot-failures`;
			const credentials = exampleCredentialsFor(sim, { url: reportUrl, secret: REPORT_SECRET }).map(
				(c) => (c.type === 'redis' ? { ...c, data: { ...c.data, port: stack.redis.port } } : c),
			);
			await stack.main.importCredentials(credentials);
			const wfId = await stack.main.importWorkflow(workflow);
			await stack.main.activate(wfId);
			await sim.control.clearFaults();
			const restartsBefore = (await sim.control.groundTruth()).restarts.length;

			const texts = Array.from(
				{ length: 5 },
				(_, i) => `queue overlap ${i} #${Date.now().toString(36)}`,
			);
			const signedPost = async (text: string) => {
				const body = JSON.stringify({
					event: 'delivery_failed',
					source: 'send',
					reportedAt: new Date().toISOString(),
					status: 'failed',
					reason: 'send_timeout',
					reasonClass: 'ambiguous',
					target: { type: 'group', id: GROUP_ID },
					message: [{ type: 'text', data: { text } }],
					correlationId: randomUUID(),
				});
				const deadline = Date.now() + 30_000;
				for (;;) {
					const res = await fetch(reportUrl, {
						method: 'POST',
						headers: {
							'content-type': 'application/json',
							...signReport(body, REPORT_SECRET, Math.floor(Date.now() / 1000)),
						},
						body,
						signal: AbortSignal.timeout(30_000),
					});
					await res.text();
					if (res.ok) return;
					// 404: the webhook process has not registered the trigger yet; it started nothing.
					if (res.status !== 404 || Date.now() > deadline)
						throw new Error(`report: HTTP ${res.status}`);
					await new Promise((resolve) => setTimeout(resolve, 500));
				}
			};
			const since = new Date();
			await Promise.all(texts.map(signedPost));
			const runs = await stack.main.waitForExecutions(
				{ workflowId: wfId, since, count: 5 },
				{ timeoutMs: 180_000 },
			);
			const leaseOf = (exec: Execution) => {
				const taken = nodeOutput(exec, 'Lease Taken?', 0).length > 0;
				// A run that did not take the lease never reaches Restart Client.
				const ran = exec.data.resultData.runData['Restart Client'] !== undefined;
				const restart = ran
					? ([
							...nodeOutput(exec, 'Restart Client', 0),
							...nodeOutput(exec, 'Restart Client', 1),
						][0] as Record<string, any>)
					: undefined;
				return {
					execution: exec.id!,
					worker: workerOf(exec.id!),
					leaseTaken: taken,
					outcome: restart?.outcome ?? null,
				};
			};
			const overlapping = runs.map(leaseOf);
			const restarts = (await sim.control.groundTruth()).restarts
				.slice(restartsBefore)
				.filter((r: any) => r.account === 'bot');
			results.redisLease = { overlapping, restarts: restarts.length, ms: Date.now() - started };
			// One run took this window's lease (Redis INCR answered 1) and restarted; the other four, on either worker,
			// did not take it and went on to the probe without restarting.
			expect(overlapping.filter((r) => r.leaseTaken).map((r) => r.outcome)).toEqual(['recovered']);
			expect(overlapping.filter((r) => !r.leaseTaken).map((r) => r.outcome)).toEqual([
				null,
				null,
				null,
				null,
			]);
			expect(new Set(overlapping.map((r) => r.worker)).size).toBe(2);
			expect(restarts).toHaveLength(1);
			await stack.main.deactivate(wfId);
		}, 400_000);

		/**
		 * Example 6 for one run of a scenario: unique Redis keys, the simulator's credentials (Redis on the stack's
		 * port, the bot's Report URL at this workflow's own trigger), fast deadlines. Returns the imported id.
		 */
		async function importExample6(
			settings: Record<string, string>,
			send: Record<string, unknown>,
		): Promise<{ id: string; breakerKey: string; paceKey: string }> {
			const run = `queue-${Date.now().toString(36)}`;
			const breakerKey = `onebot-sentinel:breaker:${run}`;
			const paceKey = `onebot-sentinel:pace:${run}`;
			const workflow = loadExample('queuePacingAndBreaker');
			setSettings(workflow, { paceKey, breakerKey, ...settings });
			patchNode(workflow, 'Failure Settings', {
				assignments: {
					assignments: (
						findNode(workflow, 'Failure Settings').parameters.assignments as {
							assignments: Array<{ name: string; value: string }>;
						}
					).assignments.map((a) =>
						a.name === 'breakerKey'
							? { ...a, value: breakerKey }
							: a.name === 'holdSeconds' && settings.holdSeconds
								? { ...a, value: settings.holdSeconds }
								: a,
					),
				},
			});
			patchNode(workflow, 'Send With Verification', {
				deadlineSeconds: 3,
				retry: { maxAttempts: 1 },
				options: { minIntervalMs: 0, pollIntervalMs: 200, useEventStream: false, ...send },
			});
			// Earlier scenarios restarted this QQ account on some worker, whose guard remembers it: only the shared
			// breaker decides here.
			patchNode(workflow, 'Restart Client', {
				minIntervalMinutes: 0,
				maxPerHour: 60,
				recoveryDeadline: 180,
				options: {
					expectedSelfId: sim.urls.accounts.bot.selfId,
					initialWait: 1,
					pollBase: 0.5,
					pollCap: 1,
					sendReport: false,
				},
			});
			const webhookId = findNode(workflow, 'On Delivery Failure').webhookId as string;
			const reportUrl = `${stack.webhookBaseUrl}/webhook/${webhookId}/onebot-failures`;
			const credentials = exampleCredentialsFor(sim, { url: reportUrl, secret: REPORT_SECRET }).map(
				(c) => (c.type === 'redis' ? { ...c, data: { ...c.data, port: stack.redis.port } } : c),
			);
			await stack.main.importCredentials(credentials);
			const id = await stack.main.importWorkflow(workflow);
			await stack.main.activate(id);
			return { id, breakerKey, paceKey };
		}

		const example6Send = 'onebot-sentinel-queue-send';

		/** Finished executions of example 6 since `since`, split by the trigger that started them. */
		async function example6Runs(wfId: string, since: Date) {
			const list = (await stack.main.listExecutions({ workflowId: wfId, since })).filter(
				(e) =>
					!!e.stoppedAt || ['success', 'error', 'crashed', 'canceled'].includes(e.status ?? ''),
			);
			const execs = await Promise.all(list.map((e) => stack.main.getExecution(e.id!)));
			const sends = execs.filter((e) => e.data.resultData.runData['Incoming Message']);
			const failures = execs.filter((e) => e.data.resultData.runData['On Delivery Failure']);
			return { sends, failures };
		}

		async function waitForSendRuns(wfId: string, since: Date, count: number, timeoutMs: number) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const runs = await example6Runs(wfId, since);
				if (runs.sends.length >= count) return runs;
				if (Date.now() > deadline)
					throw new Error(`${runs.sends.length} of ${count} send runs finished in ${timeoutMs} ms`);
				await sleepMs(500);
			}
		}

		const sendItems = (exec: Execution, output: number) =>
			exec.data.resultData.runData['Send With Verification']
				? (nodeOutput(exec, 'Send With Verification', output) as any[])
				: [];

		test('example 6, account-wide pacing: ten executions at once over both workers take Redis send slots one interval apart; at the simulator the sends are spaced account-wide, none lost or duplicated', async () => {
			const started = Date.now();
			const { id: wfId, paceKey } = await importExample6(
				{ ratePerMinute: '60', recheckSeconds: '1', holdSeconds: '30' },
				{ reportFailures: false },
			);
			await sim.control.clearFaults();
			const since = new Date(Date.now() - 1000);
			const texts = Array.from(
				{ length: 10 },
				(_, i) => `queue paced ${i} #${Date.now().toString(36)}`,
			);
			await Promise.all(texts.map((text) => post(example6Send, { text })));
			const { sends } = await waitForSendRuns(wfId, since, texts.length, 120_000);
			expect(sends).toHaveLength(texts.length);
			expect(sends.map((e) => e.status)).toEqual(texts.map(() => 'success'));

			// Every run sent once and was delivered; each took one slot of its own (Redis INCR answered 1).
			const delivered = sends.flatMap((e) => sendItems(e, 0));
			expect(delivered).toHaveLength(texts.length);
			expect(sends.flatMap((e) => sendItems(e, 1))).toEqual([]);
			const slotOf = (exec: Execution) => {
				const claims = nodeOutput(exec, 'Slot Taken?', 0) as any[];
				expect(claims).toHaveLength(1);
				const [key] = Object.keys(claims[0]);
				expect(key.startsWith(`${paceKey}:`)).toBe(true);
				expect(claims[0][key]).toBe(1);
				return Number(key.split(':').pop()) * 1000;
			};
			const slots = sends.map(slotOf);
			expect(new Set(slots).size).toBe(texts.length);
			// No send started before its slot began.
			for (const [i, exec] of sends.entries()) {
				const [item] = sendItems(exec, 0);
				expect(Date.parse(item.attempts[0].startedAt)).toBeGreaterThanOrEqual(slots[i]);
			}

			// Ground truth: each text reached the client once and arrived in the group once, none before its slot:
			// the k-th message reached the client no earlier than k intervals after the first slot, whichever worker
			// sent it. (Without the shared slots, ten runs on two workers send within a few hundred ms.)
			await sleepMs(500);
			const truth = await sim.control.groundTruth();
			const sent = (truth.messages as TruthMessage[])
				.filter((m) => texts.includes(m.text))
				.sort((a, b) => a.timeMs - b.timeMs);
			expect(sent.map((m) => m.text).sort()).toEqual([...texts].sort());
			const received = count(groupTexts(truth, 'witness').filter((t) => texts.includes(t)));
			expect([...received.values()]).toEqual(texts.map(() => 1));
			const slotByText = new Map(
				sends.map((e, i) => [(nodeOutput(e, 'Incoming Message')[0] as any).body.text, slots[i]]),
			);
			const transit = sent.map((m) => m.timeMs - slotByText.get(m.text)!);
			expect(transit.filter((ms) => ms < 0)).toEqual([]);
			const gaps = sent.slice(1).map((m, i) => m.timeMs - sent[i].timeMs);
			const sorted = [...gaps].sort((a, b) => a - b);
			const median = sorted[Math.floor(sorted.length / 2)];
			const span = sent[sent.length - 1].timeMs - sent[0].timeMs;
			// The simulator stamps arrival: the time from slot to arrival (transit) varies with the load of the two
			// shared cores, so gaps and span are recorded, not asserted: what holds is that none arrived early.
			const workers = count(sends.map((e) => workerOf(e.id!)));
			expect(workers.size).toBe(2);
			results.sharedPacing = {
				executions: sends.length,
				executionsPerWorker: Object.fromEntries(workers),
				minGapMs: sorted[0],
				medianGapMs: median,
				spanMs: span,
				maxTransitMs: Math.max(...transit),
				ms: Date.now() - started,
			};
			await stack.main.deactivate(wfId);
		}, 240_000);

		test('example 6, shared breaker: a stuck client opens a worker breaker, its circuit_open report sets the Redis key, runs on both workers then hold instead of sending, one restart clears it and every held message is delivered once', async () => {
			const started = Date.now();
			const threshold = 2;
			const { id: wfId, breakerKey } = await importExample6(
				{ ratePerMinute: '120', recheckSeconds: '1', holdSeconds: '60' },
				{
					reportFailures: true,
					breakerThreshold: threshold,
					breakerCoolDownSeconds: 3,
					breakerHoldSeconds: 60,
				},
			);
			await sim.control.clearFaults();
			const restartsBefore = (await sim.control.groundTruth()).restarts.length;
			await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
			// After the restart the client stays down until this test ends the downtime (below), so the held runs are
			// observed holding whatever the load of the machine.
			const botConfig = sim.world.account('bot').cfg;
			const downtimeBefore = botConfig.restartDowntimeMs;
			botConfig.restartDowntimeMs = 240_000;
			const since = new Date(Date.now() - 1000);
			const tag = Date.now().toString(36);
			try {
				// Phase 1: one message at a time until a worker's breaker has opened and the shared key is set. Each
				// worker opens after `threshold` failures of its own: at most threshold × 2 sends reach the stuck client.
				const stuckTexts: string[] = [];
				let keySet = false;
				for (let i = 0; i < threshold * 2 && !keySet; i++) {
					const text = `queue stuck ${i} #${tag}`;
					stuckTexts.push(text);
					await post(example6Send, { text });
					await waitForSendRuns(wfId, since, stuckTexts.length, 60_000);
					for (let w = 0; w < 20 && !keySet; w++) {
						keySet = redisCli(stack.redis.port, 'EXISTS', breakerKey) === '1';
						if (!keySet) await sleepMs(250);
					}
				}
				expect(keySet).toBe(true);
				const ttl = Number(redisCli(stack.redis.port, 'TTL', breakerKey));
				expect(ttl).toBeGreaterThan(0);
				expect(ttl).toBeLessThanOrEqual(60);

				// Phase 2: six messages at once while the key is set, over both workers. Once a worker has started all
				// six (its log) and they have had time to read the key twice, none of them has sent anything.
				const startedBefore = new Set(stack.executionWorkers().keys());
				const heldTexts = Array.from({ length: 6 }, (_, i) => `queue held ${i} #${tag}`);
				await Promise.all(heldTexts.map((text) => post(example6Send, { text })));
				const startDeadline = Date.now() + 120_000;
				while (
					[...stack.executionWorkers().keys()].filter((id) => !startedBefore.has(id)).length <
					heldTexts.length
				) {
					if (Date.now() > startDeadline) throw new Error('the six held runs did not all start');
					await sleepMs(500);
				}
				await sleepMs(4000);
				expect(redisCli(stack.redis.port, 'EXISTS', breakerKey)).toBe('1');
				const sentWhileHeld = ((await sim.control.groundTruth()).messages as TruthMessage[]).filter(
					(m) => heldTexts.includes(m.text),
				);
				expect(sentWhileHeld).toEqual([]);
				// The client comes back: the Restart Client still polling sees it recovered and deletes the key.
				await sim.control.restart('bot', { downtimeMs: 0 });
				const runs = await waitForSendRuns(
					wfId,
					since,
					stuckTexts.length + heldTexts.length,
					120_000,
				);
				expect(redisCli(stack.redis.port, 'EXISTS', breakerKey)).toBe('0');
				const textOf = (exec: Execution) =>
					(nodeOutput(exec, 'Incoming Message')[0] as any).body.text as string;
				const held = runs.sends.filter((e) => heldTexts.includes(textOf(e)));
				expect(held).toHaveLength(heldTexts.length);
				// Every phase-2 run found the key set at least once and waited, on either worker, then was delivered.
				const holds = held.map((e) => ({
					execution: e.id!,
					worker: workerOf(e.id!),
					checks: e.data.resultData.runData['Check Shared Breaker'].length,
					delivered: sendItems(e, 0).length,
				}));
				expect(holds.filter((h) => h.checks < 2)).toEqual([]);
				expect(holds.map((h) => h.delivered)).toEqual(heldTexts.map(() => 1));
				expect(new Set(holds.map((h) => h.worker)).size).toBe(2);

				// The failure side: every circuit_open report opened (or found open) the shared breaker; the one run
				// that got 1 restarted the client, which recovered and deleted the key.
				const failureRuns = runs.failures.map((e) => ({
					execution: e.id!,
					worker: workerOf(e.id!),
					reason: (nodeOutput(e, 'On Delivery Failure')[0] as any).reason,
					restarted: e.data.resultData.runData['Restart Client'] !== undefined,
					closed: e.data.resultData.runData['Close Shared Breaker'] !== undefined,
				}));
				const opening = failureRuns.filter((r) => r.reason === 'circuit_open');
				expect(opening.length).toBeGreaterThanOrEqual(1);
				expect(opening.length).toBeLessThanOrEqual(2);
				expect(opening.filter((r) => r.restarted)).toHaveLength(1);
				expect(opening.filter((r) => r.closed)).toHaveLength(1);
				const truth = await sim.control.groundTruth();
				// One restart requested by the workflow (WebUI); the test's own restart only ended its downtime.
				const restarts = (truth.restarts as any[])
					.slice(restartsBefore)
					.filter((r) => r.account === 'bot' && r.via !== 'control');
				expect(restarts).toHaveLength(1);

				// Ground truth: while stuck, only phase 1 reached the client (bounded); no held message was sent before
				// the restart; each held message arrived in the group exactly once.
				const ours = (truth.messages as TruthMessage[]).filter((m) => m.text.endsWith(`#${tag}`));
				const beforeRestart = ours.filter((m) => m.timeMs < restarts[0].at);
				expect(beforeRestart.map((m) => m.text).sort()).toEqual([...stuckTexts].sort());
				expect(beforeRestart.length).toBeLessThanOrEqual(threshold * 2);
				const heldSent = ours.filter((m) => heldTexts.includes(m.text));
				expect(heldSent.map((m) => m.text).sort()).toEqual([...heldTexts].sort());
				const received = count(groupTexts(truth, 'witness').filter((t) => heldTexts.includes(t)));
				expect([...received.values()]).toEqual(heldTexts.map(() => 1));

				results.sharedBreaker = {
					sendsToStuckClient: beforeRestart.length,
					phase1Runs: stuckTexts.length,
					keyTtlWhenSeen: ttl,
					failureRuns,
					held: holds,
					restarts: restarts.length,
					ms: Date.now() - started,
				};
			} finally {
				botConfig.restartDowntimeMs = downtimeBefore;
				await stack.main.deactivate(wfId);
				await sim.control.clearFaults();
			}
		}, 420_000);

		test('both workers ran executions and the main ran none', () => {
			const byExecution = stack.executionWorkers();
			const perWorker = count([...byExecution.values()].flat());
			expect([...perWorker.keys()].sort()).toEqual(['worker-1', 'worker-2']);
			expect([...byExecution.values()].filter((w) => w.length !== 1)).toEqual([]);
			const mainLog = fs.readFileSync(stack.main.logFile, 'utf8');
			expect(mainLog).not.toMatch(/Worker started execution/);
			results.executionsPerWorker = Object.fromEntries(perWorker);
		});
	},
);
