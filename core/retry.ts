/**
 * Retry decisions per failure class, with exponential backoff and full jitter
 * (AWS "Exponential Backoff and Jitter"). OneBot has no idempotency key, so a failure after which the
 * message may have arrived is checked before any resend (check-then-create): the decision says so in
 * `checkFirst`, and the delivery engine follows it (core/delivery/check.ts).
 */
import type { Classification, ReasonClass } from './types';

/** Returns a number in [0, 1). Injected so tests are deterministic. */
export type RandomFn = () => number;

export interface BackoffOptions {
	baseMs: number;
	capMs: number;
	/** Growth per retry; 2 unless set. */
	factor?: number;
}

/**
 * Delay before retry number `retry` (1 for the first retry): uniform in
 * [0, min(cap, base·factor^(retry-1))].
 */
export function backoffDelay(
	retry: number,
	options: BackoffOptions,
	random: RandomFn = Math.random,
): number {
	const ceiling = backoffCeiling(retry, options);
	return Math.floor(random() * ceiling);
}

function backoffCeiling(retry: number, options: BackoffOptions): number {
	const exponent = Math.max(0, retry - 1);
	return Math.min(options.capMs, options.baseMs * (options.factor ?? 2) ** exponent);
}

export interface RetryPolicy {
	/** Attempts in total, the first one included. */
	maxAttempts: number;
	baseMs: number;
	capMs: number;
	factor?: number;
	/** Base of the long backoff for account-level failures (risk control, offline). */
	accountBackoffMs: number;
	/** Cap of that backoff; 8 × accountBackoffMs unless set. */
	accountCapMs?: number;
	/** Classes worth another attempt. `terminal` is never retried, even when listed. */
	retryOn: ReasonClass[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 3,
	baseMs: 2000,
	capMs: 60000,
	factor: 2,
	accountBackoffMs: 5 * 60000,
	retryOn: ['ambiguous', 'transient', 'account'],
};

export type RetryAction = 'stop' | 'retry';

export interface RetryDecision {
	action: RetryAction;
	delayMs: number;
	/** Why, in a few words, for the attempt log. */
	why: string;
	/**
	 * Whether the failed send may have landed, so it is checked before anything else: before the resend, and
	 * before giving up too (a check that finds it landed ends the item delivered).
	 */
	checkFirst: boolean;
}

/**
 * Failures of a send that reached the implementation and may have delivered: ambiguous ones, and
 * account-level ones too, since go-cqhttp answers SEND_MSG_API_ERROR both for a blocked send and for
 * one that timed out (and may have arrived). Their long backoff dwarfs the check.
 */
export function mayHaveLanded(reasonClass: ReasonClass): boolean {
	return reasonClass === 'ambiguous' || reasonClass === 'account';
}

/**
 * What to do after attempt number `attempt` (1 = the first) failed with `classification`.
 * terminal: stop. ambiguous: check first, then resend only if it did not land. transient: resend.
 * account: check first, then resend after a long wait; its jitter keeps at least half the delay so a
 * blocked account is never hammered.
 */
export function decideRetry(
	classification: Pick<Classification, 'reasonClass'>,
	attempt: number,
	policy: RetryPolicy,
	random: RandomFn = Math.random,
): RetryDecision {
	const reasonClass = classification.reasonClass;
	const checkFirst = mayHaveLanded(reasonClass);
	if (reasonClass === 'terminal')
		return { action: 'stop', delayMs: 0, why: 'terminal failure', checkFirst };
	if (!policy.retryOn.includes(reasonClass))
		return { action: 'stop', delayMs: 0, why: `${reasonClass} not retried`, checkFirst };
	if (attempt >= policy.maxAttempts)
		return { action: 'stop', delayMs: 0, why: 'attempts exhausted', checkFirst };
	if (reasonClass === 'account') {
		const ceiling = backoffCeiling(attempt, {
			baseMs: policy.accountBackoffMs,
			capMs: policy.accountCapMs ?? policy.accountBackoffMs * 8,
			factor: policy.factor,
		});
		return {
			action: 'retry',
			delayMs: Math.floor(ceiling / 2 + random() * (ceiling / 2)),
			why: 'account-level: long backoff',
			checkFirst,
		};
	}
	const delayMs = backoffDelay(
		attempt,
		{ baseMs: policy.baseMs, capMs: policy.capMs, factor: policy.factor },
		random,
	);
	if (reasonClass === 'ambiguous')
		return { action: 'retry', delayMs, why: 'may have arrived: verify first', checkFirst };
	return { action: 'retry', delayMs, why: 'transient failure', checkFirst };
}
