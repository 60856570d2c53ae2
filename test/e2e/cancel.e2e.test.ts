/* eslint-disable @n8n/community-nodes/no-restricted-globals -- end-to-end test code, runs outside n8n */
/**
 * "Stop execution" in real n8n 2.41.1 while Send With Verification waits: n8n's REST route
 * `POST /rest/executions/:id/stop` (executions.controller.js) calls ActiveExecutions.stopExecution, which
 * cancels the running WorkflowExecute; that aborts the AbortController whose signal every node gets as
 * `getExecutionCancelSignal()` (n8n-core workflow-execute.js). The simulator's ground truth then shows
 * that nothing is sent after the stop: the waiting items neither resend nor go on verifying. The same
 * for Restart Client waiting for a client that stays down: it ends without its not_recovered report.
 *
 * In regular mode the stop route marks the execution `canceled` in the database at once, whether or not
 * the node stopped; so the status alone proves nothing, and what was (not) sent afterwards decides.
 */
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import { Receiver, exampleCredentialsFor, groundTruth } from './lib/examples';
import { startN8n, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { batchWorkflow } from '../../scripts/lib/workflows';
import { sleep } from '../../scripts/lib/proc';

const GROUP = 100200300;
const ITEMS = 5;
const CREDENTIALS = {
	oneBotApi: { id: 'sentinelBotSim01', name: 'OneBot bot (simulator)' },
	oneBotWitnessApi: { id: 'sentinelWitSim01', name: 'OneBot witness (simulator)' },
};

interface TruthMessage {
	text: string;
	timeMs: number;
	senderAccount: string;
}

async function sentWith(sim: Simulator, prefix: string): Promise<TruthMessage[]> {
	const truth = (await groundTruth(sim)) as unknown as { messages: TruthMessage[] };
	return truth.messages.filter((m) => m.text.startsWith(prefix));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

describe('stopping an execution in real n8n while Send With Verification waits', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;

	beforeAll(async () => {
		// A restarted client stays down for 10 minutes: Restart Client waits in recovery until stopped.
		sim = await startSimulator({
			...defaultWorld(),
			heartbeatIntervalMs: 60_000,
			restartDowntimeMs: 600_000,
		});
		receiver = await Receiver.start();
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: `${receiver.url}/report`, secret: 'cancel-e2e' }),
		);
	}, 400_000);

	afterAll(async () => {
		await n8n?.stop();
		await receiver?.close();
		await sim?.close();
	});

	/** Starts a workflow as the editor's "Execute workflow" does; returns the execution id. */
	async function start(id: string): Promise<string> {
		const started = await n8n.rest('POST', `/workflows/${id}/run`, {
			triggerToStartFrom: { name: 'Manual Trigger' },
		});
		const executionId = started?.executionId as string;
		expect(executionId).toBeTruthy();
		return executionId;
	}

	/** Stops it through n8n's REST API; returns how long until n8n showed it canceled. */
	async function stop(executionId: string): Promise<number> {
		const askedAt = Date.now();
		const stopped = await n8n.rest('POST', `/executions/${executionId}/stop`);
		expect(stopped).toMatchObject({ status: 'canceled' });
		const execution = await n8n.waitForExecution(executionId, { timeoutMs: 30_000 });
		expect(execution.status).toBe('canceled');
		return Date.now() - askedAt;
	}

	test('the execution ends canceled and no message is sent after the stop', async () => {
		const stamp = `cancel e2e ${Date.now().toString(36)} `;
		const workflow = batchWorkflow({
			id: 'sentinelCancel01',
			name: 'Cancel e2e: sends waiting for a witness',
			count: ITEMS,
			node: {
				name: 'Send With Verification',
				type: 'n8n-nodes-onebot-sentinel.oneBotSendWithVerification',
				typeVersion: 1,
				credentials: CREDENTIALS,
				// Silently dropped messages (accepted, never arrive) wait for the witness until the deadline,
				// then resend: without the stop, every item would resend about 4 s after its first send.
				parameters: {
					targetType: 'group',
					targetId: String(GROUP),
					messageMode: 'text',
					text: `={{ '${stamp}' + $json.n }}`,
					verification: 'witness',
					deadlineSeconds: 4,
					retry: { maxAttempts: 5, backoffMs: 100, backoffCapMs: 200 },
					options: {
						pollIntervalMs: 200,
						minIntervalMs: 0,
						accountRatePerMinute: 0,
						// No breaker: its hold would also stop the resends and hide a stop that did not arrive.
						breakerThreshold: 0,
						reportFailures: false,
					},
				},
			},
		});
		const id = await n8n.importWorkflow(workflow);
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });

		const executionId = await start(id);

		// Every item has sent once and is now waiting for its witness.
		await until(
			'the first sends',
			async () => ((await sentWith(sim, stamp)).length >= ITEMS ? true : undefined),
			60_000,
		);
		await sleep(1000);
		const beforeStop = await sentWith(sim, stamp);
		expect(beforeStop).toHaveLength(ITEMS);

		const stopAskedAt = Date.now();
		const endedWithinMs = await stop(executionId);

		// Past the moment every item would have resent (deadline 4 s + backoff) had the node kept running.
		await sleep(Math.max(0, stopAskedAt + 7000 - Date.now()));
		const afterStop = await sentWith(sim, stamp);
		expect(afterStop).toEqual(beforeStop);
		expect(endedWithinMs).toBeLessThan(30_000);
		process.stderr.write(
			`[sentinel] cancel e2e: ${beforeStop.length} sends before the stop, ${afterStop.length - beforeStop.length} after; canceled after ${endedWithinMs} ms\n`,
		);
	}, 180_000);

	test('Restart Client waiting for a client that stays down ends canceled, without its report', async () => {
		const workflow = {
			id: 'sentinelCancel02',
			name: 'Cancel e2e: restart waiting in recovery',
			nodes: [
				{
					id: 'c4a9c2b1-53b5-4bd6-9d0a-1f1f5c2a0011',
					name: 'Manual Trigger',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'c4a9c2b1-53b5-4bd6-9d0a-1f1f5c2a0012',
					name: 'Restart Client',
					type: 'n8n-nodes-onebot-sentinel.oneBotRestartClient',
					typeVersion: 1,
					position: [220, 0],
					credentials: { oneBotApi: CREDENTIALS.oneBotApi },
					// set_restart, then recovery polls until the 8 s deadline; without the stop it would end
					// not_recovered and post its report to the receiver.
					parameters: {
						method: 'onebot',
						minIntervalMinutes: 0,
						recoveryDeadline: 8,
						dryRun: false,
						options: {
							initialWait: 0.5,
							pollBase: 0.5,
							pollCap: 1,
							requestTimeout: 1,
							sendReport: true,
						},
					},
				},
			],
			connections: {
				'Manual Trigger': { main: [[{ node: 'Restart Client', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		};
		const id = await n8n.importWorkflow(workflow);
		await sim.control.clearFaults();
		const reportsBefore = receiver.requests.length;
		const executionId = await start(id);

		// The restart went out: the client is down and the node waits for it.
		await until(
			'the restart',
			async () => {
				const truth = (await groundTruth(sim)) as unknown as { restarts: unknown[] };
				return truth.restarts.length > 0 ? true : undefined;
			},
			60_000,
		);
		await sleep(1000);
		const stopAskedAt = Date.now();
		const endedWithinMs = await stop(executionId);

		// Past the recovery deadline (8 s) and the report it would have posted.
		await sleep(Math.max(0, stopAskedAt + 12_000 - Date.now()));
		expect(receiver.requests.slice(reportsBefore)).toEqual([]);
		const truth = (await groundTruth(sim)) as unknown as { restarts: unknown[] };
		expect(truth.restarts).toHaveLength(1);
		expect(endedWithinMs).toBeLessThan(30_000);
		process.stderr.write(
			`[sentinel] cancel e2e: restart stopped in recovery, 0 reports, canceled after ${endedWithinMs} ms\n`,
		);
	}, 180_000);
});
