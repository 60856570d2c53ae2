/**
 * Signatures and replay memory of the Delivery Failure Trigger (issue 14, item 4): exact digest lengths,
 * replay memory keyed on the digest bytes, test and production memories apart, replayed offline notices
 * held back, every per-key memory bounded.
 */
import { createHmac } from 'node:crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import {
	MAX_OFFLINE_KEYS,
	MAX_REMEMBERED_SIGNATURES,
	ReplayMemory,
	offlineRunDue,
	receiveTriggerRequest,
	rememberReportSignature,
} from '../../core/trigger';
import { buildFailureEvent } from '../../core/report';
import {
	REPORT_SIGNATURE_HEADER,
	signReport,
	verifyOneBotSignature,
	verifyReport,
} from '../../core/signing';
import type { FailureEvent } from '../../core/types';
import { OneBotDeliveryFailureTrigger } from '../../nodes/OneBotDeliveryFailureTrigger/OneBotDeliveryFailureTrigger.node';
import { runWebhook } from '../support/n8nHarness';

const SECRET = 'report-secret';
const EVENT_KEY = 'access-token';
const NOW_S = 1_760_000_000;
const NOW_MS = NOW_S * 1000;

function report(text = 'x'): string {
	return JSON.stringify(
		buildFailureEvent({
			event: 'delivery_failed',
			source: 'send',
			reportedAt: NOW_MS,
			status: 'failed',
			reason: 'send_timeout',
			reasonClass: 'ambiguous',
			details: { text },
		}),
	);
}

const sha1 = (body: string, key: string) =>
	`sha1=${createHmac('sha1', key).update(body).digest('hex')}`;

describe('exact digest lengths', () => {
	const body = report();
	const signed = signReport(body, SECRET, NOW_S);
	const hex = signed[REPORT_SIGNATURE_HEADER].slice('sha256='.length);

	test.each([...'0123456789abcdef'])(
		'sha256=<hex>%s (an extra nibble) is forged, not a second copy',
		(nibble) => {
			expect(
				verifyReport(
					{ ...signed, [REPORT_SIGNATURE_HEADER]: `sha256=${hex}${nibble}` },
					body,
					SECRET,
					NOW_S,
				),
			).toMatchObject({ ok: false, failure: 'forged' });
		},
	);

	test('a 63-hex or 66-hex signature is forged; uppercase hex of the right digest is the same report', () => {
		expect(
			verifyReport(
				{ ...signed, [REPORT_SIGNATURE_HEADER]: `sha256=${hex.slice(0, 63)}` },
				body,
				SECRET,
				NOW_S,
			),
		).toMatchObject({ ok: false });
		expect(
			verifyReport(
				{ ...signed, [REPORT_SIGNATURE_HEADER]: `sha256=${hex}00` },
				body,
				SECRET,
				NOW_S,
			),
		).toMatchObject({ ok: false });
		expect(
			verifyReport(
				{ ...signed, [REPORT_SIGNATURE_HEADER]: `sha256=${hex.toUpperCase()}` },
				body,
				SECRET,
				NOW_S,
			),
		).toMatchObject({ ok: true, signature: hex });
	});

	test('the 16 nibble variants of one captured report start no second run', () => {
		const seenReportSignatures = {};
		const keys = { reportSecret: SECRET };
		expect(
			receiveTriggerRequest({ headers: signed, rawBody: body }, keys, {
				nowMs: NOW_MS,
				seenReportSignatures,
			}),
		).toHaveProperty('start');
		for (const variant of [...'0123456789abcdef']
			.map((n) => `sha256=${hex}${n}`)
			.concat(`SHA256=${hex.toUpperCase()}`)) {
			const decision = receiveTriggerRequest(
				{ headers: { ...signed, [REPORT_SIGNATURE_HEADER]: variant }, rawBody: body },
				keys,
				{ nowMs: NOW_MS, seenReportSignatures },
			);
			expect(decision).toMatchObject({ status: 403 });
		}
	});

	test('OneBot X-Signature: exactly 40 hex for sha1', () => {
		const raw = '{"post_type":"notice","notice_type":"bot_offline"}';
		const good = sha1(raw, EVENT_KEY);
		expect(verifyOneBotSignature(raw, good, EVENT_KEY)).toBe(true);
		expect(verifyOneBotSignature(raw, `${good}a`, EVENT_KEY)).toBe(false);
		expect(verifyOneBotSignature(raw, good.slice(0, -1), EVENT_KEY)).toBe(false);
	});
});

describe('bounded memories', () => {
	test('the replay memory never holds more than its maximum, keeping the newest, at a constant cost per report', () => {
		const seen = new ReplayMemory();
		const started = Date.now();
		for (let i = 0; i < MAX_REMEMBERED_SIGNATURES + 50; i++) {
			expect(
				rememberReportSignature(seen, i.toString(16).padStart(64, '0'), NOW_S, NOW_S, 300),
			).toBe(true);
		}
		expect(Date.now() - started).toBeLessThan(20000);
		expect(seen.size).toBe(MAX_REMEMBERED_SIGNATURES);
		expect(rememberReportSignature(seen, '0'.padStart(64, '0'), NOW_S, NOW_S, 300)).toBe(true);
		expect(
			rememberReportSignature(
				seen,
				(MAX_REMEMBERED_SIGNATURES + 49).toString(16).padStart(64, '0'),
				NOW_S,
				NOW_S,
				300,
			),
		).toBe(false);
	});

	test('the offline-repeat memory is bounded even when every event names a new self_id (unsigned mode)', () => {
		const last: Record<string, number> = {};
		for (let i = 1; i <= MAX_OFFLINE_KEYS + 100; i++) {
			const event = {
				event: 'client_offline',
				source: 'onebot_event',
				selfId: i,
				details: { trigger: 'heartbeat_offline' },
			} as unknown as FailureEvent;
			offlineRunDue(event, last, NOW_MS, 600);
		}
		expect(Object.keys(last).length).toBeLessThanOrEqual(MAX_OFFLINE_KEYS);
	});

	test('a replayed offline notice (same bytes) is held back for the repeat interval; a new notice is not', () => {
		const last: Record<string, number> = {};
		const notice = (fingerprint: string) =>
			[
				{
					event: 'client_offline',
					source: 'onebot_event',
					selfId: 10001,
					details: { trigger: 'bot_offline' },
				} as unknown as FailureEvent,
				fingerprint,
			] as const;
		const [first, fp] = notice('aaaa');
		expect(offlineRunDue(first, last, NOW_MS, 600, fp)).toBe(true);
		expect(offlineRunDue(first, last, NOW_MS + 5000, 600, fp)).toBe(false);
		expect(offlineRunDue(first, last, NOW_MS + 5000, 600, 'bbbb')).toBe(true);
		expect(offlineRunDue(first, last, NOW_MS + 601_000, 600, fp)).toBe(true);
	});
});

describe('the trigger node: test and production memories; replayed notices', () => {
	const credentials = {
		oneBotApi: { baseUrl: 'http://127.0.0.1:1', accessToken: EVENT_KEY, reportSecret: SECRET },
	};
	const parameters = {
		events: ['delivery_failed', 'client_offline'],
		reasonClasses: ['terminal', 'ambiguous', 'transient', 'account'],
		options: {},
	};
	let n = 0;

	async function hit(
		workflow: { id: string; name: string; active: boolean },
		mode: 'webhook' | 'manual',
		body: string,
		headers: Record<string, string>,
	) {
		const { result, response } = await runWebhook(
			new OneBotDeliveryFailureTrigger(),
			{ parameters, credentials, workflow, mode },
			{ headers, body },
		);
		return {
			started: result.workflowData !== undefined,
			status: response.ended ? response.status : 200,
		};
	}

	test('"Listen for test event" neither wipes nor shares the production replay memory', async () => {
		const workflow = { id: `wf-sig-${++n}`, name: 'sig', active: true };
		const body = report('production');
		const headers = signReport(body, SECRET, Math.floor(Date.now() / 1000));
		expect((await hit(workflow, 'webhook', body, headers)).started).toBe(true);
		// The editor's test listener activates the same node: its create() hook runs in manual mode.
		const trigger = new OneBotDeliveryFailureTrigger();
		const hook = {
			getNodeParameter: (name: string, fallback: unknown) =>
				(parameters as IDataObject)[name] ?? fallback,
			getWorkflow: () => workflow,
			getNode: () => ({ name: 'OneBot Delivery Failure Trigger' }),
			getMode: () => 'manual',
			getActivationMode: () => 'manual',
		} as unknown as IHookFunctions;
		await trigger.webhookMethods.default.create.call(hook);
		// Production still refuses the replay after the test listener started...
		expect(await hit(workflow, 'webhook', body, headers)).toMatchObject({
			started: false,
			status: 403,
		});
		// ...and the test listener has its own memory: it takes the report once.
		expect((await hit(workflow, 'manual', body, headers)).started).toBe(true);
		expect((await hit(workflow, 'manual', body, headers)).started).toBe(false);
	});

	test('a replayed signed bot_offline notice starts one run, not one per copy', async () => {
		const workflow = { id: `wf-sig-${++n}`, name: 'sig', active: true };
		const raw = JSON.stringify({
			time: NOW_S,
			self_id: 10001,
			post_type: 'notice',
			notice_type: 'bot_offline',
			user_id: 10001,
			tag: 'Kicked',
			message: 'x',
		});
		const headers = { 'x-signature': sha1(raw, EVENT_KEY) };
		expect((await hit(workflow, 'webhook', raw, headers)).started).toBe(true);
		for (let i = 0; i < 3; i++)
			expect((await hit(workflow, 'webhook', raw, headers)).started).toBe(false);
		const another = raw.replace('Kicked', 'KickedAgain');
		expect(
			(await hit(workflow, 'webhook', another, { 'x-signature': sha1(another, EVENT_KEY) }))
				.started,
		).toBe(true);
	});
});
