/* eslint-disable @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * The kernel's send status of the sender's own record (simulator/kernel.ts): a late 1 -> 2 pushes the self
 * message (NapCat within 10 minutes, LLOneBot at any time), 1 -> 0 and 3 (NOSEQ) push nothing, and LLOneBot's
 * `debug` shows the record as `raw` in get_msg and history.
 */
import { defaultWorld, type WorldConfig } from '../../simulator';
import { call, request, sharedSimulator, sleep, until, WsClient } from './helpers';

const G = 100200300;
const W: WorldConfig = {
	...defaultWorld(),
	kernelTimeoutMs: 100,
	deliveryDelayMs: 5,
	heartbeatIntervalMs: 60_000,
};

describe('kernel send status, self messages and raw records', () => {
	let ws: WsClient;
	const sim = sharedSimulator(W, async (simulator) => {
		await simulator.control.setFlavour('bot', 'napcat', '4.10.32');
		const bot = simulator.world.account('bot');
		bot.cfg.reportSelfMessage = true;
		bot.cfg.debug = false;
		ws = await WsClient.connect(`${simulator.urls.bot.ws}/?access_token=bot-token`);
	});
	afterEach(async () => {
		await ws.close();
	});
	const selfEvents = (text: string) =>
		ws.frames.filter((f) => f.post_type === 'message_sent' && f.raw_message === text);
	const send = (text: string) =>
		call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: [{ type: 'text', data: { text } }],
		});

	test('the control API switches self-reporting and LLOneBot debug', async () => {
		const res = await request(`${sim.urls.control}/accounts/bot/flavour`, {
			method: 'PUT',
			body: { flavour: 'llonebot', version: '7.0.1', reportSelfMessage: false, debug: true },
		});
		expect(res.status).toBe(200);
		expect(sim.world.account('bot').cfg).toMatchObject({
			flavour: 'llonebot',
			reportSelfMessage: false,
			debug: true,
		});
	});

	test('an ordinary send pushes its self message at once; none when self-reporting is off', async () => {
		await send('plain');
		expect(
			await ws.next((f) => f.post_type === 'message_sent' && f.raw_message === 'plain'),
		).toMatchObject({ user_id: 10001, group_id: G });
		sim.world.account('bot').cfg.reportSelfMessage = false;
		await send('quiet');
		await sleep(100);
		expect(selfEvents('quiet')).toHaveLength(0);
	});

	test.each(['napcat', 'llonebot'] as const)(
		'%s: timeout, then the kernel confirms late (1 -> 2): the self message follows the failed answer',
		async (flavour) => {
			await sim.control.setFlavour('bot', flavour, flavour === 'napcat' ? '4.10.32' : '7.0.1');
			await sim.control.setFault({
				kind: 'timeout_delivered',
				scope: { account: 'bot' },
				params: { lateAfterMs: 250 },
			});
			const answer = await send('late');
			expect(answer.json.status).toBe('failed');
			expect(selfEvents('late')).toHaveLength(0);
			const event = await ws.next(
				(f) => f.post_type === 'message_sent' && f.raw_message === 'late',
				2000,
			);
			expect(event).toMatchObject({ user_id: 10001, group_id: G, message_type: 'group' });
			const truth = (await sim.control.groundTruth()) as any;
			expect(truth.accounts.witness.inbox.filter((m: any) => m.text === 'late')).toHaveLength(1);
		},
	);

	test('NapCat stops waiting after 10 minutes: a later confirmation pushes nothing; LLOneBot still pushes it', async () => {
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			params: { lateAfterMs: 11 * 60 * 1000 },
		});
		await sim.control.clock.setFactor(10_000);
		try {
			await send('too late');
			await sleep(200);
		} finally {
			await sim.control.clock.setFactor(1);
		}
		expect(selfEvents('too late')).toHaveLength(0);

		await sim.control.setFlavour('bot', 'llonebot', '7.0.1');
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			params: { lateAfterMs: 11 * 60 * 1000 },
		});
		await sim.control.clock.setFactor(10_000);
		try {
			await send('llonebot late');
			await until(() => selfEvents('llonebot late').length > 0, 3000);
		} finally {
			await sim.control.clock.setFactor(1);
		}
	});

	test.each([0, 3] as const)(
		'stuck send settling in status %s (0 failed, 3 NOSEQ) pushes no self message and reaches nobody',
		async (lateStatus) => {
			await sim.control.setFault({
				kind: 'timeout_not_delivered',
				scope: { account: 'bot' },
				params: { lateStatus, lateAfterMs: 150 },
			});
			const answer = await send(`status ${lateStatus}`);
			expect(answer.json.status).toBe('failed');
			await sleep(300);
			expect(selfEvents(`status ${lateStatus}`)).toHaveLength(0);
			const truth = (await sim.control.groundTruth()) as any;
			expect(
				truth.accounts.witness.inbox.filter((m: any) => m.text === `status ${lateStatus}`),
			).toHaveLength(0);
		},
	);

	test('a stuck send that the kernel confirms late (lateStatus 2) reaches the group and pushes the self message', async () => {
		await sim.control.setFault({
			kind: 'stuck_group',
			scope: { account: 'bot' },
			params: { lateStatus: 2, lateAfterMs: 200 },
		});
		await send('unstuck');
		await ws.next((f) => f.post_type === 'message_sent' && f.raw_message === 'unstuck', 2000);
		const inbox = async () =>
			((await sim.control.groundTruth()) as any).accounts.witness.inbox.filter(
				(m: any) => m.text === 'unstuck',
			);
		await until(async () => (await inbox()).length > 0, 2000);
		await sleep(50);
		expect(await inbox()).toHaveLength(1);
	});

	test('LLOneBot with debug: get_msg and history carry raw.sendStatus and raw.msgSeq; NapCat and debug off carry none', async () => {
		await send('napcat plain');
		const napcatHistory = await call(sim.urls.bot.http, 'bot-token', 'get_group_msg_history', {
			group_id: G,
		});
		expect(napcatHistory.json.data.messages.every((m: any) => m.raw === undefined)).toBe(true);

		await sim.control.setFlavour('bot', 'llonebot', '4.6.2');
		const sent = await send('ok record');
		const noDebug = await call(sim.urls.bot.http, 'bot-token', 'get_msg', {
			message_id: sent.json.data.message_id,
		});
		expect(noDebug.json.data.raw).toBeUndefined();
		sim.world.account('bot').cfg.debug = true;
		const got = await call(sim.urls.bot.http, 'bot-token', 'get_msg', {
			message_id: sent.json.data.message_id,
		});
		expect(got.json.data.raw).toMatchObject({
			sendStatus: 2,
			msgSeq: String(got.json.data.message_seq),
			senderUin: '10001',
		});

		await sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot' },
			count: 1,
		});
		await send('stuck record');
		const history = await call(sim.urls.bot.http, 'bot-token', 'get_group_msg_history', {
			group_id: G,
		});
		const stuck = history.json.data.messages.find((m: any) => m.raw_message === 'stuck record');
		expect(stuck.raw).toMatchObject({ sendStatus: 1, msgSeq: '0' });
		const ok = history.json.data.messages.find((m: any) => m.raw_message === 'ok record');
		expect(ok.raw).toMatchObject({ sendStatus: 2 });
	});
});
