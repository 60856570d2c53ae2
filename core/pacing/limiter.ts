/**
 * Per-account send limiter: hands out send slots in request order (FIFO), spaced so that an account
 * sends at most `ratePerMinute` messages a minute (evenly, 60000 / rate ms apart: bursts are what QQ's
 * risk control punishes) and a target gets two sends no closer than `minIntervalMs`.
 *
 * One limiter serves every execution that sends from the account (see ./registry.ts); each caller
 * brings its own clock and sleep, so the limiter owns no timer.
 */
import type { Clock, Sleep } from '../types';

export interface SlotRequest {
	/** `group:123` / `private:456`: the per-target interval applies per key. */
	targetKey: string;
	/** Messages per minute for the whole account; 0 = no account-wide limit; absent = the last rate set. */
	ratePerMinute?: number;
	/** Minimum time between two sends to the same target. */
	minIntervalMs: number;
}

export interface SendSlot {
	/** When the slot was granted: the send may start now. */
	at: number;
	/** Time spent waiting for the slot (queue plus spacing). */
	waitedMs: number;
	/** Slots requested before this one that were still waiting when it was requested. */
	queuedBehind: number;
	/** What held the slot back last: the account rate, the target interval, or nothing. */
	limitedBy: 'account_rate' | 'target_interval' | 'none';
}

export interface LimiterTime {
	clock: Clock;
	sleep: Sleep;
}

/** Targets not sent to for this long are forgotten (their interval has long passed). */
const FORGET_TARGET_AFTER_MS = 10 * 60_000;
const TARGETS_BEFORE_PRUNING = 1000;

export class SendLimiter {
	private tail: Promise<void> = Promise.resolve();

	private waiting = 0;

	private lastSendAt: number | undefined;

	private rate = 0;

	private readonly lastByTarget = new Map<string, number>();

	/** Slots granted since the limiter was made (for evidence and tests). */
	granted = 0;

	/** Waits for the next slot in FIFO order; resolves when the caller may send. */
	async acquire(request: SlotRequest, time: LimiterTime): Promise<SendSlot> {
		const requestedAt = time.clock();
		const queuedBehind = this.waiting;
		this.waiting++;
		const previous = this.tail;
		let release!: () => void;
		this.tail = new Promise<void>((resolve) => {
			release = resolve;
		});
		try {
			await previous;
			if (request.ratePerMinute !== undefined) this.rate = request.ratePerMinute;
			let limitedBy: SendSlot['limitedBy'] = 'none';
			const now = time.clock();
			let readyAt = now;
			if (this.rate > 0 && this.lastSendAt !== undefined) {
				const accountReady = this.lastSendAt + 60_000 / this.rate;
				if (accountReady > readyAt) {
					readyAt = accountReady;
					limitedBy = 'account_rate';
				}
			}
			const last = this.lastByTarget.get(request.targetKey);
			if (last !== undefined && last + request.minIntervalMs > readyAt) {
				readyAt = last + request.minIntervalMs;
				limitedBy = 'target_interval';
			}
			if (readyAt > now) await time.sleep(Math.ceil(readyAt - now));
			const at = time.clock();
			this.lastSendAt = at;
			this.lastByTarget.set(request.targetKey, at);
			this.prune(at);
			this.granted++;
			return { at, waitedMs: at - requestedAt, queuedBehind, limitedBy };
		} finally {
			this.waiting--;
			release();
		}
	}

	/** Slots requested and not yet granted. */
	get queued(): number {
		return this.waiting;
	}

	private prune(now: number): void {
		if (this.lastByTarget.size < TARGETS_BEFORE_PRUNING) return;
		for (const [key, at] of this.lastByTarget) {
			if (now - at > FORGET_TARGET_AFTER_MS) this.lastByTarget.delete(key);
		}
	}
}
