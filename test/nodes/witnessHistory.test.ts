/**
 * Witness matching in a group that already has history, on every implementation and version the
 * simulator models. The reported failure (issue 13): on LLOneBot 4.0–4.6.1 (4.4.3 included)
 * `message_seq` is a short id (an md5 hash), not a server seq (docs/compatibility.md, table 'Witness matching': LLOneBot
 * src/onebot11/entities.ts). Comparing it with the baseline's highest "seq" called new messages old,
 * so a delivered message ended Not Delivered (`not_observed`) and was resent. A delivered message must
 * be Delivered once, whatever its id's value, and never resent.
 *
 * A busy group (issue 25): 30 messages arrive after ours before the witness reads, so its history must go past
 * the first page. NapCat and LLOneBot 4.0.0–4.0.8 page forward from an anchor (NapCatQQ #441, #987;
 * docs/compatibility.md, table 'Witness matching'): reading must still reach our message, by history alone.
 */
import { sleep } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { startSimulator, type ImplementationName, type Simulator } from '../../simulator';
import { flavourWorld } from '../support/worlds';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;
/** Dozens of earlier messages: more than one history page (20) of them. */
const HISTORY = 45;
const REPEATED = 'daily report';

const CASES: Array<[ImplementationName, string]> = [
	['llonebot', '3.28.0'],
	['llonebot', '4.0.5'],
	['llonebot', '4.4.3'],
	['llonebot', '4.6.2'],
	['llonebot', '5.0.0'],
	['llonebot', '7.0.1'],
	['napcat', '4.8.90'],
	['napcat', '4.10.32'],
	['gocq', 'v1.2.0'],
	['lagrange', '0.0.3'],
];

interface InboxEntry {
	text: string;
}

describe.each(CASES)('%s %s: a group with dozens of earlier messages', (flavour, version) => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator(flavourWorld(flavour, version));
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(async () => {
		await sim.control.reset();
		// History from the other member and from the bot itself, including earlier copies of the text
		// about to be sent again, spread over more than one history page.
		for (let i = 0; i < HISTORY; i++) {
			const from = i % 3 === 0 ? 'bot' : 'friend';
			const text = i === 4 || i === 30 ? REPEATED : `earlier message ${i}`;
			await sim.control.inject(from, { groupId: GROUP }, text);
		}
		await sleep(120);
	});

	async function copies(text: string): Promise<number> {
		await sleep(60);
		const truth = (await sim.control.groundTruth()) as {
			accounts: Record<string, { inbox: InboxEntry[] }>;
		};
		return truth.accounts.witness.inbox.filter((entry) => entry.text === text).length;
	}

	test('delivered messages are Delivered once by the witness, never resent', async () => {
		const texts = [REPEATED, 'fresh one', 'fresh two', 'fresh three', 'fresh four', 'fresh five'];
		const before = await copies(REPEATED);
		expect(before).toBe(2);
		const { bot, witness } = sim.urls.accounts;
		const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
			credentials: {
				oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
				oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token },
			},
			items: texts.map((text) => ({ json: { text } })),
			parameters: (itemIndex: number): IDataObject => ({
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				text: texts[itemIndex],
				verification: 'witness',
				deadlineSeconds: 0.5,
				retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 100, accountBackoffMs: 40 },
				options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
			}),
		});
		expect(
			notDelivered.map((item) => [item.json.reason, (item.json.evidence as IDataObject)?.summary]),
		).toEqual([]);
		expect(delivered).toHaveLength(texts.length);
		for (const item of delivered) {
			expect(item.json).toMatchObject({ status: 'delivered', reason: null });
			expect(
				(item.json.attempts as Array<{ outcome: string }>).map((attempt) => attempt.outcome),
			).toEqual(['accepted']);
		}
		expect(await copies(REPEATED)).toBe(before + 1);
		for (const text of texts.slice(1)) expect(await copies(text)).toBe(1);
		const sends = (await sim.control.calls({
			account: 'bot',
			action: 'send_group_msg',
		})) as unknown[];
		expect(sends).toHaveLength(texts.length);
	});

	test('a message that never arrived is not matched to an earlier identical one', async () => {
		await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const { bot, witness } = sim.urls.accounts;
		const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
			credentials: {
				oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
				oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token },
			},
			parameters: {
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				text: REPEATED,
				verification: 'witness',
				deadlineSeconds: 0.3,
				retry: { maxAttempts: 1, backoffMs: 20, backoffCapMs: 100, accountBackoffMs: 40 },
				options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
			},
		});
		expect(delivered).toHaveLength(0);
		expect(notDelivered).toHaveLength(1);
		expect(notDelivered[0].json).toMatchObject({ status: 'failed', reason: 'not_observed' });
		expect(await copies(REPEATED)).toBe(2);
	});

	test('a busy group: 30 messages after ours before the witness reads; found by history alone, sent once', async () => {
		// The send is answered with a timeout after 600 ms although it arrived at once; meanwhile the group fills up.
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { afterMs: 600 },
		});
		const text = 'busy group report';
		const { bot, witness } = sim.urls.accounts;
		const running = runExecute(new OneBotSendWithVerification(), {
			credentials: {
				oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
				oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token },
			},
			parameters: {
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				text,
				verification: 'witness',
				deadlineSeconds: 0.8,
				retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 100, accountBackoffMs: 40 },
				options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
			},
		});
		// Once our message is in the witness's store, 30 more arrive (the send is still waiting for its answer).
		for (let i = 0; i < 50 && (await copies(text)) === 0; i++) await sleep(5);
		for (let i = 0; i < 30; i++)
			await sim.control.inject('friend', { groupId: GROUP }, `later message ${i}`);
		const [delivered, notDelivered] = await running;
		expect(notDelivered.map((item) => item.json.reason)).toEqual([]);
		expect(delivered).toHaveLength(1);
		expect(
			(delivered[0].json.attempts as Array<{ outcome: string }>).map((attempt) => attempt.outcome),
		).toEqual(['landed_after_check']);
		expect(await copies(text)).toBe(1);
		const sends = (await sim.control.calls({
			account: 'bot',
			action: 'send_group_msg',
		})) as unknown[];
		expect(sends).toHaveLength(1);
	});
});
