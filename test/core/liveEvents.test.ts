/**
 * The live side both watchers share (core/liveEvents.ts), and the empty-history answer the history reader
 * takes as an empty page (core/implementations answersEmptyHistory; LLOneBot's `未找到消息`).
 */
import { claimsOn, resetAllClaims } from '../../core/claims';
import { answersEmptyHistory, identifyImplementation } from '../../core/implementations';
import { LiveEvents, MAX_RETAINED_EVENTS } from '../../core/liveEvents';
import type { CallFailure } from '../../core/transport';
import { FakeSocket } from '../support/fakeSocket';

function live(accept: (event: Record<string, unknown>) => string | undefined) {
	let now = 1_700_000_000_000;
	const socket = new FakeSocket();
	const events = new LiveEvents({
		source: {
			url: 'ws://onebot.test',
			connect: () => {
				queueMicrotask(() => socket.open());
				return socket;
			},
		},
		clock: () => now,
		// A sleep that only ends when woken: the test sees whether a kept event or close() ends a wait.
		sleep: () => new Promise<void>(() => undefined),
		checkIntervalMs: 20,
		accept,
		claims: claimsOn('test-store'),
	});
	return { events, socket, advance: (ms: number) => (now += ms) };
}

describe('LiveEvents: one stream, one bounded buffer, one wake-up', () => {
	afterEach(() => resetAllClaims());

	test('keeps only what the watcher accepts, and a kept event ends a wait', async () => {
		const { events, socket } = live((event) =>
			event.post_type === 'message' ? String(event.text) : undefined,
		);
		events.connect();
		await events.awaitOpen();
		expect(events.state).toBe('open');
		const waiting = events.sleep(10_000);
		socket.push({ post_type: 'notice', text: 'dropped' });
		socket.push({ post_type: 'message', text: 'kept' });
		await waiting;
		expect(events.events).toEqual(['kept']);
	});

	test('the buffer keeps the newest events only', async () => {
		const { events, socket } = live((event) => String(event.n));
		events.connect();
		await events.awaitOpen();
		for (let n = 0; n < MAX_RETAINED_EVENTS + 5; n++) socket.push({ n });
		expect(events.events).toHaveLength(MAX_RETAINED_EVENTS);
		expect(events.events[0]).toBe('5');
	});

	test('coverage starts when the stream opened; close() ends waits and the stream', async () => {
		const { events, socket, advance } = live(() => undefined);
		events.connect();
		await events.awaitOpen();
		const openedAt = advance(0);
		expect(events.covers(openedAt + 1)).toBe(true);
		expect(events.covers(openedAt - 1000)).toBe(false);
		const waiting = events.sleep(10_000);
		events.close();
		await waiting;
		expect(socket.closed).toBe(true);
		expect(events.isOpen).toBe(false);
	});

	test('the claims are the store registry the watcher was given', () => {
		const { events } = live(() => undefined);
		events.claimed.claim('id:1@100', 0);
		expect(claimsOn('test-store').has('id:1@100', 0)).toBe(true);
	});
});

describe('answersEmptyHistory: an error that means "no messages"', () => {
	const failure = (message: string): CallFailure => ({
		kind: 'envelope',
		action: 'get_group_msg_history',
		raw: { status: 'failed', retcode: 200, message, wording: message },
	});
	const llonebot = identifyImplementation({ app_name: 'LLOneBot', app_version: '4.4.3' });
	const napcat = identifyImplementation({ app_name: 'NapCat.Onebot', app_version: '4.10.32' });

	test.each([
		['未找到消息', true],
		['Error: 未找到消息', true],
		['Error: 未找到消息\n    at GetGroupMsgHistory._handle (file.js:1:1)', true],
		['消息123不存在', false],
		['群不存在', false],
	])('LLOneBot %j → %s', (message, empty) => {
		expect(answersEmptyHistory(failure(message), llonebot)).toBe(empty);
	});

	test('other implementations never answer so: their errors stay failures', () => {
		expect(answersEmptyHistory(failure('未找到消息'), napcat)).toBe(false);
	});

	test('only an answer from the implementation counts, not a transport failure', () => {
		const timeout: CallFailure = {
			kind: 'timeout',
			action: 'get_group_msg_history',
			raw: { message: '未找到消息' },
		};
		expect(answersEmptyHistory(timeout, llonebot)).toBe(false);
	});
});
