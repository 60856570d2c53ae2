import {
	NapCatWebUiSession,
	checkRestartGuard,
	compareVersions,
	detectImplementation,
	napCatWebUiLoginHash,
	recordRestart,
	restartAccountKey,
	restartViaDocker,
	restartViaHttp,
	restartViaOneBot,
	runRestart,
	setRestartRefusal,
	waitForRecovery,
	dryRunRequest,
	mergeHistories,
	RestartLeases,
} from '../../core/restart';
import type { RestartRequest, RestartPlan } from '../../core/restart';
import { OneBotClient, TransportError } from '../../core/transport';
import type { HttpRequest, HttpResponse, RequestFn } from '../../core/transport';

/** Virtual time: sleeping moves the clock, so long deadlines cost nothing. */
function virtualTime(start = 1_700_000_000_000) {
	let now = start;
	const sleeps: number[] = [];
	return {
		clock: () => now,
		sleep: async (ms: number) => {
			sleeps.push(ms);
			now += ms;
		},
		advance: (ms: number) => {
			now += ms;
		},
		sleeps,
	};
}

type Route = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

function fakeRequest(route: Route) {
	const log: HttpRequest[] = [];
	const request: RequestFn = async (req) => {
		log.push(req);
		return route(req);
	};
	return { request, log };
}

const ok = (data: unknown): HttpResponse => ({
	status: 200,
	body: { status: 'ok', retcode: 0, data },
});
const failed = (message: string, retcode = 200): HttpResponse => ({
	status: 200,
	body: { status: 'failed', retcode, data: null, message, wording: message },
});

function oneBot(appName: string, appVersion: string, onRestart: Route = () => ok(null)) {
	const fake = fakeRequest((req) => {
		const action = req.url.split('/').pop();
		switch (action) {
			case 'get_version_info':
				return ok({ app_name: appName, app_version: appVersion, protocol_version: 'v11' });
			case 'get_login_info':
				return ok({ user_id: 10001, nickname: 'bot' });
			case 'get_status':
				return ok({ online: true, good: true });
			case 'set_restart':
				return onRestart(req);
			default:
				return failed(`不支持的Api ${action}`);
		}
	});
	const client = new OneBotClient({ baseUrl: 'http://onebot.test', request: fake.request });
	const actions = () => fake.log.map((r) => r.url.split('/').pop());
	return { client, actions };
}

describe('restart guard', () => {
	const policy = { minIntervalMs: 10 * 60000, maxPerHour: 3 };
	const now = 10 * 3600000;

	it('allows the first restart and reports an empty history', () => {
		expect(checkRestartGuard([], now, policy)).toEqual({
			allowed: true,
			blockedBy: null,
			lastRestartAt: null,
			restartsInLastHour: 0,
			nextAllowedAt: null,
		});
	});

	it('refuses a restart inside the minimum interval and says when the next one is allowed', () => {
		const decision = checkRestartGuard([now - 4 * 60000], now, policy);
		expect(decision.allowed).toBe(false);
		expect(decision.blockedBy).toBe('min_interval');
		expect(decision.nextAllowedAt).toBe(now + 6 * 60000);
	});

	it('refuses when the hourly cap is reached, until the oldest counted restart leaves the hour', () => {
		const history = [now - 50 * 60000, now - 35 * 60000, now - 20 * 60000];
		const decision = checkRestartGuard(history, now, policy);
		expect(decision).toMatchObject({
			allowed: false,
			blockedBy: 'hourly_cap',
			restartsInLastHour: 3,
		});
		expect(decision.nextAllowedAt).toBe(now + 10 * 60000);
		// Older restarts do not count.
		expect(checkRestartGuard([now - 70 * 60000, ...history.slice(1)], now, policy).allowed).toBe(
			true,
		);
	});

	it('treats 0 as "no limit" and ignores junk in stored history', () => {
		expect(
			checkRestartGuard([now - 1000, 'x', null], now, { minIntervalMs: 0, maxPerHour: 0 }).allowed,
		).toBe(true);
		expect(checkRestartGuard([now - 1000, 'x', null], now, policy).lastRestartAt).toBe(now - 1000);
	});

	it('keeps only the last hour of history, and always the last restart', () => {
		expect(recordRestart([now - 2 * 3600000, now - 30 * 60000], now)).toEqual([
			now - 30 * 60000,
			now,
		]);
		expect(recordRestart([], now)).toEqual([now]);
	});

	it('keys accounts by QQ number, else by normalised base URL', () => {
		expect(restartAccountKey(12345, 'http://a')).toBe('qq:12345');
		expect(restartAccountKey(null, 'HTTP://Host:3000/ ')).toBe('url:http://host:3000');
	});
});

describe('implementation detection', () => {
	it('recognises each implementation by app_name', () => {
		expect(detectImplementation('LLOneBot', '4.4.3').flavour).toBe('llonebot');
		expect(detectImplementation('NapCat.Onebot', '4.10.32').flavour).toBe('napcat');
		expect(detectImplementation('go-cqhttp', 'v1.2.0').flavour).toBe('gocq');
		expect(detectImplementation('Lagrange.OneBot', '0.0.3').flavour).toBe('lagrange');
		expect(detectImplementation('Other', '1').flavour).toBe('unknown');
	});

	it('compares versions numerically', () => {
		expect(compareVersions('4.9.80', '4.10.32')).toBeLessThan(0);
		expect(compareVersions('v4.10.32', '4.10.32')).toBe(0);
		expect(compareVersions('4.10.33-beta', '4.10.32')).toBeGreaterThan(0);
	});

	it('refuses set_restart where it does not restart', () => {
		expect(setRestartRefusal(detectImplementation('LLOneBot', '4.4.3'))).toMatch(/quits QQ/);
		expect(setRestartRefusal(detectImplementation('LLOneBot', '7.0.0'))).toMatch(/auto-login/);
		expect(setRestartRefusal(detectImplementation('go-cqhttp', 'v1.2.0'))).toMatch(
			/does not route/,
		);
		expect(setRestartRefusal(detectImplementation('NapCat.Onebot', '4.9.80'))).toMatch(/4\.10\.32/);
		expect(setRestartRefusal(detectImplementation('NapCat.Onebot', '4.10.32'))).toBeNull();
		expect(setRestartRefusal(detectImplementation('Lagrange.OneBot', '0.0.3'))).toBeNull();
	});
});

describe('restartViaOneBot', () => {
	it('refuses LLOneBot without ever sending set_restart', async () => {
		const { client, actions } = oneBot('LLOneBot', '4.4.3');
		const request = await restartViaOneBot(client, { timeoutMs: 1000 });
		expect(request).toMatchObject({
			answer: 'unsupported',
			sent: false,
			reason: 'unsupported_action',
		});
		expect(request.implementation).toMatchObject({ flavour: 'llonebot', appVersion: '4.4.3' });
		expect(actions()).not.toContain('set_restart');
	});

	it('refuses NapCat older than 4.10.32 from its version', async () => {
		const { client, actions } = oneBot('NapCat.Onebot', '4.9.80');
		expect((await restartViaOneBot(client, { timeoutMs: 1000 })).answer).toBe('unsupported');
		expect(actions()).not.toContain('set_restart');
	});

	it('turns NapCat single-process mode ("重启功能未初始化") into unsupported with an explanation', async () => {
		const { client, actions } = oneBot('NapCat.Onebot', '4.10.32', () =>
			failed('重启功能未初始化'),
		);
		const request = await restartViaOneBot(client, { timeoutMs: 1000 });
		expect(actions()).toContain('set_restart');
		expect(request).toMatchObject({ answer: 'unsupported', sent: false });
		expect(request.explanation).toMatch(/multi-process/);
		expect(request.raw?.message).toBe('重启功能未初始化');
	});

	it('accepts a NapCat that answers ok', async () => {
		const { client } = oneBot('NapCat.Onebot', '4.10.40');
		expect(await restartViaOneBot(client, { timeoutMs: 1000 })).toMatchObject({
			answer: 'accepted',
			sent: true,
		});
	});

	it('takes a dropped connection after set_restart as "no answer" (the process went down)', async () => {
		const { client } = oneBot('Lagrange.OneBot', '0.0.3', () => {
			throw new TransportError('socket hang up', 'ECONNRESET');
		});
		expect(await restartViaOneBot(client, { timeoutMs: 1000 })).toMatchObject({
			answer: 'no_answer',
			sent: true,
		});
	});

	it('treats an unknown action answer as unsupported', async () => {
		const { client } = oneBot('SomeBot', '1.0', () => ({
			status: 404,
			body: { status: 'failed', retcode: 404, data: null },
		}));
		expect(await restartViaOneBot(client, { timeoutMs: 1000 })).toMatchObject({
			answer: 'unsupported',
		});
	});

	it('fails without sending when the OneBot API is unreachable', async () => {
		const client = new OneBotClient({
			baseUrl: 'http://onebot.test',
			request: async () => {
				throw new TransportError('refused', 'ECONNREFUSED');
			},
		});
		expect(await restartViaOneBot(client, { timeoutMs: 1000 })).toMatchObject({
			answer: 'failed',
			sent: false,
			reason: 'unreachable',
		});
	});

	it('sends nothing in a dry run', async () => {
		const { client, actions } = oneBot('NapCat.Onebot', '4.10.32');
		expect(await restartViaOneBot(client, { timeoutMs: 1000, dryRun: true })).toMatchObject({
			answer: 'accepted',
			sent: false,
		});
		expect(actions()).not.toContain('set_restart');
	});
});

/** A NapCat WebUI with the real reply shapes (code 0/-1, HTTP 200), credential expiry and a login rate limit. */
function fakeWebUi(
	options: {
		token?: string;
		rateLimitedLogins?: number;
		twoFactor?: boolean;
		restartMessage?: string;
	} = {},
) {
	const token = options.token ?? 'webui-token';
	const issued = new Set<string>();
	let counter = 0;
	let rateLimited = options.rateLimitedLogins ?? 0;
	const restarts: string[] = [];
	const status = { isLogin: true, isOffline: false, qrcodeurl: '', loginError: '' };
	const fake = fakeRequest((req) => {
		const path = new URL(req.url).pathname;
		const error = (message: string) => ({ status: 200, body: { code: -1, message } });
		const success = (data: unknown) => ({
			status: 200,
			body: { code: 0, message: 'success', data },
		});
		if (path === '/api/auth/login') {
			if (rateLimited > 0) {
				rateLimited--;
				return error('login rate limit');
			}
			if ((req.body as { hash?: string }).hash !== napCatWebUiLoginHash(token))
				return error('token is invalid');
			if (options.twoFactor)
				return success({ require2FA: true, message: 'Please enter your authenticator code' });
			const credential = `cred-${++counter}`;
			issued.add(credential);
			return success({ Credential: credential });
		}
		const presented = (req.headers?.Authorization ?? '').replace(/^Bearer /, '');
		if (!issued.has(presented)) return error('Unauthorized');
		if (path === '/api/Process/Restart') {
			restarts.push(presented);
			return options.restartMessage
				? error(options.restartMessage)
				: success({ message: '进程重启请求已发送' });
		}
		if (path === '/api/QQLogin/CheckLoginStatus') return success({ ...status });
		return { status: 404, body: 'Not Found' };
	});
	return { ...fake, issued, restarts, status, expireAll: () => issued.clear() };
}

describe('NapCat WebUI', () => {
	it('hashes the token as sha256(token + ".napcat")', () => {
		// sha256("abc.napcat"), computed independently (python hashlib).
		expect(napCatWebUiLoginHash('abc')).toBe(
			'42e5515d256cb0ab3de18017ee3adefc15aa70229c27788bab5aee39d5d439e6',
		);
	});

	function session(
		webUi: ReturnType<typeof fakeWebUi>,
		time = virtualTime(),
		token = 'webui-token',
		rateLimitWaitMs = 60000,
	) {
		return new NapCatWebUiSession({
			baseUrl: 'http://webui.test/',
			token,
			request: webUi.request,
			sleep: time.sleep,
			clock: time.clock,
			timeoutMs: 1000,
			rateLimitWaitMs,
			random: () => 0.5,
		});
	}

	it('logs in, then restarts with the credential as Bearer', async () => {
		const webUi = fakeWebUi();
		const request = await session(webUi).restart();
		expect(request).toMatchObject({ answer: 'accepted', sent: true, details: { webUiLogins: 1 } });
		expect(webUi.log.map((r) => new URL(r.url).pathname)).toEqual([
			'/api/auth/login',
			'/api/Process/Restart',
		]);
		expect(webUi.restarts).toEqual(['cred-1']);
	});

	it('logs in again when the credential expired, and reuses a valid one', async () => {
		const webUi = fakeWebUi();
		const s = session(webUi);
		await s.restart();
		await s.restart();
		expect(s.logins).toBe(1);
		webUi.expireAll();
		const request = await s.restart();
		expect(request.answer).toBe('accepted');
		expect(s.logins).toBe(2);
		expect(webUi.restarts).toEqual(['cred-1', 'cred-1', 'cred-2']);
	});

	it('waits out the login rate limit with backoff', async () => {
		const webUi = fakeWebUi({ rateLimitedLogins: 2 });
		const time = virtualTime();
		const request = await session(webUi, time).restart();
		expect(request.answer).toBe('accepted');
		expect(time.sleeps.length).toBe(2);
		expect(time.sleeps.every((ms) => ms >= 1000)).toBe(true);
	});

	it('gives up on the rate limit after the allowed wait, without restarting', async () => {
		const webUi = fakeWebUi({ rateLimitedLogins: 100 });
		const request = await session(webUi, virtualTime(), 'webui-token', 8000).restart();
		expect(request).toMatchObject({ answer: 'failed', sent: false, reason: 'http_error' });
		expect(request.explanation).toMatch(/rate limit/);
		expect(webUi.restarts).toEqual([]);
	});

	it('reports a wrong token as auth_failed and a 2FA prompt as something it cannot answer', async () => {
		expect(await session(fakeWebUi(), virtualTime(), 'wrong').restart()).toMatchObject({
			answer: 'failed',
			reason: 'auth_failed',
		});
		const twoFactor = await session(fakeWebUi({ twoFactor: true })).restart();
		expect(twoFactor).toMatchObject({ answer: 'failed', reason: 'auth_failed' });
		expect(twoFactor.explanation).toMatch(/two-factor/);
	});

	it('turns a WebUI without Process/Restart (before v4.10.32) into unsupported', async () => {
		const webUi = fakeWebUi();
		const s = new NapCatWebUiSession({
			baseUrl: 'http://webui.test',
			token: 'webui-token',
			request: async (req) =>
				req.url.endsWith('/api/Process/Restart')
					? { status: 404, body: 'Cannot POST /api/Process/Restart' }
					: webUi.request(req),
			sleep: async () => {},
			clock: Date.now,
			timeoutMs: 1000,
			rateLimitWaitMs: 0,
		});
		expect(await s.restart()).toMatchObject({
			answer: 'unsupported',
			sent: false,
			httpStatus: 404,
		});
	});

	it('turns single-process mode into unsupported', async () => {
		const request = await session(fakeWebUi({ restartMessage: '重启功能未初始化' })).restart();
		expect(request).toMatchObject({ answer: 'unsupported', reason: 'unsupported_action' });
	});

	it('reads the QQ login status (QR code offered)', async () => {
		const webUi = fakeWebUi();
		Object.assign(webUi.status, { isLogin: false, qrcodeurl: 'https://qr.test/x' });
		expect(await session(webUi).loginStatus()).toEqual({
			isLogin: false,
			isOffline: false,
			qrCodeUrl: 'https://qr.test/x',
			loginError: null,
		});
	});
});

describe('restartViaDocker', () => {
	const run = (status: number, body?: unknown) => {
		const fake = fakeRequest(() => ({ status, body }));
		return restartViaDocker({
			baseUrl: 'http://docker-proxy:2375/v1.43/',
			container: 'napcat bot',
			stopTimeoutSeconds: 7,
			request: fake.request,
			timeoutMs: 5000,
		}).then((request) => ({ request, log: fake.log }));
	};

	it('POSTs /containers/{id}/restart?t= and accepts 204, waiting at least the stop timeout', async () => {
		const { request, log } = await run(204);
		expect(request).toMatchObject({ answer: 'accepted', sent: true, httpStatus: 204 });
		expect(log[0]).toMatchObject({
			method: 'POST',
			url: 'http://docker-proxy:2375/v1.43/containers/napcat%20bot/restart?t=7',
		});
		expect(log[0].timeoutMs).toBe(12000);
	});

	it("reports 404 as no such container (bad_request) with Docker's message", async () => {
		const { request } = await run(404, { message: 'No such container: napcat bot' });
		expect(request).toMatchObject({ answer: 'failed', reason: 'bad_request', httpStatus: 404 });
		expect(request.explanation).toMatch(/no container "napcat bot"/);
		expect(request.raw?.message).toBe('No such container: napcat bot');
	});

	it('reports 500 as http_error (transient)', async () => {
		const { request } = await run(500, { message: 'cannot restart container: driver failed' });
		expect(request).toMatchObject({
			answer: 'failed',
			reason: 'http_error',
			reasonClass: 'transient',
		});
		expect(request.explanation).toMatch(/driver failed/);
	});

	it('explains a proxy refusal (403)', async () => {
		const { request } = await run(403, 'Forbidden');
		expect(request).toMatchObject({ answer: 'failed', reason: 'auth_failed' });
		expect(request.explanation).toMatch(
			/allow POST \/containers\/{name}\/restart for this container only/,
		);
		expect(request.explanation).not.toMatch(/POST=1/);
	});

	it('counts a refused connection as not sent', async () => {
		const request = await restartViaDocker({
			baseUrl: 'http://docker.test',
			container: 'c',
			stopTimeoutSeconds: 1,
			timeoutMs: 1000,
			request: async () => {
				throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
			},
		});
		expect(request).toMatchObject({ answer: 'failed', sent: false, reason: 'unreachable' });
	});
});

describe('restartViaHttp', () => {
	it('accepts 2xx and sends the JSON body', async () => {
		const fake = fakeRequest(() => ({ status: 202, body: '' }));
		const request = await restartViaHttp({
			url: 'http://sup.test/restart',
			method: 'POST',
			body: { unit: 'qq' },
			request: fake.request,
			timeoutMs: 1000,
		});
		expect(request).toMatchObject({ answer: 'accepted', sent: true, httpStatus: 202 });
		expect(fake.log[0]).toMatchObject({ method: 'POST', body: { unit: 'qq' } });
	});

	it('fails on other statuses, and waits for recovery when the endpoint times out', async () => {
		const failedRequest = await restartViaHttp({
			url: 'http://sup.test',
			method: 'POST',
			request: fakeRequest(() => ({ status: 401, body: '' })).request,
			timeoutMs: 1000,
		});
		expect(failedRequest).toMatchObject({ answer: 'failed', reason: 'auth_failed' });
		const timedOut = await restartViaHttp({
			url: 'http://sup.test',
			method: 'GET',
			timeoutMs: 1000,
			request: async () => {
				throw new TransportError('timeout', 'ETIMEDOUT');
			},
		});
		expect(timedOut).toMatchObject({ answer: 'no_answer', sent: true });
	});
});

/** An account that goes down at `downAt` and comes back at `upAt` (virtual time), optionally needing a QR login. */
function restartingAccount(
	time: ReturnType<typeof virtualTime>,
	downFor: number,
	opts: { qr?: boolean; selfId?: number } = {},
) {
	let restartedAt: number | null = null;
	const state = () => {
		if (restartedAt === null) return 'up';
		if (time.clock() < restartedAt + downFor) return 'down';
		return opts.qr ? 'qr' : 'up';
	};
	const client = new OneBotClient({
		baseUrl: 'http://onebot.test',
		clock: time.clock,
		request: async (req) => {
			if (state() === 'down') throw new TransportError('refused', 'ECONNREFUSED');
			const action = req.url.split('/').pop();
			if (action === 'get_login_info')
				return ok({ user_id: opts.selfId ?? 10001, nickname: 'bot' });
			if (action === 'get_status') return ok({ online: state() === 'up', good: true });
			if (action === 'get_version_info')
				return ok({ app_name: 'NapCat.Onebot', app_version: '4.10.32' });
			return ok(null);
		},
	});
	const webUi = fakeWebUi();
	const session = new NapCatWebUiSession({
		baseUrl: 'http://webui.test',
		token: 'webui-token',
		request: async (req) => {
			const s = state();
			Object.assign(
				webUi.status,
				s === 'qr'
					? { isLogin: false, qrcodeurl: 'https://qr.test/1' }
					: { isLogin: s === 'up', qrcodeurl: '' },
			);
			return webUi.request(req);
		},
		sleep: time.sleep,
		clock: time.clock,
		timeoutMs: 1000,
		rateLimitWaitMs: 0,
	});
	return {
		client,
		session,
		restart: () => {
			restartedAt = time.clock();
		},
	};
}

const recoveryDefaults = {
	deadlineMs: 60000,
	initialDelayMs: 1000,
	pollBaseMs: 1000,
	pollCapMs: 4000,
	checkTimeoutMs: 500,
	loginGraceMs: 5000,
};

describe('waitForRecovery', () => {
	it('polls with backoff until the account is back and measures the downtime', async () => {
		const time = virtualTime();
		const account = restartingAccount(time, 9000);
		const requestedAt = time.clock();
		account.restart();
		const result = await waitForRecovery({
			...recoveryDefaults,
			client: account.client,
			clock: time.clock,
			sleep: time.sleep,
			random: () => 1,
			restartRequestedAt: requestedAt,
		});
		expect(result.outcome).toBe('recovered');
		expect(result.sawDown).toBe(true);
		expect(result.downtimeMs).toBeGreaterThanOrEqual(9000);
		expect(result.downtimeMs).toBeLessThanOrEqual(9000 + 4000);
		expect(result.checks).toBeGreaterThan(2);
		// The first wait is the initial delay; later ones grow up to the cap.
		expect(time.sleeps[0]).toBe(1000);
		expect(Math.max(...time.sleeps)).toBeLessThanOrEqual(4000);
	});

	it('gives up at the deadline as not_recovered', async () => {
		const time = virtualTime();
		const account = restartingAccount(time, Infinity);
		const requestedAt = time.clock();
		account.restart();
		const result = await waitForRecovery({
			...recoveryDefaults,
			deadlineMs: 20000,
			client: account.client,
			clock: time.clock,
			sleep: time.sleep,
			restartRequestedAt: requestedAt,
		});
		expect(result.outcome).toBe('not_recovered');
		expect(result.lastState).toMatchObject({ reachable: false, reason: 'unreachable' });
		expect(time.clock() - requestedAt).toBe(20000);
	});

	it('says needs_login once the WebUI has offered a QR code for the grace period', async () => {
		const time = virtualTime();
		const account = restartingAccount(time, 3000, { qr: true });
		const requestedAt = time.clock();
		account.restart();
		const result = await waitForRecovery({
			...recoveryDefaults,
			client: account.client,
			webUi: account.session,
			clock: time.clock,
			sleep: time.sleep,
			random: () => 1,
			restartRequestedAt: requestedAt,
		});
		expect(result.outcome).toBe('needs_login');
		expect(result.lastState?.webUi?.qrCodeUrl).toBe('https://qr.test/1');
		expect(result.lastState?.online).toBe(false);
		// Well before the 60 s deadline: the grace period decided. At most: downtime, one poll (cap 4 s) to
		// see the QR code, the 5 s grace, one more poll.
		expect(time.clock() - requestedAt).toBeLessThanOrEqual(3000 + 4000 + 5000 + 4000);
	});

	it('does not take another account for the expected one', async () => {
		const time = virtualTime();
		const account = restartingAccount(time, 0, { selfId: 999 });
		const result = await waitForRecovery({
			...recoveryDefaults,
			deadlineMs: 5000,
			expectedSelfId: 10001,
			client: account.client,
			clock: time.clock,
			sleep: time.sleep,
			restartRequestedAt: time.clock(),
		});
		expect(result.outcome).toBe('not_recovered');
		expect(result.lastState?.selfId).toBe(999);
	});
});

describe('runRestart', () => {
	function plan(time: ReturnType<typeof virtualTime>, overrides: Partial<RestartPlan> = {}) {
		const account = restartingAccount(time, 2000);
		const requests: boolean[] = [];
		const p: RestartPlan = {
			method: 'docker',
			dryRun: false,
			request: async ({ dryRun }) => {
				requests.push(dryRun);
				if (dryRun) return dryRunRequest('Dry run');
				account.restart();
				return { ...dryRunRequest('restarted'), sent: true } as RestartRequest;
			},
			client: account.client,
			guard: { minIntervalMs: 600000, maxPerHour: 3 },
			history: [],
			recovery: recoveryDefaults,
			clock: time.clock,
			sleep: time.sleep,
			random: () => 0.5,
			...overrides,
		};
		return { p, requests };
	}

	it('restarts, records the restart and reports the recovery time', async () => {
		const time = virtualTime();
		const { p } = plan(time);
		const result = await runRestart(p);
		expect(result).toMatchObject({
			outcome: 'recovered',
			recovered: true,
			history: [result.restartRequestedAt],
		});
		expect(result.recovery?.downtimeMs).toBeGreaterThanOrEqual(2000);
		expect(result.explanation).toMatch(/back online after/);
	});

	it('skips a second restart inside the cooldown without sending anything', async () => {
		const time = virtualTime();
		const first = await runRestart(plan(time).p);
		time.advance(60000);
		const { p, requests } = plan(time, { history: first.history });
		const second = await runRestart(p);
		expect(second).toMatchObject({ outcome: 'skipped_cooldown', recovered: false, request: null });
		expect(second.guard.blockedBy).toBe('min_interval');
		expect(second.explanation).toMatch(/minimum interval/);
		expect(requests).toEqual([]);
		expect(second.history).toEqual(first.history);
	});

	it('does not record unsupported or dry-run requests, but records failed requests that were sent', async () => {
		const time = virtualTime();
		const unsupported = await runRestart(
			plan(time, {
				request: async () => ({
					...dryRunRequest('no'),
					answer: 'unsupported',
					reason: 'unsupported_action',
				}),
			}).p,
		);
		expect(unsupported).toMatchObject({ outcome: 'unsupported', history: [] });
		const { p, requests } = plan(time, { dryRun: true });
		const dry = await runRestart(p);
		expect(dry).toMatchObject({ outcome: 'dry_run', history: [], recovery: null });
		expect(requests).toEqual([true]);
		const failedRun = await runRestart(
			plan(time, {
				request: async () => ({
					...dryRunRequest('boom'),
					answer: 'failed',
					sent: true,
					reason: 'http_error',
				}),
			}).p,
		);
		expect(failedRun).toMatchObject({ outcome: 'restart_failed', reason: 'http_error' });
		expect(failedRun.history).toHaveLength(1);
	});
});

describe('runRestart with the process lease', () => {
	function leasedPlan(
		time: ReturnType<typeof virtualTime>,
		leases: RestartLeases,
		requests: string[],
		overrides: Partial<RestartPlan> = {},
	) {
		const account = restartingAccount(time, 2000);
		const p: RestartPlan = {
			method: 'docker',
			dryRun: false,
			accountKey: 'qq:10001',
			leases,
			request: async () => {
				requests.push('restart');
				account.restart();
				return { ...dryRunRequest('restarted'), sent: true } as RestartRequest;
			},
			client: account.client,
			guard: { minIntervalMs: 600000, maxPerHour: 3 },
			history: [],
			recovery: recoveryDefaults,
			clock: time.clock,
			sleep: time.sleep,
			random: () => 0.5,
			...overrides,
		};
		return p;
	}

	it('overlapping runs for one account restart it once; the others wait and end skipped_in_progress', async () => {
		const time = virtualTime();
		const leases = new RestartLeases();
		const requests: string[] = [];
		const results = await Promise.all(
			Array.from({ length: 5 }, () => runRestart(leasedPlan(time, leases, requests))),
		);
		expect(requests).toEqual(['restart']);
		expect(results.map((r) => r.outcome).sort()).toEqual([
			'recovered',
			...Array(4).fill('skipped_in_progress'),
		]);
		const winner = results.find((r) => r.outcome === 'recovered')!;
		for (const r of results.filter((x) => x !== winner)) {
			expect(r).toMatchObject({
				request: null,
				guard: { allowed: false, blockedBy: 'in_progress' },
				inProgress: { outcome: 'recovered' },
			});
			// They waited for the winner to finish, and they all carry its restart in the history they return.
			expect(r.finishedAt).toBeGreaterThanOrEqual(winner.finishedAt);
			expect(r.history).toEqual([winner.restartRequestedAt]);
		}
		// Another key is not held by this account's lease.
		const other = await runRestart(leasedPlan(time, leases, requests, { accountKey: 'qq:20002' }));
		expect(other.outcome).toBe('recovered');
	});

	it('merges the stored history with the process history, and a run that vanished frees the lease after its hold time', async () => {
		const time = virtualTime();
		const leases = new RestartLeases();
		const stored = [time.clock() - 20 * 60000];
		expect(leases.history('qq:1', time.clock(), stored)).toEqual(stored);
		// The process remembers it even when the next run's static data is empty.
		expect(leases.history('qq:1', time.clock(), [])).toEqual(stored);
		const grant = leases.acquire('qq:1', time.clock(), 1000);
		expect(grant.granted).toBe(true);
		expect(leases.acquire('qq:1', time.clock() + 999, 1000).granted).toBe(false);
		expect(leases.acquire('qq:1', time.clock() + 1000, 1000).granted).toBe(true);
		expect(mergeHistories([3, 1, 'x'], [2, 3, null], undefined)).toEqual([1, 2, 3]);
	});
});
