/* eslint-disable @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
import { createHash, createHmac } from 'node:crypto';
import { defaultWorld, type WorldConfig } from '../../simulator';
import { call, reportReceiver, request, sharedSimulator, sleep, until, WsClient } from './helpers';

const G = 100200300;
const W: WorldConfig = {
	...defaultWorld(),
	kernelTimeoutMs: 100,
	deliveryDelayMs: 5,
	heartbeatIntervalMs: 80,
	restartDowntimeMs: 150,
	webui: { credentialTtlMs: 60_000, loginRateLimitPerMinute: 3 },
};

describe('restart targets, offline states and event reporting', () => {
	const sim = sharedSimulator(W, async (simulator) => {
		(simulator.world.config.webui as any).loginRateLimitPerMinute = 3;
	});
	const hash = () =>
		createHash('sha256')
			.update(sim.webuiToken() + '.napcat')
			.digest('hex');
	const webuiLogin = async () =>
		(await request(`${sim.urls.webui}/api/auth/login`, { body: { hash: hash() } })).json;

	test('NapCat WebUI: login by hash, Process/Restart, CheckLoginStatus, credential expiry, rate limit', async () => {
		const bad = await request(`${sim.urls.webui}/api/auth/login`, { body: { hash: 'deadbeef' } });
		expect(bad.json).toEqual({ code: -1, message: 'token is invalid' });
		const login = await webuiLogin();
		expect(login).toMatchObject({
			code: 0,
			message: 'success',
			data: { Credential: expect.any(String) },
		});
		const auth = { Authorization: `Bearer ${login.data.Credential}` };
		const st = await request(`${sim.urls.webui}/api/QQLogin/CheckLoginStatus`, {
			method: 'POST',
			headers: auth,
			body: {},
		});
		// v4.10.32 has no isOffline (added in v4.14.9).
		expect(st.json).toEqual({
			code: 0,
			message: 'success',
			data: { isLogin: true, qrcodeurl: '', loginError: '' },
		});
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/?access_token=bot-token`);
		const rs = await request(`${sim.urls.webui}/api/Process/Restart`, {
			method: 'POST',
			headers: auth,
			body: {},
		});
		expect(rs.json.code).toBe(0);
		// A restart posts no bot_offline: NapCat emits it only when kicked (onKickedOffLine; docs/compatibility.md, table 'Offline signals', row 'NapCat').
		await ws.closed;
		expect(ws.frames.some((f: any) => f.notice_type === 'bot_offline')).toBe(false);
		await sleep(20);
		expect(
			(
				await request(`${sim.urls.webui}/api/QQLogin/CheckLoginStatus`, {
					method: 'POST',
					headers: auth,
					body: {},
				})
			).json.data.isLogin,
		).toBe(false);
		await until(
			async () =>
				(await call(sim.urls.bot.http, 'bot-token', 'get_status').catch(() => undefined))?.json
					?.data?.online === true,
		);
		expect((await sim.control.groundTruth()).restarts[0]).toMatchObject({
			account: 'bot',
			via: 'webui',
		});
		// expiry
		await request(`${sim.urls.control}/webui/expire-credentials`, { method: 'POST' });
		const exp = await request(`${sim.urls.webui}/api/QQLogin/CheckLoginStatus`, {
			method: 'POST',
			headers: auth,
			body: {},
		});
		expect([exp.status, exp.json]).toEqual([200, { code: -1, message: 'Unauthorized' }]);
		// rate limit: 3 logins a minute (one invalid + one valid above count)
		await webuiLogin();
		expect(await webuiLogin()).toEqual({ code: -1, message: 'login rate limit' });
	});

	test('credential expires after its TTL on the simulated clock', async () => {
		const login = await webuiLogin();
		sim.control.clock.advance(61_000);
		const r = await request(`${sim.urls.webui}/api/auth/check`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${login.data.Credential}` },
			body: {},
		});
		// NapCat answers an expired credential with HTTP 200 and code -1.
		expect(r.status).toBe(200);
		expect(r.json).toEqual({ code: -1, message: 'Unauthorized' });
	});

	test('restart that ends needing a QR login, then login on the control API', async () => {
		await sim.control.restart('bot', { needsQrLogin: true });
		const st = await call(sim.urls.bot.http, 'bot-token', 'get_status');
		expect(st.json.data.online).toBe(false);
		const login = await webuiLogin();
		const cs = await request(`${sim.urls.webui}/api/QQLogin/CheckLoginStatus`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${login.data.Credential}` },
			body: {},
		});
		expect(cs.json.data).toMatchObject({
			isLogin: false,
			qrcodeurl: expect.stringMatching(/^https:\/\//),
		});
		// sends while logged out time out and go nowhere
		const s = await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: 'nobody home',
		});
		expect(s.json.message).toMatch(/^Timeout: NTEvent/);
		expect(
			(await request(`${sim.urls.control}/accounts/bot/login`, { method: 'POST' })).json.ok,
		).toBe(true);
		expect((await call(sim.urls.bot.http, 'bot-token', 'get_status')).json.data.online).toBe(true);
	});

	test('restart clears restart-curable faults but not risk control', async () => {
		await sim.control.setFault({ id: 'stuck', kind: 'stuck_group', scope: { account: 'bot' } });
		await sim.control.setFault({
			id: 'rc',
			kind: 'risk_control',
			scope: { account: 'bot', user: 10003 },
		});
		await request(`${sim.urls.control}/accounts/bot/restart`, { body: { wait: true } });
		const ids = (await sim.control.faults()).map((f) => f.id);
		expect(ids).toEqual(['rc']);
	});

	test('messages sent to an account while it restarts land in its history when it is back, without events', async () => {
		const p = sim.control.restart('witness', { downtimeMs: 200 });
		await sleep(20);
		await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
			group_id: G,
			message: 'while away',
		});
		await sleep(40);
		expect((await sim.control.groundTruth()).accounts.witness.inbox).toEqual([]);
		await p;
		const gt = await sim.control.groundTruth();
		expect(gt.accounts.witness.inbox[0]).toMatchObject({ text: 'while away', whileOffline: true });
		const h = await call(sim.urls.witness.http, 'witness-token', 'get_group_msg_history', {
			group_id: G,
		});
		expect(h.json.data.messages.map((m: any) => m.raw_message)).toEqual(['while away']);
	});

	test('a restart that overlaps one still under way: both end when the client is back', async () => {
		// The first restart (control API) is still down when a Docker restart of the same client comes in.
		const first = sim.control.restart('bot', { downtimeMs: 300 });
		await sleep(50);
		const docker = await request(`${sim.urls.docker}/containers/napcat-bot/restart?t=0`, {
			method: 'POST',
		});
		expect(docker.status).toBe(204);
		const ended = await Promise.race([
			first.then(() => 'ended'),
			sleep(3000).then(() => 'still pending'),
		]);
		expect(ended).toBe('ended');
		const status = await call(sim.urls.bot.http, 'bot-token', 'get_status');
		expect(status.json).toMatchObject({ data: { online: true } });
	});

	test('kicked offline: bot_offline notice (NapCat), API keeps answering with online:false; LLOneBot emits nothing', async () => {
		const ws = await WsClient.connect(`${sim.urls.bot.ws}/?access_token=bot-token`);
		await request(`${sim.urls.control}/accounts/bot/offline`, {
			body: { message: '你的账号在别处登录' },
		});
		expect(await ws.next((f) => f.notice_type === 'bot_offline')).toMatchObject({
			message: '你的账号在别处登录',
		});
		expect((await call(sim.urls.bot.http, 'bot-token', 'get_status')).json.data.online).toBe(false);
		await ws.close();
		await sim.control.login('bot');
		await sim.control.setFlavour('bot', 'llonebot', '4.4.3');
		const ws2 = await WsClient.connect(`${sim.urls.bot.ws}/?access_token=bot-token`);
		await sim.control.offline('bot');
		await sleep(50);
		expect(ws2.frames.filter((f) => f.post_type === 'notice')).toEqual([]);
		await ws2.close();
		await sim.control.setFlavour('bot', 'napcat', '4.10.32');
	});

	test('Docker Engine API: 204, 404, 500', async () => {
		const r = await request(`${sim.urls.docker}/v1.43/containers/napcat-witness/restart?t=3`, {
			method: 'POST',
		});
		expect([r.status, r.text]).toEqual([204, '']);
		await until(async () => (await sim.control.groundTruth()).restarts.length === 1);
		expect((await sim.control.groundTruth()).restarts[0]).toMatchObject({
			account: 'witness',
			via: 'docker',
		});
		const byId = await request(
			`${sim.urls.docker}/containers/${sim.containers['napcat-bot'].id.slice(0, 12)}/restart`,
			{ method: 'POST' },
		);
		expect(byId.status).toBe(204);
		const nf = await request(`${sim.urls.docker}/containers/nope/restart`, { method: 'POST' });
		expect([nf.status, nf.json]).toEqual([404, { message: 'No such container: nope' }]);
		await sim.control.setFault({ kind: 'docker_500', scope: { account: 'bot' }, count: 1 });
		const e = await request(`${sim.urls.docker}/containers/napcat-bot/restart`, { method: 'POST' });
		expect(e.status).toBe(500);
		expect(e.json.message).toMatch(/^Cannot restart container napcat-bot/);
	});

	test('HTTP POST reporting: X-Self-ID and X-Signature keyed per flavour', async () => {
		const rx = await reportReceiver();
		try {
			await sim.control.setReportUrls('witness', [rx.url]);
			await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: 'signed',
			});
			const got = await until(() => rx.got.find((g) => JSON.parse(g.body).post_type === 'message'));
			expect(got.headers['x-self-id']).toBe('10002');
			expect(got.headers['x-signature']).toBe(
				'sha1=' + createHmac('sha1', 'witness-token').update(got.body).digest('hex'),
			);
			expect(JSON.parse(got.body)).toMatchObject({ raw_message: 'signed', self_id: 10002 });
			// NapCat sends heartbeats over WebSocket only, never over HTTP POST (docs/compatibility.md, table 'Offline signals', row 'NapCat').
			expect(rx.got.some((g) => JSON.parse(g.body).meta_event_type === 'heartbeat')).toBe(false);
			// go-cqhttp signs with its separate secret, and without one it does not sign
			await sim.control.setFlavour('witness', 'gocq', undefined, { secret: 'gocq-secret' });
			rx.got.length = 0;
			await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: 'signed by secret',
			});
			const g2 = await until(() => rx.got.find((g) => JSON.parse(g.body).post_type === 'message'));
			expect(g2.headers['x-signature']).toBe(
				'sha1=' + createHmac('sha1', 'gocq-secret').update(g2.body).digest('hex'),
			);
			await sim.control.setFlavour('witness', 'lagrange', undefined, { secret: '' });
			rx.got.length = 0;
			await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: 'unsigned',
			});
			const g3 = await until(() => rx.got.find((g) => JSON.parse(g.body).post_type === 'message'));
			expect(g3.headers['x-signature']).toBeUndefined();
			const reports = await sim.control.reports('witness');
			expect(reports.length).toBeGreaterThan(0);
		} finally {
			await sim.control.setReportUrls('witness', []);
			await sim.control.setFlavour('witness', 'napcat', '4.10.32', { secret: '' });
			await rx.close();
		}
	});

	test('message_sent self reports when switched on', async () => {
		sim.world.account('bot').cfg.reportSelfMessage = true;
		try {
			const ws = await WsClient.connect(`${sim.urls.bot.ws}/?access_token=bot-token`);
			await call(sim.urls.bot.http, 'bot-token', 'send_group_msg', {
				group_id: G,
				message: 'mine',
			});
			expect(await ws.next((f) => f.post_type === 'message_sent')).toMatchObject({
				raw_message: 'mine',
				user_id: 10001,
			});
			await ws.close();
		} finally {
			sim.world.account('bot').cfg.reportSelfMessage = false;
		}
	});
});
