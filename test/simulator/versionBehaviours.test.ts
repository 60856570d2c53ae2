/**
 * Simulator behaviours per version that only a restart or an empty chat shows (issue 25, "modelled nowhere"):
 * NapCat's short ids are memory-only (simulator/behaviours/napcatShortIds.ts); LLOneBot's empty history is an
 * error (simulator/behaviours/llonebotHistory.ts); NapCat routes a private send to a non-friend
 * (simulator/behaviours/napcatPrivate.ts).
 */
import { defaultWorld, type ImplementationName, type WorldConfig } from '../../simulator';
import { napcatPrivateRoute, privateReach } from '../../simulator/behaviours/napcatPrivate';
import { call, sharedSimulator } from './helpers';

const G = 100200300;

function world(flavour: ImplementationName, version: string): WorldConfig {
	const base = defaultWorld();
	const accounts = Object.fromEntries(
		Object.entries(base.accounts!).map(([name, account]) => [
			name,
			{ ...account, flavour, version },
		]),
	);
	return { ...base, accounts, kernelTimeoutMs: 100, deliveryDelayMs: 5, restartDowntimeMs: 50 };
}

describe.each([
	['napcat', '4.10.32', true],
	['llonebot', '4.4.3', false],
	['gocq', 'v1.2.0', false],
] as Array<[ImplementationName, string, boolean]>)(
	'%s %s: get_msg of an id from before a restart',
	(flavour, version, forgets) => {
		const sim = sharedSimulator(world(flavour, version));

		test(
			forgets ? 'answers 消息不存在 until the message is read again' : 'still resolves',
			async () => {
				const { http, token } = sim.urls.accounts.bot;
				const sent = await call(http, token, 'send_group_msg', {
					group_id: G,
					message: 'before restart',
				});
				const id = (sent.json as { data: { message_id: number } }).data.message_id;
				expect((await call(http, token, 'get_msg', { message_id: id })).json).toMatchObject({
					status: 'ok',
				});
				await sim.control.restart('bot');
				const after = (await call(http, token, 'get_msg', { message_id: id })).json;
				if (!forgets) {
					expect(after).toMatchObject({ status: 'ok' });
					return;
				}
				expect(after).toMatchObject({ status: 'failed', message: '消息不存在' });
				// A history read shows the message again, under the same (md5-derived) id.
				const history = (await call(http, token, 'get_group_msg_history', { group_id: G }))
					.json as {
					data: { messages: Array<{ message_id: number }> };
				};
				expect(history.data.messages.map((m) => m.message_id)).toContain(id);
				expect((await call(http, token, 'get_msg', { message_id: id })).json).toMatchObject({
					status: 'ok',
				});
			},
		);
	},
);

describe.each([
	['3.28.0', 'group', null],
	['3.30.0', 'group', '未找到消息'],
	['3.33.0', 'group', 'Error: 未找到消息'],
	['4.6.5', 'group', 'Error: 未找到消息'],
	['4.6.6', 'group', null],
	['3.33.0', 'private', 'Error: 未找到消息'],
	['5.0.0', 'private', 'Error: 未找到消息'],
	['6.0.0', 'private', null],
] as Array<[string, 'group' | 'private', string | null]>)(
	'LLOneBot %s: the %s history of an empty chat',
	(version, type, error) => {
		const sim = sharedSimulator(world('llonebot', version));

		test(error ? `answers ${error}` : 'is an empty list', async () => {
			const { http, token } = sim.urls.accounts.witness;
			const answer = (
				await call(
					http,
					token,
					type === 'group' ? 'get_group_msg_history' : 'get_friend_msg_history',
					type === 'group' ? { group_id: G } : { user_id: sim.urls.accounts.bot.selfId },
				)
			).json;
			if (error) expect(answer).toMatchObject({ status: 'failed', retcode: 200, message: error });
			else expect(answer).toMatchObject({ status: 'ok', data: { messages: [] } });
		});
	},
);

describe('NapCat private routes (NapNeko/NapCatQQ: SendMsg.ts createContext)', () => {
	const reach = privateReach({
		friends: [['bot', 'witness']],
		tempChats: [['bot', 'temp']],
		oneWayFriends: [['oneway', 'bot']],
	});

	test.each([
		['witness', false, 'friend'],
		['temp', false, 'temp_chat'],
		['stranger', true, 'temp_chat'],
		['oneway', false, 'one_way_friend'],
		['stranger', false, 'stranger'],
		[undefined, false, 'stranger'],
	] as Array<[string | undefined, boolean, string]>)(
		'to %s (group_id given: %s): %s',
		(to, group, route) => {
			expect(napcatPrivateRoute(reach, 'bot', to, group)).toBe(route);
		},
	);

	test('a one-way friendship goes one way only', () => {
		expect(napcatPrivateRoute(reach, 'oneway', 'bot', false)).toBe('stranger');
	});
});
