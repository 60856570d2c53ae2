/* eslint-disable @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
import { defaultWorld, type WorldConfig } from '../../simulator';
import { call, request, sharedSimulator, sleep, WsClient } from './helpers';

const G = 100200300;
const W: WorldConfig = {
	...defaultWorld(),
	kernelTimeoutMs: 120,
	deliveryDelayMs: 5,
	heartbeatIntervalMs: 60,
	restartDowntimeMs: 100,
};

describe('fault catalogue on the wire', () => {
	const sim = sharedSimulator(W);
	const bot = () => sim.urls.bot.http;
	const send = (message: string, extra: Record<string, unknown> = {}, timeoutMs?: number) =>
		call(bot(), 'bot-token', 'send_group_msg', { group_id: G, message, ...extra }, timeoutMs);
	const sendPrivate = (message: string) =>
		call(bot(), 'bot-token', 'send_private_msg', { user_id: 10003, message });
	const inbox = async (name = 'witness') =>
		(await sim.control.groundTruth()).accounts[name].inbox.map((m: any) => m.text);
	const settle = () => sleep(40);

	test('silent drop: ok with a message_id, nobody receives it, the sender has it', async () => {
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot', group: G } });
		const r = await send('dropped');
		expect(r.json).toMatchObject({
			status: 'ok',
			retcode: 0,
			data: { message_id: expect.any(Number) },
		});
		await settle();
		expect(await inbox()).toEqual([]);
		expect(
			(await call(bot(), 'bot-token', 'get_msg', { message_id: r.json.data.message_id })).json
				.status,
		).toBe('ok');
		expect((await sim.control.groundTruth()).messages[0]).toMatchObject({
			fault: 'silent_drop',
			deliveredTo: [],
		});
	});

	test('timeout but delivered: the API says timeout, the witness got it', async () => {
		await sim.control.setFault({ kind: 'timeout_delivered', scope: { account: 'bot' } });
		const r = await send('arrived anyway');
		expect(r.json.message).toBe(
			// NapNeko/NapCatQQ: packages/napcat-core/helper/event.ts: the text ends with a newline.
			'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    "result": 0,\n    "errMsg": ""\n}\n',
		);
		expect(await inbox()).toEqual(['arrived anyway']);
	});

	test('timeout not delivered, with a count: applies twice then expires', async () => {
		await sim.control.setFault({ kind: 'timeout_not_delivered', count: 2 });
		expect((await send('a')).json.status).toBe('failed');
		expect((await send('b')).json.status).toBe('failed');
		expect((await send('c')).json.status).toBe('ok');
		await settle();
		expect(await inbox()).toEqual(['c']);
		// the stuck sends still show in the sender's own history (the QQ window shows them as sent)
		const h = await call(bot(), 'bot-token', 'get_group_msg_history', { group_id: G });
		expect(h.json.data.messages.map((m: any) => m.raw_message)).toEqual(['a', 'b', 'c']);
	});

	test('data null and message_id 0', async () => {
		await sim.control.setFault({ id: 'n', kind: 'data_null', count: 1 });
		await sim.control.setFault({ id: 'z', kind: 'message_id_zero', count: 1 });
		expect((await send('x')).json).toMatchObject({ status: 'ok', retcode: 0, data: null });
		expect((await send('y')).json).toMatchObject({
			status: 'ok',
			retcode: 0,
			data: { message_id: 0 },
		});
		await settle();
		expect(await inbox()).toEqual([]);
	});

	test('repeated message_id', async () => {
		const first = (await send('first')).json.data.message_id;
		await sim.control.setFault({ kind: 'repeated_message_id' });
		expect((await send('second')).json.data.message_id).toBe(first);
		expect((await send('third')).json.data.message_id).toBe(first);
		await settle();
		expect(await inbox()).toEqual(['first']);
	});

	test('risk control, not in group, muted (go-cqhttp and NapCat wording)', async () => {
		await sim.control.setFlavour('bot', 'gocq');
		await sim.control.setFault({ id: 'rc', kind: 'risk_control', count: 1 });
		// Mrs4s/go-cqhttp: coolq/api.go Failed(): code in msg, text in wording and message (≥ 1.0.0-rc5).
		expect((await send('r')).json).toEqual({
			data: null,
			retcode: 100,
			msg: 'SEND_MSG_API_ERROR',
			wording: 'send group message failed: blocked by server',
			message: 'send group message failed: blocked by server',
			status: 'failed',
		});
		await sim.control.setFault({ id: 'nig', kind: 'not_in_group', count: 1 });
		expect((await send('n')).json).toMatchObject({ retcode: 100, msg: 'GROUP_NOT_FOUND' });
		await sim.control.setFlavour('bot', 'napcat', '4.10.32');
		await sim.control.setFault({ id: 'nig2', kind: 'not_in_group', count: 1 });
		const n = (await send('n2')).json;
		expect(n.retcode).toBe(200);
		expect(n.message).toMatch(
			/^EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService\/sendMsg/,
		);
		expect(n.message).toContain('"result": 110');
		expect(n.message).toContain('你已被移出该群');
		await sim.control.setFault({ id: 'm', kind: 'muted', count: 1 });
		expect((await send('m')).json.message).toContain('"result": 120');
		await settle();
		expect(await inbox()).toEqual([]);
	});

	test('group failing while private works (the stuck client)', async () => {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		expect((await send('group')).json.status).toBe('failed');
		expect((await sendPrivate('private')).json.status).toBe('ok');
		await settle();
		expect(await inbox()).toEqual([]);
		expect(await inbox('friend')).toEqual(['private']);
		// heartbeats and get_status still look fine
		expect((await call(bot(), 'bot-token', 'get_status')).json.data).toMatchObject({
			online: true,
			good: true,
		});
	});

	test('scoped to a private chat only', async () => {
		await sim.control.setFault({ kind: 'data_null', scope: { user: 10003 } });
		expect((await sendPrivate('p')).json.data).toBeNull();
		expect((await send('g')).json.data.message_id).toEqual(expect.any(Number));
	});

	test('seeded probability is deterministic', async () => {
		const run = async () => {
			await sim.control.reset();
			await sim.control.setFault({ id: 'p', kind: 'data_null', probability: 0.5, seed: 42 });
			const out: boolean[] = [];
			for (let i = 0; i < 12; i++) out.push((await send(`s${i}`)).json.data === null);
			return out;
		};
		const a = await run();
		const b = await run();
		expect(a).toEqual(b);
		expect(a.some(Boolean)).toBe(true);
		expect(a.some((x) => !x)).toBe(true);
	});

	test('receive drop: the witness never sees it, other members do', async () => {
		await sim.control.setFault({ kind: 'receive_drop', scope: { account: 'witness' } });
		expect((await send('partial')).json.status).toBe('ok');
		await settle();
		expect(await inbox()).toEqual([]);
		expect(await inbox('friend')).toEqual(['partial']);
		const h = await call(sim.urls.witness.http, 'witness-token', 'get_group_msg_history', {
			group_id: G,
		});
		expect(h.json.data.messages).toEqual([]);
	});

	test('online:false while answering, and heartbeat stops', async () => {
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/event?access_token=bot-token`);
		await ws.next((f) => f.meta_event_type === 'heartbeat' && f.status.online === true);
		await sim.control.setFault({ id: 'off', kind: 'online_false', scope: { account: 'bot' } });
		expect((await call(bot(), 'bot-token', 'get_status')).json.data).toMatchObject({
			online: false,
			good: true,
		});
		const n = ws.frames.length;
		await ws.next(
			(f) =>
				f.meta_event_type === 'heartbeat' && f.status.online === false && ws.frames.indexOf(f) >= n,
		);
		await sim.control.setFault({ id: 'hb', kind: 'heartbeat_stop', scope: { account: 'bot' } });
		await sleep(20);
		const m = ws.frames.length;
		await sleep(250);
		expect(ws.frames.slice(m).filter((f) => f.meta_event_type === 'heartbeat')).toEqual([]);
		await ws.close();
	});

	test('degradation after N sends, cleared by a restart', async () => {
		await sim.control.setFault({
			id: 'deg',
			kind: 'degrade_after',
			scope: { account: 'bot' },
			params: { sends: 2 },
			then: 'stuck_group',
		});
		expect((await send('1')).json.status).toBe('ok');
		expect((await send('2')).json.status).toBe('ok');
		expect((await send('3')).json.status).toBe('failed');
		expect((await sendPrivate('private still fine')).json.status).toBe('ok');
		await sim.control.restart('bot');
		expect((await send('4')).json.status).toBe('ok');
		await settle();
		expect(await inbox()).toEqual(['1', '2', '4']);
	});

	test('degradation after T uptime on the accelerated clock', async () => {
		await sim.control.setFault({
			id: 'deg',
			kind: 'degrade_after',
			scope: { account: 'bot' },
			params: { uptimeMs: 24 * 3600_000 },
			then: { kind: 'data_null' },
		});
		expect((await send('fresh')).json.data.message_id).toEqual(expect.any(Number));
		sim.control.clock.advance(25 * 3600_000);
		expect((await send('a day later')).json.data).toBeNull();
		await sim.control.restart('bot');
		expect((await send('after restart')).json.data.message_id).toEqual(expect.any(Number));
	});

	test('latency with jitter', async () => {
		await sim.control.setFault({
			kind: 'latency',
			scope: { account: 'bot', action: 'get_status' },
			params: { ms: 150, jitterMs: 50 },
		});
		const t0 = Date.now();
		await call(bot(), 'bot-token', 'get_status');
		const dt = Date.now() - t0;
		expect(dt).toBeGreaterThanOrEqual(140);
		expect(dt).toBeLessThan(1000);
		const t1 = Date.now();
		await call(bot(), 'bot-token', 'get_login_info');
		expect(Date.now() - t1).toBeLessThan(100);
	});

	test('hang past the client timeout, over HTTP and WebSocket', async () => {
		await sim.control.setFault({ kind: 'hang', scope: { account: 'bot', action: 'get_status' } });
		await expect(call(bot(), 'bot-token', 'get_status', {}, 300)).rejects.toMatchObject({
			code: 'CLIENT_TIMEOUT',
		});
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/api?access_token=bot-token`);
		await expect(ws.call('get_status', {}, 300)).rejects.toThrow(/no matching frame/);
		expect((await ws.call('get_login_info')).status).toBe('ok');
		await ws.close();
		const calls = await sim.control.calls({ account: 'bot', action: 'get_status' });
		expect(calls.map((c) => c.outcome)).toEqual(['hang', 'hang']);
	});

	test('connection reset', async () => {
		await sim.control.setFault({ kind: 'connection_reset', scope: { account: 'bot' }, count: 1 });
		await expect(call(bot(), 'bot-token', 'get_status')).rejects.toMatchObject({
			code: expect.stringMatching(/ECONNRESET|socket hang up/),
		});
		expect((await call(bot(), 'bot-token', 'get_status')).status).toBe(200);
	});

	test('HTTP 500 and malformed JSON', async () => {
		await sim.control.setFault({ id: '500', kind: 'http_500', count: 1 });
		const r = await call(bot(), 'bot-token', 'get_status');
		expect([r.status, r.text]).toEqual([500, 'Internal Server Error']);
		await sim.control.setFault({ id: 'mj', kind: 'malformed_json', count: 1 });
		const m = await send('sent but garbled');
		expect(m.status).toBe(200);
		expect(m.json).toBeUndefined();
		expect(() => JSON.parse(m.text)).toThrow();
		expect(m.text.startsWith('{"status":"ok"')).toBe(true);
		await settle();
		expect(await inbox()).toEqual(['sent but garbled']);
	});

	test('refused while down (restart downtime)', async () => {
		const p = sim.control.restart('bot', { downtimeMs: 300 });
		await sleep(30);
		await expect(call(bot(), 'bot-token', 'get_status')).rejects.toMatchObject({
			code: 'ECONNREFUSED',
		});
		await p;
		expect((await call(bot(), 'bot-token', 'get_status')).json.data.online).toBe(true);
	});

	test('down: the account refuses connections until the fault is cleared, others keep answering', async () => {
		const id = await sim.control.setFault({ kind: 'down', scope: { account: 'bot' } });
		await expect(call(bot(), 'bot-token', 'get_status')).rejects.toMatchObject({
			code: 'ECONNREFUSED',
		});
		expect((await call(sim.urls.witness.http, 'witness-token', 'get_status')).status).toBe(200);
		await sim.control.clearFaults(id);
		expect((await call(bot(), 'bot-token', 'get_status')).json.data.online).toBe(true);
	});

	test('down over the control API, cured by a restart', async () => {
		const add = await request(`${sim.urls.control}/faults`, {
			body: { kind: 'down', scope: { account: 'bot' } },
		});
		expect(add.status).toBe(201);
		await expect(call(bot(), 'bot-token', 'get_status')).rejects.toMatchObject({
			code: 'ECONNREFUSED',
		});
		await sim.control.restart('bot', { downtimeMs: 50 });
		expect((await call(bot(), 'bot-token', 'get_status')).json.data.online).toBe(true);
	});

	test('fault over the control API with a scope on action and transport', async () => {
		const add = await request(`${sim.urls.control}/faults`, {
			body: [{ id: 'a', kind: 'http_500', scope: { action: 'get_login_info', transport: 'http' } }],
		});
		expect(add.json.ids).toEqual(['a']);
		expect((await call(bot(), 'bot-token', 'get_login_info')).status).toBe(500);
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/api?access_token=bot-token`);
		expect((await ws.call('get_login_info')).status).toBe('ok');
		await ws.close();
		expect((await request(`${sim.urls.control}/faults`, { method: 'DELETE' })).json.ok).toBe(true);
		expect((await call(bot(), 'bot-token', 'get_login_info')).status).toBe(200);
	});
});
