/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * The Restart Client node against the OneBot simulator over real HTTP: every restart method, the
 * recovery outcomes, the guard, the signed report, and that no secret leaves the node.
 */
import http from 'node:http';
import type { INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { DockerEngineApi } from '../../credentials/DockerEngineApi.credentials';
import { NapCatWebUiApi } from '../../credentials/NapCatWebUiApi.credentials';
import { OneBotRestartEndpointApi } from '../../credentials/OneBotRestartEndpointApi.credentials';
import { parseFailureEvent } from '../../core/report';
import { processAccountNumbers, processRestartLeases } from '../../core/restart';
import { verifyReport } from '../../core/signing';
import { OneBotRestartClient } from '../../nodes/OneBotRestartClient/OneBotRestartClient.node';
import { registerCredentialType, runExecute } from '../support/n8nHarness';
import type { HarnessOptions, HttpLogEntry } from '../support/n8nHarness';
import { defaultWorld, startSimulator } from '../../simulator';
import type { Simulator, WorldConfig } from '../../simulator';
import { reportReceiver } from '../simulator/helpers';

registerCredentialType(new NapCatWebUiApi());
registerCredentialType(new DockerEngineApi());
registerCredentialType(new OneBotRestartEndpointApi());

const node = new OneBotRestartClient();
const REPORT_SECRET = 'restart-report-secret';

function world(
	overrides: Partial<WorldConfig> = {},
	bot: Record<string, unknown> = {},
): WorldConfig {
	const base = defaultWorld();
	return {
		...base,
		heartbeatIntervalMs: 60000,
		restartDowntimeMs: 300,
		webui: { loginRateLimitPerMinute: 100 },
		...overrides,
		accounts: { ...base.accounts, bot: { ...base.accounts!.bot, ...bot } },
	};
}

/** Short waits so a recovery takes well under a second of real time. */
const FAST = {
	initialWait: 0.05,
	pollBase: 0.05,
	pollCap: 0.2,
	loginGrace: 0.3,
	requestTimeout: 2,
	rateLimitWait: 0,
};

function credentials(sim: Simulator, reportUrl = '') {
	const bot = sim.urls.accounts.bot;
	return {
		oneBotApi: {
			baseUrl: bot.http,
			accessToken: bot.token,
			reportUrl,
			reportSecret: REPORT_SECRET,
		},
		napCatWebUiApi: { baseUrl: sim.urls.webui, token: sim.webuiToken('bot') },
		dockerEngineApi: { baseUrl: sim.urls.docker, accessToken: '' },
	};
}

function run(
	sim: Simulator,
	parameters: Record<string, unknown>,
	extra: Partial<HarnessOptions> = {},
) {
	return runExecute(node, {
		credentials: credentials(sim),
		...extra,
		parameters: {
			minIntervalMinutes: 10,
			maxPerHour: 3,
			recoveryDeadline: 3,
			dryRun: false,
			...parameters,
			options: { ...FAST, ...((parameters.options as object) ?? {}) },
		},
	});
}

function only(outputs: INodeExecutionData[][]): {
	output: 'recovered' | 'notRecovered';
	json: Record<string, any>;
} {
	const [recovered, notRecovered] = outputs;
	expect(recovered.length + notRecovered.length).toBe(1);
	return recovered.length
		? { output: 'recovered', json: recovered[0].json as Record<string, any> }
		: { output: 'notRecovered', json: notRecovered[0].json as Record<string, any> };
}

async function restartsOf(sim: Simulator) {
	return (
		(await sim.control.groundTruth()).restarts as Array<{ account: string; via: string }>
	).filter((r) => r.account === 'bot');
}

describe('OneBot Restart Client against the simulator', () => {
	let sim: Simulator | undefined;
	afterEach(async () => {
		await sim?.close();
		sim = undefined;
		// Each test is a new world: its account numbers and restarts are not the last test's.
		processRestartLeases.clear();
		processAccountNumbers.clear();
	});

	describe('NapCat WebUI', () => {
		it('restarts through the WebUI and reports the account back online with its downtime', async () => {
			sim = await startSimulator(world());
			const httpLog: HttpLogEntry[] = [];
			const outputs = await run(sim, { method: 'napcatWebUi' }, { httpLog });
			const { output, json } = only(outputs);
			expect(output).toBe('recovered');
			expect(json).toMatchObject({
				outcome: 'recovered',
				recovered: true,
				method: 'napcatWebUi',
				reason: null,
				selfId: 10001,
			});
			expect(json.restart).toMatchObject({
				requested: true,
				answer: 'accepted',
				details: { webUiLogins: 1 },
			});
			// The simulated client is down for 300 ms; recovery is measured from the restart request.
			expect(json.downtimeMs).toBeGreaterThanOrEqual(300);
			expect(json.downtimeMs).toBeLessThan(3000);
			expect(json.recovery).toMatchObject({ sawDown: true, backOnlineAt: expect.any(String) });
			expect(json.recovery.checks).toBeGreaterThan(1);
			expect(await restartsOf(sim)).toEqual([expect.objectContaining({ via: 'webui' })]);
			expect(outputs[0][0].pairedItem).toEqual({ item: 0 });

			// No secret in the output, and the WebUI token itself never went over the wire.
			const everything = JSON.stringify(outputs);
			for (const secret of ['bot-token', sim.webuiToken('bot'), REPORT_SECRET])
				expect(everything).not.toContain(secret);
			expect(
				JSON.stringify(httpLog.filter((e) => e.url.startsWith(sim!.urls.webui))),
			).not.toContain(sim.webuiToken('bot'));
			const credential = httpLog.find((e) => e.url.endsWith('/api/Process/Restart'))?.headers
				.Authorization as string;
			expect(credential).toMatch(/^Bearer .+/);
			expect(everything).not.toContain(credential.slice(7));
		});

		it('tells a restart that needs a QR login apart, and sends a signed report to the trigger', async () => {
			sim = await startSimulator(world({}, { needsQrLoginAfterRestart: true }));
			const receiver = await reportReceiver();
			try {
				const outputs = await run(
					sim,
					{ method: 'napcatWebUi' },
					{
						credentials: credentials(sim, receiver.url),
						workflow: { id: 'wf-7', name: 'Restart', active: true },
						mode: 'trigger',
					},
				);
				const { output, json } = only(outputs);
				expect(output).toBe('notRecovered');
				expect(json).toMatchObject({
					outcome: 'needs_login',
					recovered: false,
					reason: 'client_offline',
					downtimeMs: null,
				});
				expect(json.qrCodeUrl).toMatch(/^https:\/\/txz\.qq\.com\//);
				expect(json.explanation).toMatch(/QR code/);
				expect(json.report).toEqual({ sent: true, status: 204 });

				expect(receiver.got).toHaveLength(1);
				const posted = receiver.got[0];
				expect(
					verifyReport(posted.headers, posted.body, REPORT_SECRET, Math.floor(Date.now() / 1000))
						.ok,
				).toBe(true);
				expect(JSON.parse(posted.body)).toMatchObject({
					event: 'restart_failed',
					source: 'restart',
					reason: 'client_offline',
					workflowId: 'wf-7',
					details: { outcome: 'needs_login', method: 'napcatWebUi', qrCodeUrl: json.qrCodeUrl },
				});
				expect(posted.body).not.toContain('bot-token');
				// The trigger's own parser takes it.
				expect(parseFailureEvent(JSON.parse(posted.body))).toMatchObject({
					event: 'restart_failed',
					selfId: 10001,
				});
			} finally {
				await receiver.close();
			}
		});

		it('logs in again when the WebUI credential expired between two restarts', async () => {
			sim = await startSimulator(world());
			const simulator = sim;
			let restartRequests = 0;
			// Expire every WebUI credential just before the second restart request goes out.
			const httpLog = Object.assign([] as HttpLogEntry[], {
				push(this: HttpLogEntry[], ...entries: HttpLogEntry[]) {
					for (const entry of entries) {
						if (entry.url.endsWith('/api/Process/Restart') && ++restartRequests === 2)
							void simulator.control.expireWebuiCredentials();
					}
					return Array.prototype.push.apply(this, entries);
				},
			});
			const outputs = await run(
				sim,
				{ method: 'napcatWebUi', minIntervalMinutes: 0, maxPerHour: 0 },
				{ httpLog, items: [{ json: {} }, { json: {} }] },
			);
			expect(outputs[0].map((item) => item.json.outcome)).toEqual(['recovered', 'recovered']);
			expect(outputs[0][1].json.restart).toMatchObject({
				answer: 'accepted',
				details: { webUiLogins: 2 },
			});
			// The expired credential is refused with HTTP 200 and code -1 "Unauthorized", as NapCat does.
			const restartCalls = (
				await sim.control.calls({ account: 'webui:bot', action: '/api/Process/Restart' })
			).map((c) => [c.httpStatus, (c.response as any)?.code]);
			expect(restartCalls).toEqual([
				[200, 0],
				[200, -1],
				[200, 0],
			]);
			expect(await restartsOf(sim)).toHaveLength(2);
		});

		it('gives up when the WebUI login is rate-limited, without restarting', async () => {
			sim = await startSimulator(world({ webui: { loginRateLimitPerMinute: 1 } }));
			only(await run(sim, { method: 'napcatWebUi', dryRun: true }));
			const { output, json } = only(await run(sim, { method: 'napcatWebUi' }));
			expect(output).toBe('notRecovered');
			expect(json).toMatchObject({
				outcome: 'restart_failed',
				reason: 'http_error',
				restart: { requested: false },
			});
			expect(json.explanation).toMatch(/rate limit/);
			expect(await restartsOf(sim)).toEqual([]);
		});
	});

	describe('Docker Engine API', () => {
		it('restarts the container mapped to the account and waits until it is back', async () => {
			sim = await startSimulator(world());
			const { output, json } = only(
				await run(sim, { method: 'docker', container: 'napcat-bot', stopTimeout: 2 }),
			);
			expect(output).toBe('recovered');
			expect(json.restart).toMatchObject({
				answer: 'accepted',
				httpStatus: 204,
				details: { container: 'napcat-bot', stopTimeoutSeconds: 2 },
			});
			expect(json.downtimeMs).toBeGreaterThanOrEqual(300);
			expect(await restartsOf(sim)).toEqual([expect.objectContaining({ via: 'docker' })]);
			// First the container's start time (stateless "restarted recently" check), then the restart.
			const calls = (await sim.control.calls({ account: 'docker' })).map(
				(c) => `${c.method} ${c.path}`,
			);
			expect(calls).toEqual([
				'GET /containers/napcat-bot/json',
				'POST /containers/napcat-bot/restart?t=2',
			]);
		});

		it('refuses a restart when Docker says the container started inside the minimum interval, whatever the history', async () => {
			sim = await startSimulator(world());
			await sim.control.restart('bot', { downtimeMs: 50 });
			await sleep(200);
			// Restarted elsewhere (another n8n, by hand): this process has no history of it.
			const { output, json } = only(
				await run(sim, { method: 'docker', container: 'napcat-bot', minIntervalMinutes: 10 }),
			);
			expect(output).toBe('notRecovered');
			expect(json).toMatchObject({
				outcome: 'skipped_cooldown',
				restart: { requested: false },
				guard: { allowed: false, blockedBy: 'target_started_recently', restartsInLastHour: 0 },
			});
			expect(Date.now() - Date.parse(json.guard.targetStartedAt)).toBeLessThan(5000);
			expect(json.explanation).toMatch(/as the restart target reports/);
			expect(await restartsOf(sim)).toHaveLength(1);
		});

		it('says in its output when the start-time guard could not be applied (inspect refused by a restart-only proxy)', async () => {
			sim = await startSimulator(world());
			// A socket proxy that allows the restart and refuses everything else with 403, as a restart-only
			// proxy does (wollomatic/socket-proxy: any method/path outside its -allowGET/-allowPOST regexes).
			const upstream = new URL(sim.urls.docker);
			const proxy = http.createServer((req, res) => {
				if (
					req.method !== 'POST' ||
					!/^(\/v[\d.]+)?\/containers\/[^/]+\/restart/.test(req.url ?? '')
				) {
					res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden');
					return;
				}
				const forward = http.request(
					{
						host: upstream.hostname,
						port: upstream.port,
						path: req.url,
						method: req.method,
						headers: req.headers,
					},
					(answer) => {
						res.writeHead(answer.statusCode ?? 502, answer.headers);
						answer.pipe(res);
					},
				);
				req.pipe(forward);
			});
			await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
			try {
				const port = (proxy.address() as { port: number }).port;
				const { output, json } = only(
					await run(
						sim,
						{ method: 'docker', container: 'napcat-bot' },
						{
							credentials: {
								...credentials(sim),
								dockerEngineApi: { baseUrl: `http://127.0.0.1:${port}`, accessToken: '' },
							},
						},
					),
				);
				expect(output).toBe('recovered');
				expect(json.guard).toMatchObject({
					allowed: true,
					startTimeGuard: 'not_applied',
					targetStartedAt: null,
				});
				expect(json.guard.startTimeNote).toMatch(
					/start time could not be read.*start-time guard was not applied/,
				);
				expect(await restartsOf(sim)).toEqual([expect.objectContaining({ via: 'docker' })]);
			} finally {
				await new Promise((resolve) => proxy.close(resolve));
			}
		});

		it('says the start-time guard was applied when the start time was read', async () => {
			sim = await startSimulator(world());
			const { json } = only(await run(sim, { method: 'docker', container: 'napcat-bot' }));
			expect(json.guard).toMatchObject({ startTimeGuard: 'applied' });
			expect(Date.parse(json.guard.targetStartedAt)).toBeLessThanOrEqual(Date.now());
			const viaWebUi = only(await run(sim, { method: 'napcatWebUi', minIntervalMinutes: 0 }));
			expect(viaWebUi.json.guard).toMatchObject({ startTimeGuard: 'not_available' });
		});

		it('with the WebUI login check, tells a Docker restart that ends at a QR login apart (needs_login)', async () => {
			sim = await startSimulator(world({}, { needsQrLoginAfterRestart: true }));
			const parameters = { method: 'docker', container: 'napcat-bot', recoveryDeadline: 3 };
			const plain = only(await run(sim, parameters));
			expect(plain.json).toMatchObject({ outcome: 'not_recovered' });
			expect(plain.json.explanation).toMatch(
				/may be waiting for a QR login.*Check Login in NapCat WebUI/,
			);
			await sim.control.reset();
			const checked = only(
				await run(sim, { ...parameters, minIntervalMinutes: 0, webUiLoginCheck: true }),
			);
			expect(checked.json).toMatchObject({
				outcome: 'needs_login',
				qrCodeUrl: expect.stringMatching(/^https:\/\/txz\.qq\.com\//),
			});
			expect(checked.json.explanation).toMatch(/Persist the QQ data directory/);
		});

		it('reports an unknown container (404) as restart_failed', async () => {
			sim = await startSimulator(world());
			const { output, json } = only(
				await run(sim, { method: 'docker', container: 'napcat-nope', stopTimeout: 1 }),
			);
			expect(output).toBe('notRecovered');
			expect(json).toMatchObject({
				outcome: 'restart_failed',
				reason: 'bad_request',
				reasonClass: 'terminal',
				restart: { httpStatus: 404 },
			});
			expect(json.restart.raw.message).toBe('No such container: napcat-nope');
			expect(json.report).toMatchObject({
				sent: false,
				error: 'no report URL is set in the credential',
			});
			expect(await restartsOf(sim)).toEqual([]);
		});

		it("reports a Docker server error (500) as restart_failed with Docker's message", async () => {
			sim = await startSimulator(world());
			await sim.control.setFault({ kind: 'docker_500', scope: { account: 'bot' } });
			const { json } = only(
				await run(sim, { method: 'docker', container: 'napcat-bot', stopTimeout: 1 }),
			);
			expect(json).toMatchObject({
				outcome: 'restart_failed',
				reason: 'http_error',
				reasonClass: 'transient',
				restart: { httpStatus: 500 },
			});
			expect(json.explanation).toMatch(/did not receive an exit event/);
		});
	});

	describe('OneBot set_restart', () => {
		it('refuses LLOneBot without sending set_restart', async () => {
			sim = await startSimulator(world({}, { flavour: 'llonebot', version: '4.4.3' }));
			const { output, json } = only(await run(sim, { method: 'onebot' }));
			expect(output).toBe('notRecovered');
			expect(json).toMatchObject({
				outcome: 'unsupported',
				reason: 'unsupported_action',
				implementation: { flavour: 'llonebot', appName: 'LLOneBot', appVersion: '4.4.3' },
				report: null,
			});
			expect(json.explanation).toMatch(/quits QQ/);
			expect(await sim.control.calls({ action: 'set_restart' })).toEqual([]);
			expect(json.guard.restartsInLastHour).toBe(0);
		});

		it('NapCat without an auto-login account: set_restart ends at a QR login, told apart with the WebUI login check', async () => {
			sim = await startSimulator(world({}, { napcatQuickLogin: false }));
			const { json } = only(await run(sim, { method: 'onebot', webUiLoginCheck: true }));
			expect(json).toMatchObject({
				outcome: 'needs_login',
				recovered: false,
				implementation: { flavour: 'napcat' },
			});
			expect(json.explanation).toMatch(/without the quick-login argument.*autoLoginAccount/);
			expect(await restartsOf(sim)).toEqual([
				expect.objectContaining({ via: 'set_restart', needsQrLogin: true }),
			]);
		});

		it('turns NapCat in single-process mode into unsupported, from its answer', async () => {
			sim = await startSimulator(world({}, { napcatMultiProcess: false }));
			const { json } = only(await run(sim, { method: 'onebot' }));
			expect(json).toMatchObject({
				outcome: 'unsupported',
				implementation: { flavour: 'napcat' },
				restart: { requested: false },
			});
			expect(json.explanation).toMatch(/multi-process/);
			expect(json.restart.raw.message).toBe('重启功能未初始化');
			expect(await sim.control.calls({ action: 'set_restart' })).toHaveLength(1);
			expect(await restartsOf(sim)).toEqual([]);
		});

		it('restarts NapCat in multi-process mode and Lagrange through set_restart', async () => {
			sim = await startSimulator(world());
			const napcat = only(await run(sim, { method: 'onebot' }));
			expect(napcat.json).toMatchObject({
				outcome: 'recovered',
				implementation: { flavour: 'napcat', appVersion: '4.10.32' },
			});
			await sim.control.setFlavour('bot', 'lagrange');
			// Same account, same process: the guard (process memory) would refuse a second restart within 10 min.
			const lagrange = only(await run(sim, { method: 'onebot', minIntervalMinutes: 0 }));
			expect(lagrange.json).toMatchObject({
				outcome: 'recovered',
				implementation: { flavour: 'lagrange' },
			});
			expect((await restartsOf(sim)).map((r) => r.via)).toEqual(['set_restart', 'set_restart']);
		});
	});

	describe('custom HTTP request', () => {
		it("calls the supervisor endpoint with the credential's authorization and waits for recovery", async () => {
			sim = await startSimulator(world());
			const simulator = sim;
			const seen: Array<{ method?: string; authorization?: string; body: string }> = [];
			const supervisor = http.createServer((req, res) => {
				let body = '';
				req.on('data', (chunk: Buffer) => (body += chunk.toString()));
				req.on('end', () => {
					seen.push({ method: req.method, authorization: req.headers.authorization, body });
					if (req.headers.authorization !== 'Bearer supervisor-secret') {
						res.writeHead(401);
						res.end();
						return;
					}
					void simulator.control.restart('bot');
					res.writeHead(202);
					res.end();
				});
			});
			await new Promise<void>((resolve) => supervisor.listen(0, '127.0.0.1', resolve));
			const url = `http://127.0.0.1:${(supervisor.address() as { port: number }).port}/restart`;
			try {
				const creds = {
					...credentials(sim),
					oneBotRestartEndpointApi: { url, authorizationToken: 'Bearer supervisor-secret' },
				};
				const outputs = await run(
					sim,
					{ method: 'customHttp', httpMethod: 'POST', requestBody: '{"unit":"qq"}' },
					{ credentials: creds },
				);
				const { output, json } = only(outputs);
				expect(output).toBe('recovered');
				expect(json.restart).toMatchObject({ answer: 'accepted', httpStatus: 202 });
				expect(seen).toEqual([
					{ method: 'POST', authorization: 'Bearer supervisor-secret', body: '{"unit":"qq"}' },
				]);
				expect(JSON.stringify(outputs)).not.toContain('supervisor-secret');

				const wrong = {
					...creds,
					oneBotRestartEndpointApi: { url, authorizationToken: 'Bearer wrong' },
				};
				const refused = only(
					await run(
						sim,
						{ method: 'customHttp', httpMethod: 'POST', minIntervalMinutes: 0 },
						{ credentials: wrong },
					),
				);
				expect(refused.json).toMatchObject({
					outcome: 'restart_failed',
					reason: 'auth_failed',
					restart: { httpStatus: 401 },
				});
			} finally {
				await new Promise<void>((resolve) => supervisor.close(() => resolve()));
			}
		});
	});

	describe('restart loop guard', () => {
		it('skips a second restart inside the cooldown across runs of an active workflow', async () => {
			sim = await startSimulator(world());
			const staticData = { node: {}, global: {} };
			const active = {
				staticData,
				mode: 'trigger' as const,
				workflow: { id: 'wf-1', name: 'Restart', active: true },
			};
			const first = only(await run(sim, { method: 'docker', container: 'napcat-bot' }, active));
			expect(first.json).toMatchObject({
				outcome: 'recovered',
				guard: { historyPersisted: true, restartsInLastHour: 0 },
			});
			expect(first.json.guard.note).toBeUndefined();

			const second = only(await run(sim, { method: 'docker', container: 'napcat-bot' }, active));
			expect(second.output).toBe('notRecovered');
			expect(second.json).toMatchObject({
				outcome: 'skipped_cooldown',
				recovered: false,
				reason: null,
				report: null,
				restart: { requested: false },
				guard: {
					allowed: false,
					blockedBy: 'min_interval',
					restartsInLastHour: 1,
					historyPersisted: true,
				},
			});
			expect(
				Date.parse(second.json.guard.nextAllowedAt) - Date.parse(second.json.guard.lastRestartAt),
			).toBe(10 * 60000);
			expect(await restartsOf(sim)).toHaveLength(1);
		});

		it('five overlapping runs, each with its own static data as n8n gives them, restart the account once', async () => {
			sim = await startSimulator(world({ restartDowntimeMs: 600 }));
			const runs = Array.from({ length: 5 }, (_, i) => ({
				staticData: { node: {}, global: {} },
				mode: 'trigger' as const,
				workflow: { id: `wf-overlap-${i}`, name: 'Restart', active: true },
			}));
			const results = await Promise.all(
				runs.map((options) => run(sim!, { method: 'docker', container: 'napcat-bot' }, options)),
			);
			const outcomes = results.map((outputs) => only(outputs).json.outcome).sort();
			expect(outcomes).toEqual([
				'recovered',
				'skipped_in_progress',
				'skipped_in_progress',
				'skipped_in_progress',
				'skipped_in_progress',
			]);
			expect(await restartsOf(sim)).toHaveLength(1);
			const skipped = results
				.map((outputs) => only(outputs))
				.filter((r) => r.json.outcome === 'skipped_in_progress');
			for (const { output, json } of skipped) {
				expect(output).toBe('notRecovered');
				expect(json).toMatchObject({
					restart: { requested: false },
					guard: { allowed: false, blockedBy: 'in_progress' },
				});
				expect(json.explanation).toMatch(
					/another run was already restarting this account .* it ended recovered/,
				);
			}
			// Every run's static data holds the one restart, so whichever run n8n saves last keeps it.
			const restartedAt = Date.parse(
				results.map((o) => only(o).json).find((j) => j.outcome === 'recovered')!.restart
					.requestedAt,
			);
			for (const options of runs)
				expect(Object.values((options.staticData.node as any).restartHistory)).toEqual([
					[restartedAt],
				]);

			// A later run in the same process is refused by the history kept in process memory.
			const later = only(
				await run(
					sim,
					{ method: 'docker', container: 'napcat-bot' },
					{ ...runs[0], staticData: { node: {}, global: {} } },
				),
			);
			expect(later.json).toMatchObject({
				outcome: 'skipped_cooldown',
				guard: { blockedBy: 'min_interval', restartsInLastHour: 1 },
			});
			expect(await restartsOf(sim)).toHaveLength(1);
		});

		it('every spelling of one endpoint shares one guard: three runs restart the account once (#23 row 5)', async () => {
			sim = await startSimulator(world({ restartDowntimeMs: 600 }));
			const bot = sim.urls.accounts.bot;
			const port = new URL(bot.http).port;
			const spellings: Array<{ baseUrl: string; expectedSelfId?: number }> = [
				{ baseUrl: `http://127.0.0.1:${port}`, expectedSelfId: 10001 },
				{ baseUrl: `http://127.0.0.1:${port}` },
				{ baseUrl: `http://localhost:${port}/` },
			];
			const results = await Promise.all(
				spellings.map(({ baseUrl, expectedSelfId }, i) =>
					run(
						sim!,
						{
							method: 'docker',
							container: 'napcat-bot',
							options: expectedSelfId ? { expectedSelfId } : {},
						},
						{
							staticData: { node: {}, global: {} },
							mode: 'trigger' as const,
							workflow: { id: `wf-spelling-${i}`, name: 'Restart', active: true },
							credentials: {
								...credentials(sim!),
								oneBotApi: { ...credentials(sim!).oneBotApi, baseUrl },
							},
						},
					),
				),
			);
			const jsons = results.map((outputs) => only(outputs).json);
			expect(jsons.map((j) => j.outcome).sort()).toEqual([
				'recovered',
				'skipped_in_progress',
				'skipped_in_progress',
			]);
			expect(new Set(jsons.map((j) => j.accountKey))).toEqual(new Set(['qq:10001']));
			expect(await restartsOf(sim)).toHaveLength(1);
		});

		it('a spelling whose login info cannot be read takes the number learned for its endpoint', async () => {
			sim = await startSimulator(world());
			const port = new URL(sim.urls.accounts.bot.http).port;
			const active = (i: number, baseUrl: string) => ({
				staticData: { node: {}, global: {} },
				mode: 'trigger' as const,
				workflow: { id: `wf-down-${i}`, name: 'Restart', active: true },
				credentials: {
					...credentials(sim!),
					oneBotApi: { ...credentials(sim!).oneBotApi, baseUrl },
				},
			});
			const first = only(
				await run(
					sim,
					{ method: 'docker', container: 'napcat-bot' },
					active(0, `http://127.0.0.1:${port}`),
				),
			);
			expect(first.json).toMatchObject({
				outcome: 'recovered',
				accountKey: 'qq:10001',
				accountKeySource: 'login_info',
			});
			// The client is down now: get_login_info cannot be read through the other spelling.
			await sim.control.setFault({ kind: 'down', scope: { account: 'bot' } });
			const second = only(
				await run(
					sim,
					{ method: 'docker', container: 'napcat-bot' },
					active(1, `http://LOCALHOST:${port}/`),
				),
			);
			expect(second.json).toMatchObject({
				outcome: 'skipped_cooldown',
				accountKey: 'qq:10001',
				accountKeySource: 'remembered',
				guard: { blockedBy: 'min_interval' },
			});
			expect(await restartsOf(sim)).toHaveLength(1);
		});

		it('merges the history it finds in static data with its own, never overwriting it', async () => {
			sim = await startSimulator(world());
			const earlier = Date.now() - 30 * 60000;
			const staticData = { node: { restartHistory: { other: [earlier] } } as any, global: {} };
			const active = {
				staticData,
				mode: 'trigger' as const,
				workflow: { id: 'wf-merge', name: 'Restart', active: true },
			};
			const first = only(
				await run(
					sim,
					{ method: 'docker', container: 'napcat-bot', minIntervalMinutes: 0 },
					active,
				),
			);
			expect(first.json.outcome).toBe('recovered');
			const key = first.json.accountKey as string;
			// Another run saved an older restart of this account meanwhile: the next run counts both.
			staticData.node.restartHistory[key] = [earlier];
			const second = only(
				await run(
					sim,
					{ method: 'docker', container: 'napcat-bot', minIntervalMinutes: 0 },
					active,
				),
			);
			expect(second.json).toMatchObject({ outcome: 'recovered', guard: { restartsInLastHour: 2 } });
			expect(staticData.node.restartHistory[key]).toHaveLength(3);
			expect(staticData.node.restartHistory[key][0]).toBe(earlier);
			expect(staticData.node.restartHistory.other).toEqual([earlier]);
		});

		it('enforces the guard within a manual run and says the history is not saved', async () => {
			sim = await startSimulator(world());
			const outputs = await run(
				sim,
				{ method: 'napcatWebUi' },
				{ items: [{ json: {} }, { json: {} }] },
			);
			expect(outputs[0].map((i) => i.json.outcome)).toEqual(['recovered']);
			expect(outputs[1].map((i) => i.json.outcome)).toEqual(['skipped_cooldown']);
			expect(outputs[1][0].pairedItem).toEqual({ item: 1 });
			expect(outputs[1][0].json.guard).toMatchObject({
				historyPersisted: false,
				note: expect.stringMatching(/Manual run/),
			});
			expect(await restartsOf(sim)).toHaveLength(1);
		});

		it('applies the hourly cap', async () => {
			sim = await startSimulator(world());
			const outputs = await run(
				sim,
				{ method: 'docker', container: 'napcat-bot', minIntervalMinutes: 0, maxPerHour: 2 },
				{ items: [{ json: {} }, { json: {} }, { json: {} }] },
			);
			expect(outputs[0]).toHaveLength(2);
			expect(outputs[1][0].json).toMatchObject({
				outcome: 'skipped_cooldown',
				guard: { blockedBy: 'hourly_cap', restartsInLastHour: 2 },
			});
		});

		it('restarts nothing in a dry run', async () => {
			sim = await startSimulator(world());
			for (const method of ['docker', 'napcatWebUi', 'onebot']) {
				const { output, json } = only(
					await run(sim, { method, container: 'napcat-bot', dryRun: true }),
				);
				expect(output).toBe('notRecovered');
				expect(json).toMatchObject({
					outcome: 'dry_run',
					dryRun: true,
					restart: { requested: false },
					recovery: null,
				});
			}
			expect(await restartsOf(sim)).toEqual([]);
			expect(await sim.control.calls({ action: 'set_restart' })).toEqual([]);
		});
	});

	describe('recovery that does not happen', () => {
		it('reports not_recovered when the client stays down past the deadline', async () => {
			sim = await startSimulator(world({ restartDowntimeMs: 5000 }));
			const started = Date.now();
			const { output, json } = only(
				await run(sim, { method: 'docker', container: 'napcat-bot', recoveryDeadline: 0.6 }),
			);
			expect(output).toBe('notRecovered');
			expect(json).toMatchObject({
				outcome: 'not_recovered',
				reason: 'unreachable',
				downtimeMs: null,
			});
			expect(json.recovery.lastCheck).toMatchObject({ reachable: false });
			expect(Date.now() - started).toBeLessThan(3000);
		});
	});

	describe('input errors', () => {
		it('names the item and the field, and honours continueOnFail', async () => {
			sim = await startSimulator(world());
			const parameters = { method: 'docker', container: '  ' };
			await expect(run(sim, parameters)).rejects.toThrow(NodeOperationError);
			await expect(run(sim, parameters)).rejects.toThrow(/"Container" is empty/);
			const outputs = await run(sim, parameters, { continueOnFail: true });
			expect(outputs[0]).toEqual([]);
			expect(outputs[1]).toEqual([
				{
					json: { outcome: 'error', recovered: false, error: '"Container" is empty' },
					pairedItem: { item: 0 },
				},
			]);
		});
	});
});
