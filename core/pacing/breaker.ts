/**
 * Per-account circuit breaker (the cockatiel / Hystrix model: closed → open → half-open).
 *
 * - closed: sends go out. Account-level failures (risk control, offline) open it at once; failures that
 *   say the client is stuck (see STUCK_REASONS) open it after `threshold` in a row; a delivered message
 *   resets the count.
 * - open: callers wait in arrival order, each up to its own hold, instead of hammering the client.
 * - half-open: after `coolDownMs`, the longest-waiting caller makes one trial send; its result closes
 *   the breaker (delivered) or opens it again for another cool-down (a stuck failure). A result that
 *   says nothing about the account (a muted group, a bad request) hands the trial to the next caller.
 * - `close()` closes it at once (a restart that recovered, a healthy probe); `reset()` also forgets the
 *   count and history.
 *
 * One breaker serves every execution that sends from the account (see ./registry.ts). It owns no
 * timer: waiting callers sleep with their own injected sleep and wake early when the state changes.
 */
import type { Classification, Clock, ReasonCode, Sleep } from '../types';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
	/** Stuck failures in a row that open the breaker; 0 turns the breaker off. */
	threshold: number;
	/** How long the breaker stays open before one trial send may go out. */
	coolDownMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = { threshold: 5, coolDownMs: 60_000 };

/**
 * Failures that, repeated, say the client is stuck: the send timed out in the implementation or in
 * our own call, the witness never saw an accepted message, or the implementation cannot be reached.
 */
export const STUCK_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
	'not_observed',
	'send_timeout',
	'client_timeout',
	'unreachable',
]);

/** Account-level classifications that one implementation also gives a send that only timed out. */
const AMBIGUOUS_ACCOUNT_DETAILS: ReadonlySet<string> = new Set(['gocqhttp_send_failed']);

/**
 * go-cqhttp's `blocked by server` is one group's send without a server echo within 5 s that is not among the
 * group's last ~11 messages either (Mrs4s/MiraiGo: client/group_msg.go sendGroupMessage, at a8213e1 as pinned
 * by go-cqhttp v1.2.0): risk control, but also a mute in that one group or a slow echo. It counts per target:
 * a target already failing in the current run of failures adds nothing, so the breaker opens only when
 * several targets fail in a row, never on one group that keeps failing.
 */
const PER_TARGET_RISK_DETAILS: ReadonlySet<string> = new Set(['blocked_by_server']);

/** What one send's outcome tells the breaker. */
export type BreakerVerdict =
	| { kind: 'success' }
	| {
			kind: 'failure';
			reason: ReasonCode;
			opensAtOnce: boolean;
			/** Set for a failure that speaks of this target alone (PER_TARGET_RISK_DETAILS). */
			target?: string;
	  }
	| { kind: 'neutral' };

/** `undefined` = delivered; `target` names the chat the send went to (its pacing key). */
export function breakerVerdict(
	failure: Classification | undefined,
	target?: string,
): BreakerVerdict {
	if (!failure) return { kind: 'success' };
	if (failure.reason === 'circuit_open') return { kind: 'neutral' };
	if (failure.reasonClass === 'account') {
		// go-cqhttp answers SEND_MSG_API_ERROR for a blocked send and for one that merely timed out: it counts
		// like a stuck failure instead of opening the breaker on its own.
		const ambiguous = AMBIGUOUS_ACCOUNT_DETAILS.has(failure.detail ?? '');
		return { kind: 'failure', reason: failure.reason, opensAtOnce: !ambiguous };
	}
	if (PER_TARGET_RISK_DETAILS.has(failure.detail ?? '')) {
		const verdict: BreakerVerdict = { kind: 'failure', reason: failure.reason, opensAtOnce: false };
		if (target !== undefined) verdict.target = target;
		return verdict;
	}
	if (STUCK_REASONS.has(failure.reason))
		return { kind: 'failure', reason: failure.reason, opensAtOnce: false };
	return { kind: 'neutral' };
}

export interface BreakerSnapshot {
	state: BreakerState;
	consecutiveFailures: number;
	threshold: number;
	coolDownMs: number;
	/** When it last opened (ISO), or null. */
	openedAt: string | null;
	/** The failure that last opened it. */
	openReason: ReasonCode | null;
	/** Who last closed it: `trial_delivered`, `restart_recovered`, `probe_healthy`, `reset`. */
	closedBy: string | null;
	/** How many times it has opened from closed in this process. */
	opens: number;
	/** Callers waiting for it right now. */
	waiting: number;
}

export interface AdmitOptions {
	/** How long this caller may wait while the breaker is open (0 = not at all). */
	holdMs: number;
	/** Longest single sleep while waiting (the state is re-read at least this often). */
	pollMs: number;
	clock: Clock;
	sleep: Sleep;
}

export type Admission =
	| {
			admitted: true;
			trial: boolean;
			waitedMs: number;
			heldBy: BreakerState | null;
			/** Names this trial for `abandonTrial` (set when `trial`). */
			trialId?: number;
	  }
	| { admitted: false; waitedMs: number };

export interface RecordResult {
	/** True for exactly one caller per closed → open transition: the one that should report it. */
	opened: boolean;
	snapshot: BreakerSnapshot;
}

export class CircuitBreaker {
	private settings: BreakerSettings = { ...DEFAULT_BREAKER_SETTINGS };

	private current: BreakerState = 'closed';

	private consecutive = 0;

	/** Targets whose per-target failures (`BreakerVerdict.target`) the current run of failures counted. */
	private readonly failedTargets = new Set<string>();

	private openedAt: number | undefined;

	private openReason: ReasonCode | null = null;

	private closedBy: string | null = null;

	private opens = 0;

	private trialInFlight = false;

	/** The trial in flight (see `abandonTrial`). */
	private trialId = 0;

	private readonly waiters: number[] = [];

	private nextWaiter = 0;

	private change = deferred();

	/** Each caller passes the settings its run sets; those apply to the account from then on, the others stay. */
	configure(settings: Partial<BreakerSettings>): void {
		if (settings.threshold !== undefined) this.settings.threshold = settings.threshold;
		if (settings.coolDownMs !== undefined) this.settings.coolDownMs = settings.coolDownMs;
		if (this.settings.threshold <= 0 && this.current !== 'closed') this.toClosed('disabled');
	}

	get state(): BreakerState {
		return this.current;
	}

	/** Waits until the caller may send (closed, or its turn for the trial), or until its hold ends. */
	async admit(options: AdmitOptions): Promise<Admission> {
		const { clock, sleep } = options;
		const start = clock();
		if (this.current === 'closed')
			return { admitted: true, trial: false, waitedMs: 0, heldBy: null };
		const heldBy = this.current;
		const id = this.nextWaiter++;
		this.waiters.push(id);
		try {
			for (;;) {
				const now = clock();
				// Re-read: other callers change the state while this one sleeps.
				const state: BreakerState = this.state;
				if (state === 'closed')
					return { admitted: true, trial: false, waitedMs: now - start, heldBy };
				if (!this.trialInFlight && this.waiters[0] === id && this.coolDownOver(now)) {
					this.current = 'half_open';
					this.trialInFlight = true;
					this.trialId++;
					this.notify();
					return {
						admitted: true,
						trial: true,
						waitedMs: now - start,
						heldBy,
						trialId: this.trialId,
					};
				}
				const holdLeft = start + options.holdMs - now;
				if (holdLeft <= 0) return { admitted: false, waitedMs: now - start };
				let wait = Math.min(options.pollMs, holdLeft);
				if (state === 'open' && this.openedAt !== undefined) {
					wait = Math.min(wait, this.openedAt + this.settings.coolDownMs - now);
				}
				await Promise.race([this.change.promise, sleep(Math.max(1, Math.ceil(wait)))]);
			}
		} finally {
			this.waiters.splice(this.waiters.indexOf(id), 1);
			// The next caller in line may now take the trial.
			this.notify();
		}
	}

	/**
	 * Records one send's outcome. Only the trial's result moves a half-open breaker; results of sends
	 * that went out before it opened are ignored while it is open.
	 */
	record(verdict: BreakerVerdict, context: { trial: boolean; at: number }): RecordResult {
		let opened = false;
		// A target that already failed in this run says nothing new about the account.
		const repeated =
			verdict.kind === 'failure' &&
			verdict.target !== undefined &&
			this.failedTargets.has(verdict.target);
		if (context.trial) {
			this.trialInFlight = false;
			if (verdict.kind === 'success') this.toClosed('trial_delivered');
			else if (verdict.kind === 'failure' && !repeated) this.toOpen(verdict.reason, context.at);
			else this.notify();
		} else if (this.current === 'closed') {
			if (verdict.kind === 'success') {
				this.consecutive = 0;
				this.failedTargets.clear();
			} else if (verdict.kind === 'failure' && !repeated) {
				if (verdict.target !== undefined) this.failedTargets.add(verdict.target);
				this.consecutive++;
				if (
					this.settings.threshold > 0 &&
					(verdict.opensAtOnce || this.consecutive >= this.settings.threshold)
				) {
					this.toOpen(verdict.reason, context.at);
					this.opens++;
					opened = true;
				}
			}
		}
		return { opened, snapshot: this.snapshot() };
	}

	/**
	 * Ends a trial that got no verdict (its run was stopped, or it failed before its result could be read):
	 * the breaker goes back to `open` with its cool-down already over, so the next caller in line makes the
	 * trial at once. Nothing happens when the trial already had its verdict.
	 */
	abandonTrial(trialId: number): void {
		if (!this.trialInFlight || trialId !== this.trialId) return;
		this.trialInFlight = false;
		if (this.current === 'half_open') this.current = 'open';
		this.notify();
	}

	/** Closes it at once (a restart that recovered, a healthy probe). Returns whether it was not closed. */
	close(by: string): boolean {
		if (this.current === 'closed') {
			this.consecutive = 0;
			this.failedTargets.clear();
			return false;
		}
		this.toClosed(by);
		return true;
	}

	/** Closed, count and history forgotten. */
	reset(): void {
		this.toClosed('reset');
		this.openedAt = undefined;
		this.openReason = null;
	}

	snapshot(): BreakerSnapshot {
		return {
			state: this.current,
			consecutiveFailures: this.consecutive,
			threshold: this.settings.threshold,
			coolDownMs: this.settings.coolDownMs,
			openedAt: this.openedAt === undefined ? null : new Date(this.openedAt).toISOString(),
			openReason: this.openReason,
			closedBy: this.closedBy,
			opens: this.opens,
			waiting: this.waiters.length,
		};
	}

	private coolDownOver(now: number): boolean {
		if (this.current === 'half_open') return true;
		return this.openedAt !== undefined && now >= this.openedAt + this.settings.coolDownMs;
	}

	private toOpen(reason: ReasonCode, at: number): void {
		this.current = 'open';
		this.openedAt = at;
		this.openReason = reason;
		this.notify();
	}

	private toClosed(by: string): void {
		this.current = 'closed';
		this.consecutive = 0;
		this.failedTargets.clear();
		this.trialInFlight = false;
		this.closedBy = by;
		this.notify();
	}

	private notify(): void {
		const previous = this.change;
		this.change = deferred();
		previous.resolve();
	}
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => {
		resolve = r;
	});
	return { promise, resolve };
}
