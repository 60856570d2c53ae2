// Long file: every classification rule in the order it is tried; the order is the logic, so the rules stay together.
/**
 * Turns every way a OneBot call can fail into a stable reason code and class (DESIGN.md).
 * The exact wordings live with each implementation (core/implementations/<name>.ts, each naming the
 * `repo: path` that produces it); patterns no implementation produces are unverified fallbacks.
 */
import { ALL_ERROR_WORDINGS, KERNEL_RESULT_REASONS } from './implementations';
import type { ErrorWording } from './implementations';
import { TIMEOUT_CODES } from './transport';
import type { CallFailure } from './transport';
import type { Classification, RawError, ReasonClass, ReasonCode, TargetType } from './types';
import { dataExcerpt } from './values';

/** The class each reason has unless the context changes it (see `classifyCall`). */
export const REASON_CLASS: Record<ReasonCode, ReasonClass> = {
	send_timeout: 'ambiguous',
	empty_response: 'ambiguous',
	duplicate_message_id: 'ambiguous',
	risk_control: 'account',
	not_in_group: 'terminal',
	muted: 'terminal',
	bad_request: 'terminal',
	unsupported_action: 'terminal',
	auth_failed: 'terminal',
	unreachable: 'transient',
	http_error: 'transient',
	malformed_response: 'ambiguous',
	client_timeout: 'ambiguous',
	client_offline: 'account',
	not_observed: 'ambiguous',
	lookup_failed: 'transient',
	api_error: 'ambiguous',
	not_confirmed: 'ambiguous',
	circuit_open: 'account',
	not_friend: 'terminal',
};

/** What each reason means and what to do about it, for the node UI and the generated docs tables (npm run docs). */
export const REASON_DESCRIPTIONS: Record<ReasonCode, { meaning: string; action: string }> = {
	send_timeout: {
		meaning:
			'The implementation gave up waiting for the QQ kernel to confirm the send. The message may or may not have arrived.',
		action:
			'Verify with a witness before resending. Repeated timeouts on group sends usually mean the QQ client is stuck: restart it.',
	},
	empty_response: {
		meaning:
			'The call returned ok but no usable message_id (data null, no message_id, or message_id 0).',
		action: 'Treat as unconfirmed: verify with a witness before resending.',
	},
	duplicate_message_id: {
		meaning:
			'The implementation returned a message_id it already returned for an earlier, different send (seen under risk control).',
		action:
			'Verify with a witness; if messages are not arriving, the account is likely under risk control: pause sending.',
	},
	risk_control: {
		meaning: "Tencent's server blocked the send (risk control).",
		action:
			'Stop sending from this account for a while (hours), then try again slowly. Do not resend in a loop.',
	},
	not_in_group: {
		meaning: 'The account is not a member of the target group (removed, or never joined).',
		action: 'Check the group id or add the account to the group again. Resending cannot help.',
	},
	muted: {
		meaning: 'The account is muted in the target group.',
		action:
			'Wait until the mute ends or ask a group admin. Sending to a muted group repeatedly can get the account banned.',
	},
	bad_request: {
		meaning:
			'The implementation rejected the parameters (missing or invalid id, empty or malformed message).',
		action: 'Fix the input. Resending the same request cannot help.',
	},
	unsupported_action: {
		meaning: 'The implementation does not support this action (or this setup cannot perform it).',
		action: 'Use another action or implementation, or update the implementation.',
	},
	auth_failed: {
		meaning: 'The access token was missing or wrong.',
		action: 'Check the access token in the credential against the implementation configuration.',
	},
	unreachable: {
		meaning: 'No connection to the implementation (refused, reset, host or name not found).',
		action:
			'Check that the implementation is running and the base URL is right; retrying later may work.',
	},
	http_error: {
		meaning: 'The HTTP request failed with an unexpected status.',
		action:
			"A 5xx is usually temporary: retry later. A send answered 5xx without the implementation's own JSON error may have gone in (a proxy's 502 can come after it), so it is checked before any resend. Other statuses point at the URL or a proxy in between.",
	},
	malformed_response: {
		meaning: 'The implementation answered with a body that is not a OneBot reply.',
		action:
			'Check the base URL (it may point at something else, e.g. a web UI or a proxy error page).',
	},
	client_timeout: {
		meaning:
			'No answer arrived within our own timeout. For a send, the message may or may not have arrived.',
		action: 'Verify before resending; raise the timeout if the implementation is just slow.',
	},
	client_offline: {
		meaning: 'The QQ account behind the implementation is offline or not logged in.',
		action: 'Log the account in again (it may need a QR scan) or restart the client.',
	},
	not_observed: {
		meaning: 'The witness account did not see the message by the deadline.',
		action:
			'The message most likely did not arrive. Check the sending client; restarting it often clears a stuck group send.',
	},
	lookup_failed: {
		meaning:
			'Looking the message up (get_msg or history) failed, so delivery could not be checked this way.',
		action: 'Retry the lookup, or verify with a witness instead.',
	},
	api_error: {
		meaning:
			'The implementation reported an error this package does not recognise. The raw error is kept.',
		action: 'Read the raw error. For sends, verify before resending since the outcome is unknown.',
	},
	not_confirmed: {
		meaning:
			"Kernel Confirmed verification: the send failed ambiguously (e.g. a timeout) and the QQ kernel did not confirm it by the deadline: no message_sent self event and no raw record with sendStatus 2 on the sender's side. The message may still be confirmed later (NapCat waits up to 10 minutes) or never (a stuck client; NOSEQ sends are never reported).",
		action:
			"Do not resend blindly: evidence.check says whether a resend was safe. Make sure self-reporting is on (NapCat reportSelfMessage, LLOneBot's self-message setting) and the credential's Event WebSocket URL is set; repeated not_confirmed on group sends usually means the client is stuck: restart it.",
	},
	not_friend: {
		meaning:
			'Reserved: the private target is not a friend and the message cannot have arrived. No implementation answer proves this today: NapCat sends to a non-friend as a temp chat when it knows one, and a one-way friend receives the message (NapNeko/NapCatQQ: SendMsg.ts createContext), so a timeout to a non-friend stays send_timeout (detail napcat_private_non_friend).',
		action: 'Add the account as a friend (or send to a group). Resending cannot help.',
	},
	circuit_open: {
		meaning:
			"The account's circuit breaker is open: its last sends failed in a way that says the client is stuck or the account is in trouble, so this message was held back and not sent (for one report: the breaker just opened).",
		action:
			'Restart or check the client; a recovered Restart Client or a healthy Health Probe closes the breaker. A held message that left on Not Delivered was never sent: resend it.',
	},
};

/** A failure the verifier itself found (no call failed): the class says whether a send may have landed. */
export function verifierFailure(
	reason: Classification['reason'],
	reasonClass: Classification['reasonClass'],
	raw: RawError,
	detail?: string,
): Classification {
	const classification: Classification = { reason, reasonClass, raw };
	if (detail) classification.detail = detail;
	return classification;
}

/** The detail of a NapCat private timeout whose target get_friend_list does not list (see `nonFriendTimeout`). */
export const NON_FRIEND_TIMEOUT_DETAIL = 'napcat_private_non_friend';

/**
 * NapCat's `Timeout ... EventRet: {}` for a private send to a user that get_friend_list does not list. A stranger's
 * send is never answered (NapCatQQ #600), but NapCat sends to a non-friend as a temp chat when the kernel knows
 * one and as a C2C message otherwise, which a one-way friend receives (NapNeko/NapCatQQ:
 * src/onebot/action/msg/SendMsg.ts createContext, v4.8.90; packages/napcat-onebot/action/msg/SendMsg.ts,
 * v4.10.32). So the timeout is no proof of non-delivery: it stays an ambiguous send_timeout, never `not_friend`,
 * and the sender's own history cannot rule a landing out (its get_friend_msg_history reads the temp chat for a
 * non-friend, not the C2C chat: go-cqhttp/GetFriendMsgHistory.ts), so it is not resent (see `nonFriendCheckSays`).
 */
export function nonFriendTimeout(failure: Classification): Classification {
	return {
		...failure,
		reason: 'send_timeout',
		reasonClass: 'ambiguous',
		detail: NON_FRIEND_TIMEOUT_DETAIL,
	};
}

/** What a check that found nothing means after `nonFriendTimeout`: nothing, unless a second account saw the chat. */
export function nonFriendCheckSays(
	failure: Classification,
	result: 'landed' | 'not_landed' | 'unknown',
	by: unknown,
): 'landed' | 'not_landed' | 'unknown' {
	if (failure.detail !== NON_FRIEND_TIMEOUT_DETAIL || result !== 'not_landed') return result;
	return by === 'witness' ? result : 'unknown';
}

export interface ClassifyContext {
	action: string;
	targetType?: TargetType;
}

const SEND_ACTIONS = new Set([
	'send_msg',
	'send_group_msg',
	'send_private_msg',
	'send_forward_msg',
	'send_group_forward_msg',
	'send_private_forward_msg',
]);

const LOOKUP_ACTIONS = new Set(['get_msg', 'get_group_msg_history', 'get_friend_msg_history']);

/** Whether a call of this action may have delivered a message even though it failed. */
export function isSendAction(action: string): boolean {
	return SEND_ACTIONS.has(action.replace(/_async$/, ''));
}

export function isLookupAction(action: string): boolean {
	return LOOKUP_ACTIONS.has(action);
}

/** Network errors that prove the request never reached the implementation. */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EHOSTDOWN',
	'ENETDOWN',
	'EAI_AGAIN',
	'EADDRNOTAVAIL',
	'ECERT',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/** A kernel answer `{ result, errMsg }` quoted in an error text. */
export interface KernelResult {
	result: number;
	errMsg?: string;
}

/**
 * Reads the kernel's `{result, errMsg}` from a message. NapCat prints it as JSON after `EventRet:`;
 * LLOneBot 4.x as JSON after the method; LLOneBot 7.x as a JS object literal (`{ result: -1, errMsg: '...' }`).
 * Returns null for `EventRet: {}` (the kernel never answered), undefined when no result is quoted.
 */
export function parseKernelResult(text: string): KernelResult | null | undefined {
	if (/EventRet:\s*\{\s*\}\s*$/.test(text)) return null;
	// The answer comes last; earlier text may echo the sent elements, user text included.
	const results = [...text.matchAll(/["']?result["']?\s*:\s*(-?\d+)/g)];
	const match = results[results.length - 1];
	if (!match) return undefined;
	const tail = text.slice(match.index);
	const errMsg = /["']?errMsg["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/.exec(tail);
	const result: KernelResult = { result: Number(match[1]) };
	if (errMsg) result.errMsg = errMsg[1] ?? errMsg[2];
	return result;
}

const LOOKUP_KEEPS = new Set<ReasonCode>(['auth_failed', 'unsupported_action', 'client_offline']);

function make(
	reason: ReasonCode,
	raw: RawError,
	detail?: string,
	reasonClass?: ReasonClass,
): Classification {
	const classification: Classification = {
		reason,
		reasonClass: reasonClass ?? REASON_CLASS[reason],
		raw,
	};
	if (detail) classification.detail = detail;
	return classification;
}

/** A known wording from core/implementations matched this failure. */
function matchesWording(wording: ErrorWording, raw: RawError, parts: string[]): boolean {
	switch (wording.on) {
		case 'retcode':
			return (
				raw.retcode === wording.retcode &&
				(!wording.pattern || parts.some((part) => wording.pattern!.test(part)))
			);
		case 'code': {
			// go-cqhttp: the code is in `msg` even when `message` carries the text (coolq/api.go Failed()).
			const code = raw.msg ?? raw.message;
			if (typeof code !== 'string' || !wording.pattern!.test(code)) return false;
			return !wording.textPattern || parts.some((part) => wording.textPattern!.test(part));
		}
		case 'text':
			return parts.some((part) => wording.pattern!.test(part));
	}
}

/**
 * A wording that quotes the kernel's `{result, errMsg}`: NapCat `Timeout: NTEvent ... EventRet:`
 * (`{}` = the kernel never answered; result 0 = accepted, never confirmed, #788 #1410), and rejections
 * (NapCat `EventChecker Failed`, LLOneBot `ntqq api call failed` / `call failed` / `invoke failed`).
 */
function classifyKernelWording(
	wording: ErrorWording,
	text: string,
	raw: RawError,
	send: boolean,
): Classification {
	const kernel = parseKernelResult(text);
	if (wording.reason === 'send_timeout') {
		const detail =
			kernel === null
				? 'napcat_kernel_no_answer'
				: kernel?.result === 0
					? 'napcat_accepted_unconfirmed'
					: wording.detail;
		return make('send_timeout', raw, detail);
	}
	const source = wording.detail.replace(/_rejected$/, '');
	const known = kernel ? KERNEL_RESULT_REASONS[kernel.result] : undefined;
	if (known) return make(known.reason, raw, `${source}_result_${kernel!.result}`);
	const detail = kernel ? `${source}_result_${kernel.result}` : wording.detail;
	// The kernel said no, but a rejected rich-media send was still stored (NapCatQQ #182): keep sends
	// ambiguous so a resend is checked first.
	return make('api_error', raw, detail, send ? 'ambiguous' : 'transient');
}

function classifyEnvelope(raw: RawError, context: ClassifyContext): Classification {
	const send = isSendAction(context.action);
	const lookup = isLookupAction(context.action);
	const retcode = raw.retcode;

	// Auth and capability first: they are the same whatever the action.
	if (retcode === 1401 || retcode === 1403) return make('auth_failed', raw, `ws_${retcode}`);
	if (retcode === 1404 || retcode === 404) {
		const gocqhttp = (raw.msg ?? raw.message) === 'API_NOT_FOUND';
		return make(
			'unsupported_action',
			raw,
			gocqhttp ? 'gocqhttp_unknown_action' : retcode === 1404 ? 'ws_1404' : 'retcode_404',
		);
	}

	// Every wording the implementations produce (core/implementations), then the unverified fallbacks.
	const parts = [raw.message, raw.wording].filter(
		(part): part is string => typeof part === 'string',
	);
	for (const wording of ALL_ERROR_WORDINGS) {
		if (wording.sendOnly && !send) continue;
		if (!matchesWording(wording, raw, parts)) continue;
		// A failed lookup is only worth telling apart when it says something about the whole account.
		if (lookup && !LOOKUP_KEEPS.has(wording.reason)) break;
		if (wording.kernelResult) {
			const text = parts.find((part) => wording.pattern!.test(part)) ?? '';
			return classifyKernelWording(wording, text, raw, send);
		}
		const reasonClass =
			wording.reason === 'api_error' ? (send ? 'ambiguous' : 'transient') : wording.reasonClass;
		return make(wording.reason, raw, wording.detail, reasonClass);
	}

	if (lookup)
		return make('lookup_failed', raw, retcode !== undefined ? `retcode_${retcode}` : undefined);

	if (send && retcode !== undefined) {
		// Lagrange passes the server's result code through as retcode (110 verified, 120 unverified).
		const known = KERNEL_RESULT_REASONS[retcode];
		if (known) return make(known.reason, raw, `result_${retcode}`);
	}

	// Spec retcodes (botuniverse/onebot-11 api/README.md; coolq-http-api 4.15 docs).
	if (retcode === 1400 || retcode === 100 || retcode === 102) {
		return make('bad_request', raw, retcode === 1400 ? 'ws_1400' : `retcode_${retcode}`);
	}
	return make(
		'api_error',
		raw,
		retcode !== undefined ? `retcode_${retcode}` : undefined,
		send ? 'ambiguous' : 'transient',
	);
}

function classifyHttp(raw: RawError, context: ClassifyContext): Classification {
	const status = raw.httpStatus ?? 0;
	const send = isSendAction(context.action);
	// LLOneBot 403, NapCat 403 `token verify failed!`, go-cqhttp 401 missing / 403 wrong
	// (docs/compatibility.md, table 'Authentication and unknown actions', column 'refused token').
	if (status === 401 || status === 403) return make('auth_failed', raw, `http_${status}`);
	// LLOneBot answers an unknown action with HTTP 404 (docs/compatibility.md, table
	// 'Authentication and unknown actions', row 'LLOneBot').
	if (status === 404) return make('unsupported_action', raw, 'http_404');
	// go-cqhttp answers 400 to a body that is not JSON (server/http.go): our request is wrong.
	if (status === 400 || status === 413 || status === 414 || status === 422)
		return make('bad_request', raw, `http_${status}`);
	if (status === 408 || status === 429)
		return make('http_error', raw, `http_${status}`, 'transient');
	if (status >= 500) {
		// A send answered 5xx without the implementation's own JSON error (a proxy's 502/503/504, an empty 500) may
		// have reached the implementation before the answer broke: only its own envelope says it refused the send.
		const ownError = raw.status !== undefined || raw.retcode !== undefined;
		if (send && !ownError) return make('http_error', raw, `http_${status}`, 'ambiguous');
		return make('http_error', raw, `http_${status}`, 'transient');
	}
	return make('http_error', raw, `http_${status}`, 'terminal');
}

function classifyNetwork(raw: RawError, context: ClassifyContext): Classification {
	const code = raw.code ?? 'ENETWORK';
	const send = isSendAction(context.action);
	if (TIMEOUT_CODES.has(code))
		return make('client_timeout', raw, code, send ? 'ambiguous' : 'transient');
	if (NOT_SENT_CODES.has(code)) return make('unreachable', raw, code, 'transient');
	// A reset or an unknown network error may come after the request was read: a send may have gone through.
	return make('unreachable', raw, code, send ? 'ambiguous' : 'transient');
}

/** Maps a failed call to its reason code and class. Unknown shapes become `api_error` with the raw error kept. */
export function classifyCall(
	failure: CallFailure,
	context: Partial<ClassifyContext> = {},
): Classification {
	const ctx: ClassifyContext = {
		action: context.action ?? failure.action,
		targetType: context.targetType,
	};
	const raw = failure.raw;
	switch (failure.kind) {
		case 'timeout':
			return make(
				'client_timeout',
				raw,
				raw.code,
				isSendAction(ctx.action) ? 'ambiguous' : 'transient',
			);
		case 'network':
			return classifyNetwork(raw, ctx);
		case 'http':
			return classifyHttp(raw, ctx);
		case 'malformed':
			// The implementation answered 2xx, so it handled the request: a send may have gone out.
			return make(
				'malformed_response',
				raw,
				undefined,
				isSendAction(ctx.action) ? 'ambiguous' : 'transient',
			);
		case 'envelope':
			return classifyEnvelope(raw, ctx);
		default:
			return make('api_error', raw);
	}
}

function messageIdOf(data: unknown): number | undefined {
	if (!data || typeof data !== 'object') return undefined;
	const value = (data as { message_id?: unknown }).message_id;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
	return undefined;
}

/**
 * Checks an `ok` send reply. Returns null when it carries a usable message_id, else why not:
 * `empty_response` for data null, no message_id or message_id 0 (LLOneBot returns 0 when the only
 * element resolved to null); `duplicate_message_id` when an earlier, different send already got this
 * id (go-cqhttp under risk control, #38). Negative ids are valid: go-cqhttp's ids are signed crc32.
 */
export function checkSendAccepted(
	data: unknown,
	seenMessageIds: ReadonlySet<number> = new Set(),
	raw: RawError = { status: 'ok', retcode: 0 },
): Classification | null {
	const withBody = (): RawError => ({ ...raw, body: dataExcerpt(data) });
	if (data === null || data === undefined) return make('empty_response', withBody(), 'data_null');
	const id = messageIdOf(data);
	if (id === undefined) return make('empty_response', withBody(), 'no_message_id');
	if (id === 0) return make('empty_response', withBody(), 'message_id_0');
	if (seenMessageIds.has(id)) return make('duplicate_message_id', withBody(), `message_id_${id}`);
	return null;
}

/** Reads the accepted send's message_id (after `checkSendAccepted` returned null). */
export function acceptedMessageId(data: unknown): number | null {
	const id = messageIdOf(data);
	return id === undefined || id === 0 ? null : id;
}

/**
 * Checks `get_status` data: `online: false` means the account is not logged in although HTTP answers.
 * (`good` is hard-coded true in LLOneBot, NapCat and Lagrange, so it is not read.)
 */
export function checkOnline(statusData: unknown): Classification | null {
	if (
		statusData &&
		typeof statusData === 'object' &&
		(statusData as { online?: unknown }).online === false
	) {
		return make(
			'client_offline',
			{ status: 'ok', retcode: 0, body: dataExcerpt(statusData) },
			'online_false',
		);
	}
	return null;
}
