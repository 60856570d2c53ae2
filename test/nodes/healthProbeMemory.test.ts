/**
 * Health Probe hysteresis under overlap, the way n8n 2.41 treats static data: each run loads the saved copy
 * when it starts and writes it back whole when it ends (last writer wins), and a queue-mode worker starts
 * every execution from `{}`. Process memory is what holds; static data is a copy merged in on load.
 */
import type { IDataObject } from 'n8n-workflow';
import { OneBotHealthProbe } from '../../nodes/OneBotHealthProbe/OneBotHealthProbe.node';
import { BoundedRegistry, processProbeMemory } from '../../core/runMemory';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';
import { runExecute } from '../support/n8nHarness';
import type { HarnessOptions } from '../support/n8nHarness';

const node = new OneBotHealthProbe();
let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
});
beforeEach(async () => {
	// A fresh n8n process per test.
	processProbeMemory.clear();
	await sim.control.clearFaults();
});

type Stored = { node: IDataObject; global: IDataObject };

async function probe(staticData: Stored, extra: Partial<HarnessOptions> = {}) {
	const bot = sim.urls.accounts.bot;
	const [healthy, unhealthy] = await runExecute(node, {
		credentials: { oneBotApi: { baseUrl: bot.http, accessToken: bot.token } },
		parameters: { canary: 'none' },
		mode: 'trigger',
		workflow: { id: 'wf-memory', name: 'Probe', active: true },
		staticData,
		...extra,
	});
	return (healthy[0] ?? unhealthy[0]).json as IDataObject as {
		state: string;
		changed: boolean;
		observedState: string;
	};
}

const emptyStore = (): Stored => ({ node: {}, global: {} });

describe('Health Probe node: hysteresis in process memory', () => {
	it('counts two overlapping runs of an active workflow toward the failure threshold', async () => {
		const staticData = emptyStore();
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		// Both start from the same saved copy (nothing yet) and write back whole when they end.
		const overlapping = await Promise.all([probe(staticData), probe(staticData)]);
		expect(overlapping.map((json) => [json.observedState, json.state])).toEqual([
			['down', 'up'],
			['down', 'up'],
		]);
		// Third consecutive failure: down (default threshold 3), reported as a change exactly once.
		const third = await probe(staticData);
		expect(third).toMatchObject({ state: 'down', changed: true });
		// The saved copy holds all three results, whichever run wrote last.
		const history = Object.values(staticData.node.probeHistory as IDataObject)[0] as {
			recent: string[];
		};
		expect(history.recent).toEqual(['down', 'down', 'down']);
	});

	it('holds on a queue-mode worker, where every execution starts from empty static data', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const states: Array<[string, boolean]> = [];
		for (let i = 0; i < 3; i++) {
			const json = await probe(emptyStore());
			states.push([json.state, json.changed]);
		}
		expect(states).toEqual([
			['up', false],
			['up', false],
			['down', true],
		]);
	});

	it("merges a newer stored copy (another process's later runs) instead of ignoring it", async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		const staticData = emptyStore();
		await probe(staticData); // this process: one failure
		const key = Object.keys(staticData.node.probeHistory as IDataObject)[0];
		const later = new Date(Date.now() + 1000).toISOString();
		// Meanwhile another worker saw two more failures and saved them.
		const elsewhere = {
			node: {
				probeHistory: {
					[key]: { state: 'up', recent: ['down', 'down'], changedAt: null, updatedAt: later },
				},
			},
			global: {},
		};
		const json = await probe(elsewhere);
		expect(json).toMatchObject({ state: 'down', changed: true });
	});

	it('keeps each workflow and each node apart', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		for (let i = 0; i < 2; i++) await probe(emptyStore());
		const otherWorkflow = await probe(emptyStore(), {
			workflow: { id: 'wf-other', name: 'Other', active: true },
		});
		expect(otherWorkflow).toMatchObject({ state: 'up', changed: false });
		const third = await probe(emptyStore());
		expect(third).toMatchObject({ state: 'down', changed: true });
	});

	it('keeps nothing for manual runs', async () => {
		await sim.control.setFault({ kind: 'online_false', scope: { account: 'bot' } });
		for (let i = 0; i < 3; i++) await probe(emptyStore(), { mode: 'manual' });
		expect(processProbeMemory.size).toBe(0);
	});
});

describe('BoundedRegistry', () => {
	it('holds at most maxKeys keys, evicting the least recently used', () => {
		const registry = new BoundedRegistry<number>(3);
		registry.set('a', 1);
		registry.set('b', 2);
		registry.set('c', 3);
		expect(registry.get('a')).toBe(1); // a is now the most recent
		registry.set('d', 4);
		expect(registry.size).toBe(3);
		expect(registry.get('b')).toBeUndefined();
		expect([registry.get('a'), registry.get('c'), registry.get('d')]).toEqual([1, 3, 4]);
	});
});
