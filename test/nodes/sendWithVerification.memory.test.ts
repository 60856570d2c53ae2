/**
 * Send With Verification's message_id memory under overlap, the way n8n 2.41 treats static data: each run
 * loads the saved copy when it starts and writes it back whole when it ends, and a queue-mode worker starts
 * every execution from `{}`. Process memory is what holds; static data is a copy merged in on load.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { MESSAGE_IDS_KEPT, RecentIds, processMessageIds } from '../../core/runMemory';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';
import { runExecute } from '../support/n8nHarness';
import type { HarnessOptions } from '../support/n8nHarness';

const GROUP = 100200300;
let sim: Simulator;
let counter = 0;

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
});
beforeEach(async () => {
	// A fresh n8n process and a fresh client per test.
	processMessageIds.clear();
	await sim.control.reset();
});

type Stored = { node: IDataObject; global: IDataObject };
const emptyStore = (): Stored => ({ node: {}, global: {} });

interface Item {
	status: string;
	messageId: number;
	attempts: Array<{ outcome: string; reason?: string | null }>;
}

async function send(staticData: Stored, extra: Partial<HarnessOptions> = {}): Promise<Item> {
	counter += 1;
	const { bot } = sim.urls.accounts;
	const [delivered, failed] = await runExecute(new OneBotSendWithVerification(), {
		parameters: {
			targetType: 'group',
			targetId: String(GROUP),
			messageMode: 'text',
			text: `memory #${counter}`,
			verification: 'api',
			deadlineSeconds: 0.35,
			retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 100, accountBackoffMs: 40 },
			options: { pollIntervalMs: 40, minIntervalMs: 0 },
		},
		credentials: { oneBotApi: { baseUrl: bot.http, accessToken: bot.token } },
		items: [{ json: {} }],
		mode: 'trigger',
		workflow: { id: 'wf-ids', name: 'Send', active: true },
		staticData,
		...extra,
	});
	const items: INodeExecutionData[] = [...delivered, ...failed];
	expect(items).toHaveLength(1);
	return items[0].json as unknown as Item;
}

const outcomes = (item: Item) =>
	item.attempts.map((a) => (a.reason ? `${a.outcome}:${a.reason}` : a.outcome));

describe('Send With Verification: message_id memory in process memory', () => {
	it('flags a message_id repeated across two overlapping runs of an active workflow', async () => {
		// Both sends answer the same id (go-cqhttp under risk control, #38); both runs load the same saved copy.
		await sim.control.setFault({
			kind: 'repeated_message_id',
			count: 2,
			scope: { account: 'bot' },
		});
		const staticData = emptyStore();
		const [a, b] = await Promise.all([send(staticData), send(staticData)]);
		const firsts = [a, b].map((item) => outcomes(item)[0]).sort();
		expect(firsts).toEqual(['accepted', 'not_landed_after_check:duplicate_message_id']);
		expect(a.messageId).not.toBe(b.messageId);
	});

	it('flags a repeated message_id on a queue-mode worker, where every execution starts from empty static data', async () => {
		const first = await send(emptyStore());
		expect(outcomes(first)).toEqual(['accepted']);
		await sim.control.setFault({
			kind: 'repeated_message_id',
			count: 1,
			scope: { account: 'bot' },
		});
		const second = await send(emptyStore());
		expect(outcomes(second)).toEqual(['not_landed_after_check:duplicate_message_id', 'accepted']);
		expect(second.messageId).not.toBe(first.messageId);
	});

	it('merges the ids a stored copy offers, and saves the union', async () => {
		const first = await send(emptyStore());
		// Another process saved an id this one never saw; a run loading it keeps both.
		const { bot } = sim.urls.accounts;
		const stored = { node: { recentMessageIds: { [String(bot.selfId)]: [424242] } }, global: {} };
		await send(stored);
		const saved = (stored.node.recentMessageIds as Record<string, number[]>)[String(bot.selfId)];
		expect(saved).toEqual(expect.arrayContaining([424242, first.messageId]));
		expect(saved).toHaveLength(3);
	});

	it('keeps nothing between manual runs', async () => {
		await send(emptyStore(), { mode: 'manual' });
		expect(processMessageIds.size).toBe(0);
	});
});

describe('RecentIds', () => {
	it('keeps at most its limit, dropping the oldest', () => {
		const ids = new RecentIds(3);
		for (const id of [1, 2, 3, 4]) ids.add(id);
		expect([...ids]).toEqual([2, 3, 4]);
		expect(new RecentIds().limit).toBe(MESSAGE_IDS_KEPT);
	});
});
