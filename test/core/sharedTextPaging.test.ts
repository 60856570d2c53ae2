/**
 * Two runs of one process send the same text to one group; the witness (Lagrange: no ordered seq, anchored
 * pages of `count` messages up to the anchor, LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/
 * Message/GetGroupMessageHistoryOperation.cs) shows both copies in the same second, on different pages.
 * The run that started first must take the older copy (its own): the later run's baseline already holds that
 * copy, so if the first run took the later copy, the later run would see nothing and resend (a duplicate,
 * found by `npm run campaign -- --seed 20261207 --sends 10000 --only lagrange`).
 */
import { ChatWatcher } from '../../core/chatWatcher';
import { identifyImplementation } from '../../core/implementations';
import { OneBotClient } from '../../core/transport';
import type { HttpRequest } from '../../core/transport';
import type { AccountIdentity } from '../../core/account';

const GROUP = 97531;
const BOT = 10001;
const WITNESS = 10002;
const NOW = 1_700_000_100_000;
const TEXT = 'shared text across pages';

const lagrange: AccountIdentity = {
	selfId: WITNESS,
	flavour: 'lagrange',
	appName: 'Lagrange.OneBot',
	appVersion: '0.0.3',
	implementation: identifyImplementation({ app_name: 'Lagrange.OneBot', app_version: '0.0.3' }),
};

interface Stored {
	id: number;
	seq: number;
	text: string;
}

/** Lagrange's history: `count` messages up to the anchor (the latest without one), oldest first. */
function lagrangeHistory(chat: Stored[]) {
	return async (request: HttpRequest) => {
		const params = request.body as { message_id?: number; count?: number };
		const count = Number(params.count ?? 20);
		const anchor = params.message_id
			? chat.find((m) => m.id === params.message_id)
			: chat[chat.length - 1];
		const list = anchor
			? chat.filter((m) => m.seq >= anchor.seq - count + 1 && m.seq <= anchor.seq)
			: [];
		const messages = list.map((m) => ({
			post_type: 'message',
			message_type: 'group',
			group_id: GROUP,
			user_id: BOT,
			self_id: WITNESS,
			message_id: m.id,
			time: Math.floor(NOW / 1000),
			raw_message: m.text,
			message: [{ type: 'text', data: { text: m.text } }],
		}));
		return { status: 200, body: { status: 'ok', retcode: 0, data: { messages } } };
	};
}

function watcher(chat: Stored[], clock: { now: number }) {
	return new ChatWatcher({
		client: new OneBotClient({ baseUrl: 'http://witness.test', request: lagrangeHistory(chat) }),
		identity: lagrange,
		chat: { type: 'group', groupId: GROUP },
		sleep: async (ms) => {
			clock.now += ms;
		},
		clock: () => clock.now,
		pollIntervalMs: 50,
		requestTimeoutMs: 1000,
		historyCount: 2,
		clockSkewMs: 2000,
	});
}

const message = [{ type: 'text' as const, data: { text: TEXT } }];

test('each run takes its own copy of a shared text when the copies are on different history pages', async () => {
	const clock = { now: NOW };
	const now = NOW;
	const chat: Stored[] = [];
	let seq = 1;
	const add = (text: string) => chat.push({ id: 900_000 + seq * 7, seq: seq++, text });
	add('earlier 1');
	add('earlier 2');
	const first = watcher(chat, clock);
	await first.start(); // run 1's baseline: neither copy
	const firstWatch = first.expect({ senderId: BOT, message, sentAt: now, deadlineAt: now + 1000 });
	add(TEXT); // run 1's copy
	const firstCopy = chat[chat.length - 1].id;
	const second = watcher(chat, clock);
	await second.start(); // run 2's baseline: run 1's copy is already there
	const secondWatch = second.expect({
		senderId: BOT,
		message,
		sentAt: now,
		deadlineAt: now + 1000,
	});
	add('filler 1');
	add('filler 2');
	add(TEXT); // run 2's copy, two pages of two newer than run 1's
	const secondCopy = chat[chat.length - 1].id;
	add('filler 3');

	const firstOutcome = await first.waitFor(firstWatch);
	const secondOutcome = await second.waitFor(secondWatch);
	first.close();
	second.close();
	expect(firstOutcome).toMatchObject({ status: 'seen', watcherMessageId: firstCopy });
	expect(secondOutcome).toMatchObject({ status: 'seen', watcherMessageId: secondCopy });
});
