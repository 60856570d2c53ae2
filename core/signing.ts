import { createHmac, timingSafeEqual } from 'crypto';
import { headerValue } from './values';

/**
 * The one implementation of the failure report signature, used by every node that reports and by the
 * trigger that checks: `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. Signing the timestamp
 * with the body stops a captured report from being replayed later with a fresh timestamp.
 */
export const REPORT_TIMESTAMP_HEADER = 'X-OneBot-Sentinel-Timestamp';
export const REPORT_SIGNATURE_HEADER = 'X-OneBot-Sentinel-Signature';
export const DEFAULT_REPORT_MAX_AGE_SECONDS = 300;

export type ReportHeaders = Record<
	typeof REPORT_TIMESTAMP_HEADER | typeof REPORT_SIGNATURE_HEADER,
	string
>;

type RawBody = string | Uint8Array;

function toBuffer(body: RawBody): Buffer {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
}

function reportDigest(body: RawBody, secret: string, timestampSeconds: number | string): string {
	return createHmac('sha256', secret)
		.update(`${timestampSeconds}.`, 'utf8')
		.update(toBuffer(body))
		.digest('hex');
}

/**
 * Timing-safe comparison of two hex digests. The given one must be exactly as long as the expected one
 * (64 hex digits for SHA-256, 40 for SHA-1): `Buffer.from(hex, 'hex')` silently drops an odd trailing
 * digit, so without this check `<digest>0` … `<digest>f` would all pass as the same signature.
 */
function sameDigest(expectedHex: string, givenHex: string): boolean {
	if (givenHex.length !== expectedHex.length || !/^[0-9a-f]+$/i.test(givenHex)) return false;
	const expected = Buffer.from(expectedHex, 'hex');
	const given = Buffer.from(givenHex, 'hex');
	return expected.length === given.length && timingSafeEqual(expected, given);
}

export function signReport(body: string, secret: string, timestampSeconds: number): ReportHeaders {
	const timestamp = String(Math.floor(timestampSeconds));
	return {
		[REPORT_TIMESTAMP_HEADER]: timestamp,
		[REPORT_SIGNATURE_HEADER]: `sha256=${reportDigest(body, secret, timestamp)}`,
	};
}

/**
 * missing: no signature or timestamp (answer 401). forged: the signature does not match (403).
 * stale: signed correctly but outside the age window, in the past or the future (a replay; 403).
 */
export type ReportVerification =
	| {
			ok: true;
			timestampSeconds: number;
			/** The digest bytes as lower-case hex (the replay memory's key). */ signature: string;
	  }
	| { ok: false; failure: 'missing' | 'forged' | 'stale'; detail: string };

export function verifyReport(
	headers: Record<string, unknown>,
	rawBody: RawBody,
	secret: string,
	nowSeconds: number,
	maxAgeSeconds = DEFAULT_REPORT_MAX_AGE_SECONDS,
): ReportVerification {
	const timestamp = headerValue(headers, REPORT_TIMESTAMP_HEADER);
	const signature = headerValue(headers, REPORT_SIGNATURE_HEADER);
	if (!timestamp || !signature) {
		return {
			ok: false,
			failure: 'missing',
			detail: 'the report carries no signature or no timestamp',
		};
	}
	if (!/^\d{1,12}$/.test(timestamp)) {
		return {
			ok: false,
			failure: 'forged',
			detail: 'the report timestamp is not a number of seconds',
		};
	}
	const match = /^sha256=(.+)$/i.exec(signature);
	if (!match || !secret || !sameDigest(reportDigest(rawBody, secret, timestamp), match[1])) {
		return { ok: false, failure: 'forged', detail: 'the report signature does not match' };
	}
	const timestampSeconds = Number(timestamp);
	if (Math.abs(nowSeconds - timestampSeconds) > maxAgeSeconds) {
		return {
			ok: false,
			failure: 'stale',
			detail: `the report was signed ${Math.round(nowSeconds - timestampSeconds)} s from now (allowed: ${maxAgeSeconds} s)`,
		};
	}
	// The digest's bytes, as canonical hex: one key per report however its hex was written.
	return { ok: true, timestampSeconds, signature: Buffer.from(match[1], 'hex').toString('hex') };
}

/**
 * OneBot HTTP POST event signing: `X-Signature: sha1=<hex HMAC-SHA1(key, raw body)>`, the same in
 * LLOneBot, NapCat, go-cqhttp and Lagrange (only the key differs: see the credential's fields).
 */
export function verifyOneBotSignature(
	rawBody: RawBody,
	xSignatureHeader: string | undefined,
	key: string,
): boolean {
	if (!xSignatureHeader || !key) return false;
	const match = /^sha1=(.+)$/i.exec(xSignatureHeader.trim());
	if (!match) return false;
	const expected = createHmac('sha1', key).update(toBuffer(rawBody)).digest('hex');
	return sameDigest(expected, match[1]);
}
