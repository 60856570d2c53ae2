import { runHealthChecks } from '../../core/health/checks';
import type { HealthChecks } from '../../core/health/checks';
import { canarySkipReason, diagnose } from '../../core/probe';
import type { CanaryResult } from '../../core/probe';
import { OneBotClient, TransportError } from '../../core/transport';
import type { HttpRequest, HttpResponse } from '../../core/transport';

type Responder = (action: string) => HttpResponse | Error;

/** A client whose requests are answered per action; the clock advances by each action's latency. */
function clientFor(responder: Responder, latencies: Record<string, number> = {}) {
	let now = 0;
	const request = async (req: HttpRequest): Promise<HttpResponse> => {
		const action = req.url.split('/').pop()!;
		now += latencies[action] ?? 5;
		const answer = responder(action);
		if (answer instanceof Error) throw answer;
		return answer;
	};
	// Each call reads the clock at start and end; the request above moves it between the two reads.
	return new OneBotClient({ baseUrl: 'http://onebot.test', request, clock: () => now });
}

const ok = (data: unknown): HttpResponse => ({
	status: 200,
	body: { status: 'ok', retcode: 0, data },
});

const healthy: Responder = (action) => {
	if (action === 'get_login_info') return ok({ user_id: 10001, nickname: 'bot' });
	if (action === 'get_status') return ok({ online: true, good: true });
	return ok({ app_name: 'LLOneBot', app_version: '4.4.3', protocol_version: 'v11' });
};

const options = { timeoutMs: 1000, apiSlowMs: 100 };

function canary(kind: 'group' | 'private', patch: Partial<CanaryResult>): CanaryResult {
	return {
		target: { type: kind, id: kind === 'group' ? 100200300 : 10002 },
		status: 'delivered',
		reason: null,
		reasonClass: null,
		verification: 'witness',
		text: 'probe',
		messageId: 1,
		latencyMs: 50,
		slow: false,
		recall: { requested: false, done: false },
		evidence: {},
		...patch,
	};
}

describe('probe checks', () => {
	it('reads login, status and version, each with its latency', async () => {
		const checks = await runHealthChecks(clientFor(healthy, { get_status: 7 }), options);
		expect(checks.login).toMatchObject({
			ok: true,
			data: { userId: 10001, nickname: 'bot' },
			slow: false,
		});
		expect(checks.status).toMatchObject({
			ok: true,
			data: { online: true, good: true },
			latencyMs: expect.any(Number),
		});
		expect(checks.version.data).toEqual({
			appName: 'LLOneBot',
			appVersion: '4.4.3',
			protocolVersion: 'v11',
		});
		expect(diagnose(checks, {})).toMatchObject({ state: 'up', diagnosis: 'ok', reason: null });
	});

	it('LLOneBot before 4.0.12: up, but no_kernel_proof names the version that can give it', async () => {
		const old: Responder = (action) =>
			action === 'get_version_info'
				? ok({ app_name: 'LLOneBot', app_version: '3.28.0', protocol_version: 'v11' })
				: healthy(action);
		const verdict = diagnose(await runHealthChecks(clientFor(old), options), {});
		expect(verdict).toMatchObject({ state: 'up', diagnosis: 'no_kernel_proof', reason: null });
		expect(verdict.summary).toContain('LLOneBot 3.28.0');
		expect(verdict.summary).toContain('LLOneBot 4.0.12');
		const current: Responder = (action) =>
			action === 'get_version_info'
				? ok({ app_name: 'LLOneBot', app_version: '4.0.12', protocol_version: 'v11' })
				: healthy(action);
		expect(diagnose(await runHealthChecks(clientFor(current), options), {})).toMatchObject({
			diagnosis: 'ok',
		});
	});

	it('runs the three checks in parallel', async () => {
		const started: string[] = [];
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const client = new OneBotClient({
			baseUrl: 'http://onebot.test',
			request: async (req) => {
				started.push(req.url);
				if (started.length === 3) release();
				await gate;
				return healthy(req.url.split('/').pop()!) as HttpResponse;
			},
		});
		await runHealthChecks(client, options);
		expect(started).toHaveLength(3);
	});

	it('diagnoses a refused connection and a timeout as unreachable', async () => {
		const refused = await runHealthChecks(
			clientFor(() => new TransportError('refused', 'ECONNREFUSED')),
			options,
		);
		expect(diagnose(refused, {})).toMatchObject({
			state: 'down',
			diagnosis: 'unreachable',
			reason: 'unreachable',
		});
		expect(canarySkipReason(refused)).toMatch(/get_login_info failed/);
		const hung = await runHealthChecks(
			clientFor(() => new TransportError('timed out', 'ETIMEDOUT')),
			options,
		);
		expect(diagnose(hung, {})).toMatchObject({
			state: 'down',
			diagnosis: 'unreachable',
			reason: 'client_timeout',
		});
	});

	it('diagnoses a refused token as auth_failed', async () => {
		const checks = await runHealthChecks(
			clientFor(() => ({ status: 403, body: 'token verify failed!' })),
			options,
		);
		expect(diagnose(checks, {})).toMatchObject({
			state: 'down',
			diagnosis: 'auth_failed',
			reason: 'auth_failed',
		});
	});

	it('diagnoses online:false as offline although every call answers', async () => {
		const checks = await runHealthChecks(
			clientFor((action) =>
				action === 'get_status' ? ok({ online: false, good: true }) : healthy(action),
			),
			options,
		);
		expect(checks.status).toMatchObject({
			ok: false,
			reason: 'client_offline',
			data: { online: false },
		});
		expect(diagnose(checks, {})).toMatchObject({
			state: 'down',
			diagnosis: 'offline',
			reason: 'client_offline',
		});
		expect(canarySkipReason(checks)).toMatch(/offline/);
	});

	it('diagnoses HTTP 500 and malformed replies as api_error: down on login, degraded otherwise', async () => {
		const broken = await runHealthChecks(
			clientFor(() => ({ status: 500, body: 'Internal Server Error' })),
			options,
		);
		expect(diagnose(broken, {})).toMatchObject({
			state: 'down',
			diagnosis: 'api_error',
			reason: 'http_error',
		});
		const malformed = await runHealthChecks(
			clientFor(() => ({ status: 200, body: '<html>' })),
			options,
		);
		expect(diagnose(malformed, {})).toMatchObject({
			state: 'down',
			diagnosis: 'api_error',
			reason: 'malformed_response',
		});
		const versionBroken = await runHealthChecks(
			clientFor((action) =>
				action === 'get_version_info' ? { status: 500, body: 'x' } : healthy(action),
			),
			options,
		);
		expect(diagnose(versionBroken, {})).toMatchObject({
			state: 'degraded',
			diagnosis: 'api_error',
		});
	});

	it('ignores an action the implementation does not support', async () => {
		const checks = await runHealthChecks(
			clientFor((action) =>
				action === 'get_version_info'
					? {
							status: 200,
							body: {
								status: 'failed',
								retcode: 200,
								data: null,
								message: '不支持的Api get_version_info',
							},
						}
					: healthy(action),
			),
			options,
		);
		expect(checks.version.reason).toBe('unsupported_action');
		expect(diagnose(checks, {}).diagnosis).toBe('ok');
	});

	it('marks a check over the latency threshold as slow and the result degraded (api_slow)', async () => {
		const checks = await runHealthChecks(clientFor(healthy, { get_version_info: 150 }), options);
		expect(checks.version.slow).toBe(true);
		expect(diagnose(checks, {})).toMatchObject({
			state: 'degraded',
			diagnosis: 'api_slow',
			reason: null,
		});
	});
});

describe('probe diagnosis from canaries', () => {
	let checks: HealthChecks;
	beforeAll(async () => {
		checks = await runHealthChecks(clientFor(healthy), options);
	});

	it('names group failing while private works', () => {
		const verdict = diagnose(checks, {
			group: canary('group', { status: 'failed', reason: 'send_timeout' }),
			private: canary('private', {}),
		});
		expect(verdict).toMatchObject({
			state: 'down',
			diagnosis: 'group_send_blocked_private_ok',
			reason: 'send_timeout',
		});
	});

	it('names all sends failing, group only and private only', () => {
		const groupFailed = canary('group', { status: 'failed', reason: 'not_observed' });
		const privateFailed = canary('private', { status: 'failed', reason: 'risk_control' });
		expect(diagnose(checks, { group: groupFailed, private: privateFailed }).diagnosis).toBe(
			'all_sends_failing',
		);
		expect(diagnose(checks, { group: groupFailed }).diagnosis).toBe('group_send_failing');
		expect(diagnose(checks, { private: privateFailed })).toMatchObject({
			diagnosis: 'private_send_failing',
			reason: 'risk_control',
		});
		expect(diagnose(checks, { group: canary('group', {}), private: privateFailed }).diagnosis).toBe(
			'private_send_failing',
		);
	});

	it('degrades a slow canary and an unreadable witness; a failure outweighs both', () => {
		expect(
			diagnose(checks, { group: canary('group', { slow: true, latencyMs: 9000 }) }),
		).toMatchObject({
			state: 'degraded',
			diagnosis: 'canary_slow',
		});
		expect(
			diagnose(checks, {
				group: canary('group', { status: 'unverified', reason: 'lookup_failed' }),
			}),
		).toMatchObject({
			state: 'degraded',
			diagnosis: 'witness_unavailable',
		});
		expect(
			diagnose(checks, {
				group: canary('group', { slow: true }),
				private: canary('private', { status: 'failed', reason: 'not_observed' }),
			}).state,
		).toBe('down');
	});

	it('skipped canaries do not count as failures', () => {
		expect(diagnose(checks, { group: canary('group', { status: 'skipped' }) }).diagnosis).toBe(
			'ok',
		);
	});
});
