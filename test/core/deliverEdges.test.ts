/**
 * Delivery edges of issue #23 against an in-process fake group: claims across runs (row 8: two overlapping runs
 * send the same text to one group and the client drops one copy; the witness's one entry proves one send, not
 * both), and the suspected items (a 5xx to a send that the implementation received).
 */
import { sleep } from 'n8n-workflow';
import { DeliveryEngine } from '../../core/delivery';
import type { DeliveryRequest, DeliverySettings } from '../../core/delivery';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import { OneBotClient } from '../../core/transport';
import type { HttpRequest, RequestFn } from '../../core/transport';
import type { Segment } from '../../core/types';

const GROUP = 555;
const BOT = 10001;
const WITNESS = 10002;

/** One group as two NapCat accounts see it: the bot sends (some copies dropped), the witness reads history. */
class FakeGroup {
	history: Array<Record<string, unknown>> = [];
	/** The send (1 = the first) answered ok that never arrives (the client drops it silently). */
	dropSend = 0;
	sends = 0;
	/** Replaces the answer to send number n (1 = the first) after the send was handled, e.g. a proxy's 502. */
	answerSend: (n: number) => { status: number; body: unknown } | undefined = () => undefined;
	private seq = 100;

	private ok(data: unknown) {
		return { status: 200, body: { status: 'ok', retcode: 0, data } };
	}

	private common(action: string, selfId: number) {
		if (action === 'get_login_info') return this.ok({ user_id: selfId, nickname: String(selfId) });
		if (action === 'get_version_info')
			return this.ok({ app_name: 'NapCat.Onebot', app_version: '4.10.32' });
		if (action === 'get_group_msg_history') return this.ok({ messages: this.history.slice(-20) });
		return undefined;
	}

	readonly bot: RequestFn = async (request: HttpRequest) => {
		const action = request.url.split('/').pop()!;
		const params = (request.body ?? {}) as Record<string, unknown>;
		if (action === 'send_group_msg') {
			this.sends++;
			this.seq++;
			if (this.sends !== this.dropSend) {
				const message = params.message as Segment[];
				this.history.push({
					message_id: 9000 + this.seq,
					user_id: BOT,
					group_id: GROUP,
					message_type: 'group',
					time: Math.floor(Date.now() / 1000),
					message,
					real_seq: String(this.seq),
				});
			}
			return this.answerSend(this.sends) ?? this.ok({ message_id: 5000 + this.seq });
		}
		if (action === 'get_msg')
			return {
				status: 200,
				body: { status: 'failed', retcode: 200, data: null, message: 'not found' },
			};
		return (
			this.common(action, BOT) ?? {
				status: 200,
				body: { status: 'failed', retcode: 1404, data: null, message: `不支持的Api ${action}` },
			}
		);
	};

	readonly witness: RequestFn = async (request: HttpRequest) => {
		const action = request.url.split('/').pop()!;
		return (
			this.common(action, WITNESS) ?? {
				status: 200,
				body: { status: 'failed', retcode: 1404, data: null, message: `不支持的Api ${action}` },
			}
		);
	};
}

function settings(maxAttempts = 1): DeliverySettings {
	return {
		verification: 'witness',
		deadlineMs: 600,
		pollIntervalMs: 50,
		minIntervalMs: 0,
		requestTimeoutMs: 2000,
		retry: { ...DEFAULT_RETRY_POLICY, maxAttempts, baseMs: 10, capMs: 20 },
	};
}

const request = (text: string): DeliveryRequest => ({
	index: 0,
	target: { type: 'group', id: GROUP },
	message: [{ type: 'text', data: { text } }],
	correlationId: text,
});

function run(group: FakeGroup, maxAttempts = 1): DeliveryEngine {
	return new DeliveryEngine(settings(maxAttempts), {
		sender: { client: new OneBotClient({ baseUrl: 'http://bot.onebot', request: group.bot }) },
		witness: {
			client: new OneBotClient({ baseUrl: 'http://witness.onebot', request: group.witness }),
		},
		sleep,
		clock: Date.now,
	});
}

describe('claims are process-wide (row 8)', () => {
	test('two runs send the same text to one group, one copy dropped: the one copy proves one send only', async () => {
		const group = new FakeGroup();
		const a = run(group);
		const b = run(group);
		// Both runs at once (both baselines before either copy); the second send is dropped.
		group.dropSend = 2;
		const results = (
			await Promise.all([
				a.deliverAll([request('same text')]),
				b.deliverAll([request('same text')]),
			])
		).flat();
		expect(group.sends).toBe(2);
		expect(group.history).toHaveLength(1);
		expect(results.map((r) => r.status).sort()).toEqual(['delivered', 'failed']);
		expect(results.find((r) => r.status === 'failed')).toMatchObject({ reason: 'not_observed' });
	});

	test('two runs, both copies arrive: each is proved by its own copy', async () => {
		const group = new FakeGroup();
		const a = run(group);
		const b = run(group);
		const results = await Promise.all([
			a.deliverAll([request('twice')]),
			b.deliverAll([request('twice')]),
		]);
		expect(results.flat().map((r) => r.status)).toEqual(['delivered', 'delivered']);
		const ids = results.flat().map((r) => (r.evidence.witness as { serverSeq?: number }).serverSeq);
		expect(new Set(ids).size).toBe(2);
	});
});

describe('a 5xx to a send (suspected item of #23)', () => {
	test("a proxy's 502 after the implementation took the send: checked before any resend, delivered once", async () => {
		const group = new FakeGroup();
		// nginx's page for an upstream that closed the connection after reading the request.
		group.answerSend = (n) =>
			n === 1
				? { status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>' }
				: undefined;
		const [result] = await run(group, 3).deliverAll([request('through a proxy')]);
		expect(group.history).toHaveLength(1);
		expect(group.sends).toBe(1);
		expect(result).toMatchObject({
			status: 'delivered',
			attempts: [{ outcome: 'landed_after_check' }],
		});
	});

	test("the implementation's own JSON error with a 500 is its refusal: resent without a check", async () => {
		const group = new FakeGroup();
		group.dropSend = 1;
		group.answerSend = (n) =>
			n === 1
				? {
						status: 500,
						body: { status: 'failed', retcode: 200, data: null, message: 'internal error' },
					}
				: undefined;
		const [result] = await run(group, 3).deliverAll([request('refused once')]);
		expect(group.sends).toBe(2);
		expect(result).toMatchObject({ status: 'delivered' });
		expect(result.evidence.check).toBeUndefined();
	});
});
