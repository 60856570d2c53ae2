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
import type { ImplementationName, WorldConfig } from '../../simulator';
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

function suite(
	flavour: ImplementationName,
	version: string,
	selfReporting = true,
	extra: Partial<WorldConfig> = {},
) {
	const sim = sharedSimulator(flavourWorld(flavour, version, extra), (running) => {
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

describe('go-cqhttp v1.2.0: blocked by server is per target unless several targets fail', () => {
	// Mrs4s/MiraiGo: client/group_msg.go sendGroupMessage (a8213e1, go-cqhttp v1.2.0's pin): no echo within 5 s
	// and not among the group's last ~11 messages. A mute in one group answers exactly so.
	const OTHER_GROUP = GROUP + 1;
	const { sim, run, copies } = suite('gocq', 'v1.2.0', true, {
		groups: [
			{ groupId: GROUP, name: 'Muted Here', members: ['bot', 'witness', 'friend'] },
			{ groupId: OTHER_GROUP, name: 'Elsewhere', members: ['bot', 'witness'] },
		],
	});
	const options = { pollIntervalMs: 50, minIntervalMs: 0, requestTimeoutMs: 3000 };
	const strict = {
		verification: 'api',
		retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 60, accountBackoffMs: 40 },
		options: { ...options, breakerThreshold: 3, breakerHoldSeconds: 0 },
	};

	test('one muted group failing six times in a row leaves the breaker closed; another group still gets its message', async () => {
		await sim.control.setFault({ kind: 'muted', scope: { account: 'bot', group: GROUP } });
		for (const label of ['muted a', 'muted b']) {
			const item = only((await run(text(label), strict)).notDelivered);
			expect(item).toMatchObject({ reason: 'risk_control', reasonClass: 'ambiguous' });
			expect(item.attempts.map((attempt) => attempt.reason)).toEqual([
				'risk_control',
				'risk_control',
				'risk_control',
			]);
			expect((item.evidence.breaker as IDataObject).state).toBe('closed');
		}
		const message = text('elsewhere');
		const { delivered } = await run(message, { ...strict, targetId: String(OTHER_GROUP) });
		expect(only(delivered).status).toBe('delivered');
		expect(await copies(message)).toBe(1);
	});

	test('several groups blocked in a row open the account breaker', async () => {
		await sim.control.setFault({ kind: 'risk_control', scope: { account: 'bot' } });
		const once = {
			...strict,
			retry: { maxAttempts: 1, backoffMs: 20, backoffCapMs: 60, accountBackoffMs: 40 },
			options: { ...strict.options, breakerThreshold: 2 },
		};
		const first = only((await run(text('blocked one'), once)).notDelivered);
		expect((first.evidence.breaker as IDataObject).state).toBe('closed');
		const second = only(
			(await run(text('blocked two'), { ...once, targetId: String(OTHER_GROUP) })).notDelivered,
		);
		expect(second.evidence.breaker).toMatchObject({ state: 'open', openReason: 'risk_control' });
		const held = only((await run(text('blocked three'), once)).notDelivered);
		expect(held).toMatchObject({ reason: 'circuit_open' });
	});
});

describe.each([
	['llonebot', '3.30.0', 'group'],
	['llonebot', '4.4.3', 'group'],
	['llonebot', '5.0.0', 'private'],
] as Array<[ImplementationName, string, 'group' | 'private']>)(
	'%s %s: an empty %s chat answers 未找到消息 to a history read',
	(flavour, version, targetType) => {
		// LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts (v3.30.0–v4.6.5),
		// src/onebot11/action/llonebot/GetFriendMsgHistory.ts (v3.33.0–v5.10.0): simulator/behaviours/llonebotHistory.ts.
		const { sim, run, copies } = suite(flavour, version);

		test('the history reader takes it as an empty chat: the witness verifies, sent once', async () => {
			const witness = sim.urls.accounts.witness.selfId;
			const bot = sim.urls.accounts.bot.selfId;
			const target =
				targetType === 'group' ? {} : { targetType: 'private', targetId: String(witness) };
			const { http, token } = sim.urls.accounts.witness;
			const action = targetType === 'group' ? 'get_group_msg_history' : 'get_friend_msg_history';
			const answer = await fetch(`${http}/${action}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				body: JSON.stringify(targetType === 'group' ? { group_id: GROUP } : { user_id: bot }),
			});
			const empty = (await answer.json()) as IDataObject;
			expect(empty).toMatchObject({ status: 'failed', retcode: 200 });
			expect(String((empty as IDataObject).message)).toMatch(/^(Error: )?未找到消息$/);
			const message = text(`empty ${version}`);
			const { delivered, notDelivered } = await run(
				message,
				{ ...target, verification: 'witness', deadlineSeconds: 1 },
				{ witness: true, events: false },
			);
			expect(notDelivered.map((item) => item.json.reason)).toEqual([]);
			expect(only(delivered).attempts.map((attempt) => attempt.outcome)).toEqual(['accepted']);
			expect(await copies(message)).toBe(1);
		});

		test('a message that never arrived leaves the chat empty: not_observed, not a failed lookup', async () => {
			await sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' }, count: 1 });
			const witness = sim.urls.accounts.witness.selfId;
			const target =
				targetType === 'group' ? {} : { targetType: 'private', targetId: String(witness) };
			const message = text(`dropped ${version}`);
			const { notDelivered } = await run(
				message,
				{
					...target,
					verification: 'witness',
					deadlineSeconds: 0.6,
					retry: { maxAttempts: 1, backoffMs: 20, backoffCapMs: 60, accountBackoffMs: 40 },
				},
				{ witness: true, events: false },
			);
			expect(only(notDelivered)).toMatchObject({ reason: 'not_observed' });
			expect(await copies(message)).toBe(0);
		});
	},
);

describe('go-cqhttp v1.2.0 with report-self-message: a late message_sent after blocked by server', () => {
	// Mrs4s/MiraiGo: client/group_msg.go (a8213e1): sendGroupMessage gives up after 5 s, but the echo that comes
	// later is still dispatched as SelfGroupMessageEvent, which go-cqhttp reports as message_sent
	// (Mrs4s/go-cqhttp: coolq/bot.go, coolq/event.go, v1.2.0).
	const { sim, run, copies, sends } = suite('gocq', 'v1.2.0');

	async function lateEcho(): Promise<void> {
		await sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { afterMs: 150 },
		});
	}

	test('the simulator pushes the message_sent although the send was answered blocked by server', async () => {
		await lateEcho();
		const events: Array<Record<string, unknown>> = [];
		const socket = new WebSocket(
			`${sim.urls.accounts.bot.ws}?access_token=${sim.urls.accounts.bot.token}`,
		);
		socket.onmessage = (event) => events.push(JSON.parse(String(event.data)));
		await new Promise((resolve) => (socket.onopen = resolve));
		const { http, token } = sim.urls.accounts.bot;
		const answer = (await (
			await fetch(`${http}/send_group_msg`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				body: JSON.stringify({ group_id: GROUP, message: 'late echo' }),
			})
		).json()) as IDataObject;
		expect(answer).toMatchObject({ status: 'failed', msg: 'SEND_MSG_API_ERROR' });
		expect(String(answer.wording)).toContain('blocked by server');
		for (let i = 0; i < 40 && !events.some((e) => e.post_type === 'message_sent'); i++)
			await sleep(25);
		socket.close();
		const sent = events.find((e) => e.post_type === 'message_sent');
		expect(sent).toMatchObject({
			message_type: 'group',
			group_id: GROUP,
			raw_message: 'late echo',
		});
	});

	test('Witness: the message is found, Delivered once, not resent', async () => {
		await lateEcho();
		const message = text('late echo witness');
		const { delivered } = await run(message, { verification: 'witness' }, { witness: true });
		expect(only(delivered).attempts.map((attempt) => attempt.outcome)).toEqual([
			'landed_after_check',
		]);
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(1);
	});

	test('Kernel Confirmed: the late self message is not called a kernel confirmation', async () => {
		await lateEcho();
		const message = text('late echo kernel');
		const { delivered, notDelivered } = await run(message);
		expect(delivered).toHaveLength(0);
		const item = only(notDelivered);
		expect(item).toMatchObject({ reason: 'not_confirmed' });
		const kernel = (item.evidence.check as { kernel: { status: string; note: string } }).kernel;
		expect(kernel.status).toBe('not_confirmed');
		expect(kernel.note).toContain('no QQNT kernel');
		// No witness: nothing shows whether it arrived, so it is not resent.
		expect(await sends()).toBe(1);
		expect(await copies(message)).toBe(1);
	});
});
