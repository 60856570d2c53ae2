/**
 * Send With Verification: the reported LLOneBot case, checks without a witness, shared reads, order
 * and spacing, message formats, parameter errors, secrets and reports. Over real HTTP against the
 * OneBot simulator.
 */
import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import type { DeliveryResult } from '../../core/types';
import type { ImplementationName } from '../../simulator';
import { flavourWorld, sharedSimulator } from '../support/worlds';
import { runExecute, type HarnessOptions, type HttpLogEntry } from '../support/n8nHarness';

const GROUP = 100200300;

type Item = DeliveryResult & {
	evidence: Record<string, Record<string, unknown>> & {
		basis?: string;
		summary?: string;
		resend?: string;
	};
	report?: { sent: boolean; status?: number; error?: string };
	input: IDataObject;
	error?: string;
};

interface CallRecord {
	action: string;
	at: number;
	params: { message?: Array<{ type: string; data: { text?: string } }>; user_id?: number };
	response: { data?: unknown; message?: string } | null;
}

interface InboxEntry {
	text: string;
	segments: Array<{ type: string; data: Record<string, string> }>;
}

function attemptOutcomes(item: Item): string[] {
	return item.attempts.map((attempt) =>
		attempt.reason ? `${attempt.outcome}:${attempt.reason}` : attempt.outcome,
	);
}

function only(items: INodeExecutionData[]): Item {
	expect(items).toHaveLength(1);
	return items[0].json as unknown as Item;
}

function fixture(flavour: ImplementationName, version: string) {
	const sim = sharedSimulator(flavourWorld(flavour, version));
	const state = { counter: 0 };

	const helpers = {
		get sim() {
			return sim;
		},
		text(label: string): string {
			state.counter += 1;
			return `${label} #${state.counter}`;
		},
		credentials(
			options: {
				witness?: boolean;
				events?: boolean;
				report?: { url: string; secret: string };
			} = {},
		) {
			const { bot, witness } = sim.urls.accounts;
			const credentials: Record<string, IDataObject> = {
				oneBotApi: {
					baseUrl: bot.http,
					accessToken: bot.token,
					...(options.report
						? { reportUrl: options.report.url, reportSecret: options.report.secret }
						: {}),
				},
			};
			if (options.witness !== false) {
				credentials.oneBotWitnessApi = {
					baseUrl: witness.http,
					accessToken: witness.token,
					...(options.events ? { wsUrl: witness.ws } : {}),
				};
			}
			return credentials;
		},
		parameters(overrides: IDataObject = {}): IDataObject {
			return {
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				text: 'hello',
				verification: 'witness',
				deadlineSeconds: 0.35,
				retry: { maxAttempts: 3, backoffMs: 20, backoffCapMs: 100, accountBackoffMs: 40 },
				options: { pollIntervalMs: 40, minIntervalMs: 0, requestTimeoutMs: 2000 },
				...overrides,
			};
		},
		async run(options: Partial<HarnessOptions> & { parameters: HarnessOptions['parameters'] }) {
			const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
				credentials: helpers.credentials(),
				...options,
			});
			return { delivered, notDelivered };
		},
		async inbox(account: string): Promise<InboxEntry[]> {
			await sleep(60);
			const truth = (await sim.control.groundTruth()) as {
				accounts: Record<string, { inbox: InboxEntry[] }>;
			};
			return truth.accounts[account].inbox;
		},
		async copies(text: string, account = 'witness'): Promise<number> {
			return (await helpers.inbox(account)).filter((entry) => entry.text === text).length;
		},
		async calls(action: string, account = 'bot'): Promise<CallRecord[]> {
			return (await sim.control.calls({ account, action })) as CallRecord[];
		},
	};
	return helpers;
}

describe('the reported case: LLOneBot 4.x, group sends time out with data null while private sends work', () => {
	const t = fixture('llonebot', '4.4.3');

	test('never arrived: send_timeout on every attempt, checked before each resend, Not Delivered; private still Delivered', async () => {
		await t.sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const groupText = t.text('stuck group message');
		const privateText = t.text('private still works');
		const witnessId = t.sim.urls.accounts.witness.selfId;
		const { delivered, notDelivered } = await t.run({
			parameters: (itemIndex) =>
				itemIndex === 0
					? t.parameters({ text: groupText })
					: t.parameters({ text: privateText, targetType: 'private', targetId: String(witnessId) }),
			items: [{ json: { kind: 'group' } }, { json: { kind: 'private' } }],
		});
		const failed = only(notDelivered);
		expect(failed).toMatchObject({
			status: 'failed',
			reason: 'send_timeout',
			reasonClass: 'ambiguous',
		});
		expect(notDelivered[0].pairedItem).toEqual({ item: 0 });
		expect(attemptOutcomes(failed)).toEqual([
			'not_landed_after_check:send_timeout',
			'not_landed_after_check:send_timeout',
			'not_landed_after_check:send_timeout',
		]);
		for (const attempt of failed.attempts) {
			expect(attempt.raw?.message).toMatch(
				/^ntqq api timeout IPC_UP_3, ns-ntApi-3, nodeIKernelMsgService\/sendMsg/,
			);
			expect(attempt.raw).toMatchObject({ retcode: 200, status: 'failed' });
		}
		expect(failed.timing.gaveUpAt).not.toBeNull();
		expect(failed.timing.verifiedAt).toBeNull();
		const ok = only(delivered);
		expect(ok).toMatchObject({ status: 'delivered', target: { type: 'private', id: witnessId } });
		expect(delivered[0].pairedItem).toEqual({ item: 1 });

		// Ground truth: three group sends, each answered data null with the timeout text; nothing arrived.
		const sends = await t.calls('send_group_msg');
		expect(sends).toHaveLength(3);
		for (const send of sends)
			expect(send.response).toMatchObject({
				data: null,
				message: expect.stringMatching(/^ntqq api timeout/),
			});
		expect(await t.copies(groupText)).toBe(0);
		expect(await t.copies(groupText, 'friend')).toBe(0);
		expect(await t.copies(privateText)).toBe(1);
	});

	test('arrived despite the timeout: Delivered exactly once, never resent', async () => {
		await t.sim.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot', messageType: 'group' },
		});
		const text = t.text('landed anyway');
		const json = only(
			(
				await t.run({
					parameters: t.parameters({ text, retry: { maxAttempts: 5, backoffMs: 10 } }),
				})
			).delivered,
		);
		expect(json).toMatchObject({ status: 'delivered', reason: null });
		expect(attemptOutcomes(json)).toEqual(['landed_after_check:send_timeout']);
		expect(json.evidence.basis).toBe('landed_after_check');
		expect(json.evidence.check).toMatchObject({ by: 'witness', result: 'landed' });
		expect(await t.calls('send_group_msg')).toHaveLength(1);
		expect(await t.copies(text)).toBe(1);
		expect(await t.copies(text, 'friend')).toBe(1);
	});
});

describe('checks without a witness (API and lookup levels): the sender history', () => {
	const t = fixture('napcat', '4.10.32');

	test('stuck send the kernel kept: not resent (a resend could duplicate), Not Delivered saying why', async () => {
		await t.sim.control.setFault({ kind: 'timeout_not_delivered', scope: { account: 'bot' } });
		const text = t.text('kept by the kernel');
		const json = only(
			(
				await t.run({
					parameters: t.parameters({ text, verification: 'api' }),
					credentials: t.credentials({ witness: false }),
				})
			).notDelivered,
		);
		expect(json).toMatchObject({ reason: 'send_timeout', reasonClass: 'ambiguous' });
		expect(attemptOutcomes(json)).toEqual(['failed:send_timeout']);
		expect(json.evidence.check).toMatchObject({
			by: 'sender_history',
			result: 'unknown',
			status: 'seen',
		});
		expect(json.evidence.resend).toMatch(/^not resent/);
		expect(await t.calls('send_group_msg')).toHaveLength(1);
	});

	test('timeout the kernel never stored: absent from the sender history, so resent: one copy', async () => {
		await t.sim.control.setFault({
			kind: 'timeout_not_delivered',
			count: 1,
			scope: { account: 'bot' },
			params: { storedForSender: false },
		});
		const text = t.text('never stored');
		const json = only(
			(
				await t.run({
					parameters: t.parameters({ text, verification: 'api' }),
					credentials: t.credentials({ witness: false }),
				})
			).delivered,
		);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:send_timeout', 'accepted']);
		expect(json.evidence.check).toMatchObject({ by: 'sender_history', result: 'not_landed' });
		expect(await t.copies(text)).toBe(1);
	});

	test('lookup level: get_msg finds the message and yields the server seq; a silent drop still passes (documented)', async () => {
		const text = t.text('looked up');
		const found = only(
			(
				await t.run({
					parameters: t.parameters({ text, verification: 'lookup' }),
					credentials: t.credentials({ witness: false }),
				})
			).delivered,
		);
		expect(found.evidence.basis).toBe('sender_lookup');
		expect(found.evidence.lookup).toMatchObject({
			action: 'get_msg',
			found: true,
			serverSeq: expect.any(Number),
		});

		await t.sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const dropped = t.text('dropped but looked up');
		const weak = only(
			(
				await t.run({
					parameters: t.parameters({ text: dropped, verification: 'lookup' }),
					credentials: t.credentials({ witness: false }),
				})
			).delivered,
		);
		expect(weak.evidence.basis).toBe('sender_lookup');
		expect(await t.copies(dropped)).toBe(0);
	});

	test('API level with a witness: an ambiguous failure is checked by the witness, not the sender history', async () => {
		await t.sim.control.setFault({
			kind: 'timeout_not_delivered',
			count: 1,
			scope: { account: 'bot' },
		});
		const text = t.text('witness checks api');
		const json = only(
			(await t.run({ parameters: t.parameters({ text, verification: 'api' }) })).delivered,
		);
		expect(attemptOutcomes(json)).toEqual(['not_landed_after_check:send_timeout', 'accepted']);
		expect(json.evidence.check).toMatchObject({ by: 'witness', result: 'not_landed' });
		expect(await t.copies(text)).toBe(1);
	});
});

describe('many items: shared reads, order, spacing, formats', () => {
	const t = fixture('napcat', '4.10.32');

	test('ten items to one group: all Delivered in order, far fewer witness history reads than items', async () => {
		const texts = Array.from({ length: 10 }, (_, i) => t.text(`batch ${i}`));
		const { delivered, notDelivered } = await t.run({
			parameters: (itemIndex) =>
				t.parameters({
					text: texts[itemIndex],
					deadlineSeconds: 2,
					options: { pollIntervalMs: 150, minIntervalMs: 0 },
				}),
			items: texts.map((text, i) => ({ json: { i } })),
		});
		expect(notDelivered).toHaveLength(0);
		// Include Input is off by default: the input stays out of the output, pairedItem leads back to it.
		expect(delivered.filter((item) => 'input' in item.json)).toEqual([]);
		expect(delivered.map((item) => item.pairedItem)).toEqual(texts.map((_, i) => ({ item: i })));
		const reads = await t.calls('get_group_msg_history', 'witness');
		// One baseline read plus a shared read every poll interval while any item waits.
		expect(reads.length).toBeLessThan(texts.length);
		const sends = await t.calls('send_group_msg');
		expect(sends.map((send) => send.params.message?.[0].data.text)).toEqual(texts);
		for (const text of texts) expect(await t.copies(text)).toBe(1);
		// Distinct texts are matched by sender, chat, content and time: no sender lookup per message.
		expect(await t.calls('get_msg')).toHaveLength(0);
	});

	test('a later message seen while ours is missing ends ours early (after the grace), Not Delivered, not resent', async () => {
		await t.sim.control.setFault({ kind: 'silent_drop', count: 1, scope: { account: 'bot' } });
		const texts = [t.text('dropped'), t.text('overtaking')];
		const { delivered, notDelivered } = await t.run({
			parameters: (itemIndex) =>
				t.parameters({ text: texts[itemIndex], deadlineSeconds: 5, retry: { maxAttempts: 1 } }),
			items: texts.map((_, i) => ({ json: { i } })),
		});
		expect(delivered.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		const lost = only(notDelivered);
		expect(lost).toMatchObject({
			status: 'failed',
			reason: 'not_observed',
			reasonClass: 'ambiguous',
		});
		expect(lost.evidence.witness).toMatchObject({
			status: 'not_seen',
			early: 'overtaken_by_later_message',
		});
		expect(lost.evidence.check).toMatchObject({
			by: 'witness',
			result: 'not_landed',
			early: 'overtaken_by_later_message',
		});
		// Concluded after the grace (500 ms) instead of the 5 s deadline.
		const afterAnswer = Date.parse(lost.timing.gaveUpAt!) - Date.parse(lost.timing.answeredAt!);
		expect(afterAnswer).toBeGreaterThanOrEqual(400);
		expect(afterAnswer).toBeLessThan(2500);
		expect(await t.copies(texts[0])).toBe(0);
		expect(await t.copies(texts[1])).toBe(1);
	});

	test('an early signal never resends by itself: the resend waits for the usual check to the deadline', async () => {
		await t.sim.control.setFault({ kind: 'silent_drop', count: 1, scope: { account: 'bot' } });
		const texts = [t.text('dropped then resent'), t.text('overtaking 2')];
		const { delivered, notDelivered } = await t.run({
			parameters: (itemIndex) =>
				t.parameters({
					text: texts[itemIndex],
					deadlineSeconds: 1.5,
					retry: { maxAttempts: 2, backoffMs: 0, backoffCapMs: 0 },
				}),
			items: texts.map((_, i) => ({ json: { i } })),
		});
		expect(notDelivered).toHaveLength(0);
		const resent = delivered
			.map((item) => item.json as unknown as Item)
			.find((item) => item.attempts.length === 2)!;
		expect(attemptOutcomes(resent)).toEqual(['not_landed_after_check:not_observed', 'accepted']);
		// The check before the resend ran to the full deadline after the first answer.
		expect(
			Date.parse(resent.attempts[1].startedAt) - Date.parse(resent.attempts[0].startedAt),
		).toBeGreaterThanOrEqual(1500);
		expect(resent.evidence.check).toMatchObject({ by: 'witness', result: 'not_landed' });
		expect(resent.evidence.check).not.toHaveProperty('early');
		for (const text of texts) expect(await t.copies(text)).toBe(1);
	});

	test('identical messages are told apart: two items with the same text need two copies', async () => {
		await t.sim.control.setFault({ kind: 'silent_drop', count: 1, scope: { account: 'bot' } });
		const text = t.text('same text');
		const { delivered } = await t.run({
			parameters: t.parameters({ text, retry: { maxAttempts: 1 } }),
			items: [{ json: { n: 1 } }, { json: { n: 2 } }],
		});
		// The first send is dropped; the second arrives. Its copy must not be counted for both items.
		expect(delivered.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(await t.copies(text)).toBe(1);
		// The second copy was sent while the first was awaited: its server seq came from the sender's get_msg.
		expect((await t.calls('get_msg')).length).toBeGreaterThanOrEqual(1);
	});

	test('minimum interval: sends to one target are spaced and keep input order', async () => {
		const texts = [t.text('spaced a'), t.text('spaced b'), t.text('spaced c')];
		const { delivered } = await t.run({
			parameters: (itemIndex) =>
				t.parameters({
					text: texts[itemIndex],
					verification: 'api',
					options: { minIntervalMs: 150 },
				}),
			items: texts.map(() => ({ json: {} })),
		});
		expect(delivered).toHaveLength(3);
		const sends = await t.calls('send_group_msg');
		expect(sends.map((send) => send.params.message?.[0].data.text)).toEqual(texts);
		// Spaced at the sender; arrival times at the simulator also carry each request's own latency, which varies
		// on a loaded machine. Unspaced sends arrive a few ms apart, so 100 ms still tells the two apart.
		for (let i = 1; i < sends.length; i++)
			expect(sends[i].at - sends[i - 1].at).toBeGreaterThanOrEqual(100);
	});

	test('witness event stream: Delivered via the event, conclusive Not Delivered without history polling', async () => {
		const seen = t.text('streamed');
		const json = only(
			(
				await t.run({
					parameters: t.parameters({ text: seen }),
					credentials: t.credentials({ events: true }),
				})
			).delivered,
		);
		expect(json.evidence.witness).toMatchObject({
			status: 'seen',
			via: 'event',
			eventStream: 'open',
		});

		await t.sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const before = (await t.calls('get_group_msg_history', 'witness')).length;
		const lost = only(
			(
				await t.run({
					parameters: t.parameters({ text: t.text('streamed lost'), retry: { maxAttempts: 1 } }),
					credentials: t.credentials({ events: true }),
				})
			).notDelivered,
		);
		expect(lost.evidence.witness).toMatchObject({ status: 'not_seen', via: 'event' });
		// Only the baseline read: the open stream is what proved absence.
		expect((await t.calls('get_group_msg_history', 'witness')).length - before).toBe(1);
	});

	test('message formats: literal text stays text, CQ strings and segments become segments', async () => {
		const literal = `${t.text('literal')} [CQ:at,qq=all] & more`;
		const cq = `[CQ:at,qq=${t.sim.urls.accounts.witness.selfId}] ${t.text('cq')} &#91;x&#93;`;
		const segments = [
			{ type: 'face', data: { id: '14' } },
			{ type: 'text', data: { text: ` ${t.text('segments')}` } },
		];
		const modes: IDataObject[] = [
			{ messageMode: 'text', text: literal },
			{ messageMode: 'cq', cqMessage: cq },
			{ messageMode: 'segments', segments: JSON.stringify(segments) },
		];
		const { delivered, notDelivered } = await t.run({
			parameters: (itemIndex) => t.parameters(modes[itemIndex]),
			items: modes.map(() => ({ json: {} })),
		});
		expect(notDelivered).toHaveLength(0);
		const [text, cqItem, segmentItem] = delivered.map((item) => item.json as unknown as Item);
		expect(text.message).toEqual([{ type: 'text', data: { text: literal } }]);
		expect(cqItem.message[0]).toEqual({
			type: 'at',
			data: { qq: String(t.sim.urls.accounts.witness.selfId) },
		});
		expect(cqItem.message[1].data.text).toMatch(/ \[x\]$/);
		expect(segmentItem.message).toEqual(segments);
		const inbox = await t.inbox('witness');
		expect(inbox.find((entry) => entry.text === literal)?.segments).toEqual([
			{ type: 'text', data: { text: literal } },
		]);
	});
});

describe('parameters, errors, secrets and reports', () => {
	const t = fixture('napcat', '4.10.32');

	test('an invalid target id fails the node naming the item and the field; nothing is sent', async () => {
		const run = t.run({
			parameters: (itemIndex) =>
				t.parameters({ targetId: itemIndex === 1 ? 'abc' : String(GROUP), text: 'x' }),
			items: [{ json: {} }, { json: {} }],
		});
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(run).rejects.toThrow(/Item 1: targetId must be a positive whole number/);
		await run.catch((error: NodeOperationError) => {
			expect(error.context.itemIndex).toBe(1);
			expect(error.description).toMatch(/"targetId"/);
		});
		expect(await t.calls('send_group_msg')).toHaveLength(0);
	});

	test('with continueOnFail: the bad item leaves on Not Delivered with the contract fields, the good one is sent', async () => {
		// Include Input on (a run-wide option, read from the first item): both outputs carry their input.
		const options = { ...(t.parameters().options as IDataObject), includeInput: true };
		// One message format for both items: n8n requires every message field when the format is an expression.
		const good = JSON.stringify([{ type: 'text', data: { text: t.text('good') } }]);
		const { delivered, notDelivered } = await t.run({
			parameters: (itemIndex) =>
				t.parameters({
					messageMode: 'segments',
					segments: itemIndex === 0 ? '[{"type":"text"}]' : good,
					options,
				}),
			items: [{ json: { n: 0 } }, { json: { n: 1 } }],
			continueOnFail: true,
		});
		const bad = only(notDelivered);
		expect(bad).toMatchObject({
			status: 'failed',
			reason: 'bad_request',
			reasonClass: 'terminal',
			verification: 'witness',
			attempts: [],
			messageId: null,
			input: { n: 0 },
			target: { type: 'group', id: GROUP },
		});
		expect(bad.error).toMatch(/^Item 0: Malformed segment at index 0/);
		expect(notDelivered[0].pairedItem).toEqual({ item: 0 });
		expect(only(delivered).input).toEqual({ n: 1 });
	});

	test('witness verification of a private message to someone else than the witness is refused before sending', async () => {
		const friendId = t.sim.urls.accounts.friend.selfId;
		const run = t.run({
			parameters: t.parameters({ targetType: 'private', targetId: String(friendId) }),
		});
		await expect(run).rejects.toThrow(/can be witnessed only by its recipient/);
		expect(await t.calls('send_private_msg')).toHaveLength(0);
		const { notDelivered } = await t.run({
			parameters: t.parameters({ targetType: 'private', targetId: String(friendId) }),
			continueOnFail: true,
		});
		expect(only(notDelivered)).toMatchObject({
			reason: 'bad_request',
			target: { type: 'private', id: friendId },
		});
	});

	test('witness verification without a witness credential is a clear error', async () => {
		await expect(
			t.run({ parameters: t.parameters(), credentials: t.credentials({ witness: false }) }),
		).rejects.toThrow(
			/^Item 0: Witness verification needs a second QQ account.*choose Kernel Confirmed/,
		);
	});

	test('tokens and report secrets never appear in outputs, errors or reports', async () => {
		const httpLog: HttpLogEntry[] = [];
		const sink: string[] = [];
		await t.sim.control.setFault({ kind: 'silent_drop', scope: { account: 'bot' } });
		const credentials = t.credentials({
			events: true,
			report: { url: 'http://127.0.0.1:9/unreachable', secret: 'very-secret-report-key' },
		});
		const { notDelivered } = await t.run({
			parameters: t.parameters({ retry: { maxAttempts: 1 } }),
			credentials,
			httpLog,
		});
		const json = only(notDelivered);
		expect(json.report).toMatchObject({ sent: false });
		sink.push(JSON.stringify(notDelivered));
		const wrongToken = 'wrong-token-should-not-leak';
		const denied = await t.run({
			parameters: t.parameters({ verification: 'api' }),
			credentials: {
				oneBotApi: { baseUrl: t.sim.urls.accounts.bot.http, accessToken: wrongToken },
			},
		});
		const auth = only(denied.notDelivered);
		expect(auth).toMatchObject({ reason: 'auth_failed', reasonClass: 'terminal' });
		sink.push(JSON.stringify(denied));
		const all = sink.join('\n');
		for (const secret of ['bot-token', 'witness-token', 'very-secret-report-key', wrongToken])
			expect(all).not.toContain(secret);
		// The report request itself carries a signature, never the secret.
		const report = httpLog.find((entry) => entry.url.includes('/unreachable'));
		expect(JSON.stringify(report)).not.toContain('very-secret-report-key');
	});

	test('a report that cannot be posted never fails the item; the item says so', async () => {
		await t.sim.control.setFault({ kind: 'not_in_group', scope: { account: 'bot' } });
		const { notDelivered } = await t.run({
			parameters: t.parameters(),
			credentials: t.credentials({ report: { url: 'http://127.0.0.1:9/refused', secret: 's' } }),
		});
		const json = only(notDelivered);
		expect(json.reason).toBe('not_in_group');
		expect(json.report).toMatchObject({
			sent: false,
			error: expect.stringMatching(/could not be posted/),
		});
	});

	test('without a report URL no report is attempted and the item has no report field', async () => {
		await t.sim.control.setFault({ kind: 'not_in_group', scope: { account: 'bot' } });
		const json = only((await t.run({ parameters: t.parameters() })).notDelivered);
		expect(json.report).toBeUndefined();
	});

	test('the correlation id is echoed when given and generated when not', async () => {
		const { delivered } = await t.run({
			parameters: (itemIndex) =>
				t.parameters({
					text: t.text('corr'),
					verification: 'api',
					options: itemIndex === 0 ? { correlationId: 'order-42' } : {},
				}),
			items: [{ json: {} }, { json: {} }],
		});
		expect(delivered[0].json.correlationId).toBe('order-42');
		expect(delivered[1].json.correlationId).toMatch(/^[0-9a-f-]{36}$/);
	});
});
