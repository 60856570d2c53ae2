/**
 * Send With Verification evaluates its parameters per item, as n8n users expect: verification, deadline and
 * retry follow each item's expression; settings one run must share (pacing, timeouts, event streams) fail
 * clearly when items differ. A witness level without a witness credential names the one-account option.
 * Real expressions through n8n-core's engine, over real HTTP against the OneBot simulator.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { flavourWorld, sharedSimulator } from '../support/worlds';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;

type Out = IDataObject & {
	verification: string;
	attempts: IDataObject[];
	evidence: IDataObject & { basis?: string; summary?: string };
	error?: string;
};

const sim = sharedSimulator(flavourWorld('napcat', '4.8.95'));

function credentials(witness = true): Record<string, IDataObject> {
	const { bot, witness: w } = sim.urls.accounts;
	return {
		oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
		...(witness ? { oneBotWitnessApi: { baseUrl: w.http, accessToken: w.token } } : {}),
	};
}

/** Parameters whose per-item fields are n8n expressions over the item's JSON. */
function expressionParameters(overrides: IDataObject = {}): IDataObject {
	return {
		targetType: 'group',
		targetId: String(GROUP),
		messageMode: 'text',
		text: '={{ $json.text }}',
		verification: '={{ $json.verification }}',
		deadlineSeconds: '={{ $json.deadline }}',
		retry: { maxAttempts: '={{ $json.attempts }}', backoffMs: 10, backoffCapMs: 20 },
		options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
		...overrides,
	};
}

async function run(
	items: IDataObject[],
	parameters: IDataObject,
	options: { witness?: boolean; continueOnFail?: boolean } = {},
) {
	const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
		parameters,
		credentials: credentials(options.witness !== false),
		items: items.map((json) => ({ json })),
		continueOnFail: options.continueOnFail,
	});
	return { delivered, notDelivered };
}

/** How long after the send the witness watched the last attempt's message before giving up. */
function watchedMs(item: Out): number {
	return (item.evidence.witness as { checkedUntilMs: number }).checkedUntilMs;
}

const byItem = (outputs: INodeExecutionData[]) =>
	Object.fromEntries(
		outputs.map((out) => [(out.pairedItem as { item: number }).item, out.json as Out]),
	);

describe('parameters per item', () => {
	test('verification, deadline and retry follow each item’s expression', async () => {
		// The bot's group sends are accepted but never arrive: only the witness level can tell.
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const { delivered, notDelivered } = await run(
			[
				{ text: 'per item A', verification: 'api', deadline: 5, attempts: 1 },
				{ text: 'per item B', verification: 'witness', deadline: 0.2, attempts: 1 },
				{ text: 'per item C', verification: 'witness', deadline: 2, attempts: 2 },
			],
			expressionParameters(),
		);
		const ok = byItem(delivered);
		const failed = byItem(notDelivered);
		expect(Object.keys(ok)).toEqual(['0']);
		expect(Object.keys(failed).sort()).toEqual(['1', '2']);
		expect(ok[0]).toMatchObject({ verification: 'api', evidence: { basis: 'api_accepted' } });
		expect(ok[0].attempts).toHaveLength(1);
		expect(failed[1]).toMatchObject({ verification: 'witness', reason: 'not_observed' });
		expect(failed[2]).toMatchObject({ verification: 'witness', reason: 'not_observed' });
		// Retry per item: one attempt for B, two for C.
		expect(failed[1].attempts).toHaveLength(1);
		expect(failed[2].attempts).toHaveLength(2);
		// Deadline per item: the witness watched each message at least its own item's deadline, and B's
		// watch ended long before C's deadline (0.2 s against 2 s).
		expect(watchedMs(failed[1])).toBeGreaterThanOrEqual(200);
		expect(watchedMs(failed[1])).toBeLessThan(2000);
		expect(watchedMs(failed[2])).toBeGreaterThanOrEqual(2000);
		const sends = (await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as [];
		expect(sends).toHaveLength(4);
	});

	test('a setting the run shares fails naming the item and the field when items differ', async () => {
		const parameters = expressionParameters({
			verification: 'api',
			deadlineSeconds: 5,
			retry: { maxAttempts: 1 },
			options: {
				pollIntervalMs: 40,
				minIntervalMs: '={{ $json.gap }}',
				requestTimeoutMs: 2000,
			},
		});
		const items = [
			{ text: 'shared A', gap: 0 },
			{ text: 'shared B', gap: 500 },
		];
		await expect(run(items, parameters)).rejects.toThrow(
			/^Item 1: "Minimum Interval \(Ms\)" \(options\.minIntervalMs\) is shared by every item of a run/,
		);
		const { delivered, notDelivered } = await run(items, parameters, { continueOnFail: true });
		expect(Object.keys(byItem(delivered))).toEqual(['0']);
		const refused = byItem(notDelivered)[1];
		expect(refused.error).toMatch(/options\.minIntervalMs/);
		// The run that failed sent nothing; the continueOnFail run sent item 0 only.
		const sends = (await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as [];
		expect(sends).toHaveLength(1);
	});

	test('witness verification without a witness credential names Kernel Confirmed, item by item', async () => {
		const items = [
			{ text: 'one account A', verification: 'witness', deadline: 1, attempts: 1 },
			{ text: 'one account B', verification: 'kernel', deadline: 1, attempts: 1 },
		];
		await expect(run(items, expressionParameters(), { witness: false })).rejects.toThrow(
			/^Item 0: .*Kernel Confirmed/,
		);
		const { delivered, notDelivered } = await run(items, expressionParameters(), {
			witness: false,
			continueOnFail: true,
		});
		const refused = byItem(notDelivered)[0];
		expect(refused).toMatchObject({ verification: 'witness', reason: 'bad_request' });
		expect(refused.error).toMatch(/Kernel Confirmed/);
		// The level the user chose is kept: the witness item is refused, not silently downgraded.
		expect(byItem(delivered)[1]).toMatchObject({ verification: 'kernel' });
		const sends = (await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as [];
		expect(sends).toHaveLength(1);
	});

	test('a failure of the whole node under Continue On Fail puts every item on Not Delivered, not Delivered', async () => {
		// n8n 2.41 (n8n-core WorkflowExecute.handleNodeExecutionError): when a node throws as a whole and
		// continues on error, n8n hands its input items to the first output, which here is Delivered.
		const parameters = expressionParameters({
			options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: -5 },
		});
		const items = [
			{ text: 'whole node A', verification: 'api', deadline: 1, attempts: 1 },
			{ text: 'whole node B', verification: 'api', deadline: 1, attempts: 1 },
		];
		await expect(run(items, parameters)).rejects.toThrow(/requestTimeoutMs/);
		const { delivered, notDelivered } = await run(items, parameters, { continueOnFail: true });
		expect(delivered).toEqual([]);
		const refused = byItem(notDelivered);
		expect(Object.keys(refused)).toEqual(['0', '1']);
		for (const item of Object.values(refused)) {
			expect(item).toMatchObject({
				status: 'failed',
				reason: 'bad_request',
				reasonClass: 'terminal',
			});
			expect(item.error).toMatch(/requestTimeoutMs/);
		}
		const sends = (await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as [];
		expect(sends).toHaveLength(0);
	});
});
