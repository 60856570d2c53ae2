/**
 * core/kernel.ts on a simulated clock: which self messages and raw records confirm which send. Shapes as
 * NapCat and LLOneBot push them (simulator/implementations/shapes.ts messageEvent, simulator/kernel.ts kernelRecord).
 */
import { KernelWatcher } from '../../core/kernel';
import { OneBotClient } from '../../core/transport';
import type { RequestFn } from '../../core/transport';
import { FakeSocket } from '../support/fakeSocket';

const SELF = 10001;
const GROUP = 100200300;

function selfMessage(
	text: string,
	messageId: number,
	timeSec: number,
	extra: Record<string, unknown> = {},
) {
	return {
		post_type: 'message_sent',
		message_type: 'group',
		group_id: GROUP,
		user_id: SELF,
		self_id: SELF,
		message_id: messageId,
		time: timeSec,
		raw_message: text,
		message: [{ type: 'text', data: { text } }],
		...extra,
	};
}

function setup(options: { history?: () => unknown; events?: boolean } = {}) {
	let now = 1_700_000_000_000;
	const socket = new FakeSocket();
	const request: RequestFn = async () => ({
		status: 200,
		body: options.history
			? { status: 'ok', retcode: 0, data: options.history() }
			: { status: 'ok', retcode: 0, data: { messages: [] } },
	});
	const watcher = new KernelWatcher({
		client: new OneBotClient({ baseUrl: 'http://onebot.test', request, clock: () => now }),
		selfId: SELF,
		events:
			options.events === false
				? undefined
				: {
						url: 'ws://onebot.test',
						connect: () => {
							queueMicrotask(() => socket.open());
							return socket;
						},
					},
		sleep: async (ms) => {
			now += ms;
			await Promise.resolve();
		},
		clock: () => now,
		pollIntervalMs: 100,
		requestTimeoutMs: 1000,
	});
	return { watcher, socket, now: () => now };
}

const message = (text: string) => [{ type: 'text', data: { text } }];

describe('KernelWatcher', () => {
	test('a matching self message confirms; one already returned by an ok answer never confirms a later copy', async () => {
		const { watcher, socket, now } = setup();
		await watcher.start();
		const sentAt = now();
		// An earlier send of the same text was answered ok with id 1: its self message belongs to it.
		watcher.claimMessageId(1);
		socket.push(selfMessage('hello', 1, Math.floor(sentAt / 1000)));
		const first = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt,
			deadlineAt: sentAt + 500,
		});
		expect(first).toMatchObject({
			status: 'not_confirmed',
			selfEventsSeen: 1,
			eventStream: 'open',
		});

		const sentAgain = now();
		socket.push(selfMessage('hello', 2, Math.floor(sentAgain / 1000)));
		const second = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt: sentAgain,
			deadlineAt: sentAgain + 500,
		});
		expect(second).toMatchObject({ status: 'confirmed', via: 'self_event', messageId: 2 });
	});

	test('two runs in one process: one self message confirms one send, and an id one run got answered is no proof for another (row 8 of #23)', async () => {
		const a = setup();
		const b = setup();
		await Promise.all([a.watcher.start(), b.watcher.start()]);
		const sentAt = a.now();
		const expectation = {
			target: { type: 'group' as const, id: GROUP },
			message: message('same text'),
			sentAt,
			deadlineAt: sentAt + 500,
		};
		// Both runs' sends timed out; only one copy reached the kernel: one self message, seen by both streams.
		const event = selfMessage('same text', 7, Math.floor(sentAt / 1000));
		a.socket.push(event);
		b.socket.push(event);
		const outcomes = await Promise.all([
			a.watcher.waitFor(expectation),
			b.watcher.waitFor(expectation),
		]);
		expect(outcomes.map((o) => o.status).sort()).toEqual(['confirmed', 'not_confirmed']);

		// Run A's send was answered ok with id 8; run B's identical send timed out: A's self message is A's.
		const later = a.now();
		a.watcher.claimMessageId(8);
		b.socket.push(selfMessage('again', 8, Math.floor(later / 1000)));
		const bOutcome = await b.watcher.waitFor({
			...expectation,
			message: message('again'),
			sentAt: later,
			deadlineAt: later + 500,
		});
		expect(bOutcome.status).toBe('not_confirmed');
	});

	test('another chat, other content, a message older than the send, or a raw status other than 2 confirm nothing', async () => {
		const { watcher, socket, now } = setup();
		await watcher.start();
		const sentAt = now();
		const sec = Math.floor(sentAt / 1000);
		socket.push(selfMessage('hello', 3, sec, { group_id: 999 }));
		socket.push(selfMessage('hello!', 4, sec));
		socket.push(selfMessage('hello', 5, sec - 60));
		socket.push(selfMessage('hello', 6, sec, { raw: { sendStatus: 1, msgSeq: '0' } }));
		socket.push({ ...selfMessage('hello', 7, sec), post_type: 'message', user_id: 20002 });
		const outcome = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt,
			deadlineAt: sentAt + 300,
		});
		expect(outcome).toMatchObject({ status: 'not_confirmed' });
		expect(outcome.status === 'not_confirmed' && outcome.note).toContain('did not confirm');
	});

	test('no stream and no raw records: gives up at once and says why', async () => {
		const { watcher, now } = setup({
			events: false,
			history: () => ({ messages: [{ user_id: SELF, message_id: 9, raw_message: 'x', time: 1 }] }),
		});
		const sentAt = now();
		const outcome = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt,
			deadlineAt: sentAt + 5000,
		});
		expect(outcome).toMatchObject({
			status: 'not_confirmed',
			rawRecords: 'not_exposed',
			eventStream: 'not_configured',
		});
		expect(now() - sentAt).toBeLessThan(5000);
	});

	test('raw records: status 1 is remembered, 2 confirms with the server seq, 0 reports a kernel failure', async () => {
		let status = 1;
		const sentAt0 = 1_700_000_000_000;
		const entry = () => ({
			user_id: SELF,
			group_id: GROUP,
			message_type: 'group',
			message_id: 11,
			time: Math.floor(sentAt0 / 1000),
			raw_message: 'hello',
			raw: { msgId: '7001', sendStatus: status, msgSeq: status === 2 ? '1042' : '0' },
		});
		const { watcher, now } = setup({ events: false, history: () => ({ messages: [entry()] }) });
		const stillSending = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt: now(),
			deadlineAt: now() + 300,
		});
		expect(stillSending).toMatchObject({
			status: 'not_confirmed',
			rawRecords: 'exposed',
			lastSendStatus: 1,
		});
		status = 2;
		const confirmed = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt: sentAt0,
			deadlineAt: now() + 300,
		});
		expect(confirmed).toMatchObject({ status: 'confirmed', via: 'raw_record', serverSeq: 1042 });

		const other = setup({
			events: false,
			history: () => ({
				messages: [
					{ ...entry(), message_id: 12, raw: { msgId: '7002', sendStatus: 0, msgSeq: '0' } },
				],
			}),
		});
		const failed = await other.watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt: sentAt0,
			deadlineAt: other.now() + 300,
		});
		expect(failed).toMatchObject({ status: 'failed_in_kernel', sendStatus: 0 });
	});

	test('an older identical record the kernel failed (sendStatus 0) never allows the resend of one still sending (suspected item of #23)', async () => {
		const sentAt = 1_700_000_000_000;
		let reads = 0;
		const record = (msgId: string, id: number, status: number, timeMs: number) => ({
			user_id: SELF,
			group_id: GROUP,
			message_type: 'group',
			message_id: id,
			time: Math.floor(timeMs / 1000),
			raw_message: 'hello',
			raw: { msgId, sendStatus: status, msgSeq: status === 2 ? '2001' : '0' },
		});
		// 2 s before this send, an identical one failed in the kernel; this one is still sending, then lands.
		const { watcher, now } = setup({
			events: false,
			history: () => {
				reads++;
				return {
					messages: [
						record('8001', 21, 0, sentAt - 2000),
						record('8002', 22, reads > 1 ? 2 : 1, sentAt),
					],
				};
			},
		});
		const outcome = watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt,
			deadlineAt: now() + 2000,
		});
		expect(reads).toBeLessThanOrEqual(1);
		expect(await outcome).toMatchObject({ status: 'confirmed', via: 'raw_record', messageId: 22 });
	});

	test('a single failed record of ours still reports the kernel failure', async () => {
		const sentAt = 1_700_000_000_000;
		const { watcher, now } = setup({
			events: false,
			history: () => ({
				messages: [
					{
						user_id: SELF,
						group_id: GROUP,
						message_type: 'group',
						message_id: 31,
						time: Math.floor(sentAt / 1000),
						raw_message: 'hello',
						raw: { msgId: '9001', sendStatus: 0, msgSeq: '0' },
					},
				],
			}),
		});
		const outcome = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('hello'),
			sentAt,
			deadlineAt: now() + 300,
		});
		expect(outcome).toMatchObject({ status: 'failed_in_kernel', sendStatus: 0 });
	});

	test('closed while its socket is still connecting: the socket ends closed, and nothing reconnects', async () => {
		let now = 1_700_000_000_000;
		const sockets: FakeSocket[] = [];
		const watcher = new KernelWatcher({
			client: new OneBotClient({
				baseUrl: 'http://onebot.test',
				request: async () => ({
					status: 200,
					body: { status: 'ok', retcode: 0, data: { messages: [] } },
				}),
				clock: () => now,
			}),
			selfId: SELF,
			events: {
				url: 'ws://onebot.test',
				// Opens once the current task yields, as a real socket does after its handshake.
				connect: () => {
					const socket = new FakeSocket();
					sockets.push(socket);
					queueMicrotask(() => {
						if (socket.readyState === 0) socket.open();
					});
					return socket;
				},
			},
			sleep: async (ms) => {
				now += ms;
				await Promise.resolve();
			},
			clock: () => now,
			pollIntervalMs: 100,
			requestTimeoutMs: 1000,
			readRawRecords: false,
		});
		// The run ends (cancelled) while the stream is still connecting.
		const starting = watcher.start();
		expect(watcher.eventStream).toBe('connecting');
		watcher.close();
		await starting;
		// An item that was already on its way starts and waits on the same watcher after the close.
		await watcher.start();
		const sentAt = now;
		const outcome = await watcher.waitFor({
			target: { type: 'group', id: GROUP },
			message: message('late'),
			sentAt,
			deadlineAt: sentAt + 200,
		});
		expect(outcome).toMatchObject({ status: 'not_confirmed', eventStream: 'closed' });
		expect(sockets.length).toBeGreaterThan(0);
		expect(sockets.map((socket) => socket.readyState)).toEqual(sockets.map(() => 3));
	});

	test('closed before it started: start() opens no socket', async () => {
		const { watcher, socket } = setup();
		watcher.close();
		await watcher.start();
		expect(socket.readyState).not.toBe(1);
		expect(watcher.eventStream).toBe('closed');
	});
});
