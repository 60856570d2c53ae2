/* eslint-disable @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
import {
	startSimulator,
	type Simulator,
	type WorldConfig,
	type ImplementationName,
} from '../../simulator';
import { call, request, until, WsClient } from './helpers';

const G = 100200300;

function world(
	flavour: ImplementationName,
	version?: string,
	extra: Record<string, unknown> = {},
): WorldConfig {
	return {
		seed: 7,
		kernelTimeoutMs: 120,
		deliveryDelayMs: 5,
		restartDowntimeMs: 100,
		heartbeatIntervalMs: 1000,
		accounts: {
			bot: { selfId: 20001, nickname: 'B', flavour, version, token: 'bot-token', ...extra },
			witness: { selfId: 20002, nickname: 'W', flavour, version, token: 'witness-token', ...extra },
		},
		groups: [{ groupId: G, members: ['bot', 'witness'] }],
		friends: [['bot', 'witness']],
		containers: { onebot: 'bot' },
	};
}

async function sendAndWitness(sim: Simulator, text: string) {
	const r = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
		group_id: G,
		message: text,
	});
	await until(async () =>
		(await sim.control.groundTruth()).accounts.witness.inbox.some((m: any) => m.text === text),
	);
	const entry = (await sim.control.groundTruth()).accounts.witness.inbox.find(
		(m: any) => m.text === text,
	);
	return { r, entry };
}

describe.each([
	['llonebot', '3.28.0'],
	['llonebot', '4.0.5'],
	['llonebot', '4.4.3'],
	['llonebot', '4.6.2'],
	['llonebot', '7.0.1'],
	['napcat', '4.8.90'],
	['napcat', '4.10.32'],
	['gocq', 'v1.2.0'],
	['lagrange', '0.0.3'],
] as Array<[ImplementationName, string]>)('flavour %s %s', (flavour, version) => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator(world(flavour, version));
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(async () => {
		await sim.control.reset();
	});

	test('ok envelope of send_group_msg', async () => {
		const { r } = await sendAndWitness(sim, 'envelope');
		const id = r.json.data.message_id;
		expect(r.status).toBe(200);
		const expected: Record<ImplementationName, unknown> = {
			llonebot: {
				status: 'ok',
				retcode: 0,
				data: { message_id: id },
				message: '',
				wording: '',
				// LLOneBot/LLOneBot: src/onebot11/action/OB11Response.ts: `echo: null` up to v3.29, `undefined` (omitted) after.
				...(version.startsWith('3') ? { echo: null } : {}),
			},
			napcat: {
				status: 'ok',
				retcode: 0,
				data: { message_id: id },
				message: '',
				wording: '',
				echo: null,
				// NapNeko/NapCatQQ: src/onebot/action/OneBotAction.ts: `stream` from v4.8.115.
				...(version === '4.8.90' ? {} : { stream: 'normal-action' }),
			},
			gocq: { data: { message_id: id }, message: '', retcode: 0, status: 'ok' },
			lagrange: { status: 'ok', retcode: 0, data: { message_id: id } },
		};
		expect(r.json).toEqual(expected[flavour]);
	});

	test('auth answers', async () => {
		const none = await call(sim.urls.bot.http, undefined, 'get_status');
		const wrong = await call(sim.urls.bot.http, 'nope', 'get_status');
		if (flavour === 'llonebot') {
			// LLOneBot/LLOneBot: src/onebot11/connect/http.ts: `token verify failed!` up to v6.4, `403` from v6.5.
			const body = { message: version.startsWith('7') ? '403' : 'token verify failed!' };
			expect([none.status, none.json]).toEqual([403, body]);
			expect([wrong.status, wrong.json]).toEqual([403, body]);
		} else if (flavour === 'napcat') {
			expect([none.status, none.json]).toEqual([403, { message: 'token verify failed!' }]);
			expect(wrong.status).toBe(403);
			// the query token wins over the header
			const both = await request(`${sim.urls.bot.http}/get_status?access_token=bot-token`, {
				body: {},
				headers: { Authorization: 'Bearer nope' },
			});
			expect(both.status).toBe(200);
		} else {
			expect([none.status, none.text]).toEqual([401, '']);
			expect([wrong.status, wrong.text]).toEqual([403, '']);
		}
	});

	test('WebSocket auth failure', async () => {
		if (flavour === 'llonebot' || flavour === 'napcat') {
			const c = await WsClient.connect(`${sim.urls.bot.ws}/`, { Authorization: 'Bearer nope' });
			const f = await c.next(() => true);
			expect(f).toMatchObject({
				status: 'failed',
				retcode: 1403,
				data: null,
				message: 'token验证失败',
			});
			await c.closed;
		} else {
			await expect(WsClient.connect(`${sim.urls.bot.ws}/`)).rejects.toMatchObject({ status: 401 });
			await expect(WsClient.connect(`${sim.urls.bot.ws}/?access_token=nope`)).rejects.toMatchObject(
				{ status: 403 },
			);
		}
	});

	test('unknown action, over HTTP and WebSocket', async () => {
		const h = await call(sim.urls.bot.http, 'bot-token', 'no_such_action');
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/api`, {
			Authorization: 'Bearer bot-token',
		});
		const w = await ws.call('no_such_action');
		await ws.close();
		switch (flavour) {
			case 'llonebot':
				expect(h.status).toBe(404);
				expect(h.json).toMatchObject({
					status: 'failed',
					retcode: 404,
					data: null,
					// LLOneBot/LLOneBot: src/onebot11/connect/http.ts: the action is named from v6.2.
					message: version.startsWith('7') ? 'no_such_action API 不存在' : 'API 不存在',
				});
				expect(w).toMatchObject({
					status: 'failed',
					retcode: 1404,
					message: 'no_such_action API 不存在',
				});
				break;
			case 'napcat':
				expect(h.status).toBe(200);
				expect(h.json).toMatchObject({
					status: 'failed',
					retcode: 200,
					data: null,
					message: '不支持的Api no_such_action',
				});
				expect(w).toMatchObject({
					status: 'failed',
					retcode: 1404,
					message: '不支持的API no_such_action',
				});
				break;
			case 'gocq':
				expect(h.status).toBe(200);
				// go-cqhttp ≥ 1.0.0-rc5 (coolq/api.go Failed()): code in msg, text in wording and message.
				expect(h.json).toEqual({
					data: null,
					retcode: 404,
					msg: 'API_NOT_FOUND',
					wording: 'API不存在',
					message: 'API不存在',
					status: 'failed',
				});
				expect(w).toMatchObject({ retcode: 404, msg: 'API_NOT_FOUND' });
				break;
			case 'lagrange':
				expect(h.json).toEqual({ status: 'failed', retcode: 404, data: null });
				expect(w).toMatchObject({ status: 'failed', retcode: 404 });
				break;
		}
		expect(w.echo).toBeDefined();
	});

	test('message ids across accounts and the seq fields of get_msg', async () => {
		const { r, entry } = await sendAndWitness(sim, 'ids');
		const senderId = r.json.data.message_id;
		const gm = (await call(sim.urls.bot.http, 'bot-token', 'get_msg', { message_id: senderId }))
			.json.data;
		const seq = (await sim.control.groundTruth()).messages[0].seq;
		switch (flavour) {
			case 'napcat':
				expect(entry.messageId).not.toBe(senderId);
				expect(gm).toMatchObject({
					message_id: senderId,
					message_seq: senderId,
					real_id: senderId,
					real_seq: String(seq),
				});
				break;
			case 'llonebot':
				// docs/compatibility.md, 'Witness matching' (LLOneBot/LLOneBot: src/onebot11/entities.ts,
				// action/msg/GetMsg.ts): from v4.6.2 real_id = message_seq = the server seq; v3.x and v4.0–4.6.1 put the short id there.
				// 3.x ids are per-client local counters (src/common/db.ts addMsg): equal values across accounts are chance.
				if (version.startsWith('7')) expect(entry.messageId).toBe(senderId);
				else if (version.startsWith('4')) expect(entry.messageId).not.toBe(senderId);
				if (version === '4.6.2' || version.startsWith('7'))
					expect(gm).toMatchObject({ message_id: senderId, real_id: seq, message_seq: seq });
				else
					expect(gm).toMatchObject({
						message_id: senderId,
						real_id: senderId,
						message_seq: senderId,
					});
				break;
			case 'gocq':
				expect(entry.messageId).toBe(senderId);
				expect(gm).toMatchObject({
					message_id: senderId,
					real_id: seq,
					message_seq: seq,
					group: true,
					group_id: G,
				});
				break;
			case 'lagrange':
				expect(entry.messageId).toBe(senderId);
				expect(gm).toMatchObject({ message_id: senderId, real_id: senderId });
				expect(gm.message_seq).toBeUndefined();
				break;
		}
		expect(gm.message).toEqual([{ type: 'text', data: { text: 'ids' } }]);
		// the witness finds it under its own id
		const wgm = await call(sim.urls.witness.http, 'witness-token', 'get_msg', {
			message_id: entry.messageId,
		});
		expect(wgm.json.status).toBe('ok');
		const missing = await call(sim.urls.bot.http, 'bot-token', 'get_msg', { message_id: 12345 });
		expect(missing.json.status).toBe('failed');
	});

	test('group history parameter quirks', async () => {
		const ids: number[] = [];
		for (let i = 1; i <= 25; i++)
			ids.push(
				(
					await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
						group_id: G,
						message: `h${i}`,
					})
				).json.data.message_id,
			);
		await until(async () => (await sim.control.groundTruth()).accounts.witness.inbox.length === 25);
		const gt = await sim.control.groundTruth();
		const seqOf = (i: number) => gt.messages[i - 1].seq;
		const texts = (r: any) => r.json.data.messages.map((m: any) => m.raw_message);
		const range = (a: number, b: number) =>
			Array.from({ length: b - a + 1 }, (_, k) => `h${a + k}`);
		const H = (p: Record<string, unknown>) =>
			call(sim.urls.bot.http, 'bot-token', 'get_group_msg_history', { group_id: G, ...p });
		switch (flavour) {
			case 'llonebot': {
				// LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts: message_seq is a seq
				// from v4.6.2 (getMsgsBySeqAndCount), a short id before (getMsgInfoByShortId, unknown → error).
				expect(texts(await H({}))).toEqual(range(6, 25));
				const anchor = version === '4.6.2' || version.startsWith('7') ? seqOf(10) : ids[9];
				// v4.0.0–4.0.8: queryOrder false, the anchor and newer messages (v4.0.5); reverseOrder only reverses the list.
				const page = version === '4.0.5' ? range(10, 12) : range(8, 10);
				expect(texts(await H({ message_seq: anchor, count: 3 }))).toEqual(page);
				expect(texts(await H({ message_seq: anchor, count: 3, reverseOrder: true }))).toEqual(
					[...page].reverse(),
				);
				if (anchor === ids[9])
					expect((await H({ message_seq: 987654321, count: 3 })).json).toMatchObject({
						status: 'failed',
						message: '消息987654321不存在',
					});
				break;
			}
			case 'napcat':
				expect(texts(await H({}))).toEqual(range(6, 25));
				// message_seq is really a message_id; the anchor and NEWER messages unless reverseOrder (every 4.x)
				// or reverse_order (from v4.9.74) is true (action/go-cqhttp/GetGroupMsgHistory.ts; NapCatQQ #441, #987)
				expect(texts(await H({ message_seq: ids[9], count: 3 }))).toEqual(range(10, 12));
				expect(texts(await H({ message_seq: ids[9], count: 3, reverseOrder: true }))).toEqual(
					range(8, 10),
				);
				expect(texts(await H({ message_seq: ids[9], count: 3, reverse_order: true }))).toEqual(
					version === '4.8.90' ? range(10, 12) : range(8, 10),
				);
				// a real server seq is not an id: it silently reads from the latest
				expect(texts(await H({ message_seq: seqOf(10), count: 3 }))).toEqual(range(23, 25));
				break;
			case 'gocq':
				expect(texts(await H({}))).toEqual(range(6, 25));
				expect(texts(await H({ message_seq: seqOf(22) }))).toEqual(range(3, 22));
				expect((await H({ message_seq: seqOf(22) })).json.data.messages[0].message_seq).toBe(
					seqOf(3),
				);
				break;
			case 'lagrange':
				// Lagrange.OneBot/Core/Operation/Message/GetGroupMessageHistoryOperation.cs: `count` messages up to the anchor.
				expect(texts(await H({ message_id: ids[9], count: 3 }))).toEqual(range(8, 10));
				expect(texts(await H({ count: 2 }))).toEqual(range(24, 25));
				break;
		}
	});

	test('friend history', async () => {
		await call(sim.urls.bot.http, 'bot-token', 'send_private_msg', {
			user_id: 20002,
			message: 'p1',
		});
		await until(async () => (await sim.control.groundTruth()).accounts.witness.inbox.length === 1);
		const r = await call(sim.urls.witness.http, 'witness-token', 'get_friend_msg_history', {
			user_id: 20001,
		});
		if (flavour === 'gocq') expect(r.json).toMatchObject({ retcode: 404, msg: 'API_NOT_FOUND' });
		else expect(r.json.data.messages.map((m: any) => m.raw_message)).toEqual(['p1']);
	});

	test('get_status, get_login_info, get_version_info', async () => {
		const st = (await call(sim.urls.bot.http, 'bot-token', 'get_status')).json.data;
		expect(st.online).toBe(true);
		expect(st.good).toBe(true);
		if (flavour === 'gocq') expect(st).toMatchObject({ app_initialized: true, app_good: true });
		const li = (await call(sim.urls.bot.http, 'bot-token', 'get_login_info')).json.data;
		expect(li).toEqual({ user_id: 20001, nickname: 'B' });
		const vi = (await call(sim.urls.bot.http, 'bot-token', 'get_version_info')).json.data;
		const names: Record<ImplementationName, string> = {
			llonebot: 'LLOneBot',
			napcat: 'NapCat.Onebot',
			gocq: 'go-cqhttp',
			lagrange: 'Lagrange.OneBot',
		};
		expect(vi).toMatchObject({
			app_name: names[flavour],
			app_version: version,
			protocol_version: 'v11',
		});
	});

	test('kernel timeout text (HTTP) and its WebSocket retcode', async () => {
		await sim.control.setFault({
			id: 't',
			kind: 'timeout_not_delivered',
			scope: { account: 'bot' },
		});
		const t0 = Date.now();
		const h = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: 'stuck',
		});
		expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/api`, {
			Authorization: 'Bearer bot-token',
		});
		const w = await ws.call('send_group_msg', { group_id: G, message: 'stuck ws' });
		await ws.close();
		switch (flavour) {
			case 'llonebot':
				expect(h.json).toMatchObject({ status: 'failed', retcode: 200, data: null });
				expect('echo' in h.json).toBe(version.startsWith('3'));
				if (version.startsWith('3')) expect(h.json.message).toBe('发送超时');
				else if (version.startsWith('4'))
					expect(h.json.message).toMatch(
						/^ntqq api timeout IPC_UP_3, ns-ntApi-3, nodeIKernelMsgService\/sendMsg, \[/,
					);
				else
					expect(h.json.message).toMatch(
						/^invoke timeout, wrapperSession\.getMsgService\(\)\.sendMsg, /,
					);
				expect(h.json.wording).toBe(h.json.message);
				expect(w.retcode).toBe(1200);
				break;
			case 'napcat':
				expect(h.json).toMatchObject({
					status: 'failed',
					retcode: 200,
					data: null,
					message:
						'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{}\n',
				});
				expect(w.retcode).toBe(1200);
				break;
			case 'gocq':
				// A group send without a server echo: coolq/bot.go SendGroupMessage (MiraiGo's 5 s wait).
				expect(h.json).toEqual({
					data: null,
					retcode: 100,
					msg: 'SEND_MSG_API_ERROR',
					wording: 'send group message failed: blocked by server',
					message: 'send group message failed: blocked by server',
					status: 'failed',
				});
				expect(w.retcode).toBe(100);
				break;
			case 'lagrange':
				expect(h.json).toEqual({ status: 'failed', retcode: 9000, data: null });
				expect(w.retcode).toBe(9000);
				break;
		}
		await new Promise((r) => setTimeout(r, 30));
		expect((await sim.control.groundTruth()).accounts.witness.inbox).toEqual([]);
	});

	test('set_restart behaviour', async () => {
		const answer = await call(sim.urls.bot.http, 'bot-token', 'set_restart').then(
			(reply) => ({ reply, error: null }),
			(error: Error) => ({ reply: null, error }),
		);
		const r = answer.reply!;
		switch (flavour) {
			case 'llonebot':
				expect(r.json).toMatchObject({ status: 'ok', retcode: 0, data: null });
				if (version.startsWith('7')) {
					// only toggles auto-login: still up, never restarted
					await new Promise((res) => setTimeout(res, 200));
					expect((await call(sim.urls.bot.http, 'bot-token', 'get_status')).json.data.online).toBe(
						true,
					);
					expect((await sim.control.groundTruth()).restarts).toEqual([]);
				} else {
					// QQ quits and nothing relaunches it: connections are refused
					await until(
						async () =>
							await call(sim.urls.bot.http, 'bot-token', 'get_status').then(
								() => false,
								(e) => e.code === 'ECONNREFUSED',
							),
					);
					await new Promise((res) => setTimeout(res, 300));
					await expect(call(sim.urls.bot.http, 'bot-token', 'get_status')).rejects.toMatchObject({
						code: 'ECONNREFUSED',
					});
					// the Docker restart brings it back
					const d = await request(`${sim.urls.docker}/containers/onebot/restart?t=5`, {
						method: 'POST',
					});
					expect(d.status).toBe(204);
					await until(
						async () =>
							(await call(sim.urls.bot.http, 'bot-token', 'get_status').catch(() => undefined))
								?.json?.data?.online === true,
						3000,
					);
				}
				break;
			case 'napcat': {
				if (version === '4.8.90') {
					// Routed only from v4.10.32 (packages/napcat-onebot/action/system/SetRestart.ts added then).
					expect(r.json).toMatchObject({ status: 'failed', retcode: 200 });
					expect(r.json.message).toContain('不支持的Api');
					break;
				}
				expect(r.json).toMatchObject({ status: 'ok', retcode: 0, data: null });
				await until(async () => (await sim.control.groundTruth()).restarts.length === 1);
				// Its own restart drops the quick-login argument: without an auto-login account it waits for a QR login.
				const [restart] = (await sim.control.groundTruth()).restarts;
				expect(restart).toMatchObject({ via: 'set_restart', needsQrLogin: true });
				await until(
					async () =>
						(await call(sim.urls.bot.http, 'bot-token', 'get_status').catch(() => undefined))?.json
							?.data?.online === false,
					3000,
				);
				break;
			}
			case 'gocq':
				expect(r.json).toEqual({
					data: null,
					retcode: 404,
					msg: 'API_NOT_FOUND',
					wording: 'API不存在',
					message: 'API不存在',
					status: 'failed',
				});
				break;
			case 'lagrange':
				// The ok reply would come only after the restart, on a connection the restart closed: no answer.
				expect(answer.reply).toBeNull();
				expect(String(answer.error?.message)).toMatch(/socket hang up|ECONNRESET/);
				await until(async () => (await sim.control.groundTruth()).restarts.length === 1);
				break;
		}
	});
});

describe('NapCat set_restart by version and mode', () => {
	test.each([
		['4.9.80', true, 'unknown'],
		['4.10.32', false, 'uninitialised'],
		['4.10.32', true, 'restarts'],
	])('NapCat %s multi-process=%s: %s', async (version, multi, expected) => {
		const sim = await startSimulator(world('napcat', version, { napcatMultiProcess: multi }));
		try {
			const r = await call(sim.urls.bot.http, 'bot-token', 'set_restart');
			if (expected === 'unknown')
				expect(r.json).toMatchObject({
					status: 'failed',
					retcode: 200,
					message: '不支持的Api set_restart',
				});
			else if (expected === 'uninitialised')
				expect(r.json).toMatchObject({
					status: 'failed',
					retcode: 200,
					message: '重启功能未初始化',
				});
			else {
				expect(r.json).toMatchObject({ status: 'ok', retcode: 0 });
				await until(async () => (await sim.control.groundTruth()).restarts.length === 1);
			}
			if (version === '4.9.80') expect(r.json.stream).toBe('normal-action');
		} finally {
			await sim.close();
		}
	});

	test('LLOneBot 3.x timeout says 发送超时', async () => {
		const sim = await startSimulator(world('llonebot', '3.28.0'));
		try {
			await sim.control.setFault({ kind: 'timeout_not_delivered' });
			const r = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: 'x',
			});
			expect(r.json).toEqual({
				status: 'failed',
				retcode: 200,
				data: null,
				message: '发送超时',
				wording: '发送超时',
				echo: null,
			});
		} finally {
			await sim.close();
		}
	});

	test('NapCat per-call timeout parameter', async () => {
		const sim = await startSimulator({ ...world('napcat'), kernelTimeoutMs: 5000 });
		try {
			await sim.control.setFault({ kind: 'timeout_not_delivered' });
			const t0 = Date.now();
			const r = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: 'x',
				timeout: 80,
			});
			expect(Date.now() - t0).toBeLessThan(2000);
			expect(r.json.message).toMatch(/^Timeout: NTEvent/);
		} finally {
			await sim.close();
		}
	});

	test('string message format for events and get_msg', async () => {
		const sim = await startSimulator(world('llonebot', '4.4.3', { messageFormat: 'string' }));
		try {
			const ws = await WsClient.connect(`${sim.urls.witness.ws}/`, {
				Authorization: 'Bearer witness-token',
			});
			await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: [
					{ type: 'at', data: { qq: 20002 } },
					{ type: 'text', data: { text: ' [hi]' } },
				],
			});
			const ev = await ws.next((f) => f.post_type === 'message');
			expect(ev).toMatchObject({
				message: '[CQ:at,qq=20002] &#91;hi&#93;',
				raw_message: '[CQ:at,qq=20002] &#91;hi&#93;',
				message_format: 'string',
			});
			await ws.close();
		} finally {
			await sim.close();
		}
	});
});
