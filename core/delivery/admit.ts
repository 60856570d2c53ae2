/**
 * The admit stage: one gate in front of every send of an account, composing the account's circuit breaker
 * and its send limiter in a fixed order (breaker first, so a held send takes no slot; then the limiter).
 *
 * What the gate hands out is a `Permit`, the one owner of what the send took: the breaker's trial when it is
 * one. The permit is released on every path (`try/finally` in the caller): a trial released without a
 * verdict (the run was stopped mid-send, or crashed) hands the breaker back to `open`, so the next send
 * makes the trial instead of every send being held for good. A wait stopped half-way (its run cancelled)
 * gives back what it took so far before it throws.
 */
import { breakerVerdict } from '../pacing/breaker';
import type { BreakerSettings, CircuitBreaker, RecordResult } from '../pacing/breaker';
import type { SendLimiter, SendSlot } from '../pacing/limiter';
import type { Classification, Clock, Sleep } from '../types';

export interface AdmitRequest {
	targetKey: string;
	minIntervalMs: number;
	/** Messages per minute for the account; absent = as last set. */
	ratePerMinute?: number;
	/** Settings this run gives the breaker. */
	breaker: Partial<BreakerSettings>;
	/** How long the send may wait for an open breaker (0 = not at all). */
	holdMs: number;
	pollMs: number;
	/** Take a slot only: the breaker neither holds nor counts this send (the probe's canaries). */
	bypassBreaker: boolean;
}

export interface AdmitTime {
	clock: Clock;
	sleep: Sleep;
	signal?: AbortSignal;
}

export interface AccountGate {
	breaker: CircuitBreaker;
	limiter: SendLimiter;
}

/** What the gate did for one send, and the owner of what it took. */
export class Permit {
	private settled = false;

	private released = false;

	constructor(
		private readonly breaker: CircuitBreaker | undefined,
		/** The send's pacing key: per-target failures count once per target (core/pacing/breaker.ts). */
		private readonly targetKey: string,
		readonly admitted: boolean,
		readonly trial: boolean,
		private readonly trialId: number | undefined,
		readonly breakerWaitMs: number,
		readonly pacingWaitMs: number,
		readonly slot: SendSlot | undefined,
	) {}

	/** Whether the breaker was told this send's result. */
	get judged(): boolean {
		return this.settled;
	}

	/**
	 * Tells the breaker what this send came to (`undefined` = delivered). A failure counts once; a later
	 * delivery (a check found it landed) still counts. Returns the breaker's answer, or undefined when there
	 * was nothing to tell.
	 */
	verdict(failure: Classification | undefined, at: number): RecordResult | undefined {
		if (!this.admitted || !this.breaker || this.released) return undefined;
		if (this.settled && failure) return undefined;
		const trial = this.trial && !this.settled;
		this.settled = true;
		return this.breaker.record(breakerVerdict(failure, this.targetKey), { trial, at });
	}

	/** Ends the permit: a trial without a verdict goes back to the breaker as `open`. Idempotent. */
	release(): void {
		if (this.released) return;
		this.released = true;
		if (this.trial && !this.settled && this.trialId !== undefined)
			this.breaker?.abandonTrial(this.trialId);
	}
}

/** Waits for the breaker (up to the hold), then for a send slot. Throws (holding nothing) when stopped. */
export async function admit(
	account: AccountGate,
	request: AdmitRequest,
	time: AdmitTime,
): Promise<Permit> {
	const { breaker, limiter } = account;
	if (!request.bypassBreaker) breaker.configure(request.breaker);
	const admission = request.bypassBreaker
		? ({ admitted: true, trial: false, waitedMs: 0, heldBy: null } as const)
		: await breaker.admit({
				holdMs: request.holdMs,
				pollMs: request.pollMs,
				clock: time.clock,
				sleep: time.sleep,
			});
	const counted = request.bypassBreaker ? undefined : breaker;
	const trial = admission.admitted && admission.trial;
	const trialId = admission.admitted && 'trialId' in admission ? admission.trialId : undefined;
	const permit = (admitted: boolean, slot?: SendSlot) =>
		new Permit(
			counted,
			request.targetKey,
			admitted,
			trial,
			trialId,
			admission.waitedMs,
			slot?.waitedMs ?? 0,
			slot,
		);
	if (!admission.admitted) return permit(false);
	// Owned from here: a stop while waiting for the slot hands the trial back.
	const held = permit(true);
	let slot: SendSlot | undefined;
	try {
		slot = await limiter.acquire(
			{
				targetKey: request.targetKey,
				ratePerMinute: request.ratePerMinute,
				minIntervalMs: request.minIntervalMs,
			},
			time,
		);
	} finally {
		if (!slot) held.release();
	}
	return permit(true, slot);
}
