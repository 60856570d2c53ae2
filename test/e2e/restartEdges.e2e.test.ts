/* eslint-disable @typescript-eslint/no-explicit-any -- end-to-end test code, runs outside n8n */
/**
 * The restart edges of issue #23 in real n8n 2.41.1 (executions started and stopped through n8n's REST
 * API, as the cancel e2e does):
 * - row 3: a supervisor that restarts the client and drops the connection unanswered (simulator fault
 *   restart_reset): five runs under a 10-minute guard reach it once;
 * - row 5: three workflows whose credentials spell one endpoint three ways (127.0.0.1, localhost/, with
 *   Account QQ Number) restart the account once;
 * - row 6: Stop during a NapCat WebUI login rate-limit wait: Process/Restart is never posted.
 * Each row restarts another account of the simulator, since the guard holds per account in the process.
 */
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import { groundTruth } from './lib/examples';
import { startN8n, type N8nHandle, type Execution } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { sleep } from '../../scripts/lib/proc';

type Json = Record<string, any>;

interface TruthRestart {
	account: string;
	via: string;
}

async function restartsOf(sim: Simulator, account: string): Promise<TruthRestart[]> {
	const truth = (await groundTruth(sim)) as unknown as { restarts: TruthRestart[] };
	return truth.restarts.filter((r) => r.account === account);
}

/** The one item Restart Client left on either output. */
function restartItem(execution: Execution): Json {
	const run = execution.data.resultData.runData['Restart Client']?.[0];
	const items = (run?.data?.main ?? []).flatMap((output) => output ?? []);
	expect(items).toHaveLength(1);
	return items[0].json;
}

const FAST = {
	initialWait: 0.2,
	pollBase: 0.2,
	pollCap: 0.5,
	requestTimeout: 2,
	loginGrace: 1,
};

function restartWorkflow(
	id: string,
	credentials: Record<string, { id: string; name: string }>,
	parameters: Record<string, unknown>,
) {
	return {
		id,
		name: `Restart edges e2e: ${id}`,
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'Manual Trigger',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: `${id}-restart`,
				name: 'Restart Client',
				type: 'n8n-nodes-onebot-sentinel.oneBotRestartClient',
				typeVersion: 1,
				position: [220, 0],
				credentials,
				parameters: {
					minIntervalMinutes: 10,
					maxPerHour: 3,
					recoveryDeadline: 10,
					dryRun: false,
					...parameters,
					options: { ...FAST, ...((parameters.options as object) ?? {}) },
				},
			},
		],
		connections: {
			'Manual Trigger': { main: [[{ node: 'Restart Client', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

describe('restart edges in real n8n', () => {
	let n8n: N8nHandle;
	let sim: Simulator;

	beforeAll(async () => {
		sim = await startSimulator({
			...defaultWorld(),
			heartbeatIntervalMs: 60_000,
			restartDowntimeMs: 1500,
			containers: { 'napcat-bot': 'bot' },
			webui: { loginRateLimitPerMinute: 3 },
		});
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		const accounts = sim.urls.accounts;
		const port = new URL(accounts.bot.http).port;
		const oneBot = (id: string, account: 'bot' | 'witness' | 'friend', baseUrl: string) => ({
			id,
			name: `OneBot ${id}`,
			type: 'oneBotApi',
			data: { baseUrl, accessToken: accounts[account].token },
		});
		await n8n.importCredentials([
			oneBot('edgeBotLoopback1', 'bot', `http://127.0.0.1:${port}`),
			oneBot('edgeBotLocalhost', 'bot', `http://localhost:${port}/`),
			oneBot('edgeFriendApi001', 'friend', accounts.friend.http),
			oneBot('edgeWitnessApi01', 'witness', accounts.witness.http),
			{
				id: 'edgeDockerApi001',
				name: 'Docker (simulator)',
				type: 'dockerEngineApi',
				data: { baseUrl: sim.urls.docker, accessToken: '' },
			},
			{
				id: 'edgeSupervisor01',
				name: 'Supervisor (simulator)',
				type: 'oneBotRestartEndpointApi',
				data: { url: `${sim.urls.docker}/supervisor/restart/friend`, authorizationToken: '' },
			},
			{
				id: 'edgeWebUiWitness',
				name: 'NapCat WebUI witness (simulator)',
				type: 'napCatWebUiApi',
				data: { baseUrl: accounts.witness.webui, token: sim.webuiToken('witness') },
			},
		]);
	}, 400_000);

	afterAll(async () => {
		await n8n?.stop();
		await sim?.close();
	});

	const ref = (id: string) => ({ id, name: `OneBot ${id}` });

	async function start(workflowId: string): Promise<string> {
		const started = await n8n.rest('POST', `/workflows/${workflowId}/run`, {
			triggerToStartFrom: { name: 'Manual Trigger' },
		});
		const executionId = started?.executionId as string;
		expect(executionId).toBeTruthy();
		return executionId;
	}

	test('row 3: a supervisor that resets the connection after restarting is reached once in five runs', async () => {
		await sim.control.setFault({ kind: 'restart_reset', scope: { account: 'friend' } });
		const id = await n8n.importWorkflow(
			restartWorkflow(
				'edgeRow3Reset001',
				{
					oneBotApi: ref('edgeFriendApi001'),
					oneBotRestartEndpointApi: { id: 'edgeSupervisor01', name: 'Supervisor (simulator)' },
				},
				{ method: 'customHttp', httpMethod: 'POST', requestBody: '{}' },
			),
		);
		const items: Json[] = [];
		for (let i = 0; i < 5; i++) {
			const execution = await n8n.waitForExecution(await start(id), { timeoutMs: 60_000 });
			items.push(restartItem(execution));
		}
		expect(await restartsOf(sim, 'friend')).toHaveLength(1);
		expect(items[0]).toMatchObject({
			outcome: 'recovered',
			accountKey: 'qq:10003',
			restart: { requested: true, requestState: 'maybe_sent', answer: 'no_answer' },
		});
		for (const item of items.slice(1)) {
			expect(item).toMatchObject({
				outcome: 'skipped_cooldown',
				restart: { requested: false },
				guard: { blockedBy: 'min_interval' },
			});
			expect(item.guard.history).toEqual([
				{ at: items[0].restart.requestedAt, request: 'maybe_sent' },
			]);
		}
		await sim.control.clearFaults();
	}, 300_000);

	test('row 5: three spellings of one endpoint restart the account once', async () => {
		const docker = { dockerEngineApi: { id: 'edgeDockerApi001', name: 'Docker (simulator)' } };
		const ids = await n8n.importWorkflows([
			restartWorkflow(
				'edgeRow5Spell001',
				{ oneBotApi: ref('edgeBotLoopback1'), ...docker },
				{ method: 'docker', container: 'napcat-bot', options: { expectedSelfId: 10001 } },
			),
			restartWorkflow(
				'edgeRow5Spell002',
				{ oneBotApi: ref('edgeBotLoopback1'), ...docker },
				{ method: 'docker', container: 'napcat-bot' },
			),
			restartWorkflow(
				'edgeRow5Spell003',
				{ oneBotApi: ref('edgeBotLocalhost'), ...docker },
				{ method: 'docker', container: 'napcat-bot' },
			),
		]);
		const executionIds = await Promise.all(ids.map((id) => start(id)));
		const items = [];
		for (const executionId of executionIds)
			items.push(restartItem(await n8n.waitForExecution(executionId, { timeoutMs: 60_000 })));
		expect(items.map((item) => item.outcome).sort()).toEqual([
			'recovered',
			'skipped_in_progress',
			'skipped_in_progress',
		]);
		expect(new Set(items.map((item) => item.accountKey))).toEqual(new Set(['qq:10001']));
		expect(await restartsOf(sim, 'bot')).toHaveLength(1);
	}, 300_000);

	test('row 6: Stop during the WebUI login rate-limit wait posts no Process/Restart', async () => {
		const webuiLogin = () =>
			fetch(`${sim.urls.accounts.witness.webui}/api/auth/login`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ hash: 'not-the-hash' }),
			});
		// Another client used up the login window (three logins a minute).
		for (let i = 0; i < 3; i++) await webuiLogin();
		const id = await n8n.importWorkflow(
			restartWorkflow(
				'edgeRow6WebUiStop',
				{
					oneBotApi: ref('edgeWitnessApi01'),
					napCatWebUiApi: { id: 'edgeWebUiWitness', name: 'NapCat WebUI witness (simulator)' },
				},
				{ method: 'napcatWebUi', options: { rateLimitWait: 300 } },
			),
		);
		const executionId = await start(id);
		await sleep(3000);
		const stopped = await n8n.rest('POST', `/executions/${executionId}/stop`);
		expect(stopped).toMatchObject({ status: 'canceled' });
		// The window opens again (simulated clock); a wait that outlived the Stop would log in and restart
		// within its next backoff step (at most 30 s).
		sim.control.clock.advance(61_000);
		await sleep(35_000);
		expect(await restartsOf(sim, 'witness')).toEqual([]);
	}, 300_000);
});
