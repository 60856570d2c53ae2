/**
 * Send With Verification, Kernel Confirmed and the check after a timed-out send against the sender's own
 * confirmations (core/kernel.ts): a late confirmation ends Delivered without a resend, a send never
 * confirmed (status 1 for good, NOSEQ, self-reporting off) ends not_confirmed without a resend, and
 * LLOneBot's debug raw records confirm or refute without an event stream. Over real HTTP and WebSocket
 * against the OneBot simulator (simulator/kernel.ts).
 */
import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import type { DeliveryResult } from '../../core/types';
import {
	defaultWorld,
	startSimulator,
	type ImplementationName,
	type Simulator,
} from '../../simulator';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;
const KERNEL_TIMEOUT_MS = 120;

type Item = DeliveryResult & {
	evidence: Record<string, Record<string, unknown>> & {
		basis?: string;
		summary?: string;
		resend?: string;
	};
};

function only(items: INodeExecutionData[]): Item {
	expect(items).toHaveLength(1);
	return items[0].json as unknown as Item;
}

describe('Kernel Confirmed: the sender’s own confirmation, late or not', () => {
	let sim: Simulator;
	let counter = 0;
	const text = (label: string) => `${label} #${++counter}`;

	beforeAll(async () => {
		sim = await startSimulator({
			...defaultWorld(),
			kernelTimeoutMs: KERNEL_TIMEOUT_MS,
			deliveryDelayMs: 15,
			heartbeatIntervalMs: 60000,
		});
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(async () => {
		await sim.control.reset();
		await sim.control.setFlavour('bot', 'napcat', '4.10.32');
		const bot = sim.world.account('bot');
		bot.cfg.reportSelfMessage = true;
		bot.cfg.debug = false;
	});

	async function use(
		flavour: ImplementationName,
		version: string,
		settings: { reportSelfMessage?: boolean; debug?: boolean } = {},
	) {
		await sim.control.setFlavour('bot', flavour, version);
		Object.assign(sim.world.account('bot').cfg, settings);
	}

	function credentials(
		options: { events?: boolean; witness?: boolean } = {},
	): Record<string, IDataObject> {
		const { bot, witness } = sim.urls.accounts;
		const result: Record<string, IDataObject> = {
			oneBotApi: {
				baseUrl: bot.http,
				accessToken: bot.token,
				...(options.events === false ? {} : { wsUrl: bot.ws }),
			},
		};
		if (options.witness)
			result.oneBotWitnessApi = { baseUrl: witness.http, accessToken: witness.token };
		return result;
	}

	async function run(
		message: string,
		overrides: IDataObject = {},
		credentialOptions: { events?: boolean; witness?: boolean } = {},
	) {
		const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
			credentials: credentials(credentialOptions),
			parameters: {
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				text: message,
				verification: 'kernel',
				deadlineSeconds: 0.6,
				retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 60, accountBackoffMs: 40 },
				options: { pollIntervalMs: 50, minIntervalMs: 0, requestTimeoutMs: 3000 },
				...overrides,
			},
		});
		return { delivered, notDelivered };
	}

	async function copies(message: string, account = 'witness'): Promise<number> {
		await sleep(80);
		const truth = (await sim.control.groundTruth()) as {
			accounts: Record<string, { inbox: Array<{ text: string }> }>;
		};
		return truth.accounts[account].inbox.filter((entry) => entry.text === message).length;
	}

	async function sends(): Promise<number> {
		return (await sim.control.calls({ account: 'bot', action: 'send_group_msg' })).length;
	}

	test('an ok answer is the kernel’s confirmation: Delivered at once, no second account, no wait', async () => {
		const message = text('plain');
		const { delivered, notDelivered } = await run(message);
		expect(notDelivered).toHaveLength(0);
		const item = only(delivered);
		expect(item).toMatchObject({ status: 'delivered', verification: 'kernel', reason: null });
		expect(item.evidence.basis).toBe('kernel_confirmed');
		expect(item.evidence.summary).toContain('only a witness can prove');
		expect(await copies(message)).toBe(1);
	});

	test.each(['napcat', 'llonebot'] as const)(
		'%s: a timed-out send confirmed late (1 -> 2) ends Delivered by its self message, sent once',
		async (flavour) => {
			await use(flavour, flavour === 'napcat' ? '4.10.32' : '7.0.1', { reportSelfMessage: true });
			await sim.control.setFault({
				kind: 'timeout_delivered',
				scope: { account: 'bot' },
				params: { lateAfterMs: KERNEL_TIMEOUT_MS + 200 },
			});
			const message = text(`late ${flavour}`);
			const { delivered, notDelivered } = await run(message);
			expect(notDelivered).toHaveLength(0);
			const item = only(delivered);
			expect(item.attempts).toEqual([
				expect.objectContaining({ outcome: 'landed_after_check', reason: 'send_timeout' }),
			]);
			expect(item.evidence.basis).toBe('landed_after_check');
			expect(item.evidence.check).toMatchObject({
				by: 'kernel',
				result: 'landed',
				kernel: { status: 'confirmed', via: 'self_event' },
			});
			expect(item.evidence.summary).toContain('the kernel confirmed it late');
			expect(await sends()).toBe(1);
			expect(await copies(message)).toBe(1);
		},
	);

	test('never confirmed (the record stays in status 1): Not Delivered not_confirmed, not resent', async () => {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const message = text('stuck');
		const { delivered, notDelivered } = await run(message);
		expect(delivered).toHaveLength(0);
		const item = only(notDelivered);
		expect(item).toMatchObject({
			status: 'failed',
			reason: 'not_confirmed',
			reasonClass: 'ambiguous',
			verification: 'kernel',
		});
		expect(item.attempts).toEqual([
			expect.objectContaining({ outcome: 'failed', reason: 'send_timeout' }),
		]);
		expect(item.evidence.check).toMatchObject({
			result: 'unknown',
			kernel: { status: 'not_confirmed', eventStream: 'open' },
		});
		expect(item.evidence.resend).toContain('not resent');
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(0);
	});

	test('NOSEQ (status 3): no self message is ever pushed, so not_confirmed and not resent', async () => {
		await sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot' },
			params: { lateStatus: 3, lateAfterMs: KERNEL_TIMEOUT_MS + 100 },
		});
		const message = text('noseq');
		const { notDelivered } = await run(message);
		const item = only(notDelivered);
		expect(item).toMatchObject({ reason: 'not_confirmed', reasonClass: 'ambiguous' });
		expect(item.evidence.check).toMatchObject({ kernel: { status: 'not_confirmed' } });
		expect(await sends()).toBe(1);
	});

	test('self-reporting off: a late confirmation cannot be seen; not_confirmed names it, and nothing is resent', async () => {
		sim.world.account('bot').cfg.reportSelfMessage = false;
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			params: { lateAfterMs: KERNEL_TIMEOUT_MS + 100 },
		});
		const message = text('reporting off');
		const { notDelivered } = await run(message);
		const item = only(notDelivered);
		expect(item).toMatchObject({ reason: 'not_confirmed' });
		const kernel = (item.evidence.check as { kernel: { selfEventsSeen: number; note: string } })
			.kernel;
		expect(kernel.selfEventsSeen).toBe(0);
		expect(kernel.note).toContain('self-reporting may be off');
		expect(await sends()).toBe(1);
		// It did arrive: only a not-confirmed verdict, never a duplicate.
		expect(await copies(message)).toBe(1);
	});

	test('LLOneBot with debug and no event stream: the raw record with sendStatus 2 confirms a late send', async () => {
		await use('llonebot', '7.0.1', { reportSelfMessage: false, debug: true });
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			params: { lateAfterMs: KERNEL_TIMEOUT_MS + 150 },
		});
		const message = text('raw record');
		const { delivered } = await run(message, {}, { events: false });
		const item = only(delivered);
		expect(item.evidence.check).toMatchObject({
			by: 'kernel',
			kernel: { status: 'confirmed', via: 'raw_record' },
		});
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(1);
	});

	test('LLOneBot with debug: a record the kernel failed (status 0) allows the resend, which is confirmed', async () => {
		await use('llonebot', '7.0.1', { reportSelfMessage: false, debug: true });
		await sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { lateStatus: 0, lateAfterMs: KERNEL_TIMEOUT_MS + 50 },
		});
		const message = text('failed in kernel');
		const { delivered } = await run(message, {}, { events: false });
		const item = only(delivered);
		expect(item.attempts.map((attempt) => attempt.outcome)).toEqual([
			'not_landed_after_check',
			'accepted',
		]);
		expect(item.evidence.check).toMatchObject({
			by: 'kernel',
			result: 'not_landed',
			kernel: { status: 'failed_in_kernel' },
		});
		expect(await sends()).toBe(2);
		expect(await copies(message)).toBe(1);
	});

	test('at the Sender Lookup level too, a late self message ends Delivered without a resend', async () => {
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			params: { lateAfterMs: KERNEL_TIMEOUT_MS + 150 },
		});
		const message = text('lookup late');
		const { delivered } = await run(message, { verification: 'lookup' });
		const item = only(delivered);
		expect(item).toMatchObject({ verification: 'lookup' });
		expect(item.evidence.check).toMatchObject({ by: 'kernel', kernel: { via: 'self_event' } });
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(1);
	});

	test('at the Witness level, a send never confirmed is still checked by the witness and resent only when it is absent', async () => {
		await sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { storedForSender: false },
		});
		const message = text('witness resend');
		const { delivered } = await run(message, { verification: 'witness' }, { witness: true });
		const item = only(delivered);
		expect(item.attempts.map((attempt) => attempt.outcome)).toEqual([
			'not_landed_after_check',
			'accepted',
		]);
		expect(item.evidence.check).toMatchObject({
			by: 'witness',
			result: 'not_landed',
			kernel: { status: 'not_confirmed' },
		});
		expect(await copies(message)).toBe(1);
	});
});
