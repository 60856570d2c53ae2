/**
 * Waits on the event stream end when the event arrives, not at the next periodic check: core/chatWatcher.ts
 * and core/kernel.ts with an injected sleep that never resolves until the test cancels it, so only the
 * wake-up (or close()) can end a wait. History and events are NapCat-shaped (simulator/implementations/shapes.ts).
 */
import { ChatWatcher } from '../../core/chatWatcher';
import { identifyImplementation } from '../../core/implementations';
import { KernelWatcher } from '../../core/kernel';
import { OneBotClient } from '../../core/transport';
import type { RequestFn } from '../../core/transport';
import type { AccountIdentity } from '../../core/account';
import { Wake } from '../../core/wake';
import { FakeSocket } from '../support/fakeSocket';

const GROUP = 555;
const BOT = 10001;
const WITNESS = 10002;

/** A sleep that only the test ends: every call stays pending until cancel(). */
function hangingSleep() {
	const pending: Array<() => void> = [];
	return {
		sleep: () => new Promise<void>((resolve) => pending.push(resolve)),
		get calls() {
			return pending.length;
		},
		cancel() {
			for (const resolve of pending.splice(0)) resolve();
		},
	};
}

/** Lets queued promise callbacks run (everything here is promises: no timers, no I/O). */
async function flush(): Promise<void> {
	for (let i = 0; i < 200; i++) await Promise.resolve();
}

function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
	let done = false;
	void promise.then(() => (done = true));
	return { promise, settled: () => done };
}

const emptyHistory: RequestFn = async () => ({
	status: 200,
	body: { status: 'ok', retcode: 0, data: { messages: [] } },
});

const NOW = 1_700_000_000_000;

function groupMessage(text: string, sender: number, messageId: number, postType = 'message') {
	return {
		post_type: postType,
		message_type: 'group',
		group_id: GROUP,
		user_id: sender,
		self_id: postType === 'message_sent' ? sender : WITNESS,
		message_id: messageId,
		real_seq: String(messageId),
		time: Math.floor(NOW / 1000),
		raw_message: text,
		message: [{ type: 'text', data: { text } }],
	};
}

const witnessIdentity: AccountIdentity = {
	selfId: WITNESS,
	flavour: 'napcat',
	appName: 'NapCat.Onebot',
	appVersion: '4.10.32',
	implementation: identifyImplementation({ app_name: 'NapCat.Onebot', app_version: '4.10.32' }),
};

function chatWatcher(sleep: (ms: number) => Promise<void>, socket: FakeSocket) {
	return new ChatWatcher({
		client: new OneBotClient({ baseUrl: 'http://witness.test', request: emptyHistory }),
		identity: witnessIdentity,
		chat: { type: 'group', groupId: GROUP },
		sleep,
		clock: () => NOW,
		pollIntervalMs: 1000,
		requestTimeoutMs: 1000,
		events: {
			url: 'ws://witness.test',
			connect: () => {
				queueMicrotask(() => socket.open());
				return socket;
			},
		},
	});
}

const text = (value: string) => [{ type: 'text' as const, data: { text: value } }];

describe('Wake', () => {
	test('notify ends a wait in progress; a wait ended by its sleep leaves nothing registered', async () => {
		const wake = new Wake();
		const hanging = hangingSleep();
		const waiting = tracked(wake.sleep(hanging.sleep, 1000));
		await flush();
		expect(waiting.settled()).toBe(false);
		expect(wake.waiting).toBe(1);
		wake.notify();
		await flush();
		expect(waiting.settled()).toBe(true);
		expect(wake.waiting).toBe(0);

		await wake.sleep(async () => undefined, 5);
		expect(wake.waiting).toBe(0);
		hanging.cancel();
	});
});

describe('ChatWatcher on the event stream', () => {
	test('a waiting watch is settled by its event without the check interval elapsing', async () => {
		const hanging = hangingSleep();
		const socket = new FakeSocket();
		const chat = chatWatcher(hanging.sleep, socket);
		await chat.start();
		expect(chat.eventStream).toBe('open');
		const watch = chat.expect({
			senderId: BOT,
			message: text('hello'),
			sentAt: NOW,
			deadlineAt: NOW + 30_000,
		});
		const waiting = tracked(chat.waitFor(watch));
		await flush();
		expect(waiting.settled()).toBe(false);
		expect(hanging.calls).toBeGreaterThan(0);

		// Another sender's message wakes the wait but does not settle it.
		socket.push(groupMessage('hello', 99999, 7001));
		await flush();
		expect(waiting.settled()).toBe(false);

		socket.push(groupMessage('hello', BOT, 7002));
		await flush();
		expect(waiting.settled()).toBe(true);
		await expect(waiting.promise).resolves.toMatchObject({
			status: 'seen',
			via: 'event',
			watcherMessageId: 7002,
		});
		chat.close();
		hanging.cancel();
	});

	test('close() ends a wait on the stream at once, with nothing concluded', async () => {
		const hanging = hangingSleep();
		const socket = new FakeSocket();
		const chat = chatWatcher(hanging.sleep, socket);
		await chat.start();
		const watch = chat.expect({
			senderId: BOT,
			message: text('hello'),
			sentAt: NOW,
			deadlineAt: NOW + 30_000,
		});
		const waiting = tracked(chat.waitFor(watch));
		await flush();
		expect(waiting.settled()).toBe(false);
		chat.close();
		await flush();
		expect(waiting.settled()).toBe(true);
		await expect(waiting.promise).resolves.toEqual({ status: 'unreadable', reads: 1, error: null });
		hanging.cancel();
	});

	test('the deadline still ends a wait when no event comes', async () => {
		let now = NOW;
		const socket = new FakeSocket();
		const chat = new ChatWatcher({
			client: new OneBotClient({ baseUrl: 'http://witness.test', request: emptyHistory }),
			identity: witnessIdentity,
			chat: { type: 'group', groupId: GROUP },
			sleep: async (ms) => {
				now += ms;
			},
			clock: () => now,
			pollIntervalMs: 1000,
			requestTimeoutMs: 1000,
			events: {
				url: 'ws://witness.test',
				connect: () => {
					queueMicrotask(() => socket.open());
					return socket;
				},
			},
		});
		await chat.start();
		const sentAt = now;
		const outcome = await chat.waitFor(
			chat.expect({ senderId: BOT, message: text('lost'), sentAt, deadlineAt: sentAt + 300 }),
		);
		expect(outcome).toMatchObject({ status: 'not_seen', via: 'event', checkedUntilMs: 300 });
		expect(now - sentAt).toBeGreaterThanOrEqual(300);
		chat.close();
	});
});

describe('KernelWatcher on the event stream', () => {
	test('a waiting send is confirmed by its self message without the check interval elapsing', async () => {
		const hanging = hangingSleep();
		const socket = new FakeSocket();
		const watcher = new KernelWatcher({
			client: new OneBotClient({ baseUrl: 'http://sender.test', request: emptyHistory }),
			selfId: BOT,
			events: {
				url: 'ws://sender.test',
				connect: () => {
					queueMicrotask(() => socket.open());
					return socket;
				},
			},
			sleep: hanging.sleep,
			clock: () => NOW,
			pollIntervalMs: 1000,
			requestTimeoutMs: 1000,
			readRawRecords: false,
		});
		await watcher.start();
		expect(watcher.eventStream).toBe('open');
		const waiting = tracked(
			watcher.waitFor({
				target: { type: 'group', id: GROUP },
				message: text('hello'),
				sentAt: NOW,
				deadlineAt: NOW + 30_000,
			}),
		);
		await flush();
		expect(waiting.settled()).toBe(false);
		socket.push(groupMessage('hello', BOT, 8001, 'message_sent'));
		await flush();
		expect(waiting.settled()).toBe(true);
		await expect(waiting.promise).resolves.toMatchObject({
			status: 'confirmed',
			via: 'self_event',
			messageId: 8001,
		});
		watcher.close();
		hanging.cancel();
	});
});

describe('ChatWatcher history depth follows what is pending', () => {
	/**
	 * NapCat's get_group_msg_history as docs/compatibility.md ('Witness matching', history direction:
	 * NapNeko/NapCatQQ: action/go-cqhttp/GetGroupMsgHistory.ts) and simulator/world.ts describe it:
	 * `message_seq` is a short message_id, the page is the `count` messages up to and including it, no
	 * anchor reads the latest `count`.
	 */
	function napcatHistory(chat: Array<Record<string, unknown>>): {
		request: RequestFn;
		pages: () => number;
	} {
		let pages = 0;
		const request: RequestFn = async (req) => {
			const params = (req.body ?? {}) as Record<string, unknown>;
			const count = Number(params.count ?? 20);
			let end = chat.length;
			if (params.message_seq !== undefined) {
				const index = chat.findIndex((entry) => entry.message_id === Number(params.message_seq));
				if (index >= 0) end = index + 1;
			}
			pages++;
			return {
				status: 200,
				body: {
					status: 'ok',
					retcode: 0,
					data: { messages: chat.slice(Math.max(0, end - count), end) },
				},
			};
		};
		return { request, pages: () => pages };
	}

	function busyChat(sentAt: number, others: number) {
		const chat: Array<Record<string, unknown>> = [];
		let id = 9000;
		const entry = (sender: number, text: string) => ({
			message_id: ++id,
			real_seq: String(id),
			user_id: sender,
			group_id: GROUP,
			message_type: 'group',
			time: Math.floor(sentAt / 1000) + 1,
			raw_message: text,
			message: [{ type: 'text', data: { text } }],
		});
		return {
			chat,
			arrive() {
				chat.push(entry(BOT, 'the oldest pending send'));
				for (let n = 0; n < others; n++) chat.push(entry(30000 + n, `chatter ${n}`));
			},
		};
	}

	function pollingWatcher(request: RequestFn, clock: { now: number }, maxPages?: number) {
		return new ChatWatcher({
			client: new OneBotClient({ baseUrl: 'http://witness.test', request }),
			identity: witnessIdentity,
			chat: { type: 'group', groupId: GROUP },
			sleep: async (ms) => {
				clock.now += ms;
			},
			clock: () => clock.now,
			pollIntervalMs: 500,
			requestTimeoutMs: 1000,
			...(maxPages !== undefined ? { maxPages } : {}),
		});
	}

	test('150 messages arrived after the oldest pending send: it is still found in history', async () => {
		const clock = { now: NOW };
		const { chat, arrive } = busyChat(NOW, 150);
		const history = napcatHistory(chat);
		const watcher = pollingWatcher(history.request, clock);
		await watcher.start();
		const watch = watcher.expect({
			senderId: BOT,
			message: text('the oldest pending send'),
			sentAt: NOW,
			deadlineAt: NOW + 5000,
		});
		arrive();
		const outcome = await watcher.waitFor(watch);
		expect(outcome).toMatchObject({ status: 'seen', via: 'history' });
		// 151 new entries at 20 a page: the read went 8 pages deep, not the whole bound.
		expect(history.pages()).toBe(1 + 8);
		watcher.close();
	});

	test('a quiet chat still costs one page per read', async () => {
		const clock = { now: NOW };
		const { chat, arrive } = busyChat(NOW, 3);
		const history = napcatHistory(chat);
		const watcher = pollingWatcher(history.request, clock);
		await watcher.start();
		const watch = watcher.expect({
			senderId: BOT,
			message: text('the oldest pending send'),
			sentAt: NOW,
			deadlineAt: NOW + 5000,
		});
		arrive();
		expect(await watcher.waitFor(watch)).toMatchObject({ status: 'seen', via: 'history' });
		expect(history.pages()).toBe(2);
		watcher.close();
	});

	test('past the page bound a missing message is unreadable, never a false "not seen"', async () => {
		const clock = { now: NOW };
		const { chat, arrive } = busyChat(NOW, 150);
		const history = napcatHistory(chat);
		const watcher = pollingWatcher(history.request, clock, 3);
		await watcher.start();
		const watch = watcher.expect({
			senderId: BOT,
			message: text('the oldest pending send'),
			sentAt: NOW,
			deadlineAt: NOW + 1200,
		});
		arrive();
		const outcome = await watcher.waitFor(watch);
		expect(outcome).toMatchObject({
			status: 'unreadable',
			error: { reason: 'lookup_failed', detail: 'history_too_deep' },
		});
		watcher.close();
	});
});
