/**
 * Send With Verification against the OneBot simulator over real HTTP (and the witness's WebSocket where
 * the flavour's credential has one): every flavour, every fault of the simulator's catalogue. Each case
 * asserts the item's status, reason and attempts, and the simulator's ground truth (how many copies
 * really arrived).
 */
// A real HTTP server receives the failure reports, as the trigger's webhook would.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import * as http from 'node:http';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { AddressInfo } from 'node:net';
import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { verifyReport } from '../../core/signing';
import type { DeliveryResult } from '../../core/types';
import {
	startSimulator,
	type FaultSpec,
	type ImplementationName,
	type Simulator,
	type WorldConfig,
} from '../../simulator';
import { processMessageIds } from '../../core/runMemory';
import { flavourWorld } from '../support/worlds';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;
const REPORT_SECRET = 'report-secret-for-tests';

interface FlavourCase {
	label: string;
	flavour: ImplementationName;
	version: string;
	/** Whether the witness credential gets the forward WebSocket (else the witness is polled). */
	events: boolean;
}

const FLAVOURS: FlavourCase[] = [
	{ label: 'NapCat 4.10', flavour: 'napcat', version: '4.10.32', events: true },
	{ label: 'LLOneBot 4.x', flavour: 'llonebot', version: '4.4.3', events: false },
	{ label: 'LLOneBot 7.x', flavour: 'llonebot', version: '7.0.0', events: true },
	{ label: 'go-cqhttp', flavour: 'gocq', version: 'v1.2.0', events: false },
	{ label: 'Lagrange', flavour: 'lagrange', version: '0.0.3', events: true },
];

/**
 * How each implementation answers a send the kernel never confirmed (docs/compatibility.md, table 'Send classification'): LLOneBot and
 * NapCat say timeout; go-cqhttp says `blocked by server` (no server echo within 5 s: MiraiGo client/group_msg.go),
 * checked before a resend; Lagrange has no sequence.
 */
const TIMEOUT_REASON: Record<ImplementationName, { reason: string; reasonClass: string }> = {
	napcat: { reason: 'send_timeout', reasonClass: 'ambiguous' },
	llonebot: { reason: 'send_timeout', reasonClass: 'ambiguous' },
	gocq: { reason: 'risk_control', reasonClass: 'ambiguous' },
	lagrange: { reason: 'empty_response', reasonClass: 'ambiguous' },
};

interface GroundTruth {
	accounts: Record<string, { inbox: Array<{ text: string }> }>;
}

/** The output item's fields these tests read. */
type Item = DeliveryResult & {
	evidence: Record<string, Record<string, unknown> & { note?: string; status?: string }> & {
		basis?: string;
	};
	report?: { sent: boolean; status?: number };
};

function attemptOutcomes(item: Item): string[] {
	return item.attempts.map((attempt) =>
		attempt.reason ? `${attempt.outcome}:${attempt.reason}` : attempt.outcome,
	);
}

function world(flavour: ImplementationName, version: string): WorldConfig {
	return flavourWorld(flavour, version, { restartDowntimeMs: 300 });
}

/** A report receiver standing in for the Delivery Failure Trigger's webhook. */
async function startReportSink(): Promise<{
	url: string;
	bodies: string[];
	headers: http.IncomingHttpHeaders[];
	close(): Promise<void>;
}> {
	const bodies: string[] = [];
	const headers: http.IncomingHttpHeaders[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			bodies.push(Buffer.concat(chunks).toString('utf8'));
			headers.push(req.headers);
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/onebot-failures`,
		bodies,
		headers,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe.each(FLAVOURS)('Send With Verification on $label', ({ flavour, version, events }) => {
	let sim: Simulator;
	let sink: Awaited<ReturnType<typeof startReportSink>>;
	let counter = 0;

	beforeAll(async () => {
		sim = await startSimulator(world(flavour, version));
		sink = await startReportSink();
	});
	afterAll(async () => {
		await sim.close();
		await sink.close();
	});
	beforeEach(async () => {
		// message_ids live in process memory and the simulator's ids start over: a fresh n8n process per test.
		processMessageIds.clear();
		await sim.control.reset();
		// Lagrange cannot read the history of a chat that has no message yet: give every chat one.
		await sim.control.inject('friend', { groupId: GROUP }, 'hello everyone');
		await sim.control.inject('bot', { userId: sim.urls.accounts.witness.selfId }, 'hi witness');
		await settle();
		sink.bodies.length = 0;
		sink.headers.length = 0;
	});

	function settle(ms = 80): Promise<void> {
		return sleep(ms);
	}

	function credentials(options: { report?: boolean } = {}) {
		const { bot, witness } = sim.urls.accounts;
		return {
			oneBotApi: {
				baseUrl: bot.http,
				accessToken: bot.token,
				...(options.report ? { reportUrl: sink.url, reportSecret: REPORT_SECRET } : {}),
			},
			oneBotWitnessApi: {
				baseUrl: witness.http,
				accessToken: witness.token,
				...(events ? { wsUrl: witness.ws } : {}),
			},
		};
	}

	interface RunOptions {
		texts?: string[];
		verification?: 'api' | 'lookup' | 'witness';
		targetType?: 'group' | 'private';
		targetId?: number;
		maxAttempts?: number;
		requestTimeoutMs?: number;
		deadlineSeconds?: number;
		report?: boolean;
		backoffMs?: number;
		backoffCapMs?: number;
		staticData?: { node: IDataObject; global: IDataObject };
		/** More node options (the account breaker's). */
		options?: IDataObject;
	}

	function uniqueText(label: string): string {
		counter += 1;
		return `${label} #${counter} [${flavour}]`;
	}

	async function run(
		options: RunOptions,
	): Promise<{ delivered: INodeExecutionData[]; failed: INodeExecutionData[] }> {
		const texts = options.texts ?? [uniqueText('message')];
		const [delivered, failed] = await runExecute(new OneBotSendWithVerification(), {
			parameters: (itemIndex) => ({
				targetType: options.targetType ?? 'group',
				targetId: String(options.targetId ?? GROUP),
				messageMode: 'text',
				text: texts[itemIndex],
				verification: options.verification ?? 'witness',
				deadlineSeconds: options.deadlineSeconds ?? 0.35,
				retry: {
					maxAttempts: options.maxAttempts ?? 3,
					backoffMs: options.backoffMs ?? 20,
					backoffCapMs: options.backoffCapMs ?? 100,
					accountBackoffMs: 40,
				},
				options: {
					pollIntervalMs: 40,
					minIntervalMs: 0,
					requestTimeoutMs: options.requestTimeoutMs ?? 2000,
					...options.options,
				},
			}),
			credentials: credentials({ report: options.report }),
			items: texts.map((text) => ({ json: { text } })),
			staticData: options.staticData,
			// n8n saves a run's static data only outside manual runs: memory across runs needs an active workflow.
			...(options.staticData
				? { mode: 'trigger' as const, workflow: { id: 'wf-faults', name: 'Faults', active: true } }
				: {}),
		});
		// Zero items lost: every input leaves on exactly one output.
		const paired = [...delivered, ...failed]
			.map((item) => (item.pairedItem as { item: number }).item)
			.sort((a, b) => a - b);
		expect(paired).toEqual(texts.map((_, index) => index));
		return { delivered, failed };
	}

	/** Copies of `text` that really reached `account` (the simulator's ground truth). */
	async function copies(text: string, account = 'witness'): Promise<number> {
		await settle(60);
		const truth = (await sim.control.groundTruth()) as GroundTruth;
		return truth.accounts[account].inbox.filter((entry) => entry.text === text).length;
	}

	async function setFault(spec: FaultSpec): Promise<void> {
		await sim.control.setFault({ ...spec, scope: { account: 'bot', ...spec.scope } });
	}

	function only(items: INodeExecutionData[]): Item {
		expect(items).toHaveLength(1);
		return items[0].json as unknown as Item;
	}

	// ------------------------------------------------------------------------- no fault

	test('no fault: delivered on the first attempt, seen once by the witness', async () => {
		const text = uniqueText('plain');
		const { delivered, failed } = await run({ texts: [text] });
		expect(failed).toHaveLength(0);
		const json = only(delivered);
		expect(json).toMatchObject({
			status: 'delivered',
			reason: null,
			reasonClass: null,
			verification: 'witness',
		});
		expect(json.evidence.basis).toBe('witness_saw_message');
		expect(json.evidence.witness.status).toBe('seen');
		expect(attemptOutcomes(json)).toEqual(['accepted']);
		expect(json.selfId).toBe(sim.urls.accounts.bot.selfId);
		expect(await copies(text)).toBe(1);
		expect(await copies(text, 'friend')).toBe(1);
	});

	// ------------------------------------------------------------------------- silent drop

	test('silent drop: passes the API level (nothing arrives)', async () => {
		await setFault({ kind: 'silent_drop' });
		const text = uniqueText('silent api');
		const json = only((await run({ texts: [text], verification: 'api' })).delivered);
		expect(json.evidence.basis).toBe('api_accepted');
		expect(attemptOutcomes(json)).toEqual(['accepted']);
		expect(await copies(text)).toBe(0);
	});

	test('silent drop: caught at the witness level, retried, Not Delivered and reported', async () => {
		await setFault({ kind: 'silent_drop' });
		const text = uniqueText('silent witness');
		const { delivered, failed } = await run({ texts: [text], report: true });
		expect(delivered).toHaveLength(0);
		const json = only(failed);
		expect(json).toMatchObject({
			status: 'failed',
			reason: 'not_observed',
			reasonClass: 'ambiguous',
		});
		expect(attemptOutcomes(json)).toEqual([
			'not_landed_after_check:not_observed',
			'not_landed_after_check:not_observed',
			'not_landed_after_check:not_observed',
		]);
		expect(json.report).toMatchObject({ sent: true, status: 200 });
		expect(sink.bodies).toHaveLength(1);
		const headerMap = Object.fromEntries(
			Object.entries(sink.headers[0]).map(([key, value]) => [key, String(value)]),
		) as Record<string, string>;
		const verdict = verifyReport(
			headerMap,
			sink.bodies[0],
			REPORT_SECRET,
			Math.floor(Date.now() / 1000),
		);
		expect(verdict).toMatchObject({ ok: true });
		const event = JSON.parse(sink.bodies[0]);
		expect(event).toMatchObject({
			event: 'delivery_failed',
			source: 'send',
			reason: 'not_observed',
			correlationId: json.correlationId,
		});
		expect(await copies(text)).toBe(0);
	});

	test('silent drop once: the witness misses attempt 1, attempt 2 is seen: one copy', async () => {
		await setFault({ kind: 'silent_drop', count: 1 });
		const text = uniqueText('silent once');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:not_observed', 'accepted']);
		expect(await copies(text)).toBe(1);
	});

	// ------------------------------------------------------------------------- timeouts

	test('timeout, not delivered: checked before every resend, Not Delivered as send_timeout, nothing arrived', async () => {
		await setFault({ kind: 'timeout_not_delivered' });
		const text = uniqueText('timeout lost');
		const json = only((await run({ texts: [text] })).failed);
		const { reason } = TIMEOUT_REASON[flavour];
		expect(json).toMatchObject(TIMEOUT_REASON[flavour]);
		expect(attemptOutcomes(json)).toEqual([
			`not_landed_after_check:${reason}`,
			`not_landed_after_check:${reason}`,
			`not_landed_after_check:${reason}`,
		]);
		expect(await copies(text)).toBe(0);
		expect(await copies(text, 'friend')).toBe(0);
	});

	test('timeout but delivered, with retries on: Delivered once, never resent', async () => {
		await setFault({ kind: 'timeout_delivered' });
		const texts = [
			uniqueText('timeout landed a'),
			uniqueText('timeout landed b'),
			uniqueText('timeout landed c'),
		];
		const { delivered, failed } = await run({ texts, maxAttempts: 5 });
		expect(failed).toHaveLength(0);
		expect(delivered).toHaveLength(3);
		for (const item of delivered) {
			expect(item.json.evidence).toMatchObject({ basis: 'landed_after_check' });
			expect(attemptOutcomes(item.json as unknown as Item)).toEqual([
				`landed_after_check:${TIMEOUT_REASON[flavour].reason}`,
			]);
		}
		for (const text of texts) {
			expect(await copies(text)).toBe(1);
			expect(await copies(text, 'friend')).toBe(1);
		}
		const sends = await sim.control.calls({ account: 'bot', action: 'send_group_msg' });
		expect(sends).toHaveLength(3);
	});

	test('timeout once, then fine: resent after the witness confirmed it had not arrived: one copy', async () => {
		await setFault({ kind: 'timeout_not_delivered', count: 1 });
		const text = uniqueText('timeout once');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual([
			`not_landed_after_check:${TIMEOUT_REASON[flavour].reason}`,
			'accepted',
		]);
		expect(await copies(text)).toBe(1);
	});

	test('stuck group (private still works): group Not Delivered as send_timeout, private to the witness Delivered', async () => {
		await setFault({ kind: 'stuck_group' });
		const groupText = uniqueText('stuck group');
		const privateText = uniqueText('stuck private');
		const group = only((await run({ texts: [groupText], report: true })).failed);
		expect(group).toMatchObject(TIMEOUT_REASON[flavour]);
		expect(group.attempts).toHaveLength(3);
		expect(group.report?.sent).toBe(true);
		const direct = await run({
			texts: [privateText],
			targetType: 'private',
			targetId: sim.urls.accounts.witness.selfId,
		});
		expect(await copies(groupText)).toBe(0);
		if (flavour === 'gocq' && !events) {
			// go-cqhttp has no get_friend_msg_history: without its event stream the witness cannot see a private message.
			const json = only(direct.failed);
			expect(json).toMatchObject({ reason: 'lookup_failed', reasonClass: 'terminal' });
			expect(json.evidence.witness.note).toMatch(/event stream/);
			expect(await copies(privateText)).toBe(0);
			expect(await sim.control.calls({ account: 'bot', action: 'send_private_msg' })).toHaveLength(
				0,
			);
		} else {
			expect(only(direct.delivered).evidence.witness.status).toBe('seen');
			expect(await copies(privateText)).toBe(1);
		}
	});

	test('client-side timeout while the implementation is slow but delivers: checked, Delivered once', async () => {
		await setFault({
			kind: 'latency',
			scope: { account: 'bot', action: 'send_group_msg' },
			params: { ms: 500 },
		});
		const text = uniqueText('slow');
		const json = only(
			(await run({ texts: [text], requestTimeoutMs: 250, deadlineSeconds: 0.6 })).delivered,
		);
		expect(attemptOutcomes(json)).toEqual(['landed_after_check:client_timeout']);
		expect(await copies(text)).toBe(1);
	});

	test('latency within the timeout: Delivered on the first attempt', async () => {
		await setFault({ kind: 'latency', scope: { account: 'bot' }, params: { ms: 60 } });
		const text = uniqueText('latency');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['accepted']);
		expect(await copies(text)).toBe(1);
	});

	test('hang once: client_timeout, the witness saw nothing, resent: one copy', async () => {
		await setFault({
			kind: 'hang',
			count: 1,
			scope: { account: 'bot', action: 'send_group_msg' },
			params: { closeAfterMs: 1000 },
		});
		const text = uniqueText('hang');
		const json = only((await run({ texts: [text], requestTimeoutMs: 250 })).delivered);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:client_timeout', 'accepted']);
		expect(await copies(text)).toBe(1);
	});

	// ------------------------------------------------------------------------- empty and repeated answers

	test('data null, not delivered: empty_response, checked, resent: one copy', async () => {
		await setFault({ kind: 'data_null', count: 1 });
		const text = uniqueText('data null');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:empty_response', 'accepted']);
		expect(await copies(text)).toBe(1);
	});

	test('data null but delivered: the check finds it, no resend: one copy', async () => {
		await setFault({ kind: 'data_null', count: 1, params: { delivered: true } });
		const text = uniqueText('data null landed');
		const json = only((await run({ texts: [text], verification: 'api' })).delivered);
		expect(attemptOutcomes(json)).toEqual(['landed_after_check:empty_response']);
		expect(await copies(text)).toBe(1);
	});

	test('message_id 0: not evidence; checked, resent: one copy', async () => {
		await setFault({ kind: 'message_id_zero', count: 1 });
		const text = uniqueText('id zero');
		const json = only((await run({ texts: [text], verification: 'api' })).delivered);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:empty_response', 'accepted']);
		expect(await copies(text)).toBe(1);
	});

	test('repeated message_id: an id an earlier different send got is not accepted; checked, resent: one copy each', async () => {
		const staticData = { node: {}, global: {} };
		const firstText = uniqueText('first');
		const secondText = uniqueText('repeated');
		const first = only(
			(await run({ texts: [firstText], verification: 'api', staticData })).delivered,
		);
		// The next send answers the first one's id again (go-cqhttp under risk control, #38).
		await setFault({ kind: 'repeated_message_id', count: 1 });
		const json = only(
			(await run({ texts: [secondText], verification: 'api', staticData })).delivered,
		);
		expect(attemptOutcomes(json)).toEqual([
			'not_landed_after_check:duplicate_message_id',
			'accepted',
		]);
		expect(json.attempts[0].raw?.body).toContain(String(first.messageId));
		expect(json.messageId).not.toBe(first.messageId);
		expect(await copies(firstText)).toBe(1);
		expect(await copies(secondText)).toBe(1);
	});

	// ------------------------------------------------------------------------- account and terminal failures

	test('risk control: classified per implementation, never delivered, nothing arrived', async () => {
		await setFault({ kind: 'risk_control' });
		const text = uniqueText('risk');
		// No hold: a send held by the account's breaker leaves at once.
		const json = only((await run({ texts: [text], options: { breakerHoldSeconds: 0 } })).failed);
		const expected: Record<ImplementationName, [string, string]> = {
			// One group's blocked by server is checked and retried; only several in a row open the breaker.
			gocq: ['risk_control', 'ambiguous'],
			napcat: ['send_timeout', 'ambiguous'],
			llonebot: ['send_timeout', 'ambiguous'],
			lagrange: ['empty_response', 'ambiguous'],
		};
		const attempts = json.attempts as Array<{ reason: string }>;
		expect([attempts[0].reason, (json.evidence as IDataObject).level]).toEqual([
			expected[flavour][0],
			'witness',
		]);
		if (expected[flavour][1] === 'account') {
			// Risk control opens the account's breaker at once: the retry is held back, never sent.
			expect([json.reason, json.reasonClass]).toEqual(['circuit_open', 'account']);
			expect(attempts.map((a) => a.reason)).toEqual(['risk_control', 'circuit_open']);
			expect(json.evidence).toMatchObject({
				breaker: { state: 'open', openReason: 'risk_control', openedByThisItem: true },
			});
		} else {
			expect([json.reason, json.reasonClass]).toEqual(expected[flavour]);
			expect(json.attempts).toHaveLength(3);
		}
		expect(await copies(text)).toBe(0);
	});

	test('removed from the group: terminal not_in_group, one attempt', async () => {
		await setFault({ kind: 'not_in_group' });
		const json = only((await run({})).failed);
		expect(json).toMatchObject({ reason: 'not_in_group', reasonClass: 'terminal' });
		expect(attemptOutcomes(json)).toEqual(['failed:not_in_group']);
	});

	test('muted: terminal muted (go-cqhttp cannot tell it from a blocked send)', async () => {
		await setFault({ kind: 'muted' });
		const json = only((await run({})).failed);
		if (flavour === 'gocq') {
			expect(json).toMatchObject({ reason: 'risk_control', reasonClass: 'ambiguous' });
			expect(json.attempts).toHaveLength(3);
		} else {
			expect(json).toMatchObject({ reason: 'muted', reasonClass: 'terminal' });
			expect(json.attempts).toHaveLength(1);
		}
	});

	test('account kicked offline: sends time out, Not Delivered, nothing arrived', async () => {
		await sim.control.offline('bot');
		const text = uniqueText('offline');
		const json = only((await run({ texts: [text], maxAttempts: 2 })).failed);
		expect(json).toMatchObject(TIMEOUT_REASON[flavour]);
		expect(json.attempts).toHaveLength(2);
		expect(await copies(text)).toBe(0);
	});

	// ------------------------------------------------------------------------- transport faults

	test('connection reset once on the send: checked, resent: one copy', async () => {
		await setFault({
			kind: 'connection_reset',
			count: 1,
			scope: { account: 'bot', action: 'send_group_msg' },
		});
		const text = uniqueText('reset');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:unreachable', 'accepted']);
		expect(await copies(text)).toBe(1);
	});

	test("HTTP 500 once without the implementation's JSON error: checked before the resend (a proxy may answer after the send went in): one copy", async () => {
		await setFault({
			kind: 'http_500',
			count: 1,
			scope: { account: 'bot', action: 'send_group_msg' },
		});
		const text = uniqueText('http 500');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:http_error', 'accepted']);
		expect(json.attempts[0].raw).toMatchObject({ httpStatus: 500 });
		expect(await copies(text)).toBe(1);
	});

	test('malformed JSON answer to a send that went through: checked, Delivered once', async () => {
		await setFault({
			kind: 'malformed_json',
			count: 1,
			scope: { account: 'bot', action: 'send_group_msg' },
		});
		const text = uniqueText('garbled');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['landed_after_check:malformed_response']);
		expect(await copies(text)).toBe(1);
	});

	test('refused while the client restarts: transient, retried until it is back: one copy', async () => {
		const restart = sim.control.restart('bot', { downtimeMs: 300 });
		await settle(30);
		const text = uniqueText('refused');
		// Full jitter can draw short waits: enough attempts and a high cap outlast the 300 ms downtime.
		const json = only(
			(await run({ texts: [text], maxAttempts: 10, backoffMs: 200, backoffCapMs: 400 })).delivered,
		);
		await restart;
		expect(json.attempts.length).toBeGreaterThan(1);
		expect(json.attempts[0]).toMatchObject({ outcome: 'failed', reason: 'unreachable' });
		expect(json.attempts[0].raw).toMatchObject({ code: 'ECONNREFUSED' });
		expect(await copies(text)).toBe(1);
	});

	test('client down (port closed): unreachable on every attempt, Not Delivered, nothing sent', async () => {
		await setFault({ kind: 'down', scope: { account: 'bot' } });
		const text = uniqueText('down');
		const json = only(
			(await run({ texts: [text], maxAttempts: 2, backoffMs: 20, backoffCapMs: 40 })).failed,
		);
		expect(json).toMatchObject({
			status: 'failed',
			reason: 'unreachable',
			reasonClass: 'transient',
		});
		expect(json.attempts).toHaveLength(2);
		expect(json.attempts[0].raw).toMatchObject({ code: 'ECONNREFUSED' });
		expect(await copies(text)).toBe(0);
	});

	// ------------------------------------------------------------------------- degradation and faults that do not touch sends

	test('degradation after 2 sends (then stuck group): the first two Delivered, the rest Not Delivered', async () => {
		await setFault({ kind: 'degrade_after', params: { sends: 2 }, then: 'stuck_group' });
		const texts = [
			uniqueText('deg 1'),
			uniqueText('deg 2'),
			uniqueText('deg 3'),
			uniqueText('deg 4'),
		];
		const { delivered, failed } = await run({ texts, maxAttempts: 2 });
		const textOf = (item: INodeExecutionData) => texts[(item.pairedItem as { item: number }).item];
		expect(delivered.map(textOf)).toEqual([texts[0], texts[1]]);
		const { reason } = TIMEOUT_REASON[flavour];
		expect(failed.map((item) => [textOf(item), item.json.reason])).toEqual([
			[texts[2], reason],
			[texts[3], reason],
		]);
		expect(await copies(texts[0])).toBe(1);
		expect(await copies(texts[2])).toBe(0);
	});

	test('faults that do not touch sends (online:false, heartbeat stop, restart/Docker/WebUI faults): Delivered', async () => {
		for (const kind of [
			'online_false',
			'heartbeat_stop',
			'set_restart_unsupported',
			'docker_500',
			'webui_down',
		] as const) {
			await setFault({ kind });
		}
		const text = uniqueText('unaffected');
		const json = only((await run({ texts: [text] })).delivered);
		expect(attemptOutcomes(json)).toEqual(['accepted']);
		expect(await copies(text)).toBe(1);
	});

	test('the witness misses every message (receive drop): Not Delivered not_observed; resends reach others (documented limit)', async () => {
		await sim.control.setFault({ kind: 'receive_drop', scope: { account: 'witness' } });
		const text = uniqueText('witness blind');
		const json = only((await run({ texts: [text], maxAttempts: 2 })).failed);
		expect(json.reason).toBe('not_observed');
		expect(await copies(text)).toBe(0);
		// Each attempt reached the rest of the group: the witness is what "no duplicates" relies on.
		expect(await copies(text, 'friend')).toBe(2);
	});
});
