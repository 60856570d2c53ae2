/**
 * Item isolation in the send engine (issue 14, item 3): one item's crash is that item's result only,
 * after every other item has settled; nothing is sent after the run returns; segment types named like
 * Object.prototype members are ordinary types. Against the simulator's ground truth.
 */
import { sleep } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';
import { DeliveryEngine, DeliveryStopped } from '../../core/delivery';
import type { DeliverySettings } from '../../core/delivery';
import { normaliseForMatch } from '../../core/message';
import { matchEntry } from '../../core/witness';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import { OneBotClient } from '../../core/transport';
import type { CallResult } from '../../core/transport';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import { fetchRequest } from '../support/fetchRequest';
import { simulatorParties } from '../../scripts/lib/simulatorParties';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;

interface InboxEntry {
	text: string;
}

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({
		...defaultWorld(),
		kernelTimeoutMs: 120,
		deliveryDelayMs: 15,
		heartbeatIntervalMs: 60000,
	});
});
afterAll(async () => {
	await sim.close();
});
beforeEach(async () => {
	await sim.control.reset();
});

async function copies(text: string): Promise<number> {
	const truth = (await sim.control.groundTruth()) as {
		accounts: Record<string, { inbox: InboxEntry[] }>;
	};
	return truth.accounts.witness.inbox.filter((entry) => entry.text === text).length;
}

async function sends(): Promise<number> {
	return ((await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as unknown[])
		.length;
}

function credentials(): Record<string, IDataObject> {
	const { bot, witness } = sim.urls.accounts;
	return {
		oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
		oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token },
	};
}

describe('segment types named like Object.prototype members', () => {
	test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
		'%s is compared like any other unknown type',
		(type) => {
			expect(normaliseForMatch([{ type, data: { a: '1' } }])).toBe(`[CQ:${type},a=1]`);
			expect(normaliseForMatch(`[CQ:${type},a=1]`)).toBe(`[CQ:${type},a=1]`);
		},
	);

	test('an item with a "toString" segment does not abort the others; each item leaves with its own result', async () => {
		const texts = ['iso a', 'iso b', 'iso c'];
		const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
			credentials: credentials(),
			items: texts.map((text, i) => ({ json: { i } })),
			parameters: (i) => ({
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'segments',
				segments: JSON.stringify(
					i === 1
						? [
								{ type: 'text', data: { text: texts[i] } },
								{ type: 'toString', data: {} },
							]
						: [{ type: 'text', data: { text: texts[i] } }],
				),
				verification: 'witness',
				deadlineSeconds: 0.5,
				retry: { maxAttempts: 2, backoffMs: 20, backoffCapMs: 50, accountBackoffMs: 40 },
				options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
			}),
		});
		expect(delivered.length + notDelivered.length).toBe(3);
		expect(delivered.map((item) => (item.pairedItem as { item: number }).item)).toEqual(
			expect.arrayContaining([0, 2]),
		);
		await sleep(600);
		expect(await copies('iso a')).toBe(1);
		expect(await copies('iso c')).toBe(1);
		expect(await sends()).toBe(3);
	});
});

describe('one item crashing inside the engine', () => {
	const settings: DeliverySettings = {
		verification: 'witness',
		deadlineMs: 400,
		pollIntervalMs: 40,
		minIntervalMs: 0,
		requestTimeoutMs: 2000,
		retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseMs: 10, capMs: 20, accountBackoffMs: 20 },
	};

	function engine(crashText: string): DeliveryEngine {
		const { bot, witness } = sim.urls.accounts;
		return new DeliveryEngine(settings, {
			...simulatorParties(
				{ bot, witness },
				new CrashingClient(crashText, {
					baseUrl: bot.http,
					accessToken: bot.token,
					request: fetchRequest,
				}),
			),
			sleep,
			clock: Date.now,
		});
	}

	/** A sender client that throws (a bug, not a failed call) when asked to send one message. */
	class CrashingClient extends OneBotClient {
		constructor(
			private readonly crashText: string,
			options: ConstructorParameters<typeof OneBotClient>[0],
		) {
			super(options);
		}

		override call<T = unknown>(
			action: string,
			params?: Record<string, unknown>,
			options?: { timeoutMs?: number },
		): Promise<CallResult<T>> {
			if (action === 'send_group_msg' && JSON.stringify(params).includes(this.crashText)) {
				return Promise.reject(new TypeError('boom inside the request'));
			}
			return super.call<T>(action, params, options);
		}
	}

	const request = (index: number, text: string) => ({
		index,
		target: { type: 'group' as const, id: GROUP },
		message: [{ type: 'text', data: { text } }],
		correlationId: `c${index}`,
	});

	test("deliverEach: the crash is that item's outcome, the others are delivered once, and nothing runs afterwards", async () => {
		const e = engine('crash me');
		const started = Date.now();
		const outcomes = await e.deliverEach([
			request(0, 'fine 1'),
			request(1, 'crash me'),
			request(2, 'fine 2'),
		]);
		expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
		expect(outcomes[1]).toMatchObject({ ok: false, error: expect.any(TypeError) });
		for (const i of [0, 2])
			expect(outcomes[i]).toMatchObject({ ok: true, result: { status: 'delivered' } });
		expect(Date.now() - started).toBeLessThan(5000);
		const sendsAtReturn = await sends();
		await sleep(settings.deadlineMs * 3);
		expect(await sends()).toBe(sendsAtReturn);
		expect(await copies('fine 1')).toBe(1);
		expect(await copies('fine 2')).toBe(1);
	});

	test('deliverAll rejects with the crash only after the other items settled, and sends nothing afterwards', async () => {
		await sim.control.setFault({
			kind: 'timeout_not_delivered',
			count: 1,
			scope: { account: 'bot' },
			params: { storedForSender: false },
		});
		const e = engine('crash too');
		const order: string[] = [];
		const run = e.deliverAll([request(0, 'slow one'), request(1, 'crash too')]).then(
			() => order.push('resolved'),
			(error: Error) => order.push(`rejected:${error.message}`),
		);
		await run;
		expect(order).toEqual(['rejected:boom inside the request']);
		const sendsAtReturn = await sends();
		await sleep(settings.deadlineMs * 3);
		expect(await sends()).toBe(sendsAtReturn);
		expect(await copies('slow one')).toBeLessThanOrEqual(1);
	});
});

describe('hostile entries and cancellation', () => {
	test('a witness entry whose message cannot be read matches nothing instead of throwing', () => {
		const expectation = {
			targetType: 'group' as const,
			groupId: GROUP,
			senderId: 1,
			content: 'x',
			sentAt: 0,
			windowMs: 60000,
		};
		for (const message of [[null], [{ type: 'toString' }], [{ type: 'text', data: null }], 42]) {
			const entry = {
				message_type: 'group',
				group_id: GROUP,
				user_id: 1,
				time: 1,
				message,
			} as unknown as Parameters<typeof matchEntry>[0];
			expect(() => matchEntry(entry, expectation)).not.toThrow();
			expect(matchEntry(entry, expectation)).toBeNull();
		}
	});

	test('a cancelled run: every item ends with DeliveryStopped and nothing is sent after the abort', async () => {
		await sim.control.reset();
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const { bot, witness } = sim.urls.accounts;
		const controller = new AbortController();
		const engine = new DeliveryEngine(
			{
				verification: 'witness',
				deadlineMs: 2000,
				pollIntervalMs: 40,
				minIntervalMs: 300,
				requestTimeoutMs: 2000,
				retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseMs: 10, capMs: 20 },
			},
			{
				...simulatorParties({ bot, witness }),
				sleep,
				clock: Date.now,
				signal: controller.signal,
			},
		);
		const requests = [0, 1, 2, 3].map((i) => ({
			index: i,
			target: { type: 'group' as const, id: GROUP },
			message: [{ type: 'text', data: { text: `cancel ${i}` } }],
			correlationId: `x${i}`,
		}));
		const running = engine.deliverEach(requests);
		await sleep(450);
		controller.abort();
		const abortedAt = Date.now();
		const sendsAtAbort = await sends();
		const outcomes = await running;
		expect(Date.now() - abortedAt).toBeLessThan(1500);
		expect(outcomes.every((o) => !o.ok && o.error instanceof DeliveryStopped)).toBe(true);
		await sleep(500);
		expect(await sends()).toBe(sendsAtAbort);
		expect(sendsAtAbort).toBeLessThan(4);
	});
});
