/**
 * Health Probe node canaries against the OneBot simulator over real HTTP: every canary diagnosis from
 * the simulator's faults, judged by the witness through the Send node's verifier, and the reported
 * case (group sends stuck, private fine) going down and coming back up after a client restart.
 */
import type { IDataObject } from 'n8n-workflow';
import { OneBotHealthProbe } from '../../nodes/OneBotHealthProbe/OneBotHealthProbe.node';
import { defaultWorld, startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';
import { processProbeMemory } from '../../core/runMemory';
import { runExecute } from '../support/n8nHarness';
import type { HarnessOptions } from '../support/n8nHarness';

const GROUP = 100200300;
const node = new OneBotHealthProbe();
let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ ...defaultWorld(), kernelTimeoutMs: 150, restartDowntimeMs: 100 });
});
afterAll(async () => {
	await sim.close();
});
beforeEach(async () => {
	// Hysteresis lives in process memory: every test starts as a fresh n8n process.
	processProbeMemory.clear();
	await sim.control.clearFaults();
});

interface CanaryJson {
	[key: string]: unknown;
	status: string;
	reason: string | null;
	target: { type: string; id: number };
	text: string | null;
	latencyMs: number | null;
	messageId: number | null;
	recall: { requested: boolean; done: boolean; error?: string };
	evidence: Record<string, unknown>;
}
interface ProbeJson {
	[key: string]: unknown;
	canaries: { group?: CanaryJson; private?: CanaryJson };
}

function credentials() {
	const { bot, witness } = sim.urls.accounts;
	return {
		oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
		oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token },
	};
}

type ProbeOptions = Omit<Partial<HarnessOptions>, 'parameters'> & {
	parameters?: Record<string, unknown>;
};

async function probe(options: ProbeOptions = {}) {
	const [healthy, unhealthy] = await runExecute(node, {
		credentials: credentials(),
		...options,
		parameters: {
			canary: 'groupAndPrivate',
			groupId: String(GROUP),
			privateTarget: 'witness',
			canaryDeadline: 0.6,
			...(options.parameters ?? {}),
		},
	});
	const item = healthy[0] ?? unhealthy[0];
	return { healthy, unhealthy, json: item.json as unknown as ProbeJson };
}

/** Texts the witness account really received, by chat. */
async function witnessInbox(): Promise<
	Array<{ messageType: string; groupId?: number; text: string }>
> {
	const truth = await sim.control.groundTruth();
	return truth.accounts.witness.inbox;
}

describe('Health Probe node: canaries verified by the witness', () => {
	it('reports up / ok when both canaries reach the witness, each with its latency and its own nonce', async () => {
		const { healthy, json } = await probe();
		expect(healthy).toHaveLength(1);
		expect(json).toMatchObject({ state: 'up', diagnosis: 'ok' });
		const { group, private: privateCanary } = json.canaries;
		expect(group).toMatchObject({
			status: 'delivered',
			verification: 'witness',
			target: { type: 'group', id: GROUP },
		});
		expect(privateCanary).toMatchObject({
			status: 'delivered',
			verification: 'witness',
			target: { type: 'private', id: 10002 },
		});
		expect(group!.latencyMs).toEqual(expect.any(Number));
		expect(group!.text).toMatch(/^Health probe \d{4}-\d\d-\d\d \d\d:\d\d:\d\d #[0-9a-f]{8}$/);
		expect(group!.text).not.toBe(privateCanary!.text);
		const inbox = await witnessInbox();
		expect(inbox.map((entry) => entry.text)).toEqual(
			expect.arrayContaining([group!.text, privateCanary!.text]),
		);
		const output = JSON.stringify(json);
		expect(output).not.toContain(sim.urls.accounts.bot.token);
		expect(output).not.toContain(sim.urls.accounts.witness.token);
	});

	it('confirms canaries from the witness event stream when its credential has a WebSocket URL', async () => {
		const { witness } = sim.urls.accounts;
		const withStream = {
			...credentials(),
			oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token, wsUrl: witness.ws },
		};
		const { healthy, json } = await probe({ credentials: withStream });
		expect(healthy).toHaveLength(1);
		expect(json.canaries.group!.evidence.witness).toMatchObject({
			status: 'seen',
			via: 'event',
			eventStream: 'open',
		});
		expect(json.canaries.private!.evidence.witness).toMatchObject({ status: 'seen', via: 'event' });
		expect(JSON.stringify(json)).not.toContain(witness.token);
	});

	it('diagnoses the reported case (group sends stuck, private fine) as group_send_blocked_private_ok', async () => {
		await sim.control.setFault({
			kind: 'stuck_group',
			scope: { account: 'bot', messageType: 'group' },
		});
		const { unhealthy, json } = await probe();
		expect(unhealthy).toHaveLength(1);
		expect(json).toMatchObject({
			state: 'down',
			diagnosis: 'group_send_blocked_private_ok',
			reason: 'send_timeout',
		});
		expect(json.canaries.group).toMatchObject({ status: 'failed', reason: 'send_timeout' });
		expect(json.canaries.private).toMatchObject({ status: 'delivered' });
		const inbox = await witnessInbox();
		expect(inbox.some((entry) => entry.text === json.canaries.group!.text)).toBe(false);
	});

	it('diagnoses silent drops of every send as all_sends_failing (not_observed): the API said ok', async () => {
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const { json } = await probe();
		expect(json).toMatchObject({
			state: 'down',
			diagnosis: 'all_sends_failing',
			reason: 'not_observed',
		});
		expect(json.canaries.group).toMatchObject({
			status: 'failed',
			reason: 'not_observed',
			messageId: expect.any(Number),
		});
		expect(json.canaries.private).toMatchObject({ status: 'failed', reason: 'not_observed' });
	});

	it('diagnoses group_send_failing with the reason when only a group canary is sent', async () => {
		await sim.control.setFault({ kind: 'not_in_group', scope: { account: 'bot', group: GROUP } });
		const { json } = await probe({ parameters: { canary: 'group' } });
		expect(json).toMatchObject({
			state: 'down',
			diagnosis: 'group_send_failing',
			reason: 'not_in_group',
		});
		expect(json.canaries.private).toBeUndefined();
	});

	it('diagnoses private_send_failing when only the private canary is lost', async () => {
		await sim.control.setFault({
			kind: 'silent_drop',
			scope: { account: 'bot', messageType: 'private' },
		});
		const { json } = await probe();
		expect(json).toMatchObject({
			state: 'down',
			diagnosis: 'private_send_failing',
			reason: 'not_observed',
		});
		expect(json.canaries.group).toMatchObject({ status: 'delivered' });
	});

	it('diagnoses witness_unavailable (degraded) when the witness cannot be read, without blaming the bot', async () => {
		await sim.control.setFault({
			kind: 'http_500',
			scope: { account: 'witness', action: 'get_group_msg_history' },
		});
		const { healthy, json } = await probe({ parameters: { canary: 'group' } });
		expect(json).toMatchObject({
			state: 'degraded',
			diagnosis: 'witness_unavailable',
			reason: 'lookup_failed',
		});
		expect(json.canaries.group).toMatchObject({ status: 'unverified' });
		expect(healthy).toHaveLength(1);
	});

	it('diagnoses canary_slow (degraded) when a canary arrives after the canary latency threshold', async () => {
		await sim.control.setFault({
			kind: 'latency',
			scope: { account: 'bot', action: 'send_group_msg' },
			params: { ms: 250 },
		});
		const { json } = await probe({
			parameters: { canary: 'group', options: { canarySlowMs: 200 } },
		});
		expect(json).toMatchObject({ state: 'degraded', diagnosis: 'canary_slow' });
		expect(json.canaries.group).toMatchObject({ status: 'delivered', slow: true });
		expect(json.canaries.group!.latencyMs).toBeGreaterThan(200);
	});

	it('counts a send that timed out but arrived as delivered (the witness saw it)', async () => {
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot', messageType: 'group' },
		});
		const { json } = await probe({ parameters: { canary: 'group' } });
		expect(json).toMatchObject({ state: 'up', diagnosis: 'ok' });
		expect(json.canaries.group).toMatchObject({ status: 'delivered', reason: null });
	});

	it('skips canaries when the account is offline, and says why', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const sendsBefore = (await sim.control.calls({ account: 'bot', action: 'send_group_msg' }))
			.length;
		const { json } = await probe();
		expect(json).toMatchObject({ diagnosis: 'offline' });
		expect(json.canaries.group).toMatchObject({
			status: 'skipped',
			note: expect.stringMatching(/offline/),
		});
		expect(json.canaries.private).toMatchObject({ status: 'skipped' });
		const sendsAfter = (await sim.control.calls({ account: 'bot', action: 'send_group_msg' }))
			.length;
		expect(sendsAfter).toBe(sendsBefore);
	});

	it('recalls the canaries when asked', async () => {
		const { json } = await probe({ parameters: { recallCanary: true } });
		expect(json.canaries.group!.recall).toEqual({ requested: true, done: true });
		expect(json.canaries.private!.recall).toEqual({ requested: true, done: true });
		const recalls = await sim.control.calls({ account: 'bot', action: 'delete_msg' });
		expect(recalls.map((call) => call.params.message_id).sort()).toEqual(
			[json.canaries.group!.messageId, json.canaries.private!.messageId].sort(),
		);
	});

	it('checks a private canary to another user by lookup only, and says so', async () => {
		const { json } = await probe({
			parameters: { canary: 'private', privateTarget: 'user', privateUserId: '10003' },
		});
		expect(json).toMatchObject({ state: 'up', diagnosis: 'ok' });
		expect(json.canaries.private).toMatchObject({
			status: 'delivered',
			verification: 'lookup',
			target: { type: 'private', id: 10003 },
			note: expect.stringMatching(/get_msg only/),
		});
	});

	it('refuses a witness canary without a witness credential', async () => {
		const { oneBotApi } = credentials();
		await expect(
			runExecute(node, {
				credentials: { oneBotApi },
				parameters: { canary: 'group', groupId: String(GROUP) },
			}),
		).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: expect.stringMatching(/Witness API credential/),
			description: expect.stringMatching(
				/With one QQ account, set "Canary" to None.*Kernel Confirmed/,
			),
		});
	});
});

describe('Health Probe node: the reported case across active runs', () => {
	it('goes down after 3 stuck runs and back up 2 runs after a client restart', async () => {
		const staticData = { node: {} as IDataObject, global: {} as IDataObject };
		const active = () =>
			probe({
				mode: 'trigger',
				workflow: { id: 'wf-probe', name: 'Probe', active: true },
				staticData,
			});
		const seen: Array<[unknown, unknown, unknown, unknown]> = [];
		const step = async () => {
			const { json } = await active();
			seen.push([json.diagnosis, json.observedState, json.state, json.changed]);
		};
		await sim.control.setFault({
			kind: 'stuck_group',
			scope: { account: 'bot', messageType: 'group' },
		});
		await step();
		await step();
		await step();
		await step();
		await sim.control.restart('bot', { downtimeMs: 100 });
		await step();
		await step();
		expect(seen).toEqual([
			['group_send_blocked_private_ok', 'down', 'up', false],
			['group_send_blocked_private_ok', 'down', 'up', false],
			['group_send_blocked_private_ok', 'down', 'down', true],
			['group_send_blocked_private_ok', 'down', 'down', false],
			['ok', 'up', 'down', false],
			['ok', 'up', 'up', true],
		]);
	});
});

describe('Health Probe node: is self-reporting on for the bot’s own event stream?', () => {
	function withBotStream() {
		const base = credentials();
		return { ...base, oneBotApi: { ...base.oneBotApi, wsUrl: sim.urls.accounts.bot.ws } };
	}
	afterEach(() => {
		sim.world.account('bot').cfg.reportSelfMessage = false;
	});

	it('ok when the accepted canary’s self message came in on the bot’s Event WebSocket', async () => {
		sim.world.account('bot').cfg.reportSelfMessage = true;
		const { json } = await probe({ credentials: withBotStream() });
		expect(json).toMatchObject({ state: 'up', diagnosis: 'ok' });
		expect(json.canaries.group!.evidence.selfEvent).toMatchObject({
			seen: true,
			eventStream: 'open',
		});
	});

	it('self_events_unavailable (state still up) when the bot reports no self messages', async () => {
		sim.world.account('bot').cfg.reportSelfMessage = false;
		const { healthy, json } = await probe({ credentials: withBotStream() });
		expect(healthy).toHaveLength(1);
		expect(json).toMatchObject({ state: 'up', diagnosis: 'self_events_unavailable' });
		expect(json.canaries.group!.evidence.selfEvent).toMatchObject({
			seen: false,
			selfEventsSeen: 0,
		});
	});

	it('no such diagnosis without an Event WebSocket URL on the bot’s credential', async () => {
		const { json } = await probe();
		expect(json).toMatchObject({ diagnosis: 'ok' });
		expect(json.canaries.group!.evidence.selfEvent).toBeUndefined();
	});
});
