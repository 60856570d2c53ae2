import { identifyImplementation } from '../../core/implementations';
import { buildMessage, normaliseForMatch } from '../../core/message';
import {
	WitnessBaseline,
	implementationFromAppName,
	historyPageInfo,
	matchAll,
	matchesExpectation,
	needsOlderPage,
	seqFieldFor,
} from '../../core/witness';
import type { SentMessageExpectation, WitnessEntry } from '../../core/witness';

const GROUP = 123456789;
const BOT = 10001;
const WITNESS = 20002;
const OTHER = 30003;
const SENT_AT = 1_760_000_000_500; // ms; the witness stamps whole seconds
const T = Math.floor(SENT_AT / 1000);

const text = '[CQ:at,qq=all] 今晚 8 点 & 见';
const expectation = (overrides: Partial<SentMessageExpectation> = {}): SentMessageExpectation => ({
	targetType: 'group',
	groupId: GROUP,
	senderId: BOT,
	content: normaliseForMatch(buildMessage({ mode: 'text', content: text })),
	sentAt: SENT_AT,
	windowMs: 30000,
	...overrides,
});

let nextId = 1;
/** A group history entry as a witness returns it (message_format array, raw_message as CQ). */
const entry = (overrides: Partial<WitnessEntry> = {}): WitnessEntry => ({
	self_id: WITNESS,
	message_type: 'group',
	group_id: GROUP,
	user_id: BOT,
	sender: { user_id: BOT, nickname: 'bot' },
	message: [{ type: 'text', data: { text } }],
	raw_message: '&#91;CQ:at,qq=all&#93; 今晚 8 点 &amp; 见',
	time: T + 1,
	message_id: nextId++,
	...overrides,
});

describe('matchesExpectation', () => {
	test('same group, same sender, same content inside the window matches', () => {
		expect(matchesExpectation(entry(), expectation())).toBe(true);
	});

	test('escaped string form (message_format string) matches the unescaped array we sent', () => {
		expect(
			matchesExpectation(
				entry({ message: '&#91;CQ:at,qq=all&#93; 今晚 8 点 &amp; 见' }),
				expectation(),
			),
		).toBe(true);
	});

	test('a real @all mention does not match literal brackets', () => {
		const mention = entry({
			message: [
				{ type: 'at', data: { qq: 'all' } },
				{ type: 'text', data: { text: ' 今晚 8 点 & 见' } },
			],
			raw_message: '[CQ:at,qq=all] 今晚 8 点 &amp; 见',
		});
		expect(matchesExpectation(mention, expectation())).toBe(false);
	});

	test('another sender with the same text never matches', () => {
		expect(
			matchesExpectation(entry({ user_id: OTHER, sender: { user_id: OTHER } }), expectation()),
		).toBe(false);
	});

	test('another group never matches', () => {
		expect(matchesExpectation(entry({ group_id: GROUP + 1 }), expectation())).toBe(false);
	});

	test('the time window: rounding slack before, window after, nothing outside', () => {
		expect(matchesExpectation(entry({ time: T }), expectation())).toBe(true); // truncated second
		expect(matchesExpectation(entry({ time: T - 2 }), expectation())).toBe(true); // inside the 2 s skew
		expect(matchesExpectation(entry({ time: T - 4 }), expectation())).toBe(false);
		expect(matchesExpectation(entry({ time: T + 30 }), expectation())).toBe(true);
		expect(matchesExpectation(entry({ time: T + 31 }), expectation())).toBe(false);
	});

	test('never by message_id across accounts: the sender’s id on the witness entry proves nothing', () => {
		const sendersId = 1785240938;
		const e = entry({
			message_id: sendersId,
			message: [{ type: 'text', data: { text: 'different' } }],
			raw_message: 'different',
		});
		expect(matchesExpectation(e, expectation())).toBe(false);
	});

	test('server seq decides when both sides know it (NapCat real_seq as a string)', () => {
		const napcat = { seqField: 'real_seq' as const };
		expect(
			matchesExpectation(
				entry({ real_seq: '4711', message_seq: 99 }),
				expectation({ serverSeq: 4711 }),
				napcat,
			),
		).toBe(true);
		// Same content and time but another seq: another message.
		expect(
			matchesExpectation(entry({ real_seq: '4712' }), expectation({ serverSeq: 4711 }), napcat),
		).toBe(false);
		// Seq matches even if the content came back in another form (e.g. media).
		expect(
			matchesExpectation(
				entry({
					real_seq: '4711',
					message: [{ type: 'image', data: { file: 'x.image' } }],
					raw_message: '',
				}),
				expectation({ serverSeq: 4711 }),
				napcat,
			),
		).toBe(true);
	});

	test('LLOneBot / go-cqhttp keep the seq in message_seq; unset, message_seq is not trusted', () => {
		const e = entry({ message_seq: 4711 });
		expect(
			matchesExpectation(e, expectation({ serverSeq: 4712 }), { seqField: 'message_seq' }),
		).toBe(false);
		// NapCat's message_seq is a local short id: without knowing the flavour, content and time decide.
		expect(matchesExpectation(e, expectation({ serverSeq: 4712 }))).toBe(true);
	});

	test('Lagrange has no seq: content and time decide', () => {
		expect(
			matchesExpectation(entry({ real_id: 998877 }), expectation({ serverSeq: 4711 }), {
				seqField: 'none',
			}),
		).toBe(true);
	});

	test('private: the witness must be the recipient and the bot the sender', () => {
		const privateExpectation = expectation({
			targetType: 'private',
			groupId: undefined,
			userId: WITNESS,
		});
		const privateEntry = entry({ message_type: 'private', group_id: undefined });
		expect(matchesExpectation(privateEntry, privateExpectation)).toBe(true);
		expect(matchesExpectation({ ...privateEntry, self_id: OTHER }, privateExpectation)).toBe(false);
		expect(matchesExpectation(entry(), privateExpectation)).toBe(false);
	});
});

/** One expectation against one read: what the production matcher (matchAll) gives for it. */
const matchOne = (...[entries, expected, baseline, options]: Parameters<typeof matchAll>) =>
	matchAll(entries, expected, baseline, options)[0];

describe('matching one message with a baseline', () => {
	test('an identical message sent just before our send (inside the slack) does not match', () => {
		const earlier = entry({ time: T - 1 });
		const baseline = new WitnessBaseline([earlier]);
		expect(matchOne([earlier], [expectation()], baseline)).toBeUndefined();
		const ours = entry({ time: T + 1 });
		expect(matchOne([earlier, ours], [expectation()], baseline)?.entry).toBe(ours);
	});

	test('an identical earlier message in the same second as the baseline newest is excluded by identity', () => {
		const earlier = entry({ time: T });
		const baseline = new WitnessBaseline([
			entry({ time: T, user_id: OTHER, message: 'x', raw_message: 'x' }),
			earlier,
		]);
		expect(matchOne([earlier], [expectation()], baseline)).toBeUndefined();
	});

	test('an earlier identical message older than the baseline page is excluded by time', () => {
		const older = entry({ time: T - 2 }); // fell off the baseline page, still inside the slack
		const baseline = new WitnessBaseline([
			entry({ time: T - 1, user_id: OTHER, message: 'chat', raw_message: 'chat' }),
		]);
		expect(matchOne([older], [expectation()], baseline)).toBeUndefined();
	});

	test('with seqs, anything at or below the baseline high-water seq is excluded', () => {
		const baseline = new WitnessBaseline(
			[entry({ message_seq: 500, time: T - 1, user_id: OTHER })],
			'message_seq',
		);
		expect(baseline.highWaterSeq).toBe(500);
		const earlierIdentical = entry({ message_seq: 499, time: T });
		const ours = entry({ message_seq: 501, time: T + 1 });
		expect(
			matchOne([earlierIdentical, ours], [expectation()], baseline, { seqField: 'message_seq' })
				?.entry,
		).toBe(ours);
	});

	test('more than 20 messages in between: our message is still found among them', () => {
		const chatter = Array.from({ length: 25 }, (_, i) =>
			entry({
				user_id: OTHER + i,
				sender: { user_id: OTHER + i },
				time: T + 1 + (i % 5),
				message: `msg ${i}`,
				raw_message: `msg ${i}`,
			}),
		);
		const imposter = entry({ user_id: OTHER, sender: { user_id: OTHER }, time: T + 2 });
		const ours = entry({ time: T + 6 });
		const match = matchOne(
			[...chatter.slice(0, 12), imposter, ...chatter.slice(12), ours],
			[expectation()],
			new WitnessBaseline(),
		);
		expect(match).toEqual({ entry: ours, method: 'content_time' });
	});
});

describe('matchAll: one history read serves every pending send', () => {
	test('two identical sends in a row match two distinct entries, in order', () => {
		const first = expectation({ sentAt: SENT_AT });
		const second = expectation({ sentAt: SENT_AT + 300 });
		const a = entry({ time: T + 1 });
		const b = entry({ time: T + 1 });
		const results = matchAll([b, a].reverse(), [second, first], new WitnessBaseline());
		expect(results[1]?.entry).toBe(a);
		expect(results[0]?.entry).toBe(b);
	});

	test('only one copy arrived: only one of two identical sends is resolved', () => {
		const results = matchAll(
			[entry({ time: T + 1 })],
			[expectation(), expectation({ sentAt: SENT_AT + 300 })],
		);
		expect(results.filter(Boolean)).toHaveLength(1);
		expect(results[0]).toBeDefined();
		expect(results[1]).toBeUndefined();
	});

	test('seq-known expectations claim their exact entry first', () => {
		const opts = { seqField: 'message_seq' as const };
		const x = entry({ message_seq: 601, time: T + 1 });
		const y = entry({ message_seq: 602, time: T + 1 });
		const byContent = expectation({ sentAt: SENT_AT - 100 });
		const bySeq = expectation({ serverSeq: 601 });
		const results = matchAll(
			[x, y],
			[byContent, bySeq],
			new WitnessBaseline([], 'message_seq'),
			opts,
		);
		expect(results[1]?.entry).toBe(x);
		expect(results[1]?.method).toBe('server_seq');
		expect(results[0]?.entry).toBe(y);
	});

	test('different contents in one group resolve independently', () => {
		const other = expectation({ content: normaliseForMatch('second message') });
		const e1 = entry({ time: T + 2 });
		const e2 = entry({ time: T + 1, message: 'second message', raw_message: 'second message' });
		const results = matchAll([e1, e2], [expectation(), other]);
		expect(results[0]?.entry).toBe(e1);
		expect(results[1]?.entry).toBe(e2);
	});
});

describe('paging', () => {
	test('historyPageInfo gives the oldest seq, id and time of a page', () => {
		const page = [
			entry({ message_seq: 12, message_id: 9012, time: T + 3 }),
			entry({ message_seq: 10, message_id: 9010, time: T + 1 }),
		];
		expect(historyPageInfo(page, 'message_seq')).toEqual({
			count: 2,
			oldestSeq: 10,
			oldestMessageId: 9010,
			oldestTime: (T + 1) * 1000,
			newestTime: (T + 3) * 1000,
		});
		expect(historyPageInfo(page, 'none').oldestSeq).toBeUndefined();
	});

	test('needsOlderPage when a full page does not reach back to the send', () => {
		const full = Array.from({ length: 20 }, (_, i) => entry({ time: T + 5 + i }));
		expect(needsOlderPage(full, SENT_AT - 3000)).toBe(true);
		expect(needsOlderPage(full.slice(0, 19), SENT_AT - 3000)).toBe(false);
		expect(needsOlderPage([entry({ time: T - 10 }), ...full.slice(1)], SENT_AT - 3000)).toBe(false);
	});
});

describe('flavours', () => {
	// docs/compatibility.md, table 'Witness matching': NapCat real_seq; LLOneBot message_seq only from
	// v4.6.2 (before: an md5 short id, 3.x a local counter); go-cqhttp message_seq; Lagrange none.
	test('app_name and version map to where an ordered server seq lives, if anywhere', () => {
		const seq = (app_name: string, app_version?: string) =>
			identifyImplementation({ app_name, app_version }).seqField;
		expect(seq('NapCat.Onebot', '4.10.32')).toBe('real_seq');
		expect(seq('LLOneBot', '4.6.2')).toBe('message_seq');
		expect(seq('LLOneBot', '7.0.1')).toBe('message_seq');
		expect(seq('LLOneBot', '4.4.3')).toBe('none');
		expect(seq('LLOneBot', '3.28.0')).toBe('none');
		expect(seq('LLOneBot')).toBe('none');
		expect(seq('go-cqhttp', 'v1.2.0')).toBe('message_seq');
		expect(seq('Lagrange.OneBot', '0.0.3')).toBe('none');
		expect(seq('something')).toBe('none');
		expect(seqFieldFor(implementationFromAppName('go-cqhttp'))).toBe('message_seq');
		expect(seqFieldFor(implementationFromAppName('something'))).toBeUndefined();
	});

	test('LLOneBot 4.4.3 hash "seqs" never decide what is new: a baseline with higher hashes does not hide a new message', () => {
		const seqField = identifyImplementation({
			app_name: 'LLOneBot',
			app_version: '4.4.3',
		}).seqField;
		// message_seq = real_id = message_id = md5 short id (LLOneBot/LLOneBot: src/onebot11/entities.ts v4.4.3).
		const old = entry({
			message_id: 2_000_000_000,
			message_seq: 2_000_000_000,
			real_id: 2_000_000_000,
			time: T - 60,
		});
		const fresh = entry({ message_id: 12_345, message_seq: 12_345, real_id: 12_345 });
		const baseline = new WitnessBaseline([old], seqField);
		expect(baseline.covers(fresh)).toBe(false);
		expect(matchOne([old, fresh], [expectation()], baseline, { seqField })?.entry).toBe(fresh);
	});
});
