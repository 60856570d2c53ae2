/**
 * Per-account send limiter: hands out send slots so that an account sends at most `ratePerMinute` messages
 * a minute (evenly, 60000 / rate ms apart: bursts are what QQ's risk control punishes) and a target gets two
 * sends no closer than `minIntervalMs`.
 *
 * Order is kept per target (first come, first served: two messages to one chat go out in the order they
 * asked), never across targets: a message to one chat never waits for another chat's interval (no
 * head-of-line blocking). The account rate books the earliest free slot on the account's timeline, so a
 * message held by its own target's interval leaves the slots before it to others.
 *
 * A caller whose run was stopped (`signal`) leaves at once wherever it waits, gives its booking back and
 * takes no slot. One limiter serves every execution that sends from the account (see ./registry.ts); each
 * caller brings its own clock, sleep and signal, so the limiter owns no timer.
 */
import type { Clock, Sleep } from '../types';

export interface SlotRequest {
	/** `group:123` / `private:456`: the per-target interval and order apply per key. */
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
	/** Slots requested before this one (any target) that were still waiting when it was requested. */
	queuedBehind: number;
	/** What held the slot back last: the account rate, the target interval, or nothing. */
	limitedBy: 'account_rate' | 'target_interval' | 'none';
}

export interface LimiterTime {
	clock: Clock;
	sleep: Sleep;
	/** The caller's cancel signal: once aborted, the wait ends with `SlotAbandoned` and no slot is taken. */
	signal?: AbortSignal;
}

/** Thrown to a caller whose signal was aborted while it waited: it holds no slot. */
export class SlotAbandoned extends Error {
	constructor() {
		super('the wait for a send slot was stopped: nothing was sent');
		this.name = 'SlotAbandoned';
	}
}

/** Targets not sent to for this long are forgotten (their interval has long passed). */
const FORGET_TARGET_AFTER_MS = 10 * 60_000;
const TARGETS_BEFORE_PRUNING = 1000;

export class SendLimiter {
	/** Per target: settles when the caller before the last one in line for that target is granted or gone. */
	private readonly tails = new Map<string, Promise<void>>();

	private waiting = 0;

	private rate = 0;

	/** Slot times on the account's timeline, ascending: granted sends and bookings of callers still waiting. */
	private booked: number[] = [];

	private readonly lastByTarget = new Map<string, number>();

	/** When the latest slot was granted (any target). */
	private lastGrantAt = Number.NEGATIVE_INFINITY;

	/** Slots granted since the limiter was made (for evidence and tests). */
	granted = 0;

	/** Waits for the caller's slot; resolves when it may send, throws SlotAbandoned once its signal aborts. */
	async acquire(request: SlotRequest, time: LimiterTime): Promise<SendSlot> {
		const requestedAt = time.clock();
		const queuedBehind = this.waiting;
		this.waiting++;
		const key = request.targetKey;
		const previous = this.tails.get(key) ?? Promise.resolve();
		let release!: () => void;
		const mine = new Promise<void>((resolve) => {
			release = resolve;
		});
		this.tails.set(key, mine);
		let booking: number | undefined;
		let granted = false;
		try {
			await untilSettledOrAborted(previous, time.signal);
			if (request.ratePerMinute !== undefined) this.rate = request.ratePerMinute;
			let limitedBy: SendSlot['limitedBy'] = 'none';
			for (;;) {
				throwIfAborted(time.signal);
				const now = time.clock();
				if (booking === undefined) {
					let readyAt = now;
					const last = this.lastByTarget.get(key);
					if (last !== undefined && last + request.minIntervalMs > readyAt) {
						readyAt = last + request.minIntervalMs;
						limitedBy = 'target_interval';
					}
					booking = this.freeSlotFrom(readyAt);
					if (booking > readyAt) limitedBy = 'account_rate';
					this.book(booking);
				} else {
					// A booking keeps its place among the others: only a send granted since, later than it was booked
					// (real timers fire late), moves it on. Re-booking against the other waiters' bookings instead would
					// let two waiters that each woke a few ms late push each other back for good.
					const due = this.lastGrantAt + this.spacing();
					if (due > booking) {
						this.unbook(booking);
						booking = due;
						this.book(booking);
					}
				}
				if (booking <= now) break;
				await time.sleep(Math.ceil(booking - now));
			}
			throwIfAborted(time.signal);
			const at = time.clock();
			this.unbook(booking);
			booking = undefined;
			this.book(at);
			this.lastGrantAt = Math.max(this.lastGrantAt, at);
			this.lastByTarget.set(key, at);
			this.prune(at);
			this.granted++;
			granted = true;
			return { at, waitedMs: at - requestedAt, queuedBehind, limitedBy };
		} finally {
			if (!granted && booking !== undefined) this.unbook(booking);
			this.waiting--;
			// The next caller for this target goes after this one and every caller before it.
			void previous.then(release);
			if (this.tails.get(key) === mine) void mine.then(() => this.forgetTail(key, mine));
		}
	}

	/** Slots requested and not yet granted. */
	get queued(): number {
		return this.waiting;
	}

	/** The account rate's spacing between two sends (0 = no account-wide limit). */
	private spacing(): number {
		return this.rate > 0 ? 60_000 / this.rate : 0;
	}

	/** The earliest time at or after `from` that keeps the account rate's spacing to every booked slot. */
	private freeSlotFrom(from: number): number {
		if (this.rate <= 0) return from;
		const spacing = this.spacing();
		let at = from;
		for (const slot of this.booked) {
			if (slot + spacing <= at) continue;
			if (slot >= at + spacing) break;
			at = slot + spacing;
		}
		return at;
	}

	private book(at: number): void {
		let i = this.booked.length;
		while (i > 0 && this.booked[i - 1] > at) i--;
		this.booked.splice(i, 0, at);
	}

	private unbook(at: number): void {
		const i = this.booked.indexOf(at);
		if (i >= 0) this.booked.splice(i, 1);
	}

	private forgetTail(key: string, tail: Promise<void>): void {
		if (this.tails.get(key) === tail) this.tails.delete(key);
	}

	private prune(now: number): void {
		// Granted slots older than one spacing no longer hold anyone back.
		const keepFrom = now - this.spacing();
		let drop = 0;
		while (drop < this.booked.length - 1 && this.booked[drop] < keepFrom) drop++;
		if (drop > 0) this.booked.splice(0, drop);
		if (this.lastByTarget.size < TARGETS_BEFORE_PRUNING) return;
		for (const [key, at] of this.lastByTarget) {
			if (now - at > FORGET_TARGET_AFTER_MS) this.lastByTarget.delete(key);
		}
	}
}

function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new SlotAbandoned();
}

/** Waits for `promise`, or throws SlotAbandoned as soon as `signal` aborts. */
async function untilSettledOrAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
	throwIfAborted(signal);
	if (!signal) return promise;
	let onAbort!: () => void;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new SlotAbandoned());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([promise, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
