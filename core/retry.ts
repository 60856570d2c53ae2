/**
 * Retry decisions per failure class, with exponential backoff and full jitter
 * (AWS "Exponential Backoff and Jitter"). OneBot has no idempotency key, so an ambiguous failure is
 * verified before any resend (check-then-create).
 */
import type { Classification, ReasonClass, Sleep } from './types';

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
export function backoffDelay(retry: number, options: BackoffOptions, random: RandomFn = Math.random): number {
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
	if (!policy.retryOn.includes(reasonClass)) return { action: 'stop', delayMs: 0, why: `${reasonClass} not retried` };
	if (attempt >= policy.maxAttempts) return { action: 'stop', delayMs: 0, why: 'attempts exhausted' };
	if (reasonClass === 'account') {
		const ceiling = backoffCeiling(attempt, {
			baseMs: policy.accountBackoffMs,
			capMs: policy.accountCapMs ?? policy.accountBackoffMs * 8,
			factor: policy.factor,
		});
		return { action: 'retry', delayMs: Math.floor(ceiling / 2 + random() * (ceiling / 2)), why: 'account-level: long backoff' };
	}
	const delayMs = backoffDelay(attempt, { baseMs: policy.baseMs, capMs: policy.capMs, factor: policy.factor }, random);
	if (reasonClass === 'ambiguous') return { action: 'verify_then_retry', delayMs, why: 'may have arrived: verify first' };
	return { action: 'retry', delayMs, why: 'transient failure' };
}

/** One attempt's outcome, as `runWithRetry` sees it. */
export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; classification: Classification };

export interface RetryStep {
	attempt: number;
	classification: Classification;
	decision: RetryDecision;
	/** Set when the decision asked for a check before resending. */
	landed?: boolean;
}

export interface RetryRun<T> {
	ok: boolean;
	value?: T;
	/** The last failure when `ok` is false and nothing landed. */
	classification?: Classification;
	/** True when a check after an ambiguous failure found the message had arrived. */
	landedAfterCheck: boolean;
	attempts: number;
	steps: RetryStep[];
}

export interface RunWithRetryOptions<T> {
	policy: RetryPolicy;
	sleep: Sleep;
	random?: RandomFn;
	/** Performs attempt number `attempt` (1-based). */
	attempt: (attempt: number) => Promise<AttemptOutcome<T>>;
	/**
	 * Checks whether an ambiguous attempt arrived after all. Without it an ambiguous failure is
	 * never resent: a blind resend could deliver the message twice.
	 */
	verify?: (attempt: number, classification: Classification) => Promise<boolean>;
}

/** Runs attempts under the policy; every wait goes through the injected sleep. */
export async function runWithRetry<T>(options: RunWithRetryOptions<T>): Promise<RetryRun<T>> {
	const steps: RetryStep[] = [];
	for (let attempt = 1; ; attempt++) {
		const outcome = await options.attempt(attempt);
		if (outcome.ok) return { ok: true, value: outcome.value, landedAfterCheck: false, attempts: attempt, steps };
		const decision = decideRetry(outcome.classification, attempt, options.policy, options.random);
		const step: RetryStep = { attempt, classification: outcome.classification, decision };
		steps.push(step);
		if (decision.action === 'verify_then_retry') {
			if (!options.verify) {
				step.decision = { action: 'stop', delayMs: 0, why: 'ambiguous and no way to verify' };
				return { ok: false, classification: outcome.classification, landedAfterCheck: false, attempts: attempt, steps };
			}
			step.landed = await options.verify(attempt, outcome.classification);
			if (step.landed) return { ok: true, landedAfterCheck: true, attempts: attempt, steps };
		}
		if (decision.action === 'stop') {
			// Out of attempts after an ambiguous failure: one last check tells delivered from failed.
			if (outcome.classification.reasonClass === 'ambiguous' && options.verify && step.landed === undefined) {
				step.landed = await options.verify(attempt, outcome.classification);
				if (step.landed) return { ok: true, landedAfterCheck: true, attempts: attempt, steps };
			}
			return { ok: false, classification: outcome.classification, landedAfterCheck: false, attempts: attempt, steps };
		}
		if (decision.delayMs > 0) await options.sleep(decision.delayMs);
	}
}
