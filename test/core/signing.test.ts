import { createHmac } from 'node:crypto';
import {
	REPORT_SIGNATURE_HEADER,
	REPORT_TIMESTAMP_HEADER,
	signReport,
	verifyOneBotSignature,
	verifyReport,
} from '../../core/signing';

const SECRET = 'report-secret';
const BODY = JSON.stringify({
	event: 'delivery_failed',
	reason: 'send_timeout',
	message: [{ type: 'text', data: { text: '你好 [CQ:at,qq=all]' } }],
});
const NOW = 1_760_000_000;

describe('signReport', () => {
	test('signs "<timestamp>.<body>" with HMAC-SHA256, hex, sha256= prefix', () => {
		const headers = signReport(BODY, SECRET, NOW + 0.9);
		const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
		expect(headers).toEqual({
			[REPORT_TIMESTAMP_HEADER]: String(NOW),
			[REPORT_SIGNATURE_HEADER]: `sha256=${expected}`,
		});
	});
});

describe('verifyReport', () => {
	const signed = signReport(BODY, SECRET, NOW);
	const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));

	test('accepts a fresh, correctly signed report (headers in any case, body as bytes)', () => {
		expect(verifyReport(signed, BODY, SECRET, NOW + 10)).toMatchObject({
			ok: true,
			timestampSeconds: NOW,
		});
		expect(verifyReport(lower, Buffer.from(BODY, 'utf8'), SECRET, NOW)).toMatchObject({ ok: true });
	});

	test('unsigned: missing', () => {
		expect(verifyReport({}, BODY, SECRET, NOW)).toMatchObject({ ok: false, failure: 'missing' });
		expect(
			verifyReport(
				{ [REPORT_SIGNATURE_HEADER]: signed[REPORT_SIGNATURE_HEADER] },
				BODY,
				SECRET,
				NOW,
			),
		).toMatchObject({
			ok: false,
			failure: 'missing',
		});
	});

	test('forged: another secret, a changed body, a changed timestamp, garbage', () => {
		expect(verifyReport(signReport(BODY, 'other', NOW), BODY, SECRET, NOW)).toMatchObject({
			ok: false,
			failure: 'forged',
		});
		expect(
			verifyReport(signed, BODY.replace('send_timeout', 'not_observed'), SECRET, NOW),
		).toMatchObject({ ok: false, failure: 'forged' });
		expect(
			verifyReport({ ...signed, [REPORT_TIMESTAMP_HEADER]: String(NOW + 1) }, BODY, SECRET, NOW),
		).toMatchObject({ ok: false, failure: 'forged' });
		expect(
			verifyReport({ ...signed, [REPORT_SIGNATURE_HEADER]: 'sha256=zz' }, BODY, SECRET, NOW),
		).toMatchObject({ ok: false, failure: 'forged' });
		expect(verifyReport(signed, BODY, '', NOW)).toMatchObject({ ok: false, failure: 'forged' });
	});

	test('stale: outside the window in the past or the future', () => {
		expect(verifyReport(signed, BODY, SECRET, NOW + 301)).toMatchObject({
			ok: false,
			failure: 'stale',
		});
		expect(verifyReport(signed, BODY, SECRET, NOW - 301)).toMatchObject({
			ok: false,
			failure: 'stale',
		});
		expect(verifyReport(signed, BODY, SECRET, NOW + 60, 30)).toMatchObject({
			ok: false,
			failure: 'stale',
		});
		expect(verifyReport(signed, BODY, SECRET, NOW + 300)).toMatchObject({ ok: true });
	});
});

describe('verifyOneBotSignature (X-Signature: sha1=<hex HMAC-SHA1(key, raw body)>)', () => {
	// The raw bytes as posted: re-serialised JSON would differ in spacing and escaping.
	const raw =
		'{"post_type":"notice","notice_type":"bot_offline","user_id":10001,"tag":"BotOfflineEvent","message":"被挤下线"}';
	const header = `sha1=${createHmac('sha1', 'access-token').update(raw).digest('hex')}`;

	test('accepts the implementation’s signature over the raw body', () => {
		expect(verifyOneBotSignature(raw, header, 'access-token')).toBe(true);
		expect(
			verifyOneBotSignature(
				Buffer.from(raw),
				header.toUpperCase().replace('SHA1=', 'sha1='),
				'access-token',
			),
		).toBe(true);
	});

	test('refuses a wrong key, a changed body, a missing or malformed header', () => {
		expect(verifyOneBotSignature(raw, header, 'other')).toBe(false);
		expect(
			verifyOneBotSignature(JSON.stringify(JSON.parse(raw), null, 1), header, 'access-token'),
		).toBe(false);
		expect(verifyOneBotSignature(raw, undefined, 'access-token')).toBe(false);
		expect(verifyOneBotSignature(raw, header.replace('sha1=', 'sha256='), 'access-token')).toBe(
			false,
		);
		expect(verifyOneBotSignature(raw, 'sha1=abc', 'access-token')).toBe(false);
		expect(verifyOneBotSignature(raw, header, '')).toBe(false);
	});
});
