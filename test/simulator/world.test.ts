/* eslint-disable @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
import { createHash } from 'node:crypto';
import { startSimulator, defaultWorld, type Simulator, type WorldConfig } from '../../simulator';
import { call, request, until, WsClient } from './helpers';

const G = 100200300;

function fastWorld(over: Partial<WorldConfig> = {}): WorldConfig {
	return {
		...defaultWorld(),
		kernelTimeoutMs: 150,
		deliveryDelayMs: 10,
		heartbeatIntervalMs: 100,
		restartDowntimeMs: 150,
		...over,
	};
}

describe('default world over plain HTTP and WebSocket', () => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator(fastWorld());
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(async () => {
		await sim.control.reset();
	});

	test('urls: one port per account, control, webui and docker', () => {
		const { bot, witness, friend } = sim.urls.accounts;
		expect(bot.selfId).toBe(10001);
		expect(witness.selfId).toBe(10002);
		expect(friend.selfId).toBe(10003);
		expect(bot.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(bot.ws).toBe(bot.http.replace('http', 'ws'));
		expect(
			new Set([
				bot.http,
				witness.http,
				friend.http,
				sim.urls.control,
				sim.urls.webui,
				sim.urls.docker,
			]).size,
		).toBe(6);
		expect(bot.token).toBe('bot-token');
		expect(witness.token).toBe('witness-token');
		expect(sim.urls.bot).toBe(bot);
		expect(sim.groups).toEqual([
			{ groupId: G, name: 'Sentinel Test Group', members: ['bot', 'witness', 'friend'] },
		]);
	});

	test('a group message reaches the witness as an event on its WebSocket and in its history; the sender does not get it', async () => {
		const w = await WsClient.connect(`${sim.urls.witness.ws}/`, {
			Authorization: 'Bearer witness-token',
		});
		const lifecycle = await w.next((f) => f.meta_event_type === 'lifecycle');
		expect(lifecycle).toMatchObject({
			post_type: 'meta_event',
			sub_type: 'connect',
			self_id: 10002,
		});
		const r = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: [{ type: 'text', data: { text: 'hello witness' } }],
		});
		expect(r.status).toBe(200);
		expect(r.json.status).toBe('ok');
		expect(typeof r.json.data.message_id).toBe('number');
		const ev = await w.next((f) => f.post_type === 'message');
		expect(ev).toMatchObject({
			self_id: 10002,
			user_id: 10001,
			message_type: 'group',
			group_id: G,
			raw_message: 'hello witness',
			message: [{ type: 'text', data: { text: 'hello witness' } }],
			sender: { user_id: 10001, nickname: 'Sentinel Bot' },
		});
		// NapCat: ids are per account
		expect(ev.message_id).not.toBe(r.json.data.message_id);
		const hist = await call(sim.urls.witness.http, 'witness-token', 'get_group_msg_history', {
			group_id: G,
		});
		expect(hist.json.data.messages.map((m: any) => m.raw_message)).toEqual(['hello witness']);
		const gt = await sim.control.groundTruth();
		expect(gt.accounts.witness.inbox).toHaveLength(1);
		expect(gt.accounts.witness.inbox[0]).toMatchObject({
			text: 'hello witness',
			fromAccount: 'bot',
			groupId: G,
			messageId: ev.message_id,
		});
		expect(gt.accounts.bot.inbox).toHaveLength(0);
		await w.close();
	});

	test('a private message reaches only its target', async () => {
		const r = await call(sim.urls.bot.http, 'bot-token', 'send_private_msg', {
			user_id: 10003,
			message: 'psst',
		});
		expect(r.json.status).toBe('ok');
		await until(async () => (await sim.control.groundTruth()).accounts.friend.inbox.length === 1);
		const gt = await sim.control.groundTruth();
		expect(gt.accounts.friend.inbox[0]).toMatchObject({
			messageType: 'private',
			fromUserId: 10001,
			text: 'psst',
		});
		expect(gt.accounts.witness.inbox).toHaveLength(0);
		const fh = await call(sim.urls.friend.http, 'friend-token', 'get_friend_msg_history', {
			user_id: 10001,
		});
		expect(fh.json.data.messages.map((m: any) => m.raw_message)).toEqual(['psst']);
	});

	test('literal CQ text with auto_escape is distinguishable from a real at segment', async () => {
		await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: '[CQ:at,qq=all] a&b',
			auto_escape: true,
		});
		await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: '[CQ:at,qq=all] a&amp;b',
		});
		await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: { type: 'text', data: { text: 'one, [segment]' } },
		});
		await until(async () => (await sim.control.groundTruth()).accounts.witness.inbox.length === 3);
		const inbox = (await sim.control.groundTruth()).accounts.witness.inbox;
		expect(inbox[0]).toMatchObject({
			text: '[CQ:at,qq=all] a&b',
			rawMessage: '&#91;CQ:at,qq=all&#93; a&amp;b',
			segments: [{ type: 'text', data: { text: '[CQ:at,qq=all] a&b' } }],
		});
		expect(inbox[1]).toMatchObject({
			text: ' a&b',
			rawMessage: '[CQ:at,qq=all] a&amp;b',
			segments: [
				{ type: 'at', data: { qq: 'all' } },
				{ type: 'text', data: { text: ' a&b' } },
			],
		});
		expect(inbox[2]).toMatchObject({
			text: 'one, [segment]',
			rawMessage: 'one, &#91;segment&#93;',
		});
	});

	test('GET with query parameters and ?access_token work; send_msg routes by message_type', async () => {
		const r = await request(`${sim.urls.bot.http}/get_login_info?access_token=bot-token`);
		expect(r.json.data).toEqual({ user_id: 10001, nickname: 'Sentinel Bot' });
		const s = await request(
			`${sim.urls.bot.http}/send_msg?access_token=bot-token&message_type=group&group_id=${G}&message=via%20get`,
		);
		expect(s.json.status).toBe('ok');
		await until(async () =>
			(await sim.control.groundTruth()).accounts.witness.inbox.some(
				(m: any) => m.text === 'via get',
			),
		);
	});

	test('WebSocket /api answers actions with echo and sends no events; /event sends events and ignores actions', async () => {
		const api = await WsClient.connect(`${sim.urls.bot.ws}/api?access_token=bot-token`);
		const r = await api.call('get_login_info');
		expect(r).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: 10001 } });
		const ev = await WsClient.connect(`${sim.urls.witness.ws}/event`, {
			Authorization: 'Bearer witness-token',
		});
		await ev.next((f) => f.meta_event_type === 'lifecycle');
		await api.call('send_group_msg', { group_id: G, message: 'ws send' });
		await ev.next((f) => f.post_type === 'message' && f.raw_message === 'ws send');
		expect(api.frames.some((f) => f.post_type)).toBe(false);
		await api.close();
		await ev.close();
	});

	test('heartbeats carry status.online and good:true on universal connections', async () => {
		const w = await WsClient.connect(`${sim.urls.bot.ws}/?access_token=bot-token`);
		const hb = await w.next((f) => f.meta_event_type === 'heartbeat');
		expect(hb).toMatchObject({
			post_type: 'meta_event',
			self_id: 10001,
			status: { online: true, good: true },
			interval: 100,
		});
		await w.close();
	});

	test('control API over HTTP: faults, ground truth, calls, reset', async () => {
		const c = sim.urls.control;
		const add = await request(`${c}/faults`, {
			body: { id: 'x1', kind: 'data_null', scope: { account: 'bot' } },
		});
		expect(add.status).toBe(201);
		expect(add.json.id).toBe('x1');
		expect((await request(`${c}/faults`)).json.map((f: any) => f.id)).toEqual(['x1']);
		const r = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: 'nulled',
		});
		expect(r.json).toMatchObject({ status: 'ok', retcode: 0, data: null });
		const calls = (await request(`${c}/calls?account=bot&action=send_group_msg`)).json;
		expect(calls).toHaveLength(1);
		expect(calls[0]).toMatchObject({
			transport: 'http',
			httpStatus: 200,
			faults: ['x1'],
			response: r.json,
			params: { group_id: G, message: 'nulled' },
		});
		expect((await request(`${c}/faults/x1`, { method: 'DELETE' })).json.ok).toBe(true);
		expect((await request(`${c}/faults/x1`, { method: 'DELETE' })).status).toBe(404);
		const gt = (await request(`${c}/ground-truth`)).json;
		expect(gt.messages[0]).toMatchObject({ text: 'nulled', fault: 'data_null', deliveredTo: [] });
		expect((await request(`${c}/reset`, { method: 'POST' })).json.ok).toBe(true);
		expect((await request(`${c}/ground-truth`)).json.messages).toEqual([]);
		expect((await request(`${c}/calls`)).json).toEqual([]);
		const bad = await request(`${c}/faults`, { body: { kind: 'no_such_fault' } });
		expect(bad.status).toBe(400);
	});

	test('control API: flavour switch, inject a message, report URLs', async () => {
		const c = sim.urls.control;
		const put = await request(`${c}/accounts/witness/flavour`, {
			method: 'PUT',
			body: { flavour: 'gocq' },
		});
		expect(put.json).toEqual({ ok: true, flavour: 'gocq', version: 'v1.2.0' });
		const v = await call(sim.urls.witness.http, 'witness-token', 'get_version_info');
		expect(v.json.data.app_name).toBe('go-cqhttp');
		await request(`${c}/accounts/friend/send`, { body: { group_id: G, message: 'from friend' } });
		await until(async () => (await sim.control.groundTruth()).accounts.bot.inbox.length === 1);
		const ru = await request(`${c}/accounts/bot/report-urls`, {
			method: 'PUT',
			body: ['http://127.0.0.1:9/none'],
		});
		expect(ru.json.reportUrls).toEqual(['http://127.0.0.1:9/none']);
		await sim.control.setFlavour('witness', 'napcat', '4.10.32');
		await sim.control.setReportUrls('bot', []);
	});

	test('NapCat WebUI hash: sha256(token + ".napcat")', () => {
		expect(
			createHash('sha256')
				.update(sim.webuiToken('bot') + '.napcat')
				.digest('hex'),
		).toHaveLength(64);
	});
});
