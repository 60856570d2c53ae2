/**
 * What one restart request came to, and one constructor per answer, so every method builds its
 * requests the same way.
 */
import { classifyCall, REASON_CLASS } from '../classify';
import type { CallFailure, HttpRequest, HttpResponse, RequestFn } from '../transport';
import type { RawError, ReasonClass, ReasonCode } from '../types';
import { exchange, mayHaveReached, networkExplanation } from './http';
import type { ImplementationInfo } from './implementation';

export interface RestartRequest {
	/**
	 * accepted: the target said it restarts. no_answer: the request went out but the connection
	 * dropped or timed out (a process that restarts may not answer), so recovery decides.
	 * failed: the target refused or could not be reached. unsupported: this method cannot restart it.
	 */
	answer: 'accepted' | 'no_answer' | 'failed' | 'unsupported';
	/** Whether a restart request was sent or may have been (counts against the guard). */
	sent: boolean;
	/**
	 * sent: the target answered it. maybe_sent: it may have reached the target, which did not say (a reset
	 * or timeout after the request went out, a 5xx): it counts against the guard like a sent one.
	 * not_sent: it never left or never reached the target (refused connection, unknown host, a check).
	 */
	requestState: RequestState;
	explanation: string;
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	raw: RawError | null;
	httpStatus: number | null;
	implementation?: ImplementationInfo | null;
	details: Record<string, unknown>;
}

export type RequestState = 'sent' | 'maybe_sent' | 'not_sent';

/** A sent flag or a request state, as the constructors take it, as the request state. */
function stateOf(sent: boolean | RequestState): RequestState {
	if (sent === true) return 'sent';
	if (sent === false) return 'not_sent';
	return sent;
}

/** What every constructor may add: the method's details and, for set_restart, the implementation. */
export interface RequestExtras {
	details?: Record<string, unknown>;
	implementation?: ImplementationInfo | null;
}

/** The answer's own fields; what a constructor leaves out is null. */
type RequestFields = Pick<RestartRequest, 'answer' | 'explanation'> &
	Partial<Pick<RestartRequest, 'reason' | 'reasonClass' | 'raw' | 'httpStatus'>> & {
		sent: boolean | RequestState;
	};

function build(fields: RequestFields, extras: RequestExtras): RestartRequest {
	const requestState = stateOf(fields.sent);
	const request: RestartRequest = {
		answer: fields.answer,
		sent: requestState !== 'not_sent',
		explanation: fields.explanation,
		reason: fields.reason ?? null,
		reasonClass: fields.reasonClass ?? null,
		raw: fields.raw ?? null,
		httpStatus: fields.httpStatus ?? null,
		requestState,
		details: extras.details ?? {},
	};
	if (extras.implementation !== undefined) request.implementation = extras.implementation;
	return request;
}

/** The target said it restarts. */
export function acceptedRequest(
	explanation: string,
	httpStatus: number | null,
	extras: RequestExtras = {},
): RestartRequest {
	return build({ answer: 'accepted', sent: true, explanation, httpStatus }, extras);
}

/**
 * The request went out and the connection dropped or timed out: it may have reached the target (a
 * supervisor that restarts the process answering it resets the connection), so it counts as maybe_sent
 * and recovery decides.
 */
export function noAnswerRequest(
	explanation: string,
	raw: RawError | null,
	extras: RequestExtras = {},
): RestartRequest {
	return build({ answer: 'no_answer', sent: 'maybe_sent', explanation, raw }, extras);
}

/**
 * A request to an HTTP restart target that got no response: a timeout, or a connection dropped after the
 * request went out, may have reached the target (no answer, recovery decides); an error before it left
 * (refused connection, unknown host, TLS) means nothing was sent.
 */
export function unansweredRequest(
	failure: CallFailure,
	target: RestartTarget,
	extras: RequestExtras = {},
): RestartRequest {
	if (failure.kind === 'timeout') {
		return noAnswerRequest(
			`${target.name} did not answer in time${target.slowAnswer ?? ''}; recovery decides.`,
			failure.raw,
			extras,
		);
	}
	if (mayHaveReached(failure)) {
		return noAnswerRequest(
			`${target.name} dropped the connection after ${target.request} went out (${failure.raw.code}); the restart may have happened, so it counts for the guard and recovery decides.`,
			failure.raw,
			extras,
		);
	}
	return failedRequest(
		failure,
		networkExplanation(target.name, failure),
		false,
		{},
		extras.details,
	);
}

/** An HTTP restart target as its explanations name it (see unansweredRequest). */
export interface RestartTarget {
	name: string;
	request: string;
	slowAnswer?: string;
}

/**
 * Sends one restart request over HTTP right after the last cancel check. The response, or, when none
 * came, what the request came to (unansweredRequest).
 */
export async function sendRestartRequest(
	call: { request: RequestFn; http: HttpRequest; action: string; signal?: AbortSignal },
	target: RestartTarget,
	extras: RequestExtras = {},
): Promise<{ response: HttpResponse } | { unanswered: RestartRequest }> {
	throwIfCancelled(call.signal);
	const { response, failure } = await exchange(call.request, call.http, call.action);
	return response && !failure
		? { response }
		: { unanswered: unansweredRequest(failure!, target, extras) };
}

/** This method cannot restart this client; nothing was sent. */
export function unsupportedRequest(
	explanation: string,
	raw: RawError | null = null,
	extras: RequestExtras = {},
): RestartRequest {
	return build(
		{
			answer: 'unsupported',
			sent: false,
			explanation,
			reason: 'unsupported_action',
			reasonClass: 'terminal',
			raw,
			httpStatus: raw?.httpStatus ?? null,
		},
		extras,
	);
}

/** What a restart method returns in a dry run after its checks passed: nothing was sent. */
export function dryRunRequest(
	explanation: string,
	details: Record<string, unknown> = {},
): RestartRequest {
	return build({ answer: 'accepted', sent: false, explanation }, { details });
}

/** A failed call, classified like any other call (reason and class may be overridden). */
export function failedRequest(
	failure: CallFailure,
	explanation: string,
	sent: boolean | RequestState,
	overrides: { reason?: ReasonCode; reasonClass?: ReasonClass } = {},
	details: Record<string, unknown> = {},
	extras: Omit<RequestExtras, 'details'> = {},
): RestartRequest {
	const classification = classifyCall(failure);
	const reason = overrides.reason ?? classification.reason;
	const reasonClass =
		overrides.reasonClass ?? (overrides.reason ? REASON_CLASS[reason] : classification.reasonClass);
	const { raw } = failure;
	return build(
		{ answer: 'failed', sent, explanation, reason, reasonClass, raw, httpStatus: raw.httpStatus },
		{ ...extras, details },
	);
}

/** Refused before anything was sent, for a known reason (no call failure to classify). */
export function refusedRequest(
	explanation: string,
	reason: ReasonCode,
	options: { raw?: RawError | null; reasonClass?: ReasonClass | null } & RequestExtras = {},
): RestartRequest {
	return build(
		{
			answer: 'failed',
			sent: false,
			explanation,
			reason,
			reasonClass: options.reasonClass ?? REASON_CLASS[reason],
			raw: options.raw,
			httpStatus: options.raw?.httpStatus,
		},
		options,
	);
}

/** The run was stopped before a restart request could go out: nothing was sent. */
export class RestartCancelled extends Error {
	constructor() {
		super('the execution was cancelled before the restart request');
		this.name = 'RestartCancelled';
	}
}

/** Checked right before every request that restarts something: after a Stop nothing goes out. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new RestartCancelled();
}
