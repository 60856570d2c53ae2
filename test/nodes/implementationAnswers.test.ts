/**
 * Send With Verification on answers that only some implementations give (docs/compatibility.md, table 'Send classification'), over real
 * HTTP against the simulator: NapCat's private message to a non-friend, go-cqhttp's code in `msg`,
 * LLOneBot's muted pre-check.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import type { ImplementationName, WorldConfig } from '../../simulator';
import { flavourWorld, sharedSimulator } from '../support/worlds';
import { runExecute } from '../support/n8nHarness';

const GROUP = 100200300;

/** The bot is friends with the witness only: `friend` is a group member but not a QQ friend. */
function world(flavour: ImplementationName, version: string): WorldConfig {
	return flavourWorld(flavour, version, { friends: [['bot', 'witness']] });
}

function fixture(flavour: ImplementationName, version: string) {
	const sim = sharedSimulator(world(flavour, version));
	return {
		get sim() {
			return sim;
		},
		async run(
			parameters: IDataObject,
			witness = true,
		): Promise<{ delivered: INodeExecutionData[]; notDelivered: INodeExecutionData[] }> {
			const { bot, witness: w } = sim.urls.accounts;
			const credentials: Record<string, IDataObject> = {
				oneBotApi: { baseUrl: bot.http, accessToken: bot.token },
			};
			if (witness) credentials.oneBotWitnessApi = { baseUrl: w.http, accessToken: w.token };
			const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
				credentials,
				parameters: {
					messageMode: 'text',
					deadlineSeconds: 0.3,
					retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 100, accountBackoffMs: 40 },
					options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
					...parameters,
				},
			});
			return { delivered, notDelivered };
		},
		async sends(action: string): Promise<unknown[]> {
			return (await sim.control.calls({ account: 'bot', action })) as unknown[];
		},
		async inbox(account: string): Promise<Array<{ text: string }>> {
			await sleep(60);
			const truth = (await sim.control.groundTruth()) as {
				accounts: Record<string, { inbox: Array<{ text: string }> }>;
			};
			return truth.accounts[account].inbox;
		},
	};
}

describe('NapCat 4.10.32: a private message to a non-friend (NapCatQQ #600)', () => {
	const t = fixture('napcat', '4.10.32');

	test('the EventRet {} timeout is checked against get_friend_list: not_friend, terminal, sent once', async () => {
		const friendId = t.sim.urls.accounts.friend.selfId;
		const { delivered, notDelivered } = await t.run(
			{
				targetType: 'private',
				targetId: String(friendId),
				text: 'hi stranger',
				verification: 'api',
			},
			false,
		);
		expect(delivered).toHaveLength(0);
		expect(notDelivered).toHaveLength(1);
		const item = notDelivered[0].json as IDataObject & {
			attempts: Array<{ raw: { message?: string } }>;
			evidence: IDataObject;
		};
		expect(item).toMatchObject({ status: 'failed', reason: 'not_friend', reasonClass: 'terminal' });
		expect(item.attempts).toHaveLength(1);
		// The answer itself is NapCat's kernel-timeout wording with an empty EventRet (docs/compatibility.md,
		// row 'NapCat ≥ 3 Timeout ... EventRet {}').
		expect(item.attempts[0].raw.message).toMatch(
			/^Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService\/sendMsg .*EventRet:\n\{\}\n$/s,
		);
		expect(item.evidence.friendCheck).toMatchObject({ action: 'get_friend_list', friend: false });
		expect(await t.sends('send_private_msg')).toHaveLength(1);
		expect((await t.inbox('friend')).length).toBe(0);
	});

	test('a friend with the same timeout stays ambiguous and is checked, not called a non-friend', async () => {
		await t.sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot', messageType: 'private' },
			count: 1,
		});
		const witnessId = t.sim.urls.accounts.witness.selfId;
		const { delivered, notDelivered } = await t.run({
			targetType: 'private',
			targetId: String(witnessId),
			text: 'hi friend',
			verification: 'witness',
		});
		expect(notDelivered).toHaveLength(0);
		expect(delivered).toHaveLength(1);
		const item = delivered[0].json as IDataObject & {
			attempts: Array<{ outcome: string; reason: string | null }>;
		};
		expect(item.attempts.map((attempt) => `${attempt.outcome}:${attempt.reason}`)).toEqual([
			'not_landed_after_check:send_timeout',
			'accepted:null',
		]);
		expect((await t.inbox('witness')).filter((entry) => entry.text === 'hi friend')).toHaveLength(
			1,
		);
	});
});

describe('go-cqhttp v1.2.0: the code is read from msg although message carries the text', () => {
	const t = fixture('gocq', 'v1.2.0');

	test('a private send failure (SEND_MSG_API_ERROR / 请参考 go-cqhttp 端输出) is an ambiguous api_error, not account-level, not bad input', async () => {
		await t.sim.control.setFault({
			kind: 'timeout_not_delivered',
			scope: { account: 'bot', messageType: 'private' },
		});
		const witnessId = t.sim.urls.accounts.witness.selfId;
		const { notDelivered } = await t.run(
			{
				targetType: 'private',
				targetId: String(witnessId),
				text: 'p',
				verification: 'api',
				retry: { maxAttempts: 1 },
			},
			false,
		);
		const item = notDelivered[0].json as IDataObject & { attempts: Array<{ raw: IDataObject }> };
		// Mrs4s/go-cqhttp: coolq/bot.go SendPrivateMessage: a non-friend, a temp chat, a message too long.
		expect(item).toMatchObject({ reason: 'api_error', reasonClass: 'ambiguous' });
		expect(item.attempts[0].raw).toMatchObject({
			retcode: 100,
			msg: 'SEND_MSG_API_ERROR',
			message: '请参考 go-cqhttp 端输出',
			wording: '请参考 go-cqhttp 端输出',
		});
	});
});

describe('LLOneBot 4.4.3: the muted pre-check 当前处于被禁言状态 sends nothing', () => {
	const t = fixture('llonebot', '4.4.3');

	test('Not Delivered as muted, terminal, one call, nothing arrived', async () => {
		await t.sim.control.setFault({ kind: 'muted', scope: { account: 'bot' } });
		const { notDelivered } = await t.run({
			targetType: 'group',
			targetId: String(GROUP),
			text: 'muted?',
			verification: 'witness',
		});
		expect(notDelivered).toHaveLength(1);
		expect(notDelivered[0].json).toMatchObject({ reason: 'muted', reasonClass: 'terminal' });
		const attempts = notDelivered[0].json.attempts as Array<{ raw: { message?: string } }>;
		expect(attempts).toHaveLength(1);
		expect(attempts[0].raw.message).toBe('当前处于被禁言状态');
		expect(await t.sends('send_group_msg')).toHaveLength(1);
		expect((await t.inbox('witness')).filter((entry) => entry.text === 'muted?')).toHaveLength(0);
	});
});
