import { createHash } from 'crypto';
import { REASON_CLASS, checkOnline } from '../classify';
import { buildFailureEvent, parseFailureEvent } from '../report';
import { ReplayMemory, rememberReportSignature } from './replay';
import {
	DEFAULT_REPORT_MAX_AGE_SECONDS,
	REPORT_SIGNATURE_HEADER,
	REPORT_TIMESTAMP_HEADER,
	verifyOneBotSignature,
	verifyReport,
} from '../signing';
import type { FailureEvent } from '../types';
import { headerValue } from '../values';

/**
 * What the Delivery Failure Trigger receives, turned into failure events: signed reports from this
 * package's nodes, and OneBot v11 events that the implementation posts (HTTP POST reporting).
 * Only two events mean the account is gone: a `bot_offline` notice (NapCat, Lagrange) and a heartbeat
 * whose status says `online: false`. go-cqhttp's `client_status` notice is about the account's *other*
 * clients (a phone or PC signing in or out), not the bot, so it is ignored like every other event.
 */

export type OneBotEventInterpretation =
	| { kind: 'failure'; event: FailureEvent }
	| { kind: 'ignored'; detail: string };

export type OneBotEventBody = Record<string, unknown> & { post_type: string };

/** A OneBot v11 event is a JSON object with a string `post_type`. */
export function isOneBotEvent(value: unknown): value is OneBotEventBody {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		typeof (value as Record<string, unknown>).post_type === 'string'
	);
}

function selfIdOf(body: Record<string, unknown>, selfIdHeader?: string): number | null {
	const candidates = [body.self_id, selfIdHeader];
	for (const candidate of candidates) {
		const id =
			typeof candidate === 'string' && /^\d+$/.test(candidate.trim())
				? Number(candidate)
				: candidate;
		if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return id;
	}
	return null;
}

function offlineEvent(
	body: OneBotEventBody,
	reportedAt: string,
	selfId: number | null,
	details: Record<string, unknown>,
): OneBotEventInterpretation {
	return {
		kind: 'failure',
		event: buildFailureEvent({
			event: 'client_offline',
			source: 'onebot_event',
			reportedAt,
			status: 'failed',
			reason: 'client_offline',
			reasonClass: REASON_CLASS.client_offline,
			selfId,
			details: { ...details, onebotEvent: body },
		}),
	};
}

export function interpretOneBotEvent(
	body: OneBotEventBody,
	options: { reportedAt: string; selfIdHeader?: string },
): OneBotEventInterpretation {
	const selfId = selfIdOf(body, options.selfIdHeader);
	const eventTime = typeof body.time === 'number' ? new Date(body.time * 1000).toISOString() : null;
	if (body.post_type === 'notice' && body.notice_type === 'bot_offline') {
		return offlineEvent(body, options.reportedAt, selfId, {
			trigger: 'bot_offline',
			eventTime,
			tag: typeof body.tag === 'string' ? body.tag : null,
			message: typeof body.message === 'string' ? body.message : null,
		});
	}
	if (body.post_type === 'meta_event' && body.meta_event_type === 'heartbeat') {
		if (checkOnline(body.status)) {
			return offlineEvent(body, options.reportedAt, selfId, {
				trigger: 'heartbeat_offline',
				eventTime,
				intervalMs: typeof body.interval === 'number' ? body.interval : null,
			});
		}
		return { kind: 'ignored', detail: 'heartbeat: online' };
	}
	const subtype = [
		body.notice_type,
		body.meta_event_type,
		body.message_type,
		body.request_type,
	].find((value) => typeof value === 'string');
	return {
		kind: 'ignored',
		detail: `${body.post_type}${subtype ? `.${String(subtype)}` : ''}: not a failure`,
	};
}

// ------------------------------------------------------------------ requests to the trigger

/**
 * What the trigger does with one request: start a run with a failure event, or answer without one.
 * Status codes: 400 malformed body, 401 no signature, 403 forged, stale, replayed or no key to check
 * with, 204 understood but nothing to start.
 */
export type TriggerDecision =
	| { start: FailureEvent; origin: 'report' }
	| {
			start: FailureEvent;
			origin: 'onebot_event';
			/** SHA-256 of the raw body: a replayed notice has the same one (see offlineRunDue). */
			fingerprint: string;
	  }
	| { status: 204 | 400 | 401 | 403; message: string };

export interface TriggerKeys {
	/** Checks failure reports (HMAC-SHA256). */
	reportSecret?: string;
	/** Checks OneBot event posts (X-Signature, HMAC-SHA1). */
	eventKey?: string;
}

export interface TriggerRequest {
	headers: Record<string, unknown>;
	rawBody: string | Uint8Array;
}

export interface TriggerContext {
	nowMs: number;
	/** Events without a key to check them are refused unless the user accepts them. */
	acceptUnsignedEvents?: boolean;
	maxReportAgeSeconds?: number;
	/** Signatures of reports already taken (signature → timestamp); updated in place. */
	seenReportSignatures?: Record<string, number> | ReplayMemory;
}

type ParsedBody = { ok: true; value: unknown } | { ok: false };

function parseJson(rawBody: string | Uint8Array): ParsedBody {
	const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
	if (!text.trim()) return { ok: false };
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

function looksLikeReport(value: unknown): boolean {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		'event' in value &&
		'source' in value
	);
}

export function receiveTriggerRequest(
	request: TriggerRequest,
	keys: TriggerKeys,
	context: TriggerContext,
): TriggerDecision {
	const signedAsReport =
		headerValue(request.headers, REPORT_SIGNATURE_HEADER) !== undefined ||
		headerValue(request.headers, REPORT_TIMESTAMP_HEADER) !== undefined;
	const parsed = parseJson(request.rawBody);

	if (
		signedAsReport ||
		(parsed.ok && looksLikeReport(parsed.value) && !isOneBotEvent(parsed.value))
	) {
		return receiveReport(request, keys, context, parsed);
	}
	return receiveOneBotEvent(request, keys, context, parsed);
}

/** A request signed as, or shaped like, a failure report from a Send node. */
function receiveReport(
	request: TriggerRequest,
	keys: TriggerKeys,
	context: TriggerContext,
	parsed: ParsedBody,
): TriggerDecision {
	const nowSeconds = Math.floor(context.nowMs / 1000);
	if (!keys.reportSecret) {
		return {
			status: 403,
			message: 'Reports are refused: the trigger credential has no Report Secret',
		};
	}
	const maxAge = context.maxReportAgeSeconds ?? DEFAULT_REPORT_MAX_AGE_SECONDS;
	const verification = verifyReport(
		request.headers,
		request.rawBody,
		keys.reportSecret,
		nowSeconds,
		maxAge,
	);
	if (!verification.ok) {
		const status = verification.failure === 'missing' ? 401 : 403;
		const message =
			verification.failure === 'stale'
				? `Replayed or stale report refused: ${verification.detail}`
				: `Report refused: ${verification.detail}`;
		return { status, message };
	}
	if (!parsed.ok) return { status: 400, message: 'The report body is not JSON' };
	let event: FailureEvent;
	try {
		event = parseFailureEvent(parsed.value);
	} catch (error) {
		// parseFailureEvent throws only ReportFormatError, whose message names the bad field.
		return {
			status: 400,
			message: `Malformed report: ${error instanceof Error ? error.message : String(error)}`,
		};
	}
	if (
		context.seenReportSignatures &&
		!rememberReportSignature(
			context.seenReportSignatures,
			verification.signature,
			verification.timestampSeconds,
			nowSeconds,
			maxAge,
		)
	) {
		return {
			status: 403,
			message: 'Replayed report refused: this signature was already received',
		};
	}
	return { start: event, origin: 'report' };
}

/** Anything else must be a OneBot event, signed with the Event Signing Secret unless unsigned ones are accepted. */
function receiveOneBotEvent(
	request: TriggerRequest,
	keys: TriggerKeys,
	context: TriggerContext,
	parsed: ParsedBody,
): TriggerDecision {
	if (!parsed.ok || !isOneBotEvent(parsed.value)) {
		return {
			status: 400,
			message: 'The body is neither a signed failure report nor a OneBot event',
		};
	}
	const signature = headerValue(request.headers, 'x-signature');
	if (keys.eventKey) {
		if (signature === undefined) {
			if (!context.acceptUnsignedEvents) {
				return { status: 401, message: 'OneBot event refused: no X-Signature header' };
			}
		} else if (!verifyOneBotSignature(request.rawBody, signature, keys.eventKey)) {
			return { status: 403, message: 'OneBot event refused: the X-Signature does not match' };
		}
	} else if (!context.acceptUnsignedEvents) {
		return {
			status: 401,
			message:
				'OneBot event refused: the trigger credential has no Event Signing Secret or Access Token to check it with',
		};
	}
	const interpretation = interpretOneBotEvent(parsed.value, {
		reportedAt: new Date(context.nowMs).toISOString(),
		selfIdHeader: headerValue(request.headers, 'x-self-id'),
	});
	if (interpretation.kind === 'ignored') return { status: 204, message: interpretation.detail };
	const fingerprint = createHash('sha256')
		.update(
			typeof request.rawBody === 'string' ? Buffer.from(request.rawBody, 'utf8') : request.rawBody,
		)
		.digest('hex');
	return { start: interpretation.event, origin: 'onebot_event', fingerprint };
}
