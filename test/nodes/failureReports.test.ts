/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * Health Probe and Restart Client post their failure reports through the path Send With Verification
 * uses (nodes/shared/report.ts): a few at a time, within one time budget for the whole run. Against a
 * trigger that never answers, a run with 50 reports ends within the budget and every item says whether
 * its report went out and, if not, why. Posted one by one (the old way), the same run took 50 timeouts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { DockerEngineApi } from '../../credentials/DockerEngineApi.credentials';
import { parseFailureEvent } from '../../core/report';
import { processProbeMemory } from '../../core/runMemory';
import { verifyReport } from '../../core/signing';
import { OneBotHealthProbe } from '../../nodes/OneBotHealthProbe/OneBotHealthProbe.node';
import { OneBotRestartClient } from '../../nodes/OneBotRestartClient/OneBotRestartClient.node';
import { postReports, reportLimits } from '../../nodes/shared/report';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';
import { registerCredentialType, runExecute } from '../support/n8nHarness';
import { reportReceiver } from '../simulator/helpers';

registerCredentialType(new DockerEngineApi());

const SECRET = 'shared-path-report-secret';
const ITEMS = 50;
const BUDGET_MS = 2000;
const defaults = { ...reportLimits };

/** A trigger that takes every request and never answers; it counts how many were open at once. */
async function silentTrigger() {
	const open = new Set<http.ServerResponse>();
	let inFlight = 0;
	let maxInFlight = 0;
	let received = 0;
	const server = http.createServer((req, res) => {
		received++;
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		open.add(res);
		req.socket.on('close', () => {
			inFlight--;
			open.delete(res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/failures`,
		stats: () => ({ received, maxInFlight }),
		close: async () => {
			for (const res of open) res.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

type Report = { sent: boolean; status?: number; error?: string };

function reportsOf(outputs: INodeExecutionData[][]): Report[] {
	const items = outputs.flat();
	expect(items).toHaveLength(ITEMS);
	return items.map((item) => item.json.report as unknown as Report);
}

/** Every item says whether its report went out; those that did not say why, and some ran out of budget. */
function expectAllAccountedWithinBudget(reports: Report[]) {
	for (const report of reports)
		expect(report).toMatchObject({ sent: false, error: expect.any(String) });
	const outOfBudget = reports.filter((r) => /time budget \(2 s\)/.test(r.error ?? ''));
	const timedOut = reports.filter((r) => /could not be posted/.test(r.error ?? ''));
	expect(outOfBudget.length).toBeGreaterThan(0);
	expect(timedOut.length).toBeGreaterThan(0);
	expect(outOfBudget.length + timedOut.length).toBe(ITEMS);
}

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
});
beforeEach(async () => {
	processProbeMemory.clear();
	await sim.control.reset();
	reportLimits.budgetMs = BUDGET_MS;
});
afterEach(() => {
	Object.assign(reportLimits, defaults);
});

function oneBotApi(reportUrl: string) {
	const bot = sim.urls.accounts.bot;
	return { baseUrl: bot.http, accessToken: bot.token, reportUrl, reportSecret: SECRET };
}

describe('Health Probe: down reports share one budget', () => {
	const probe = new OneBotHealthProbe();
	/** 50 items, each its own history (a private canary to its own user), each turning down on this run. */
	const probe50 = (reportUrl: string) =>
		runExecute(probe, {
			mode: 'trigger',
			workflow: { id: 'wf-probe-reports', name: 'probe reports', active: true },
			items: Array.from({ length: ITEMS }, (_, i) => ({ json: { i } })),
			credentials: { oneBotApi: oneBotApi(reportUrl) },
			parameters: (i) => ({
				canary: 'private',
				privateTarget: 'user',
				privateUserId: 30000 + i,
				canaryDeadline: 1,
				reportOnDown: true,
				options: { failureThreshold: 1, requestTimeout: 1 },
			}),
		});

	it(`${ITEMS} probe items against a silent trigger end within the budget, each saying whether its report went out`, async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const trigger = await silentTrigger();
		try {
			const started = Date.now();
			const outputs = await probe50(trigger.url);
			const took = Date.now() - started;
			const items = outputs.flat();
			expect(items.every((item) => item.json.state === 'down' && item.json.changed)).toBe(true);
			expectAllAccountedWithinBudget(reportsOf(outputs));
			// One by one, 50 reports of 1 s each took 50 s; the budget ends them after 2 s (plus the probes).
			expect(took).toBeLessThan(20_000);
			expect(trigger.stats().maxInFlight).toBeGreaterThan(1);
			expect(trigger.stats().maxInFlight).toBeLessThanOrEqual(4);
			expect(trigger.stats().received).toBe(
				reportsOf(outputs).filter((r) => /could not be posted/.test(r.error ?? '')).length,
			);
		} finally {
			await trigger.close();
		}
	}, 60_000);

	it('posts every report, signed, when the trigger answers', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const receiver = await reportReceiver();
		try {
			const reports = reportsOf(await probe50(receiver.url));
			for (const report of reports) expect(report).toEqual({ sent: true, status: 204 });
			expect(receiver.got).toHaveLength(ITEMS);
			for (const { headers, body } of receiver.got) {
				expect(
					verifyReport(headers as Record<string, string>, body, SECRET, Date.now() / 1000).ok,
				).toBe(true);
				expect(parseFailureEvent(JSON.parse(body))).toMatchObject({
					event: 'probe_down',
					source: 'probe',
				});
			}
		} finally {
			await receiver.close();
		}
	}, 60_000);
});

describe('Restart Client: failure reports share one budget', () => {
	const restart = new OneBotRestartClient();
	/**
	 * 50 items, each a restart of its own Docker container, which does not exist (restart_failed). They are one
	 * account (the guard key is the QQ number get_login_info reports), so the guard has no hourly cap here.
	 */
	const restart50 = (reportUrl: string) =>
		runExecute(restart, {
			items: Array.from({ length: ITEMS }, (_, i) => ({ json: { i } })),
			credentials: {
				oneBotApi: oneBotApi(reportUrl),
				dockerEngineApi: { baseUrl: sim.urls.docker, accessToken: '' },
			},
			parameters: (i) => ({
				method: 'docker',
				container: `napcat-missing-${i}`,
				stopTimeout: 1,
				minIntervalMinutes: 0,
				maxPerHour: 0,
				recoveryDeadline: 3,
				dryRun: false,
				options: { initialWait: 0.05, requestTimeout: 2 },
			}),
		});

	it(`${ITEMS} restart items against a silent trigger end within the budget, each saying whether its report went out`, async () => {
		const trigger = await silentTrigger();
		try {
			const started = Date.now();
			const outputs = await restart50(trigger.url);
			const took = Date.now() - started;
			expect(outputs.flat().every((item) => item.json.outcome === 'restart_failed')).toBe(true);
			expectAllAccountedWithinBudget(reportsOf(outputs));
			// One by one, 50 reports of 10 s each took over 8 minutes.
			expect(took).toBeLessThan(20_000);
			expect(trigger.stats().maxInFlight).toBeGreaterThan(1);
			expect(trigger.stats().maxInFlight).toBeLessThanOrEqual(4);
		} finally {
			await trigger.close();
		}
	}, 60_000);

	it('posts every report, signed, when the trigger answers', async () => {
		const receiver = await reportReceiver();
		try {
			const reports = reportsOf(await restart50(receiver.url));
			for (const report of reports) expect(report).toEqual({ sent: true, status: 204 });
			expect(receiver.got).toHaveLength(ITEMS);
			const containers = new Set<string>();
			for (const { headers, body } of receiver.got) {
				expect(
					verifyReport(headers as Record<string, string>, body, SECRET, Date.now() / 1000).ok,
				).toBe(true);
				const event = parseFailureEvent(JSON.parse(body));
				expect(event).toMatchObject({ event: 'restart_failed', source: 'restart' });
				expect(event.details?.accountKey).toBe('qq:10001');
				const restart = event.details?.restart as { details?: { container?: string } } | undefined;
				containers.add(String(restart?.details?.container));
			}
			expect(containers.size).toBe(ITEMS);
		} finally {
			await receiver.close();
		}
	}, 60_000);
});

describe('the shared path after a stop', () => {
	it('posts nothing once the execution was cancelled, and each item says so', async () => {
		const receiver = await reportReceiver();
		const controller = new AbortController();
		const context = {
			getWorkflow: () => ({ id: 'wf' }),
			getExecutionId: () => 'ex',
			getExecutionCancelSignal: () => controller.signal,
			helpers: { httpRequest: () => Promise.reject(new Error('no request may be made')) },
		} as unknown as IExecuteFunctions;
		controller.abort();
		try {
			const outcomes = await postReports(
				context,
				[1, 2, 3].map((i) => ({
					destination: { reportUrl: receiver.url, reportSecret: SECRET },
					fields: { event: 'probe_down' as const, source: 'probe' as const, details: { i } },
				})),
			);
			expect(outcomes).toEqual(
				[1, 2, 3].map(() => ({
					sent: false,
					error: 'not posted: the execution was cancelled before this report went out',
				})),
			);
			expect(receiver.got).toEqual([]);
		} finally {
			await receiver.close();
		}
	});
});
