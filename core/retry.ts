/**
 * Retry decisions per failure class, with exponential backoff and full jitter
 * (AWS "Exponential Backoff and Jitter"). OneBot has no idempotency key, so an ambiguous failure is
 * verified before any resend (check-then-create).
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

export type RetryAction = 'stop' | 'verify_then_retry' | 'retry';

export interface RetryDecision {
	action: RetryAction;
	delayMs: number;
	/** Why, in a few words, for the attempt log. */
	why: string;
}

/**
 * What to do after attempt number `attempt` (1 = the first) failed with `classification`.
 * terminal: stop. ambiguous: verify first, then resend only if it did not land. transient: resend.
 * account: resend after a long wait; its jitter keeps at least half the delay so a blocked account
 * is never hammered.
 */
export function decideRetry(
	classification: Pick<Classification, 'reasonClass'>,
	attempt: number,
	policy: RetryPolicy,
	random: RandomFn = Math.random,
): RetryDecision {
	const reasonClass = classification.reasonClass;
	if (reasonClass === 'terminal') return { action: 'stop', delayMs: 0, why: 'terminal failure' };
	if (!policy.retryOn.includes(reasonClass))
		return { action: 'stop', delayMs: 0, why: `${reasonClass} not retried` };
	if (attempt >= policy.maxAttempts)
		return { action: 'stop', delayMs: 0, why: 'attempts exhausted' };
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
		};
	}
	const delayMs = backoffDelay(
		attempt,
		{ baseMs: policy.baseMs, capMs: policy.capMs, factor: policy.factor },
		random,
	);
	if (reasonClass === 'ambiguous')
		return { action: 'verify_then_retry', delayMs, why: 'may have arrived: verify first' };
	return { action: 'retry', delayMs, why: 'transient failure' };
}
