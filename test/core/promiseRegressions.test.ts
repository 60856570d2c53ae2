/**
 * Counterexamples the model-based property test (test/hardening/promiseModel.test.ts,
 * scripts/lib/model/commands.ts) found and shrank, each kept as an ordinary test of the core against the
 * simulator. Each names the seed and path it came from (replay: `npm run campaign -- --model <n> --seed
 * <seed> --path <path>`, with the command choice noted where the search was narrowed).
 */
import { sleep } from 'n8n-workflow';
import { DeliveryEngine } from '../../core/delivery';
import type { DeliveryOutcome, DeliverySettings } from '../../core/delivery';
import { CircuitBreaker } from '../../core/pacing/breaker';
import { SendLimiter } from '../../core/pacing/limiter';
import type { AccountPacing } from '../../core/pacing/registry';
import {
	AccountNumbers,
	dockerRestartMethod,
	resolveRestartAccountKey,
	RestartLeases,
	runRestart,
} from '../../core/restart';
import { recordingSender } from '../../scripts/lib/campaignEdges';
import type { SendSeen } from '../../scripts/lib/campaignEdges';
import { MODEL_SETTINGS, modelWorld } from '../../scripts/lib/model/system';
import { simulatorClient, simulatorParties } from '../../scripts/lib/simulatorParties';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';
import { fetchRequest } from '../support/fetchRequest';

const GROUP = 100200300;
let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator(modelWorld());
});

afterAll(async () => {
	await sim?.close();
});

beforeEach(async () => {
	await sim.control.reset();
});

function pacingRegistry(): (selfId: number) => AccountPacing {
	const accounts = new Map<number, AccountPacing>();
	return (selfId) => {
		let pacing = accounts.get(selfId);
		if (!pacing) {
			pacing = { limiter: new SendLimiter(), breaker: new CircuitBreaker() };
			accounts.set(selfId, pacing);
		}
		return pacing;
	};
}

/** One run (one Send execution) of `texts` to the group, on the shared account pacing. */
function startRun(
	texts: string[],
	accounts: (selfId: number) => AccountPacing,
	settings: DeliverySettings = MODEL_SETTINGS,
) {
	const controller = new AbortController();
	const sends: SendSeen[] = [];
	const { bot, witness } = sim.urls.accounts;
	const engine = new DeliveryEngine(settings, {
		...simulatorParties({ bot, witness }, recordingSender(fetchRequest, controller.signal, sends)),
		accounts,
		signal: controller.signal,
		sleep,
		clock: Date.now,
	});
	const done: Promise<DeliveryOutcome[]> = engine.deliverEach(
		texts.map((text, index) => ({
			index,
			target: { type: 'group', id: GROUP },
			message: [{ type: 'text', data: { text } }],
			correlationId: `c${index}`,
		})),
	);
	return { controller, sends, done };
}

async function inboxCount(text: string): Promise<number> {
	const truth = await sim.control.groundTruth();
	return (truth.accounts.witness.inbox as Array<{ text: string }>).filter((e) => e.text === text)
		.length;
}

test('Stop while an item waits for its slot to the group: it is not sent (model seed 4, path 145:25:33:28:14:2:16)', async () => {
	// Shrunk: StartRun(["hello","hello"]), Stop while the second item waits for the group's interval
	// (choice: {"spellings":["ip"],"resets":[false],"distinctTexts":true}). Here with a longer interval, and a
	// deadline long enough that the first item is not resent on a loaded machine.
	const settings = {
		...MODEL_SETTINGS,
		minIntervalMs: 400,
		deadlineMs: 2000,
		requestTimeoutMs: 2000,
	};
	const run = startRun(['first', 'second'], pacingRegistry(), settings);
	let ended = false;
	void run.done.then(() => (ended = true));
	while (run.sends.length === 0 && !ended) await sleep(5);
	await sleep(50);
	run.controller.abort();
	await run.done;
	await sleep(500);
	// One item went out before the stop; the other waited for the interval and must not go out after it.
	const sentBeforeStop = run.sends.filter((s) => !s.afterStop).length;
	expect({
		sentAfterStop: run.sends.filter((s) => s.afterStop).map((s) => s.text),
		arrived: (await inboxCount('first')) + (await inboxCount('second')),
	}).toEqual({ sentAfterStop: [], arrived: sentBeforeStop });
	expect({ sentBeforeStop }).toEqual({ sentBeforeStop: 1 });
});

test('two runs send one text and the client drops one copy: only one is Delivered (model seed 1, path 102:26:2:4:5:7:8:8)', async () => {
	// Shrunk: Fault(silent_drop ×1), StartRun(["report ready","hello"]), StartRun(["report ready"]), Wait(1 ms)
	// (choice: {"spellings":["ip"],"resets":[false]}).
	await sim.control.setFault({ kind: 'silent_drop', count: 1, scope: { account: 'bot' } });
	const accounts = pacingRegistry();
	const a = startRun(['report ready', 'hello'], accounts);
	const b = startRun(['report ready'], accounts);
	const outcomes = [...(await a.done).slice(0, 1), ...(await b.done)];
	await sleep(50);
	const delivered = outcomes.filter((o) => o.ok && o.result.status === 'delivered').length;
	const copies = await inboxCount('report ready');
	// Each Delivered needs its own copy: a run that lost its copy must not claim the other run's.
	expect({ deliveredWithoutOwnCopy: Math.max(0, delivered - copies) }).toEqual({
		deliveredWithoutOwnCopy: 0,
	});
});

test('one client, its URL spelled two ways: one restart within the guard (model seed 20261207, path 0:3:2:5:5:2)', async () => {
	// Shrunk: RestartRequest(localhost), RestartRequest(ip).
	const leases = new RestartLeases();
	const numbers = new AccountNumbers();
	const bot = sim.urls.accounts.bot;
	const restart = async (url: string) => {
		const client = simulatorClient({ ...bot, http: url });
		// The guard key as the Restart Client node resolves it.
		const { key } = await resolveRestartAccountKey({
			client,
			baseUrl: url,
			timeoutMs: 1000,
			numbers,
			leases,
		});
		const method = dockerRestartMethod({
			baseUrl: sim.urls.docker,
			container: 'napcat-bot',
			stopTimeoutSeconds: 0,
			request: fetchRequest,
			timeoutMs: 300,
		});
		return runRestart({
			accountKey: key,
			leases,
			method: 'docker',
			dryRun: false,
			request: (options) => method.restart(options),
			lastStartedAt: () => method.lastStartedAt!(),
			client,
			guard: { minIntervalMs: 60_000, maxPerHour: 0 },
			history: [],
			recovery: {
				deadlineMs: 400,
				initialDelayMs: 5,
				pollBaseMs: 5,
				pollCapMs: 20,
				checkTimeoutMs: 150,
				loginGraceMs: 0,
			},
			requestBudgetMs: 400,
			clock: Date.now,
			sleep,
		});
	};
	await Promise.all([restart(bot.http.replace('127.0.0.1', 'localhost')), restart(bot.http)]);
	const truth = await sim.control.groundTruth();
	const docker = (truth.restarts as Array<{ account: string; via: string }>).filter(
		(r) => r.account === 'bot' && r.via === 'docker',
	);
	expect(docker).toHaveLength(1);
});
