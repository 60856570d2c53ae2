/* eslint-disable @n8n/community-nodes/no-restricted-globals -- end-to-end test code, runs outside n8n */
/**
 * The delivery edges of issue #23 in real n8n 2.41.1: executions started and stopped through n8n's REST API
 * (`POST /rest/workflows/:id/run`, `POST /rest/executions/:id/stop`), overlapping in one n8n process, checked
 * against the simulator's ground truth.
 *
 * - row 1: run A sends to group G, run B to G waits for G's interval, run C sends to group H and is stopped
 *   3 s in: nothing of C reaches the client after the stop, and C never waits for G's interval;
 * - row 2: the breaker's trial send is stopped mid-send: the breaker does not stay half-open, a later run to a
 *   healthy client is sent (the next trial) instead of being held;
 * - row 8: two runs send the same text to one group and the client drops one copy: the one copy the witness
 *   saw proves one of them, never both.
 */
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	Receiver,
	exampleCredentialsFor,
	groundTruth,
	inboxWith,
	outputItems,
} from './lib/examples';
import { startN8n, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { batchWorkflow } from '../../scripts/lib/workflows';
import { sleep } from '../../scripts/lib/proc';

const G = 100200300;
const H = 100200301;
const CREDENTIALS = {
	oneBotApi: { id: 'sentinelBotSim01', name: 'OneBot bot (simulator)' },
	oneBotWitnessApi: { id: 'sentinelWitSim01', name: 'OneBot witness (simulator)' },
};

interface TruthMessage {
	text: string;
	timeMs: number;
	senderAccount: string;
	deliveredTo: string[];
}

function sendWorkflow(id: string, parameters: Record<string, unknown>) {
	return batchWorkflow({
		id,
		name: `Delivery edges e2e: ${id}`,
		count: 1,
		node: {
			name: 'Send With Verification',
			type: 'n8n-nodes-onebot-sentinel.oneBotSendWithVerification',
			typeVersion: 1,
			credentials: CREDENTIALS,
			parameters: { targetType: 'group', messageMode: 'text', ...parameters },
		},
	});
}

describe('delivery edges in real n8n: Stop in the lane, a stopped trial, claims across runs', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let receiver: Receiver;

	beforeAll(async () => {
		const world = defaultWorld();
		sim = await startSimulator({
			...world,
			heartbeatIntervalMs: 60_000,
			kernelTimeoutMs: 500,
			// Copies reach the witness 3 s after their send: two runs started together both read their
			// baseline before either copy is there.
			deliveryDelayMs: 3000,
			groups: [
				...(world.groups ?? []),
				{ groupId: H, name: 'Second Group', members: ['bot', 'witness'] },
			],
		});
		receiver = await Receiver.start();
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials(
			exampleCredentialsFor(sim, { url: `${receiver.url}/report`, secret: 'edges-e2e' }),
		);
	}, 400_000);

	afterAll(async () => {
		await n8n?.stop();
		await receiver?.close();
		await sim?.close();
	});

	async function start(id: string): Promise<string> {
		const started = await n8n.rest('POST', `/workflows/${id}/run`, {
			triggerToStartFrom: { name: 'Manual Trigger' },
		});
		const executionId = started?.executionId as string;
		expect(executionId).toBeTruthy();
		return executionId;
	}

	/** Asks n8n to stop an execution; one that already finished is left as it is. */
	async function stop(executionId: string): Promise<void> {
		try {
			await n8n.rest('POST', `/executions/${executionId}/stop`);
		} catch {
			// Finished before the stop: n8n refuses to stop it, and nothing is left to stop.
		}
		await n8n.waitForExecution(executionId, { timeoutMs: 60_000 });
	}

	async function sent(prefix: string): Promise<TruthMessage[]> {
		const truth = (await groundTruth(sim)) as unknown as { messages: TruthMessage[] };
		return truth.messages.filter((m) => m.text.startsWith(prefix));
	}

	test('row 1: a run stopped while A and B hold group G sends nothing after its stop, and H never waits for G', async () => {
		await sim.control.clearFaults();
		const stamp = `lane e2e ${Date.now().toString(36)}`;
		const options = {
			minIntervalMs: 8000,
			accountRatePerMinute: 0,
			breakerThreshold: 0,
			reportFailures: false,
		};
		const [a, b, c] = await n8n.importWorkflows([
			sendWorkflow('sentinelEdgesLaneA', {
				targetId: String(G),
				text: `${stamp} A to G`,
				verification: 'api',
				options,
			}),
			sendWorkflow('sentinelEdgesLaneB', {
				targetId: String(G),
				text: `${stamp} B to G`,
				verification: 'api',
				options,
			}),
			sendWorkflow('sentinelEdgesLaneC', {
				targetId: String(H),
				text: `${stamp} C to H`,
				verification: 'api',
				options,
			}),
		]);
		const runA = await start(a);
		await n8n.waitForExecution(runA, { timeoutMs: 60_000 });
		const runB = await start(b);
		await sleep(300);
		const runC = await start(c);
		await sleep(3000);
		const stopAskedAt = Date.now();
		await stop(runC);
		// Past the moment B's slot comes (8 s after A), when the old lane let C go.
		await sleep(Math.max(0, stopAskedAt + 10_000 - Date.now()));
		await n8n.waitForExecution(runB, { timeoutMs: 60_000 });
		const messages = await sent(stamp);
		const at = (text: string) => messages.find((m) => m.text === `${stamp} ${text}`)?.timeMs;
		process.stderr.write(
			`[sentinel] lane e2e: A ${at('A to G')}, B +${(at('B to G') ?? NaN) - at('A to G')!} ms, C ${at('C to H') === undefined ? 'not sent' : `+${at('C to H')! - at('A to G')!} ms`}, stop at +${stopAskedAt - at('A to G')!} ms\n`,
		);
		expect(at('B to G')! - at('A to G')!).toBeGreaterThanOrEqual(7900);
		// C went out at once (H has no interval to wait for), before its stop; never after it.
		expect(at('C to H')).toBeDefined();
		expect(at('C to H')!).toBeLessThan(stopAskedAt);
		expect(at('C to H')! - at('A to G')!).toBeLessThan(8000);
	}, 240_000);

	test('row 2: a breaker trial stopped mid-send hands the breaker back; a later run to a healthy client is sent', async () => {
		await sim.control.clearFaults();
		const stamp = `trial e2e ${Date.now().toString(36)}`;
		const options = (holdSeconds: number) => ({
			minIntervalMs: 0,
			accountRatePerMinute: 0,
			breakerThreshold: 1,
			breakerCoolDownSeconds: 2,
			breakerHoldSeconds: holdSeconds,
			reportFailures: false,
		});
		const common = {
			targetId: String(G),
			verification: 'api',
			retry: { maxAttempts: 1 },
		};
		const [opener, trial, later] = await n8n.importWorkflows([
			sendWorkflow('sentinelEdgesTrial1', {
				...common,
				text: `${stamp} opens`,
				options: options(0),
			}),
			sendWorkflow('sentinelEdgesTrial2', {
				...common,
				text: `${stamp} trial`,
				options: options(60),
			}),
			sendWorkflow('sentinelEdgesTrial3', {
				...common,
				text: `${stamp} later`,
				options: options(30),
			}),
		]);
		// A stuck client: the send times out and the breaker (threshold 1) opens.
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' }, count: 1 });
		const opened = await n8n.waitForExecution(await start(opener), { timeoutMs: 60_000 });
		expect(outputItems(opened, 'Send With Verification', 1)).toEqual([
			expect.objectContaining({ reason: 'send_timeout' }),
		]);
		await sim.control.clearFaults();
		await sleep(2500);
		// The trial's answer takes 6 s; it is stopped 2 s into it.
		await sim.control.setFault({
			kind: 'latency',
			scope: { account: 'bot', action: 'send_group_msg' },
			params: { ms: 6000 },
			count: 1,
		});
		const trialRun = await start(trial);
		await sleep(2000);
		await stop(trialRun);
		await sim.control.clearFaults();
		const run = await n8n.waitForExecution(await start(later), { timeoutMs: 90_000 });
		const delivered = outputItems(run, 'Send With Verification', 0);
		const failed = outputItems(run, 'Send With Verification', 1);
		process.stderr.write(
			`[sentinel] trial e2e: later run ${delivered.length ? 'delivered' : `failed ${failed[0]?.reason}`}\n`,
		);
		expect(failed).toEqual([]);
		expect(delivered).toEqual([
			expect.objectContaining({
				status: 'delivered',
				evidence: expect.objectContaining({ breaker: expect.objectContaining({ trial: true }) }),
			}),
		]);
	}, 240_000);

	test('row 8: two runs send the same text to one group, one copy dropped: the one copy proves one send', async () => {
		await sim.control.clearFaults();
		const text = `claims e2e ${Date.now().toString(36)}`;
		const parameters = {
			targetId: String(G),
			text,
			verification: 'witness',
			deadlineSeconds: 6,
			retry: { maxAttempts: 1 },
			options: {
				pollIntervalMs: 200,
				minIntervalMs: 0,
				accountRatePerMinute: 0,
				breakerThreshold: 0,
				reportFailures: false,
			},
		};
		const [one, two] = await n8n.importWorkflows([
			sendWorkflow('sentinelEdgesClaim1', parameters),
			sendWorkflow('sentinelEdgesClaim2', parameters),
		]);
		// The client accepts both sends and silently drops the first one it gets.
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' }, count: 1 });
		const runs = await Promise.all([start(one), start(two)]);
		const executions = await Promise.all(
			runs.map((id) => n8n.waitForExecution(id, { timeoutMs: 90_000 })),
		);
		const items = executions.flatMap((e) => [
			...outputItems(e, 'Send With Verification', 0),
			...outputItems(e, 'Send With Verification', 1),
		]);
		const copies = inboxWith(await groundTruth(sim), 'witness', text).length;
		const sends = (await sent(text)).length;
		const delivered = items.filter((item) => item.status === 'delivered').length;
		process.stderr.write(
			`[sentinel] claims e2e: ${sends} sends, ${copies} copies at the witness, ${delivered} Delivered\n`,
		);
		expect(sends).toBe(2);
		expect(copies).toBe(1);
		expect(delivered).toBe(copies);
		expect(items.filter((item) => item.status === 'failed')).toEqual([
			expect.objectContaining({ reason: 'not_observed' }),
		]);
	}, 240_000);
});
