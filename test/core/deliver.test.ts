/**
 * The chat watcher (core/chatWatcher.ts) and the delivery engine (core/delivery/) against an in-process
 * fake OneBot account: shared reads, baselines, the event stream through an injected socket, and the
 * refusal to resend when nothing can check.
 */
import { sleep } from 'n8n-workflow';
import { DeliveryEngine } from '../../core/delivery';
import type { DeliverySettings } from '../../core/delivery';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import { OneBotClient } from '../../core/transport';
import type { HttpRequest, RequestFn } from '../../core/transport';
import type { Segment } from '../../core/types';
import { ChatWatcher } from '../../core/chatWatcher';
import { withAccessToken } from '../../core/eventStream';
import { identifyImplementation } from '../../core/implementations';
import type { AccountIdentity } from '../../core/account';
import { FakeSocket } from '../support/fakeSocket';

const GROUP = 555;
const BOT = 10001;
const WITNESS = 10002;

interface Entry {
	message_id: number;
	user_id: number;
	group_id: number;
	message_type: 'group';
	time: number;
	message: Segment[];
	real_seq: string;
}

/** A NapCat-like account whose group history the test fills, counting every call by action. */
class FakeAccount {
	history: Entry[] = [];
	calls: Record<string, number> = {};
	failHistory = false;
	private seq = 1000;
	handlers: Record<string, (params: Record<string, unknown>) => unknown> = {};

	readonly request: RequestFn = async (request: HttpRequest) => {
		const action = request.url.split('/').pop()!;
		this.calls[action] = (this.calls[action] ?? 0) + 1;
		const params = (request.body ?? {}) as Record<string, unknown>;
		if (this.handlers[action]) return { status: 200, body: this.handlers[action](params) };
		if (action === 'get_group_msg_history') {
			if (this.failHistory)
				return {
					status: 200,
					body: { status: 'failed', retcode: 200, data: null, message: 'boom' },
				};
			return {
				status: 200,
				body: { status: 'ok', retcode: 0, data: { messages: this.history.slice(-20) } },
			};
		}
		return {
			status: 200,
			body: { status: 'failed', retcode: 200, data: null, message: `不支持的Api ${action}` },
		};
	};

	client(): OneBotClient {
		return new OneBotClient({ baseUrl: 'http://fake.onebot', request: this.request });
	}

	receive(text: string, sender = BOT, at = Date.now()): Entry {
		this.seq += 1;
		const entry: Entry = {
			message_id: 7000 + this.seq,
			user_id: sender,
			group_id: GROUP,
			message_type: 'group',
			time: Math.floor(at / 1000),
			message: [{ type: 'text', data: { text } }],
			real_seq: String(this.seq),
		};
		this.history.push(entry);
		return entry;
	}
}

/** A socket the test drives: open it, push events, see it closed. */

const witnessIdentity: AccountIdentity = {
	selfId: WITNESS,
	flavour: 'napcat',
	appName: 'NapCat.Onebot',
	appVersion: '4.10.32',
	implementation: identifyImplementation({ app_name: 'NapCat.Onebot', app_version: '4.10.32' }),
};

function watcher(
	account: FakeAccount,
	extra: Partial<ConstructorParameters<typeof ChatWatcher>[0]> = {},
): ChatWatcher {
	return new ChatWatcher({
		client: account.client(),
		identity: witnessIdentity,
		chat: { type: 'group', groupId: GROUP },
		sleep,
		clock: Date.now,
		pollIntervalMs: 30,
		requestTimeoutMs: 1000,
		...extra,
	});
}

const text = (value: string): Segment[] => [{ type: 'text', data: { text: value } }];

describe('ChatWatcher', () => {
	test('one history read settles every pending expectation of the chat', async () => {
		const account = new FakeAccount();
		const chat = watcher(account);
		await chat.start();
		expect(account.calls.get_group_msg_history).toBe(1);
		const now = Date.now();
		const watches = [1, 2, 3, 4, 5].map((n) =>
			chat.expect({ senderId: BOT, message: text(`m${n}`), sentAt: now, deadlineAt: now + 2000 }),
		);
		for (const n of [1, 2, 3, 4, 5]) account.receive(`m${n}`);
		const outcomes = await Promise.all(watches.map((watch) => chat.waitFor(watch)));
		expect(outcomes.map((outcome) => outcome.status)).toEqual([
			'seen',
			'seen',
			'seen',
			'seen',
			'seen',
		]);
		expect(account.calls.get_group_msg_history).toBe(2);
		chat.close();
	});

	test('what the chat held before start() never counts, even with the same text', async () => {
		const account = new FakeAccount();
		account.receive('same words', BOT, Date.now() - 500);
		const chat = watcher(account);
		await chat.start();
		const now = Date.now();
		const watch = chat.expect({
			senderId: BOT,
			message: text('same words'),
			sentAt: now - 400,
			deadlineAt: now + 150,
		});
		const outcome = await chat.waitFor(watch);
		expect(outcome).toMatchObject({ status: 'not_seen', via: 'history' });
		chat.close();
	});

	test('another sender with the same text is not our message', async () => {
		const account = new FakeAccount();
		const chat = watcher(account);
		await chat.start();
		const now = Date.now();
		account.receive('hello', 99999);
		const outcome = await chat.waitFor(
			chat.expect({ senderId: BOT, message: text('hello'), sentAt: now, deadlineAt: now + 150 }),
		);
		expect(outcome.status).toBe('not_seen');
		chat.close();
	});

	test('when no read succeeds after the deadline the outcome is unreadable, not "not seen"', async () => {
		const account = new FakeAccount();
		const chat = watcher(account, { finalReadAttempts: 2 });
		await chat.start();
		account.failHistory = true;
		const now = Date.now();
		const outcome = await chat.waitFor(
			chat.expect({ senderId: BOT, message: text('x'), sentAt: now, deadlineAt: now + 100 }),
		);
		expect(outcome).toMatchObject({ status: 'unreadable', error: { reason: 'lookup_failed' } });
		chat.close();
	});

	test('a history the implementation refuses for good (unknown action) answers unreadable at once', async () => {
		const account = new FakeAccount();
		account.handlers.get_group_msg_history = () => ({
			status: 'failed',
			retcode: 404,
			data: null,
			message: 'API_NOT_FOUND',
		});
		const chat = watcher(account);
		await chat.start();
		const now = Date.now();
		const started = Date.now();
		const outcome = await chat.waitFor(
			chat.expect({ senderId: BOT, message: text('x'), sentAt: now, deadlineAt: now + 5000 }),
		);
		expect(outcome).toMatchObject({
			status: 'unreadable',
			error: { reason: 'unsupported_action' },
		});
		expect(Date.now() - started).toBeLessThan(1000);
		chat.close();
	});

	describe('a later message of the same sender seen while ours is missing', () => {
		test('polling: ours is concluded not seen after the grace, long before the deadline', async () => {
			const account = new FakeAccount();
			const chat = watcher(account, { overtakeGraceMs: 200 });
			await chat.start();
			const t0 = Date.now();
			const lost = chat.expect({
				senderId: BOT,
				message: text('lost'),
				sentAt: t0,
				deadlineAt: t0 + 5000,
			});
			const later = chat.expect({
				senderId: BOT,
				message: text('later'),
				sentAt: t0 + 1,
				deadlineAt: t0 + 5000,
			});
			account.receive('later');
			const [a, b] = await Promise.all([chat.waitFor(lost), chat.waitFor(later)]);
			expect(b).toMatchObject({ status: 'seen' });
			expect(a).toMatchObject({
				status: 'not_seen',
				via: 'history',
				early: 'overtaken_by_later_message',
				overtakenBy: { order: 'arrival', sentAfterMs: 1, via: 'history' },
			});
			const took = Date.now() - t0;
			expect(took).toBeGreaterThanOrEqual(200);
			expect(took).toBeLessThan(2000);
			chat.close();
		});

		test('ours arriving late but within the grace is seen, not concluded missing', async () => {
			const account = new FakeAccount();
			const chat = watcher(account, { overtakeGraceMs: 400 });
			await chat.start();
			const t0 = Date.now();
			const slow = chat.expect({
				senderId: BOT,
				message: text('slow'),
				sentAt: t0,
				deadlineAt: t0 + 5000,
			});
			const later = chat.expect({
				senderId: BOT,
				message: text('fast'),
				sentAt: t0 + 1,
				deadlineAt: t0 + 5000,
			});
			account.receive('fast');
			void sleep(150).then(() => account.receive('slow'));
			const [a, b] = await Promise.all([chat.waitFor(slow), chat.waitFor(later)]);
			expect(b).toMatchObject({ status: 'seen' });
			expect(a).toMatchObject({ status: 'seen' });
			chat.close();
		});

		test('another sender, or an earlier send of ours, is no signal; concludeEarly false waits for the deadline', async () => {
			const account = new FakeAccount();
			const chat = watcher(account, { overtakeGraceMs: 50 });
			await chat.start();
			const t0 = Date.now();
			const earlier = chat.expect({
				senderId: BOT,
				message: text('earlier'),
				sentAt: t0,
				deadlineAt: t0 + 5000,
			});
			const missing = chat.expect({
				senderId: BOT,
				message: text('missing'),
				sentAt: t0 + 5,
				deadlineAt: t0 + 600,
			});
			const checked = chat.expect({
				senderId: BOT,
				message: text('checked'),
				sentAt: t0 + 1,
				deadlineAt: t0 + 600,
				concludeEarly: false,
			});
			account.receive('earlier');
			account.receive('from someone else', 4242);
			const [a, b, c] = await Promise.all([
				chat.waitFor(earlier),
				chat.waitFor(missing),
				chat.waitFor(checked),
			]);
			expect(a).toMatchObject({ status: 'seen' });
			expect(b).toMatchObject({ status: 'not_seen' });
			expect(b).not.toHaveProperty('early');
			expect(c).toMatchObject({ status: 'not_seen' });
			expect(c).not.toHaveProperty('early');
			expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
			chat.close();
		});

		test('with our server seq known, any newer entry of the sender with a higher seq is the signal', async () => {
			const account = new FakeAccount();
			const chat = watcher(account, { overtakeGraceMs: 100 });
			await chat.start();
			const t0 = Date.now();
			// The seq the sender's get_msg gave ours (the fake's next seq); the entry itself never arrives.
			const lost = chat.expect({
				senderId: BOT,
				message: text('seq lost'),
				sentAt: t0,
				deadlineAt: t0 + 5000,
				serverSeq: 1001,
			});
			account.receive('skip'); // takes seq 1001 in the fake: from another sender's view it is unrelated
			account.history.pop();
			account.receive('sent by another run of the same bot'); // seq 1002 > 1001
			const outcome = await chat.waitFor(lost);
			expect(outcome).toMatchObject({
				status: 'not_seen',
				early: 'overtaken_by_later_message',
				overtakenBy: { order: 'server_seq', serverSeq: 1002 },
			});
			expect(Date.now() - t0).toBeLessThan(2000);
			chat.close();
		});
	});

	describe('event stream', () => {
		test('settles from events without polling history, proves absence while open, and closes the socket', async () => {
			const account = new FakeAccount();
			const socket = new FakeSocket();
			const urls: string[] = [];
			const chat = watcher(account, {
				events: {
					url: withAccessToken('ws://fake.onebot:3001/event', 'tok en'),
					connect: (url) => {
						urls.push(url);
						queueMicrotask(() => socket.open());
						return socket;
					},
				},
			});
			await chat.start();
			expect(chat.eventStream).toBe('open');
			expect(urls).toEqual(['ws://fake.onebot:3001/event?access_token=tok+en']);
			const now = Date.now();
			const seen = chat.expect({
				senderId: BOT,
				message: text('live'),
				sentAt: now,
				deadlineAt: now + 2000,
			});
			const missing = chat.expect({
				senderId: BOT,
				message: text('never'),
				sentAt: now,
				deadlineAt: now + 150,
			});
			socket.push({ post_type: 'meta_event', meta_event_type: 'heartbeat' });
			socket.push({ ...account.receive('live'), post_type: 'message', self_id: WITNESS });
			const [a, b] = await Promise.all([chat.waitFor(seen), chat.waitFor(missing)]);
			expect(a).toMatchObject({ status: 'seen', via: 'event', method: 'content_time' });
			expect(b).toMatchObject({ status: 'not_seen', via: 'event' });
			expect(account.calls.get_group_msg_history).toBe(1);
			chat.close();
			expect(socket.closed).toBe(true);
		});

		test('a socket that never opens falls back to polling', async () => {
			const account = new FakeAccount();
			const socket = new FakeSocket();
			const chat = watcher(account, {
				events: { url: 'ws://fake.onebot/', connect: () => socket, connectTimeoutMs: 60 },
			});
			await chat.start();
			expect(chat.eventStream).toBe('failed');
			const now = Date.now();
			const watch = chat.expect({
				senderId: BOT,
				message: text('polled'),
				sentAt: now,
				deadlineAt: now + 2000,
			});
			account.receive('polled');
			expect(await chat.waitFor(watch)).toMatchObject({ status: 'seen', via: 'history' });
			chat.close();
			expect(socket.closed).toBe(true);
		});
	});
});

describe('DeliveryEngine', () => {
	const settings: DeliverySettings = {
		verification: 'api',
		deadlineMs: 150,
		pollIntervalMs: 30,
		minIntervalMs: 0,
		requestTimeoutMs: 1000,
		retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseMs: 10, capMs: 20 },
	};

	function bot(): FakeAccount {
		const account = new FakeAccount();
		account.handlers.get_login_info = () => ({
			status: 'ok',
			retcode: 0,
			data: { user_id: BOT, nickname: 'bot' },
		});
		account.handlers.get_version_info = () => ({
			status: 'ok',
			retcode: 0,
			data: { app_name: 'NapCat.Onebot' },
		});
		return account;
	}

	test('an ambiguous failure that nothing can check is not resent', async () => {
		const sender = bot();
		sender.handlers.send_group_msg = () => ({
			status: 'failed',
			retcode: 200,
			data: null,
			message: '发送超时',
		});
		sender.handlers.get_group_msg_history = () => ({
			status: 'failed',
			retcode: 200,
			data: null,
			message: '不支持的Api get_group_msg_history',
		});
		const engine = new DeliveryEngine(settings, {
			sender: { client: sender.client() },
			sleep,
			clock: Date.now,
		});
		const [result] = await engine.deliverAll([
			{ index: 0, target: { type: 'group', id: GROUP }, message: text('x'), correlationId: 'c' },
		]);
		expect(result).toMatchObject({
			status: 'failed',
			reason: 'send_timeout',
			reasonClass: 'ambiguous',
			selfId: BOT,
		});
		expect(result.attempts).toHaveLength(1);
		expect(result.evidence.resend).toMatch(/^not resent/);
		expect(result.evidence.check).toMatchObject({
			by: 'sender_history',
			result: 'unknown',
			status: 'unreadable',
		});
		expect(sender.calls.send_group_msg).toBe(1);
	});

	test('a failure before the send (sender unreachable) is retried without a check and sends nothing twice', async () => {
		const sender = bot();
		let logins = 0;
		sender.handlers.get_login_info = () => {
			logins += 1;
			return logins === 1
				? { status: 'failed', retcode: 200, data: null, message: 'not logged in' }
				: { status: 'ok', retcode: 0, data: { user_id: BOT } };
		};
		sender.handlers.send_group_msg = () => ({ status: 'ok', retcode: 0, data: { message_id: 42 } });
		const engine = new DeliveryEngine(
			{ ...settings, retry: { ...settings.retry, accountBackoffMs: 10 } },
			{ sender: { client: sender.client() }, sleep, clock: Date.now },
		);
		const [result] = await engine.deliverAll([
			{ index: 0, target: { type: 'group', id: GROUP }, message: text('x'), correlationId: 'c' },
		]);
		expect(result.status).toBe('delivered');
		expect(result.attempts.map((attempt) => [attempt.outcome, attempt.reason])).toEqual([
			['failed', 'client_offline'],
			['accepted', null],
		]);
		expect(sender.calls.send_group_msg).toBe(1);
	});

	test('results line up with the requests and first sends go out in request order', async () => {
		const sender = bot();
		const order: string[] = [];
		let id = 100;
		sender.handlers.send_group_msg = (params) => {
			order.push((params.message as Segment[])[0].data.text as string);
			id += 1;
			return { status: 'ok', retcode: 0, data: { message_id: id } };
		};
		const engine = new DeliveryEngine(settings, {
			sender: { client: sender.client() },
			sleep,
			clock: Date.now,
		});
		const requests = ['a', 'b', 'c', 'd'].map((value, index) => ({
			index,
			target: { type: 'group' as const, id: index % 2 ? GROUP : GROUP + 1 },
			message: text(value),
			correlationId: value,
		}));
		const results = await engine.deliverAll(requests);
		expect(order).toEqual(['a', 'b', 'c', 'd']);
		expect(results.map((result) => result.correlationId)).toEqual(['a', 'b', 'c', 'd']);
		expect(results.map((result) => result.messageId)).toEqual([101, 102, 103, 104]);
	});

	describe('evidence: decisive facts by default, the full attempt log on request', () => {
		async function deliverWitnessed(attemptLog?: boolean) {
			const sender = bot();
			const witness = new FakeAccount();
			witness.handlers.get_login_info = () => ({
				status: 'ok',
				retcode: 0,
				data: { user_id: WITNESS },
			});
			witness.handlers.get_version_info = () => ({
				status: 'ok',
				retcode: 0,
				data: { app_name: 'NapCat.Onebot' },
			});
			sender.handlers.send_group_msg = (params) => {
				witness.receive((params.message as Segment[])[0].data.text as string);
				return { status: 'ok', retcode: 0, data: { message_id: 77 } };
			};
			const engine = new DeliveryEngine(
				{ ...settings, verification: 'witness', deadlineMs: 1000, attemptLog },
				{
					sender: { client: sender.client() },
					witness: { client: witness.client() },
					sleep,
					clock: Date.now,
				},
			);
			const [result] = await engine.deliverAll([
				{ index: 0, target: { type: 'group', id: GROUP }, message: text('w'), correlationId: 'c' },
			]);
			expect(result).toMatchObject({
				status: 'delivered',
				evidence: { basis: 'witness_saw_message' },
			});
			return result;
		}

		test('by default: the witness facts without read counters or the witness-side id; attempts keep outcome, reason, raw', async () => {
			const result = await deliverWitnessed();
			const witness = result.evidence.witness as Record<string, unknown>;
			expect(witness).toMatchObject({
				account: WITNESS,
				status: 'seen',
				via: 'history',
				method: 'content_time',
			});
			expect(witness).not.toHaveProperty('reads');
			expect(witness).not.toHaveProperty('watcherMessageId');
			expect(result.attempts).toEqual([
				{
					attempt: 1,
					outcome: 'accepted',
					reason: null,
					messageId: 77,
					raw: null,
					startedAt: expect.any(String),
					durationMs: expect.any(Number),
				},
			]);
		});

		test('with the attempt log: every attempt carries its own evidence and the counters stay', async () => {
			const result = await deliverWitnessed(true);
			expect(result.evidence.witness).toMatchObject({
				reads: expect.any(Number),
				watcherMessageId: expect.any(Number),
			});
			expect(result.attempts[0].evidence).toMatchObject({
				api: { accepted: true, messageId: 77 },
				witness: { status: 'seen', reads: expect.any(Number) },
			});
		});
	});

	test('witnessProblem: only the recipient can witness a private message', () => {
		expect(
			DeliveryEngine.witnessProblem({ type: 'private', id: WITNESS }, witnessIdentity),
		).toBeNull();
		expect(DeliveryEngine.witnessProblem({ type: 'group', id: GROUP }, witnessIdentity)).toBeNull();
		expect(DeliveryEngine.witnessProblem({ type: 'private', id: 424242 }, witnessIdentity)).toMatch(
			/only by its recipient/,
		);
	});
});
