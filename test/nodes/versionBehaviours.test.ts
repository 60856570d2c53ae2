/**
 * Send With Verification against the simulator playing one implementation at one version, for what differs by
 * version (issue 25): self messages that are not a kernel confirmation (LLOneBot before 4.0.12), history that
 * pages forward (NapCat, LLOneBot 4.0.0–4.0.8), a rejection without a result code (LLOneBot 4.0.0–4.0.11),
 * go-cqhttp's private `请参考 go-cqhttp 端输出` and `blocked by server`, and what Kernel Confirmed proves where
 * there is no QQNT kernel (go-cqhttp, Lagrange). Sources: docs/compatibility.md.
 */
import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import type { ImplementationName } from '../../simulator';
import { flavourWorld, sharedSimulator } from '../support/worlds';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;
const KERNEL_TIMEOUT_MS = 120;

type Item = IDataObject & {
	status: string;
	reason: string | null;
	reasonClass?: string;
	attempts: Array<{ outcome: string; reason: string | null }>;
	evidence: IDataObject & { basis?: string; summary?: string; check?: IDataObject };
};

function only(items: INodeExecutionData[]): Item {
	expect(items).toHaveLength(1);
	return items[0].json as Item;
}

let counter = 0;
const text = (label: string) => `${label} #${++counter}`;

function suite(flavour: ImplementationName, version: string, selfReporting = true) {
	const sim = sharedSimulator(flavourWorld(flavour, version), (running) => {
		running.world.account('bot').cfg.reportSelfMessage = selfReporting;
	});

	function credentials(options: { events?: boolean; witness?: boolean } = {}) {
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

	async function sends(action = 'send_group_msg'): Promise<number> {
		return (await sim.control.calls({ account: 'bot', action })).length;
	}

	return { sim, run, copies, sends };
}

describe('LLOneBot 3.28.0: the self message is pushed when the record is added, before the kernel confirms', () => {
	const { sim, run, copies, sends } = suite('llonebot', '3.28.0');

	test('Kernel Confirmed: a stuck send is not confirmed by its self message; not_confirmed says which version can', async () => {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const message = text('stuck 3.28');
		const { delivered, notDelivered } = await run(message);
		expect(delivered).toHaveLength(0);
		const item = only(notDelivered);
		expect(item).toMatchObject({ status: 'failed', reason: 'not_confirmed' });
		expect(item.evidence.check).toMatchObject({ kernel: { status: 'not_confirmed' } });
		const note = String((item.evidence.check as { kernel: { note: string } }).kernel.note);
		expect(note).toContain('LLOneBot 3.28.0');
		expect(note).toContain('LLOneBot 4.0.12');
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(0);
	});

	test('Witness: a stuck send that never arrived is checked by the witness and resent once, not called Delivered', async () => {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' }, count: 1 });
		const message = text('witness 3.28');
		const { delivered, notDelivered } = await run(
			message,
			{ verification: 'witness' },
			{ witness: true },
		);
		expect(notDelivered).toHaveLength(0);
		const item = only(delivered);
		expect(item.attempts.map((attempt) => attempt.outcome)).toEqual([
			'not_landed_after_check',
			'accepted',
		]);
		expect(item.evidence.check).toMatchObject({ by: 'witness', result: 'not_landed' });
		expect(await copies(message)).toBe(1);
	});
});

describe('LLOneBot 4.0.12: the self message means sendStatus 2', () => {
	const { sim, run, copies, sends } = suite('llonebot', '4.0.12');

	test('a timed-out send confirmed late ends Delivered by its self message, sent once', async () => {
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			params: { lateAfterMs: KERNEL_TIMEOUT_MS + 150 },
		});
		const message = text('late 4.0.12');
		const { delivered } = await run(message);
		const item = only(delivered);
		expect(item.evidence.basis).toBe('landed_after_check');
		expect(item.evidence.check).toMatchObject({
			kernel: { status: 'confirmed', via: 'self_event' },
		});
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(1);
	});

	test('a stuck send is not confirmed (no self message before status 2)', async () => {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const { notDelivered } = await run(text('stuck 4.0.12'));
		expect(only(notDelivered)).toMatchObject({ reason: 'not_confirmed' });
	});
});

describe('LLOneBot 4.0.5: a kernel rejection quotes errMsg only', () => {
	const { sim, run, sends } = suite('llonebot', '4.0.5');

	test('removed from the group: not_in_group, terminal, sent once', async () => {
		await sim.control.setFault({ kind: 'not_in_group', scope: { account: 'bot' } });
		const { notDelivered } = await run(text('removed 4.0.5'), { verification: 'api' });
		const item = only(notDelivered);
		expect(item).toMatchObject({ reason: 'not_in_group', reasonClass: 'terminal' });
		expect(await sends()).toBe(1);
	});
});

describe.each([
	['gocq', 'v1.2.0'],
	['lagrange', '0.0.3'],
] as Array<[ImplementationName, string]>)(
	'%s %s: Kernel Confirmed says what an ok answer proves',
	(flavour, version) => {
		const { run } = suite(flavour, version);

		test('an ok answer is API accepted, not a kernel confirmation', async () => {
			const { delivered } = await run(text(`ok ${flavour}`));
			const item = only(delivered);
			expect(item.evidence.basis).toBe('api_accepted');
			expect(item.evidence.summary).toContain('The API accepted the message');
			expect(item.evidence.summary).not.toContain('kernel confirmed');
		});
	},
);

describe('go-cqhttp v1.2.0: private 请参考 go-cqhttp 端输出 and group blocked by server', () => {
	const { sim, run, sends } = suite('gocq', 'v1.2.0');

	test('a private failure is ambiguous api_error, never not_friend, and leaves the breaker closed', async () => {
		await sim.control.setFault({
			kind: 'risk_control',
			scope: { account: 'bot', messageType: 'private' },
		});
		const { notDelivered } = await run(text('private gocq'), {
			targetType: 'private',
			targetId: '10003',
			verification: 'api',
			retry: { maxAttempts: 1, backoffMs: 20, backoffCapMs: 60, accountBackoffMs: 40 },
		});
		const item = only(notDelivered);
		expect(item).toMatchObject({ reason: 'api_error', reasonClass: 'ambiguous' });
		expect(item.attempts[0]).toMatchObject({
			raw: expect.objectContaining({
				msg: 'SEND_MSG_API_ERROR',
				wording: '请参考 go-cqhttp 端输出',
			}),
		});
		expect((item.evidence.breaker as IDataObject).state).toBe('closed');
		expect(await sends('send_private_msg')).toBe(1);
	});

	test('one group blocked by server does not open the account breaker', async () => {
		await sim.control.setFault({ kind: 'risk_control', scope: { account: 'bot' } });
		const { notDelivered } = await run(text('blocked gocq'), {
			verification: 'api',
			retry: { maxAttempts: 1, backoffMs: 20, backoffCapMs: 60, accountBackoffMs: 40 },
		});
		const item = only(notDelivered);
		expect(item).toMatchObject({ reason: 'risk_control', reasonClass: 'ambiguous' });
		expect((item.evidence.breaker as IDataObject).state).toBe('closed');
	});
});
