/**
 * Secrets and WebSocket URLs (issue 14, item 6) and failure reports (item 7): no URL userinfo or query
 * value in outputs; the event socket authenticates by header; a bad socket URL is a named error; the
 * trigger takes reports of items refused before sending; reports go out concurrently within a budget.
 */
// A small HTTP server stands in for an unreachable-but-listening trigger.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import * as http from 'node:http';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { AddressInfo } from 'node:net';
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { OneBotRestartEndpointApi } from '../../credentials/OneBotRestartEndpointApi.credentials';
import { receiveTriggerRequest } from '../../core/trigger';
import { redactText, redactUrl } from '../../core/redact';
import { buildFailureEvent } from '../../core/report';
import { signReport } from '../../core/signing';
import { OneBotRestartClient } from '../../nodes/OneBotRestartClient/OneBotRestartClient.node';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { reportAllToTrigger } from '../../nodes/shared/report';
import { eventStreamOf } from '../../nodes/shared/transport';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import { registerCredentialType, runExecute } from '../support/n8nHarness';

registerCredentialType(new OneBotRestartEndpointApi());

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({
		...defaultWorld(),
		kernelTimeoutMs: 120,
		deliveryDelayMs: 15,
		heartbeatIntervalMs: 60000,
	});
});
afterAll(async () => {
	await sim.close();
});

describe('URLs in outputs', () => {
	test('redactUrl drops userinfo and every query value', () => {
		expect(redactUrl('https://user:pa55word@hooks.example/restart?token=abc123&x=1#frag')).toBe(
			'https://hooks.example/restart?token=***&x=***',
		);
		expect(redactText('GET https://u:p@h.example/a?k=v failed')).toBe(
			'GET https://h.example/a?k=*** failed',
		);
		expect(redactUrl('not a url')).toBe('***');
	});

	test('Restart Client dry run with a custom URL shows neither its password nor its webhook token', async () => {
		const bot = sim.urls.accounts.bot;
		const [recovered, notRecovered] = await runExecute(new OneBotRestartClient(), {
			credentials: {
				oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
				oneBotRestartEndpointApi: {
					url: 'https://admin:hunter2secret@supervisor.example/hooks/restart?token=tok-9f8e7d',
					authorizationToken: '',
				},
			},
			parameters: {
				method: 'customHttp',
				httpMethod: 'POST',
				dryRun: true,
				minIntervalMinutes: 10,
				maxPerHour: 3,
				recoveryDeadline: 3,
				options: {},
			},
		});
		const text = JSON.stringify([...recovered, ...notRecovered].map((item) => item.json));
		expect(text).toMatch(/supervisor\.example/);
		expect(text).not.toMatch(/hunter2secret|tok-9f8e7d|admin:/);
	});
});

describe('the event WebSocket', () => {
	const context = {
		getNode: () => ({ name: 'Send', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} }),
	} as unknown as IExecuteFunctions;

	test('the token goes in an Authorization header, not in the URL; the simulator accepts it', async () => {
		const witness = sim.urls.accounts.witness;
		const stream = eventStreamOf(
			{ baseUrl: witness.http, wsUrl: witness.ws, accessToken: witness.token },
			context,
		)!;
		expect(stream.url).not.toMatch(/access_token/);
		expect(stream.url).not.toContain(witness.token);
		const socket = stream.connect(stream.url);
		const opened = await new Promise<string>((resolve) => {
			socket.onopen = () => resolve('open');
			socket.onerror = () => resolve('error');
			socket.onclose = () => resolve('closed');
		});
		socket.close();
		expect(opened).toBe('open');
	});

	test.each(['not a url', 'ftp://127.0.0.1:3001', 'ws//missing-colon'])(
		'%p is a NodeOperationError naming the field',
		(wsUrl) => {
			expect(() => eventStreamOf({ baseUrl: 'http://x', wsUrl }, context, 2)).toThrow(
				NodeOperationError,
			);
			expect(() => eventStreamOf({ baseUrl: 'http://x', wsUrl }, context, 2)).toThrow(
				/^Item 2: the credential's Event WebSocket URL is not a valid/,
			);
		},
	);

	test('Send With Verification with an invalid witness WebSocket URL fails with that error, nothing sent', async () => {
		await sim.control.reset();
		const { bot, witness } = sim.urls.accounts;
		await expect(
			runExecute(new OneBotSendWithVerification(), {
				credentials: {
					oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
					oneBotWitnessApi: {
						baseUrl: witness.http,
						accessToken: witness.token,
						wsUrl: 'definitely not a url',
					},
				},
				parameters: {
					targetType: 'group',
					targetId: '100200300',
					messageMode: 'text',
					text: 'ws check',
					verification: 'witness',
					deadlineSeconds: 0.3,
					options: {},
				},
			}),
		).rejects.toThrow(/Event WebSocket URL is not a valid/);
		expect(
			((await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as unknown[]).length,
		).toBe(0);
	});
});

describe('reports', () => {
	const SECRET = 'report-secret-x';

	test('the trigger takes a report of an item refused before sending (message null, invalid target) with its reason', () => {
		const body = JSON.stringify(
			buildFailureEvent({
				event: 'delivery_failed',
				source: 'send',
				reportedAt: Date.now(),
				status: 'failed',
				reason: 'bad_request',
				reasonClass: 'terminal',
				target: { type: 'group', id: null } as unknown as { type: 'group'; id: number },
				message: null as unknown as [],
			}),
		);
		const decision = receiveTriggerRequest(
			{ headers: signReport(body, SECRET, Math.floor(Date.now() / 1000)), rawBody: body },
			{ reportSecret: SECRET },
			{ nowMs: Date.now() },
		);
		expect(decision).toMatchObject({
			origin: 'report',
			start: { reason: 'bad_request', message: null, target: { id: null } },
		});
	});

	test('Send With Verification: a report of an item with a bad target type and id is taken by the trigger, reason bad_request', async () => {
		const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				received.push({
					headers: req.headers as Record<string, unknown>,
					body: Buffer.concat(chunks).toString('utf8'),
				});
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end('{}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/x/onebot-failures`;
		const { bot } = sim.urls.accounts;
		try {
			const [, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
				continueOnFail: true,
				credentials: {
					oneBotApi: {
						baseUrl: bot.http,
						accessToken: bot.token,
						reportUrl: url,
						reportSecret: SECRET,
					},
				},
				parameters: {
					targetType: 'channel',
					targetId: 'abc',
					messageMode: 'text',
					text: 'never sent',
					verification: 'api',
					options: {},
				},
			});
			expect(notDelivered).toHaveLength(1);
			expect(notDelivered[0].json).toMatchObject({
				reason: 'bad_request',
				message: null,
				report: { sent: true },
			});
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
		expect(received).toHaveLength(1);
		const decision = receiveTriggerRequest(
			{ headers: received[0].headers, rawBody: received[0].body },
			{ reportSecret: SECRET },
			{ nowMs: Date.now() },
		);
		expect(decision).toMatchObject({
			origin: 'report',
			start: {
				reason: 'bad_request',
				reasonClass: 'terminal',
				message: null,
				target: { type: null, id: null },
			},
		});
	});

	test('50 reports against a trigger that never answers end within the budget, concurrently, each saying why', async () => {
		const open = new Set<http.ServerResponse>();
		const server = http.createServer((_req, res) => open.add(res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
		let inFlight = 0;
		let maxInFlight = 0;
		server.on('request', () => {
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
		});
		const context = {
			getWorkflow: () => ({ id: 'wf' }),
			getExecutionId: () => 'ex',
			helpers: {
				httpRequest: async (options: {
					timeout: number;
					url: string;
					body: string;
					headers: Record<string, string>;
					method: string;
				}) => {
					const controller = AbortSignal.timeout(options.timeout);
					try {
						const response = await fetch(options.url, {
							method: options.method,
							body: options.body,
							headers: options.headers,
							signal: controller,
						});
						return { statusCode: response.status, body: await response.text() };
					} finally {
						inFlight--;
					}
				},
			},
		} as unknown as IExecuteFunctions;
		const started = Date.now();
		const reports = Array.from({ length: 50 }, (_, i) => ({
			event: 'delivery_failed' as const,
			source: 'send' as const,
			details: { i },
		}));
		const outcomes = await reportAllToTrigger(
			context,
			{ reportUrl: url, reportSecret: SECRET },
			reports,
			{ budgetMs: 1500, timeoutMs: 400, concurrency: 4 },
		);
		const took = Date.now() - started;
		for (const res of open) res.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
		expect(took).toBeLessThan(3000);
		expect(maxInFlight).toBeGreaterThan(1);
		expect(maxInFlight).toBeLessThanOrEqual(4);
		expect(outcomes).toHaveLength(50);
		for (const outcome of outcomes)
			expect(outcome).toMatchObject({ sent: false, error: expect.any(String) });
		expect(outcomes.filter((o) => /time budget/.test(o.error ?? '')).length).toBeGreaterThan(0);
		expect(JSON.stringify(outcomes as unknown as IDataObject[])).not.toContain(SECRET);
	});
});
