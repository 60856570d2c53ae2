/* eslint-disable @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * The restart targets as their sources answer (issue #25, "Simulator shapes"): Docker answers a restart
 * only after the stop and the start; the NapCat WebUI's restart by mode and version, its hash-only login,
 * its fixed 60 s login window and its credential lifetime by version; and restart_reset, a restart that
 * happens while the connection drops unanswered.
 */
import { createHash } from 'node:crypto';
import { defaultWorld, startSimulator } from '../../simulator';
import type { Simulator, WorldConfig } from '../../simulator';
import { request, until } from './helpers';

function world(
	bot: Record<string, unknown> = {},
	overrides: Partial<WorldConfig> = {},
): WorldConfig {
	const base = defaultWorld();
	return {
		...base,
		heartbeatIntervalMs: 60000,
		restartDowntimeMs: 100,
		...overrides,
		accounts: { ...base.accounts, bot: { ...base.accounts!.bot, ...bot } },
	};
}

describe('restart targets as their sources answer', () => {
	let sim: Simulator | undefined;
	afterEach(async () => {
		await sim?.close();
		sim = undefined;
	});
	const restarts = async () =>
		((await sim!.control.groundTruth()).restarts as any[]).filter((r) => r.account === 'bot');
	const hash = () =>
		createHash('sha256')
			.update(sim!.webuiToken() + '.napcat')
			.digest('hex');
	const login = (body: unknown) => request(`${sim!.urls.webui}/api/auth/login`, { body });
	const restartWith = async (credential: string) =>
		request(`${sim!.urls.webui}/api/Process/Restart`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${credential}` },
			body: {},
		});

	test('Docker answers a restart only after the stop (capped at t) and the start', async () => {
		sim = await startSimulator(world({ dockerStopMs: 400 }));
		const slow = Date.now();
		const r = await request(`${sim.urls.docker}/containers/napcat-bot/restart?t=10`, {
			method: 'POST',
		});
		expect(r.status).toBe(204);
		expect(Date.now() - slow).toBeGreaterThanOrEqual(380);
		// t=0: Docker kills at once; the answer does not wait for the client's own stop.
		await until(async () => (await restarts()).every((x) => x.until <= Date.now()));
		const quick = await request(`${sim.urls.docker}/containers/napcat-bot/restart?t=0`, {
			method: 'POST',
		});
		expect(quick.status).toBe(204);
		expect(await restarts()).toHaveLength(2);
	});

	test('restart_reset: Docker and a supervisor restart the client, then drop the connection unanswered', async () => {
		sim = await startSimulator(world());
		await sim.control.setFault({ kind: 'restart_reset', scope: { account: 'bot' }, count: 2 });
		await expect(
			request(`${sim.urls.docker}/containers/napcat-bot/restart`, { method: 'POST' }),
		).rejects.toMatchObject({ code: 'ECONNRESET' });
		await until(async () => (await restarts()).length === 1);
		await expect(
			request(`${sim.urls.docker}/supervisor/restart/bot`, { method: 'POST' }),
		).rejects.toMatchObject({ code: 'ECONNRESET' });
		await until(async () => (await restarts()).length === 2);
		expect((await restarts()).map((x) => x.via)).toEqual(['docker', 'supervisor']);
		const answered = await request(`${sim.urls.docker}/supervisor/restart/bot`, {
			method: 'POST',
		});
		expect([answered.status, answered.json]).toEqual([202, { restarting: 'bot' }]);
	});

	test('NapCat WebUI login: the hash only, "token is empty", a fixed 60 s window from the first try', async () => {
		sim = await startSimulator(world({}, { webui: { loginRateLimitPerMinute: 3 } }));
		expect((await login({})).json).toEqual({ code: -1, message: 'token is empty' });
		// Only `hash` is read: the raw token as `token` is an empty hash, as `hash` a wrong one.
		expect((await login({ token: sim.webuiToken() })).json).toEqual({
			code: -1,
			message: 'token is empty',
		});
		sim.control.clock.advance(30_000);
		// The first counted try opens the window; a wrong hash counts (the limit is checked first).
		expect((await login({ hash: sim.webuiToken() })).json).toEqual({
			code: -1,
			message: 'token is invalid',
		});
		sim.control.clock.advance(40_000);
		expect((await login({ hash: hash() })).json.code).toBe(0);
		expect((await login({ hash: hash() })).json.code).toBe(0);
		expect((await login({ hash: hash() })).json).toEqual({ code: -1, message: 'login rate limit' });
		// Fixed, not sliding: the window ends 60 s after its first try, whatever came after it.
		sim.control.clock.advance(19_000);
		expect((await login({ hash: hash() })).json).toEqual({ code: -1, message: 'login rate limit' });
		sim.control.clock.advance(1_000);
		expect((await login({ hash: hash() })).json.code).toBe(0);
	});

	test('NapCat WebUI credentials never expire before v4.17.30 and last one hour from it', async () => {
		const check = (credential: string) =>
			request(`${sim!.urls.webui}/api/auth/check`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${credential}` },
				body: {},
			}).then((r) => r.json.code);
		sim = await startSimulator(world());
		let credential = (await login({ hash: hash() })).json.data.Credential;
		sim.control.clock.advance(5 * 3600_000);
		expect(await check(credential)).toBe(0);
		await sim.close();
		sim = await startSimulator(world({ version: '4.17.30' }));
		credential = (await login({ hash: hash() })).json.data.Credential;
		sim.control.clock.advance(3599_000);
		expect(await check(credential)).toBe(0);
		sim.control.clock.advance(2_000);
		expect(await check(credential)).toBe(-1);
	});

	test('NapCat WebUI Process/Restart: single-process mode, before v4.10.32, and multi-process', async () => {
		sim = await startSimulator(world({ napcatMultiProcess: false }));
		let credential = (await login({ hash: hash() })).json.data.Credential;
		const single = await restartWith(credential);
		expect([single.status, single.json]).toEqual([200, { code: -1, message: '重启功能未初始化' }]);
		expect(await restarts()).toHaveLength(0);
		await sim.close();

		sim = await startSimulator(world({ version: '4.8.90' }));
		credential = (await login({ hash: hash() })).json.data.Credential;
		const old = await restartWith(credential);
		expect(old.status).toBe(404);
		expect(old.headers['content-type']).toMatch(/^text\/html/);
		expect(old.text).toContain('<pre>Cannot POST /api/Process/Restart</pre>');
		expect(await restarts()).toHaveLength(0);
		await sim.close();

		sim = await startSimulator(world());
		credential = (await login({ hash: hash() })).json.data.Credential;
		const multi = await restartWith(credential);
		expect(multi.json).toEqual({
			code: 0,
			message: 'success',
			data: { message: '进程重启请求已发送' },
		});
		expect(await restarts()).toHaveLength(1);
	});
});
