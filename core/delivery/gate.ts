/**
 * One item's side of the account's gate (core/delivery/admit.ts), and the one owner of what its sends took:
 * every `Permit` (a breaker trial among them) is kept here and released by `release()`, which the engine
 * calls in a `finally` however the item ends (a result, a stop, a crash). The breaker hears each send's
 * verdict through `record`; what the verdict is, judge and check decide.
 */
import { SlotAbandoned } from '../pacing/limiter';
import type { Classification, Target, Timing } from '../types';
import { admit } from './admit';
import type { Permit } from './admit';
import { DeliveryStopped, targetKey } from './types';
import type { DeliveryEnvironment, DeliverySettings } from './types';

export class ItemGate {
	private readonly owned: Permit[] = [];

	private pacingWaitMs = 0;

	private breakerWaitMs = 0;

	private trial = false;

	private openedBreaker = false;

	/** What `onBreakerOpen` answered when this item's failure opened the breaker. */
	private openingReport: Record<string, unknown> | undefined;

	constructor(
		private readonly settings: DeliverySettings,
		private readonly env: DeliveryEnvironment,
		/** Why nothing may be sent any more (engine closed, run cancelled), or null. */
		private readonly stopReason: () => string | null,
	) {}

	/** Whether sends go through the account's breaker and limiter at all. */
	get paced(): boolean {
		return this.settings.pacing !== undefined && this.env.accounts !== undefined;
	}

	/**
	 * The account's breaker, then its limiter: waits while the breaker is open (up to the hold), then for
	 * a send slot. Called in the lane, so a run's sends pass in input order.
	 */
	async pass(target: Target, selfId: number): Promise<Permit> {
		const { clock, sleep, signal } = this.env;
		const pacing = this.settings.pacing!;
		const permit = await admit(
			this.env.accounts!(selfId),
			{
				targetKey: targetKey(target),
				minIntervalMs: this.settings.minIntervalMs,
				ratePerMinute: pacing.ratePerMinute,
				breaker: pacing.breaker,
				holdMs: pacing.holdMs,
				pollMs: pacing.pollMs ?? 1000,
				bypassBreaker: pacing.bypassBreaker === true,
			},
			{ clock, sleep, signal },
		).catch((error: unknown) =>
			// A stop while waiting for the slot: nothing was sent, and the item ends as a stop like any other.
			Promise.reject(
				error instanceof SlotAbandoned
					? new DeliveryStopped(this.stopReason() ?? error.message)
					: error,
			),
		);
		this.owned.push(permit);
		this.pacingWaitMs += permit.pacingWaitMs;
		this.breakerWaitMs += permit.breakerWaitMs;
		if (permit.trial) this.trial = true;
		return permit;
	}

	/**
	 * Tells the account's breaker what one admitted send came to (`undefined` = delivered). A failure counts
	 * once per send; a later check that finds the message landed still counts as a delivery. The send whose
	 * failure opened the breaker sends the one report.
	 */
	async record(
		permit: Permit | undefined,
		selfId: number | undefined,
		failure: Classification | undefined,
	): Promise<void> {
		if (!permit?.admitted || selfId === undefined) return;
		const at = this.env.clock();
		const result = permit.verdict(failure, at);
		if (!result?.opened || !failure) return;
		let report: Record<string, unknown> | undefined;
		try {
			report = await this.env.onBreakerOpen?.({
				selfId,
				reason: failure,
				snapshot: result.snapshot,
				at,
			});
		} catch (error) {
			report = { sent: false, error: error instanceof Error ? error.message : String(error) };
		}
		if (!this.openedBreaker) {
			this.openedBreaker = true;
			this.openingReport = report;
		}
	}

	/** The `pacing` evidence after a send that took a slot, else undefined. */
	pacingEvidence(permit: Permit | undefined): Record<string, unknown> | undefined {
		if (!permit?.slot) return undefined;
		return {
			ratePerMinute: this.settings.pacing!.ratePerMinute ?? null,
			minIntervalMs: this.settings.minIntervalMs,
			waitedMs: this.pacingWaitMs,
			queuedBehind: permit.slot.queuedBehind,
			limitedBy: permit.slot.limitedBy,
		};
	}

	/** The `breaker` evidence of the item's end: the account's breaker now, and this item's part in it. */
	breakerEvidence(selfId: number | null): Record<string, unknown> | undefined {
		if (!this.paced || selfId === null || this.settings.pacing!.bypassBreaker) return undefined;
		return {
			...this.env.accounts!(selfId).breaker.snapshot(),
			account: selfId,
			waitedMs: this.breakerWaitMs,
			trial: this.trial,
			openedByThisItem: this.openedBreaker,
			...(this.openingReport ? { report: this.openingReport } : {}),
		};
	}

	/** The waits of the item's timing (with account pacing only). */
	timingWaits(): Pick<Timing, 'pacingWaitMs' | 'breakerWaitMs'> {
		if (!this.paced) return {};
		return { pacingWaitMs: this.pacingWaitMs, breakerWaitMs: this.breakerWaitMs };
	}

	/** Releases every permit: a trial without a verdict goes back to the breaker as `open`. Idempotent. */
	release(): void {
		for (const permit of this.owned) permit.release();
	}
}
