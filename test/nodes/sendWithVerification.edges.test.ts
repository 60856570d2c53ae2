/**
 * Send With Verification at the edges of a run (issue #23, suspected items): one item that ends with an error
 * (a bug, a stop) while the others failed normally (with Continue On Fail off the node fails, but only after
 * the other items' failure reports went out); and waits that lost a race (a breaker that closed while an item
 * slept) end with the run instead of ticking on after it.
 */
import type { IDataObject } from 'n8n-workflow';
import * as workflow from 'n8n-workflow';
import { DeliveryEngine } from '../../core/delivery';
import type { DeliveryOutcome, DeliveryRequest } from '../../core/delivery';
import { parseFailureEvent } from '../../core/report';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { reportReceiver } from '../simulator/helpers';
import { flavourWorld, sharedSimulator } from '../support/worlds';
import { runExecute } from '../support/n8nHarness';

// Every n8n sleep the node starts is counted (the timers it owns).
jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual('n8n-workflow');
	return { ...actual, sleep: jest.fn(actual.sleep) };
});

const GROUP = 100200300;
const SECRET = 'edges-report-secret';

describe('one item crashes, the others failed (Continue On Fail off)', () => {
	const sim = sharedSimulator(flavourWorld('napcat', '4.10.32'));

	afterEach(() => jest.restoreAllMocks());

	function credentials(reportUrl: string): Record<string, IDataObject> {
		const { bot } = sim.urls.accounts;
		return {
			oneBotApi: {
				baseUrl: bot.http,
				accessToken: bot.token,
				reportUrl,
				reportSecret: SECRET,
			},
		};
	}

	/** The first item's outcome becomes an error, as a bug or a stop inside that item would leave it. */
	function crashFirstItem() {
		const original = DeliveryEngine.prototype.deliverEach;
		jest.spyOn(DeliveryEngine.prototype, 'deliverEach').mockImplementation(async function (
			this: DeliveryEngine,
			requests: DeliveryRequest[],
		) {
			const outcomes: DeliveryOutcome[] = await original.call(this, requests);
			outcomes[0] = { ok: false, error: new Error('something broke inside item 0') };
			return outcomes;
		});
	}

	test('the node fails, and every other failed item was reported first', async () => {
		const receiver = await reportReceiver();
		try {
			await sim.control.setFault({ kind: 'not_in_group', scope: { account: 'bot' } });
			crashFirstItem();
			const run = runExecute(new OneBotSendWithVerification(), {
				credentials: credentials(receiver.url),
				parameters: (itemIndex) => ({
					targetType: 'group',
					targetId: String(GROUP),
					messageMode: 'text',
					text: `item ${itemIndex}`,
					verification: 'api',
					retry: { maxAttempts: 1 },
					options: { minIntervalMs: 0 },
				}),
				items: [{ json: {} }, { json: {} }, { json: {} }],
			});
			await expect(run).rejects.toThrow(/something broke inside item 0/);
			const reported = receiver.got.map(({ body }) => parseFailureEvent(JSON.parse(body)));
			expect(reported.map((event) => event.reason).sort()).toEqual([
				'not_in_group',
				'not_in_group',
			]);
			expect(reported.map((event) => String(event.message?.[0]?.data.text)).sort()).toEqual([
				'item 1',
				'item 2',
			]);
		} finally {
			await receiver.close();
		}
	});
});

describe('waits that lost a race end with the run', () => {
	const sim = sharedSimulator(flavourWorld('napcat', '4.10.32'));

	test('an item woken early by the breaker closing leaves no timer ticking after the run ended', async () => {
		const { bot } = sim.urls.accounts;
		const parameters = (itemIndex: number) => ({
			targetType: 'group',
			targetId: String(GROUP),
			messageMode: 'text',
			text: `held ${itemIndex}`,
			verification: 'api',
			retry: { maxAttempts: 1 },
			options: {
				minIntervalMs: 0,
				breakerThreshold: 1,
				breakerCoolDownSeconds: 0.5,
				breakerHoldSeconds: 30,
				reportFailures: false,
			},
		});
		const node = new OneBotSendWithVerification();
		const credentials = { oneBotApi: { baseUrl: bot.http, accessToken: bot.token } };
		// A stuck client opens the breaker (threshold 1).
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' }, count: 1 });
		await runExecute(node, { credentials, parameters, items: [{ json: {} }] });
		// Three items held: the first makes the trial, which closes the breaker and wakes the others mid-sleep.
		const [delivered] = await runExecute(node, {
			credentials,
			parameters,
			items: [{ json: {} }, { json: {} }, { json: {} }],
		});
		expect(delivered).toHaveLength(3);
		const sleep = workflow.sleep as unknown as jest.Mock;
		const atEnd = sleep.mock.calls.length;
		await jest.requireActual<typeof workflow>('n8n-workflow').sleep(1500);
		expect(sleep.mock.calls.length - atEnd).toBe(0);
	});
});
