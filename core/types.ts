/**
 * Contracts shared by the core and the nodes. Field names here are what users' expressions read
 * (DESIGN.md, "Contracts users rely on"): change them only with a major version.
 */

export const REASON_CODES = [
	'send_timeout',
	'empty_response',
	'duplicate_message_id',
	'risk_control',
	'not_in_group',
	'muted',
	'bad_request',
	'unsupported_action',
	'auth_failed',
	'unreachable',
	'http_error',
	'malformed_response',
	'client_timeout',
	'client_offline',
	'not_observed',
	'lookup_failed',
	'api_error',
	'not_confirmed',
	'circuit_open',
	'not_friend',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * terminal: resending cannot help (auth, bad parameters, removed from group, muted).
 * ambiguous: the message may or may not have arrived; verify before any resend.
 * transient: nothing was delivered and a retry may succeed (refused, reset, 5xx).
 * account: the account itself is in trouble (risk control, offline); back off long.
 */
export type ReasonClass = 'terminal' | 'ambiguous' | 'transient' | 'account';

/** kernel: Kernel Confirmed, the QQ kernel's own confirmation (send answered ok, or a late self message). */
export type VerificationLevel = 'api' | 'lookup' | 'witness' | 'kernel';

export type TargetType = 'group' | 'private';
export interface Target {
	type: TargetType;
	id: number;
}

/** One OneBot message segment, as on the wire. */
export interface Segment {
	type: string;
	data: Record<string, unknown>;
}

/** The raw error of one failed call, as the implementation (or the network) gave it. */
export interface RawError {
	httpStatus?: number;
	retcode?: number;
	status?: string;
	message?: string;
	wording?: string;
	/** go-cqhttp's error code (`SEND_MSG_API_ERROR`, `GROUP_NOT_FOUND`, ...), from the envelope's `msg`. */
	msg?: string;
	/** Network error code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...). */
	code?: string;
	/** First bytes of a body that was not a OneBot envelope. */
	body?: string;
}

export interface Classification {
	reason: ReasonCode;
	reasonClass: ReasonClass;
	raw: RawError;
	/** Which known variant of the failure this was (e.g. `kernel_no_answer`), when it can be told apart. */
	detail?: string;
}

export interface AttemptRecord {
	attempt: number;
	/** landed_after_check / not_landed_after_check: a verification done before deciding on a resend. */
	outcome: 'accepted' | 'failed' | 'landed_after_check' | 'not_landed_after_check';
	reason: ReasonCode | null;
	messageId: number | null;
	raw: RawError | null;
	startedAt: string;
	durationMs: number;
	/** This attempt's full evidence (every read, id and state), only with the attempt log option on. */
	evidence?: Record<string, unknown>;
}

export interface Timing {
	requestedAt: string;
	answeredAt: string | null;
	verifiedAt: string | null;
	gaveUpAt: string | null;
	totalMs: number;
	/** With account pacing: time spent waiting for send slots of the account's limiter (all attempts). */
	pacingWaitMs?: number;
	/** With account pacing: time spent waiting while the account's circuit breaker was open (all attempts). */
	breakerWaitMs?: number;
}

/** What every item leaving Send With Verification carries. */
export interface DeliveryResult {
	status: 'delivered' | 'failed';
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	verification: VerificationLevel;
	evidence: Record<string, unknown>;
	target: Target;
	message: Segment[];
	messageId: number | null;
	correlationId: string;
	attempts: AttemptRecord[];
	timing: Timing;
	selfId: number | null;
}

export type FailureEventKind =
	| 'delivery_failed'
	| 'client_offline'
	| 'probe_down'
	| 'restart_failed';
export type FailureSource = 'send' | 'probe' | 'restart' | 'onebot_event';

/** A failure event as the trigger emits it: the delivery fields plus where it came from. */
export interface FailureEvent extends Partial<DeliveryResult> {
	event: FailureEventKind;
	source: FailureSource;
	reportedAt: string;
	workflowId?: string | null;
	executionId?: string | null;
	/** What a probe, restart or OneBot event knew beyond the delivery fields (diagnosis, outcome, raw event). */
	details?: Record<string, unknown>;
}

/** Connection details of one OneBot account, as the credentials hold them. */
export interface OneBotConnection {
	baseUrl: string;
	accessToken?: string;
	reportUrl?: string;
	reportSecret?: string;
}

/** Injected so the core never owns a timer (n8n nodes pass n8n-workflow's `sleep`). */
export type Sleep = (ms: number) => Promise<void>;
export type Clock = () => number;
