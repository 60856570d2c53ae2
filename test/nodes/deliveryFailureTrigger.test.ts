/**
 * The Delivery Failure Trigger behind a small HTTP server that hands each raw request to webhook() the
 * way n8n's webhook server does (raw body, lower-cased headers) and answers with what the node answered.
 * Reports come from the package's own report code and from the Send node; OneBot events come from the
 * simulator, signed as each implementation signs them.
 */
// The trigger sits behind a real HTTP server, as in n8n.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import * as http from 'node:http';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { AddressInfo } from 'node:net';
import {
	sleep,
	type IDataObject,
	type IHookFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { OneBotDeliveryFailureTrigger } from '../../nodes/OneBotDeliveryFailureTrigger/OneBotDeliveryFailureTrigger.node';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { buildFailureEvent, postFailureReport } from '../../core/report';
import { signReport } from '../../core/signing';
import type { FailureEvent, FailureEventKind, ReasonClass } from '../../core/types';
import {
	defaultWorld,
	startSimulator,
	type ImplementationName,
	type Simulator,
	type WorldConfig,
} from '../../simulator';
import { fetchRequest } from '../support/fetchRequest';
import { runExecute, runWebhook } from '../support/n8nHarness';

const GROUP = 100200300;
const REPORT_SECRET = 'trigger-report-secret';
const ACCESS_TOKEN = 'trigger-access-token';

interface Answer {
	status: number;
	body: string;
}

interface TriggerServer {
	url: string;
	/** Items of every run the trigger started. */
	runs: IDataObject[][];
	answers: Answer[];
	/** The stored credential the trigger reads (change it to edit the credential between requests). */
	credential: Record<string, string>;
	/** How often the trigger read its credential. */
	credentialReads(): number;
	close(): Promise<void>;
}

interface TriggerSetup {
	events?: FailureEventKind[];
	reasonClasses?: ReasonClass[];
	options?: Record<string, unknown>;
	credential?: Record<string, string>;
}

/** n8n's answer when webhook() starts a run and did not answer itself (responseMode onReceived). */
const STARTED = { message: 'Workflow was started' };

let triggerWorkflows = 0;

async function startTrigger(setup: TriggerSetup = {}): Promise<TriggerServer> {
	const runs: IDataObject[][] = [];
	const answers: Answer[] = [];
	// The trigger remembers replays per workflow in this process: each trigger here is its own workflow.
	const workflow = { id: `wf-trigger-${++triggerWorkflows}`, name: 'Trigger test', active: true };
	const parameters = {
		events: setup.events ?? ['delivery_failed', 'client_offline', 'probe_down', 'restart_failed'],
		reasonClasses: setup.reasonClasses ?? ['terminal', 'ambiguous', 'transient', 'account'],
		options: setup.options ?? {},
	};
	const credential: Record<string, string> = {
		baseUrl: 'http://127.0.0.1:1',
		accessToken: ACCESS_TOKEN,
		reportSecret: REPORT_SECRET,
		...setup.credential,
	};
	let reads = 0;
	// Counts every read n8n's credentials helper makes of it, as the stored record of the harness.
	const credentials = {
		get oneBotApi() {
			reads += 1;
			return { ...credential };
		},
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const body = Buffer.concat(chunks).toString('utf8');
			try {
				const { result, response } = await runWebhook(
					new OneBotDeliveryFailureTrigger(),
					{ parameters, credentials, workflow, mode: 'webhook' },
					{ headers: req.headers as Record<string, string>, body },
				);
				if (result.workflowData)
					runs.push((result.workflowData[0] as INodeExecutionData[]).map((item) => item.json));
				const status = response.ended ? (response.status ?? 200) : 200;
				const text = response.ended
					? response.body === undefined
						? ''
						: JSON.stringify(response.body)
					: JSON.stringify(result.workflowData ? STARTED : { message: 'Webhook call received' });
				answers.push({ status, body: text });
				res.writeHead(status, { 'Content-Type': 'application/json' });
				res.end(status === 204 ? undefined : text);
			} catch (error) {
				answers.push({ status: 500, body: String(error) });
				res.writeHead(500);
				res.end(JSON.stringify({ message: String(error) }));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/test-id/onebot-failures`,
		runs,
		answers,
		credential,
		credentialReads: () => reads,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

async function post(
	url: string,
	body: string,
	headers: Record<string, string> = {},
): Promise<Answer> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...headers },
		body,
	});
	return { status: response.status, body: await response.text() };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
		await sleep(15);
	}
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function deliveryFailure(overrides: Partial<FailureEvent> = {}): FailureEvent {
	return buildFailureEvent({
		event: 'delivery_failed',
		source: 'send',
		reportedAt: Date.now(),
		status: 'failed',
		reason: 'send_timeout',
		reasonClass: 'ambiguous',
		verification: 'witness',
		target: { type: 'group', id: GROUP },
		message: [{ type: 'text', data: { text: 'Order 42 shipped [CQ:face,id=1] & more' } }],
		messageId: null,
		correlationId: 'order-42',
		selfId: 10001,
		workflowId: 'wf-send',
		executionId: 'ex-7',
		...overrides,
	});
}

async function report(trigger: TriggerServer, event: FailureEvent, secret = REPORT_SECRET) {
	return postFailureReport(fetchRequest, { reportUrl: trigger.url, reportSecret: secret }, event, {
		nowSeconds: nowSeconds(),
	});
}

describe('Delivery Failure Trigger: failure reports', () => {
	let trigger: TriggerServer;
	beforeEach(async () => {
		trigger = await startTrigger();
	});
	afterEach(async () => {
		await trigger.close();
	});

	test('a valid signed report starts one run whose item is the event, complete enough to resend', async () => {
		const event = deliveryFailure();
		expect(await report(trigger, event)).toEqual({ sent: true, status: 200 });
		expect(trigger.runs).toEqual([[JSON.parse(JSON.stringify(event))]]);
		const [item] = trigger.runs[0];
		expect(item).toMatchObject({
			event: 'delivery_failed',
			source: 'send',
			target: { type: 'group', id: GROUP },
			correlationId: 'order-42',
		});
		expect(item.message).toEqual([
			{ type: 'text', data: { text: 'Order 42 shipped [CQ:face,id=1] & more' } },
		]);
	});

	test('forged (another secret): 403, no run; the sender learns why', async () => {
		const outcome = await report(trigger, deliveryFailure(), 'a-guessed-secret');
		expect(outcome).toEqual({
			sent: false,
			status: 403,
			error: 'the trigger answered HTTP 403: Report refused: the report signature does not match',
		});
		expect(trigger.runs).toHaveLength(0);
	});

	test('tampered body under a valid signature: 403, no run', async () => {
		const body = JSON.stringify(deliveryFailure());
		const answer = await post(
			trigger.url,
			body.replace('send_timeout', 'not_observed'),
			signReport(body, REPORT_SECRET, nowSeconds()),
		);
		expect(answer.status).toBe(403);
		expect(trigger.runs).toHaveLength(0);
	});

	test('unsigned report: 401, no run', async () => {
		const answer = await post(trigger.url, JSON.stringify(deliveryFailure()));
		expect(answer).toEqual({
			status: 401,
			body: JSON.stringify({
				message: 'Report refused: the report carries no signature or no timestamp',
			}),
		});
		expect(trigger.runs).toHaveLength(0);
	});

	test('replayed: older than 5 minutes → 403; the same signed request twice → second 403; neither starts a run', async () => {
		const body = JSON.stringify(deliveryFailure());
		const stale = await post(
			trigger.url,
			body,
			signReport(body, REPORT_SECRET, nowSeconds() - 301),
		);
		expect(stale.status).toBe(403);
		expect(JSON.parse(stale.body).message).toMatch(/^Replayed or stale report refused/);
		expect(trigger.runs).toHaveLength(0);

		const headers = signReport(body, REPORT_SECRET, nowSeconds());
		expect((await post(trigger.url, body, headers)).status).toBe(200);
		const again = await post(trigger.url, body, headers);
		expect(again).toEqual({
			status: 403,
			body: JSON.stringify({
				message: 'Replayed report refused: this signature was already received',
			}),
		});
		expect(trigger.runs).toHaveLength(1);
	});

	test('a report signed 200 s ahead (sender clock skew) starts one run, however often it comes back (#23 row 7)', async () => {
		const body = JSON.stringify(deliveryFailure());
		const headers = signReport(body, REPORT_SECRET, nowSeconds() + 200);
		expect((await post(trigger.url, body, headers)).status).toBe(200);
		expect((await post(trigger.url, body, headers)).status).toBe(403);
		// Only Date moves: n8n's engine and the HTTP servers keep their real timers.
		jest.useFakeTimers({
			doNotFake: [
				'nextTick',
				'setImmediate',
				'clearImmediate',
				'setTimeout',
				'clearTimeout',
				'setInterval',
				'clearInterval',
				'queueMicrotask',
				'hrtime',
				'performance',
			],
		});
		try {
			jest.setSystemTime(Date.now() + 301_000);
			// Still inside the age window (signed 200 s ahead, 300 s allowed): refused as already received.
			const late = await post(trigger.url, body, headers);
			expect(late).toEqual({
				status: 403,
				body: JSON.stringify({
					message: 'Replayed report refused: this signature was already received',
				}),
			});
		} finally {
			jest.useRealTimers();
		}
		expect(trigger.runs).toHaveLength(1);
	});

	test('malformed: signed non-JSON and signed JSON that is not a failure event → 400; unsigned garbage → 400', async () => {
		const garbage = '{"event": "delivery_failed", ';
		expect(
			(await post(trigger.url, garbage, signReport(garbage, REPORT_SECRET, nowSeconds()))).status,
		).toBe(400);
		const wrong = JSON.stringify({
			event: 'delivery_failed',
			source: 'send',
			reportedAt: new Date().toISOString(),
			target: { type: 'group', id: 'x' },
		});
		const answer = await post(trigger.url, wrong, signReport(wrong, REPORT_SECRET, nowSeconds()));
		expect(answer.status).toBe(400);
		expect(JSON.parse(answer.body).message).toMatch(/^Malformed report: "target"/);
		expect((await post(trigger.url, 'hello', { 'Content-Type': 'text/plain' })).status).toBe(400);
		expect(trigger.runs).toHaveLength(0);
	});

	test('the credential is read once for a burst of reports; a changed secret works at once, then the old one is refused', async () => {
		const readsBefore = trigger.credentialReads();
		for (let i = 0; i < 3; i++)
			expect(await report(trigger, deliveryFailure({ correlationId: `burst-${i}` }))).toMatchObject(
				{ sent: true },
			);
		const burstReads = trigger.credentialReads() - readsBefore;
		expect(burstReads).toBeGreaterThan(0);
		// Three requests, one credential read (n8n may read the stored record more than once per getCredentials).
		const perRead = burstReads;
		trigger.credential.reportSecret = 'rotated-secret';
		// Signed with the new secret: refused with the reused one, decided again with a fresh read: accepted.
		expect(
			await report(trigger, deliveryFailure({ correlationId: 'new' }), 'rotated-secret'),
		).toMatchObject({ sent: true, status: 200 });
		expect(trigger.credentialReads() - readsBefore).toBe(2 * perRead);
		// The old secret no longer works once the fresh read happened.
		expect(await report(trigger, deliveryFailure({ correlationId: 'old' }))).toMatchObject({
			sent: false,
			status: 403,
		});
		expect(trigger.runs).toHaveLength(4);
	});

	test('answers and run items never carry the credential’s secrets', async () => {
		await report(trigger, deliveryFailure());
		await report(trigger, deliveryFailure(), 'wrong');
		await post(trigger.url, JSON.stringify(deliveryFailure()));
		const everything = JSON.stringify({ runs: trigger.runs, answers: trigger.answers });
		expect(everything).not.toContain(REPORT_SECRET);
		expect(everything).not.toContain(ACCESS_TOKEN);
	});
});

describe('Delivery Failure Trigger: a trigger whose credential has no Report Secret', () => {
	test('refuses reports with 403 and says why', async () => {
		const trigger = await startTrigger({ credential: { reportSecret: '' } });
		try {
			const outcome = await report(trigger, deliveryFailure());
			expect(outcome).toEqual({
				sent: false,
				status: 403,
				error:
					'the trigger answered HTTP 403: Reports are refused: the trigger credential has no Report Secret',
			});
			expect(trigger.runs).toHaveLength(0);
		} finally {
			await trigger.close();
		}
	});
});

describe('Delivery Failure Trigger: filters', () => {
	const cases: Array<{ name: string; setup: TriggerSetup; event: FailureEvent; runs: boolean }> = [
		{
			name: 'event kind not selected',
			setup: { events: ['client_offline'] },
			event: deliveryFailure(),
			runs: false,
		},
		{
			name: 'event kind selected',
			setup: { events: ['delivery_failed'] },
			event: deliveryFailure(),
			runs: true,
		},
		{
			name: 'reason class not selected',
			setup: { reasonClasses: ['terminal', 'account'] },
			event: deliveryFailure(),
			runs: false,
		},
		{
			name: 'reason class selected',
			setup: { reasonClasses: ['terminal'] },
			event: deliveryFailure({ reason: 'not_in_group', reasonClass: 'terminal' }),
			runs: true,
		},
		{
			name: 'group listed',
			setup: { options: { groupIds: `1, ${GROUP}` } },
			event: deliveryFailure(),
			runs: true,
		},
		{
			name: 'group not listed',
			setup: { options: { groupIds: '123456' } },
			event: deliveryFailure(),
			runs: false,
		},
		{
			name: 'private chat, users listed',
			setup: { options: { groupIds: String(GROUP), userIds: '10003' } },
			event: deliveryFailure({ target: { type: 'private', id: 10003 } }),
			runs: true,
		},
		{
			name: 'private chat, only groups listed',
			setup: { options: { groupIds: String(GROUP) } },
			event: deliveryFailure({ target: { type: 'private', id: 10003 } }),
			runs: false,
		},
		{
			name: 'probe down without a target passes chat filters',
			setup: { options: { groupIds: '123456' } },
			event: buildFailureEvent({
				event: 'probe_down',
				source: 'probe',
				reportedAt: Date.now(),
				reason: 'not_observed',
				selfId: 10001,
			}),
			runs: true,
		},
	];

	test.each(cases)('$name', async ({ setup, event, runs }) => {
		const trigger = await startTrigger(setup);
		try {
			const outcome = await report(trigger, event);
			// A filtered report was understood and accepted: 204, so the sender does not count it as lost.
			expect(outcome).toEqual({ sent: true, status: runs ? 200 : 204 });
			expect(trigger.runs).toHaveLength(runs ? 1 : 0);
		} finally {
			await trigger.close();
		}
	});

	test('an invalid ID in the options fails activation and requests, naming the field', async () => {
		const node = new OneBotDeliveryFailureTrigger();
		const hookContext = (groupIds: string) =>
			({
				getNode: () => ({
					name: 'OneBot Delivery Failure Trigger',
					type: 'x',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				}),
				getNodeParameter: (name: string, fallback?: unknown) =>
					name === 'options'
						? { groupIds }
						: name === 'events' || name === 'reasonClasses'
							? fallback
							: undefined,
				getWorkflow: () => ({ id: 'wf-activation', name: 'Activation', active: true }),
			}) as unknown as IHookFunctions;
		await expect(node.webhookMethods.default.create.call(hookContext('100, abc'))).rejects.toThrow(
			'Options › Group IDs: Group IDs must be a positive whole number, got "abc"',
		);
		expect(await node.webhookMethods.default.checkExists.call(hookContext('100'))).toBe(false);
		expect(await node.webhookMethods.default.create.call(hookContext('100'))).toBe(true);

		const trigger = await startTrigger({ options: { userIds: '12x' } });
		try {
			const answer = await post(trigger.url, JSON.stringify(deliveryFailure()));
			expect(answer.status).toBe(500);
			expect(answer.body).toContain('Options › User IDs');
			expect(trigger.runs).toHaveLength(0);
		} finally {
			await trigger.close();
		}
	});
});

describe('Delivery Failure Trigger: reports from the Send node (one implementation of the format)', () => {
	let sim: Simulator;
	let trigger: TriggerServer;
	beforeAll(async () => {
		sim = await startSimulator({
			...defaultWorld(),
			kernelTimeoutMs: 120,
			deliveryDelayMs: 15,
			heartbeatIntervalMs: 60000,
		});
		trigger = await startTrigger();
	});
	afterAll(async () => {
		await sim.close();
		await trigger.close();
	});

	test('a silently dropped group message: Send reports it, the trigger starts a run with what to resend', async () => {
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const { bot, witness } = sim.urls.accounts;
		const text = 'Trigger e2e: parcel 42 [ready]';
		const [, failed] = await runExecute(new OneBotSendWithVerification(), {
			parameters: {
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				text,
				verification: 'witness',
				deadlineSeconds: 0.3,
				correlationId: 'parcel-42',
				retry: { maxAttempts: 1, backoffMs: 10, backoffCapMs: 20, accountBackoffMs: 20 },
				options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
			},
			credentials: {
				oneBotApi: {
					baseUrl: bot.http,
					accessToken: bot.token,
					reportUrl: trigger.url,
					reportSecret: REPORT_SECRET,
				},
				oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token },
			},
			items: [{ json: {} }],
		});
		expect(failed).toHaveLength(1);
		const sent = failed[0].json as IDataObject;
		expect(sent.report).toMatchObject({ sent: true, status: 200 });
		expect(trigger.runs).toHaveLength(1);
		const [event] = trigger.runs[0];
		expect(event).toMatchObject({
			event: 'delivery_failed',
			source: 'send',
			status: 'failed',
			reason: sent.reason as string,
			reasonClass: sent.reasonClass as string,
			target: { type: 'group', id: GROUP },
			selfId: bot.selfId,
		});
		expect(event.message).toEqual(sent.message);
		expect(JSON.stringify(event.message)).toContain('parcel 42');
		expect(JSON.stringify(event)).not.toContain(bot.token);
	});
});

interface FlavourCase {
	label: string;
	flavour: ImplementationName;
	version: string;
	/** go-cqhttp and Lagrange sign with their own secret; LLOneBot and NapCat with the access token. */
	secret?: string;
	/**
	 * What a kicked account posts over HTTP POST (docs/compatibility.md, table 'Offline signals'): NapCat a bot_offline notice (no HTTP
	 * heartbeats at all); go-cqhttp heartbeats with online:false; LLOneBot (4.x online never false, HTTP
	 * heartbeats off by default, no bot_offline) and Lagrange (online hard-coded true) nothing.
	 */
	offline: 'bot_offline' | 'heartbeat_offline' | null;
}

const FLAVOURS: FlavourCase[] = [
	{ label: 'NapCat', flavour: 'napcat', version: '4.10.32', offline: 'bot_offline' },
	{ label: 'LLOneBot 4.x', flavour: 'llonebot', version: '4.4.3', offline: null },
	{ label: 'LLOneBot 7.x', flavour: 'llonebot', version: '7.0.0', offline: null },
	{
		label: 'go-cqhttp',
		flavour: 'gocq',
		version: 'v1.2.0',
		secret: 'gocq-post-secret',
		offline: 'heartbeat_offline',
	},
	{
		label: 'Lagrange',
		flavour: 'lagrange',
		version: '0.0.3',
		secret: 'lagrange-post-secret',
		offline: null,
	},
];

function eventWorld(
	flavour: ImplementationName,
	version: string,
	secret: string | undefined,
	reportUrl: string,
): WorldConfig {
	const base = defaultWorld();
	return {
		...base,
		accounts: {
			...base.accounts,
			bot: {
				...base.accounts!.bot,
				flavour,
				version,
				secret,
				reportUrls: [reportUrl],
				heartbeatIntervalMs: 40,
			},
		},
		heartbeatIntervalMs: 60000,
	};
}

describe.each(FLAVOURS)(
	'Delivery Failure Trigger: OneBot events posted by $label',
	({ flavour, version, secret, offline }) => {
		let trigger: TriggerServer;
		let sim: Simulator;
		afterEach(async () => {
			await sim?.close();
			await trigger?.close();
		});

		async function start(setup: TriggerSetup, credentialKey: 'right' | 'wrong' | 'none' = 'right') {
			// The trigger's credential is the bot's: its access token, plus the event secret when the flavour has one.
			const token = defaultWorld().accounts!.bot.token ?? '';
			const eventSecret =
				credentialKey === 'wrong' ? 'not-the-key' : credentialKey === 'none' ? '' : (secret ?? '');
			trigger = await startTrigger({
				...setup,
				credential: { accessToken: credentialKey === 'none' ? '' : token, eventSecret },
			});
			sim = await startSimulator(eventWorld(flavour, version, secret, trigger.url));
		}

		/** A group message the bot receives: every implementation posts it, signed like its other events. */
		async function incoming(count: number): Promise<void> {
			for (let i = 0; i < count; i++)
				await sim.control.inject('friend', { groupId: 100200300 }, `event ${i}`);
		}

		test('events while online: 204, no run; a kick starts one client_offline run only where the implementation reports it', async () => {
			await start({});
			await incoming(2);
			await waitFor(() => trigger.answers.length >= 2);
			expect(trigger.answers.every((answer) => answer.status === 204)).toBe(true);
			expect(trigger.runs).toHaveLength(0);

			await sim.control.offline('bot', 'kicked for the test');
			if (offline) {
				await waitFor(() => trigger.runs.length >= 1);
				const [event] = trigger.runs[0];
				expect(event).toMatchObject({
					event: 'client_offline',
					source: 'onebot_event',
					status: 'failed',
					reason: 'client_offline',
					reasonClass: 'account',
					selfId: sim.urls.accounts.bot.selfId,
					details: { trigger: offline },
				});
				expect(JSON.stringify(event)).not.toContain(sim.urls.accounts.bot.token);
			}
			// Further offline heartbeats are held back; an implementation that never reports offline starts nothing.
			await sleep(400);
			expect(trigger.runs).toHaveLength(offline ? 1 : 0);
			expect(trigger.answers.every((answer) => answer.status === 204)).toBe(true);
		});

		(offline === 'heartbeat_offline' ? test : test.skip)(
			'with no repeat interval every offline heartbeat starts a run',
			async () => {
				await start({ options: { offlineRepeatMinutes: 0 } });
				await sim.control.offline('bot');
				await waitFor(() => trigger.runs.length >= 3);
				expect(trigger.runs.every(([event]) => event.event === 'client_offline')).toBe(true);
			},
		);

		test('Client Offline not selected: offline events start nothing', async () => {
			await start({ events: ['delivery_failed'] });
			await incoming(1);
			await waitFor(() => trigger.answers.length >= 1);
			await sim.control.offline('bot');
			await sleep(400);
			expect(trigger.runs).toHaveLength(0);
			expect(trigger.answers.every((answer) => answer.status === 204)).toBe(true);
		});

		test('a trigger holding the wrong key refuses every event with 403', async () => {
			// For LLOneBot and NapCat the (wrong) Event Signing Secret takes the place of the right access token.
			await start({}, 'wrong');
			await incoming(3);
			await waitFor(() => trigger.answers.length >= 3);
			expect(trigger.answers.every((answer) => answer.status === 403)).toBe(true);
			expect(trigger.runs).toHaveLength(0);
		});

		test('a trigger with no key cannot check the signed events: 401', async () => {
			await start({}, 'none');
			await incoming(2);
			await waitFor(() => trigger.answers.length >= 2);
			expect(trigger.answers.every((answer) => answer.status === 401)).toBe(true);
			expect(trigger.runs).toHaveLength(0);
		});
	},
);

describe('Delivery Failure Trigger: an implementation that signs nothing', () => {
	test('NapCat without a token posts unsigned events: refused by default, taken with Accept Unsigned OneBot Events', async () => {
		const refusing = await startTrigger({ credential: { accessToken: '' } });
		const accepting = await startTrigger({
			credential: { accessToken: '' },
			options: { acceptUnsignedEvents: true },
		});
		const base = defaultWorld();
		const sim = await startSimulator({
			...base,
			accounts: {
				...base.accounts,
				bot: {
					...base.accounts!.bot,
					token: '',
					reportUrls: [refusing.url, accepting.url],
					heartbeatIntervalMs: 40,
				},
			},
			heartbeatIntervalMs: 60000,
		});
		try {
			await sim.control.inject('friend', { groupId: 100200300 }, 'unsigned event');
			await waitFor(() => refusing.answers.length >= 1 && accepting.answers.length >= 1);
			await sim.control.offline('bot');
			await waitFor(() => accepting.runs.length >= 1 && refusing.answers.length >= 2);
			expect(refusing.answers.every((answer) => answer.status === 401)).toBe(true);
			expect(refusing.runs).toHaveLength(0);
			expect(accepting.runs[0][0]).toMatchObject({
				event: 'client_offline',
				details: { trigger: 'bot_offline' },
			});
		} finally {
			await sim.close();
			await refusing.close();
			await accepting.close();
		}
	});
});
