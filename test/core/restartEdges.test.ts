/**
 * The restart and replay edges of issue #23 (rows 3, 4, 6, 7), driven through the core as a user's runs
 * would drive it: a restart request reset after it went out, a restart slower than a fixed lease, Stop
 * during a WebUI login wait, and a signed report from a sender whose clock runs ahead.
 */
import {
	NapCatWebUiSession,
	RestartLeases,
	dockerRestartMethod,
	restartViaDocker,
	restartViaHttp,
	runRestart,
} from '../../core/restart';
import type { RestartRequest, RestartPlan } from '../../core/restart';
import { sleep } from 'n8n-workflow';
import { ReplayMemory, receiveTriggerRequest } from '../../core/trigger';
import { signReport } from '../../core/signing';
import { OneBotClient } from '../../core/transport';
import type { HttpRequest, HttpResponse, RequestFn } from '../../core/transport';

const ok = (data: unknown): HttpResponse => ({
	status: 200,
	body: { status: 'ok', retcode: 0, data },
});

/** A client that is always back (recovery ends at the first check). */
function healthyClient(clock: () => number) {
	return new OneBotClient({
		baseUrl: 'http://onebot.test',
		clock,
		request: async (req) => {
			const action = req.url.split('/').pop();
			if (action === 'get_login_info') return ok({ user_id: 10001, nickname: 'bot' });
			if (action === 'get_status') return ok({ online: true, good: true });
			return ok(null);
		},
	});
}

const recovery = {
	deadlineMs: 120000,
	initialDelayMs: 1000,
	pollBaseMs: 1000,
	pollCapMs: 4000,
	checkTimeoutMs: 500,
	loginGraceMs: 5000,
};

const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('row 3: a restart request reset after it went out counts for the guard', () => {
	it('Custom HTTP and Docker: a reset is maybe_sent (counts), a refused connection is not sent', async () => {
		const http = await restartViaHttp({
			url: 'http://sup.test/restart',
			method: 'POST',
			timeoutMs: 1000,
			request: async () => {
				throw reset();
			},
		});
		expect(http).toMatchObject({ sent: true, requestState: 'maybe_sent', answer: 'no_answer' });
		const docker = await restartViaDocker({
			baseUrl: 'http://docker.test',
			container: 'napcat',
			stopTimeoutSeconds: 10,
			timeoutMs: 1000,
			request: async () => {
				throw reset();
			},
		});
		expect(docker).toMatchObject({ sent: true, requestState: 'maybe_sent' });
		const fiveHundred = await restartViaHttp({
			url: 'http://sup.test/restart',
			method: 'POST',
			timeoutMs: 1000,
			request: async () => ({ status: 502, body: 'Bad Gateway' }),
		});
		expect(fiveHundred).toMatchObject({
			sent: true,
			requestState: 'maybe_sent',
			answer: 'failed',
		});
		const refused = await restartViaHttp({
			url: 'http://sup.test/restart',
			method: 'POST',
			timeoutMs: 1000,
			request: async () => {
				throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
			},
		});
		expect(refused).toMatchObject({ sent: false, requestState: 'not_sent' });
	});

	it('five reports 30 s apart under a 10-minute guard reach the supervisor once', async () => {
		let now = 1_700_000_000_000;
		const leases = new RestartLeases();
		const supervisorHits: number[] = [];
		const results = [];
		for (let i = 0; i < 5; i++) {
			const result = await runRestart({
				accountKey: 'qq:10001',
				leases,
				method: 'customHttp',
				dryRun: false,
				request: () =>
					restartViaHttp({
						url: 'http://sup.test/restart',
						method: 'POST',
						timeoutMs: 1000,
						// The supervisor restarts the process that answers: the connection resets after the request.
						request: async () => {
							supervisorHits.push(now);
							throw reset();
						},
					}),
				client: healthyClient(() => now),
				guard: { minIntervalMs: 600000, maxPerHour: 3 },
				history: [],
				recovery,
				clock: () => now,
				sleep: async (ms) => {
					now += ms;
				},
				random: () => 0.5,
			});
			results.push(result);
			now += 30000;
		}
		expect(supervisorHits).toHaveLength(1);
		expect(results[0].request).toMatchObject({ requestState: 'maybe_sent' });
		expect(results.slice(1).map((r) => r.outcome)).toEqual(Array(4).fill('skipped_cooldown'));
		expect(leases.states('qq:10001')).toEqual([
			{ at: results[0].restartRequestedAt, request: 'maybe_sent' },
		]);
	});
});

describe('row 4: the lease lasts as long as the restart it protects', () => {
	it('a slow Docker restart (t = 900 s) keeps a second run out for its whole length', async () => {
		let now = 1_700_000_000_000;
		const leases = new RestartLeases();
		const dockerHits: number[] = [];
		const pending: Array<(response: HttpResponse) => void> = [];
		const docker = dockerRestartMethod({
			baseUrl: 'http://docker.test',
			container: 'napcat',
			stopTimeoutSeconds: 900,
			timeoutMs: 10000,
			request: (async (req: HttpRequest) => {
				if (req.method === 'GET') return { status: 403, body: 'Forbidden' };
				dockerHits.push(now);
				// Docker answers once the container is stopped (up to t) and started again.
				return new Promise<HttpResponse>((resolve) => pending.push(resolve));
			}) as RequestFn,
		});
		const plan = (): RestartPlan => ({
			accountKey: 'qq:10001',
			leases,
			method: 'docker',
			dryRun: false,
			request: (options) => docker.restart(options),
			requestBudgetMs: docker.requestBudgetMs,
			client: healthyClient(() => now),
			guard: { minIntervalMs: 600000, maxPerHour: 3 },
			history: [],
			recovery,
			clock: () => now,
			// The first run's recovery moves time; the second only yields while it waits.
			sleep: async () => {
				await sleep(0);
			},
			random: () => 0.5,
		});
		const first = runRestart(plan());
		await sleep(0);
		expect(dockerHits).toHaveLength(1);
		now += 421_000;
		const second = runRestart(plan());
		for (let i = 0; i < 20; i++) await sleep(0);
		for (const finish of pending) finish({ status: 204, body: '' });
		const [a, b] = await Promise.all([first, second]);
		expect(dockerHits).toHaveLength(1);
		expect(a.outcome).toBe('recovered');
		expect(b.outcome).toBe('skipped_in_progress');
	});

	it('the lease is renewed while its run holds it and released at the end, on every path', async () => {
		let now = 1_700_000_000_000;
		const leases = new RestartLeases();
		await expect(
			runRestart({
				accountKey: 'qq:1',
				leases,
				method: 'customHttp',
				dryRun: false,
				request: async () => {
					throw new Error('boom');
				},
				client: healthyClient(() => now),
				guard: { minIntervalMs: 0, maxPerHour: 0 },
				history: [],
				recovery,
				clock: () => now,
				sleep: async (ms) => {
					now += ms;
				},
			}),
		).rejects.toThrow('boom');
		expect(leases.acquire('qq:1', now, 1000).granted).toBe(true);
	});
});

describe('row 6: Stop during a NapCat WebUI restart', () => {
	it('Stop in the login rate-limit wait: Process/Restart is never posted', async () => {
		const controller = new AbortController();
		const posted: string[] = [];
		let logins = 0;
		const session = new NapCatWebUiSession({
			baseUrl: 'http://webui.test',
			token: 'webui-token',
			signal: controller.signal,
			request: async (req: HttpRequest) => {
				const path = new URL(req.url).pathname;
				posted.push(path);
				if (path === '/api/auth/login') {
					logins++;
					if (logins < 3) return { status: 200, body: { code: -1, message: 'login rate limit' } };
					return { status: 200, body: { code: 0, message: 'success', data: { Credential: 'c' } } };
				}
				return { status: 200, body: { code: 0, message: 'success', data: {} } };
			},
			// A wait that does not end early (as a sleep bound to no run): Stop arrives during it.
			sleep: async () => {
				controller.abort();
			},
			clock: Date.now,
			timeoutMs: 1000,
			rateLimitWaitMs: 3_600_000,
			random: () => 0.5,
		});
		const outcome = await session.restart().then(
			(request: RestartRequest) => request,
			(error: unknown) => error,
		);
		expect(posted).not.toContain('/api/Process/Restart');
		expect(outcome).toBeInstanceOf(Error);
	});
});

describe('row 7: replay memory outlives each report’s acceptance window', () => {
	it('a report signed 200 s ahead is taken once, however often it comes back while the age check allows it', () => {
		const secret = 'report-secret';
		const t0 = 1_700_000_000;
		const body = JSON.stringify({
			event: 'delivery_failed',
			source: 'send',
			reportedAt: new Date((t0 + 200) * 1000).toISOString(),
		});
		const headers = signReport(body, secret, t0 + 200);
		const seen = new ReplayMemory();
		const at = (seconds: number) =>
			receiveTriggerRequest(
				{ headers, rawBody: body },
				{ reportSecret: secret },
				{ nowMs: seconds * 1000, maxReportAgeSeconds: 300, seenReportSignatures: seen },
			);
		expect(at(t0)).toMatchObject({ origin: 'report' });
		expect(at(t0 + 10)).toMatchObject({ status: 403 });
		// 301 s after receipt the age check still allows it (signed 200 s ahead, 300 s allowed): refused as seen.
		expect(at(t0 + 301)).toMatchObject({ status: 403 });
		expect(at(t0 + 500)).toMatchObject({ status: 403 });
		// Past its window the age check refuses it, and the memory may forget it.
		expect(at(t0 + 501)).toMatchObject({ status: 403 });
	});
});
