/**
 * The send-verify-retry engine behind Send With Verification: the loop that runs one item's stages.
 *
 * Per item, per attempt: prepare (prepare.ts: identities, the chat's baseline), send (send.ts: the lane, the
 * account's gate of admit.ts, the API call), judge (judge.ts: what the answer means), verify at the level
 * (verify/api.ts, lookup.ts, witness.ts, kernel.ts); on failure the retry decision (core/retry.ts) says
 * whether the send may have landed, and then check.ts looks before anything else; finish.ts builds the
 * result. Each resource has one owner that releases it on every path: the item's `ItemGate` its permits
 * (gate.ts), the item its lane ticket, the run its watchers (watchers.ts), closed when every item has settled.
 */
import { identifyAccount } from '../account';
import type { AccountIdentity } from '../account';
import { decideRetry } from '../retry';
import type { RetryDecision } from '../retry';
import type {
	AttemptRecord,
	Classification,
	DeliveryResult,
	Target,
	VerificationLevel,
} from '../types';
import type { Permit } from './admit';
import { checkLanding } from './check';
import type { CheckContext } from './check';
import {
	ItemProgress,
	deliveredSummary,
	gaveUpSummary,
	heldSummary,
	landedSummary,
	notConfirmedSummary,
	unknownSummary,
} from './finish';
import { ItemGate } from './gate';
import { deliveredBasis, judgeRefusal } from './judge';
import { SendLane } from './lane';
import type { SendTicket } from './lane';
import { prepareSend } from './prepare';
import { sendOnce } from './send';
import type { SendContext } from './send';
import { DeliveryStopped, iso, targetKey } from './types';
import type {
	AttemptResult,
	DeliveryEnvironment,
	DeliveryOutcome,
	DeliveryRequest,
	DeliverySettings,
	Identities,
} from './types';
import { verifyByApi } from './verify/api';
import { verifyByKernel } from './verify/kernel';
import type { AcceptedSend, Verified, VerifyContext } from './verify/level';
import { verifyByLookup } from './verify/lookup';
import { verifyByWitness } from './verify/witness';
import { RunWatchers, witnessProblem } from './watchers';

/** The verify stage of each level: one file each in verify/. */
const VERIFY: Record<
	VerificationLevel,
	(sent: AcceptedSend, context: VerifyContext) => Verified | Promise<Verified>
> = {
	api: verifyByApi,
	lookup: verifyByLookup,
	witness: verifyByWitness,
	kernel: verifyByKernel,
};

/** What one item holds while it runs: its permits (through its gate) and its current lane ticket. */
interface ItemHold {
	gate: ItemGate;
	ticket: SendTicket;
}

export class DeliveryEngine {
	private readonly lane: SendLane;

	private readonly watchers: RunWatchers;

	private readonly context: CheckContext & SendContext;

	private identities: Promise<Identities> | undefined;

	private readonly seenMessageIds: Set<number>;

	private closed = false;

	constructor(
		private readonly settings: DeliverySettings,
		private readonly env: DeliveryEnvironment,
	) {
		const stopReason = () => this.stopReason();
		const paced = settings.pacing !== undefined && env.accounts !== undefined;
		// With account pacing the limiter spaces sends per target across runs; the lane keeps input order.
		this.lane = new SendLane(paced ? 0 : settings.minIntervalMs, env.sleep, env.clock, stopReason);
		this.watchers = new RunWatchers(settings, env, stopReason);
		this.seenMessageIds = env.seenMessageIds ?? new Set();
		this.context = {
			settings,
			env,
			clock: env.clock,
			watchers: this.watchers,
			identify: () => this.identify(),
			seenMessageIds: this.seenMessageIds,
			stopReason,
		};
	}

	/**
	 * Identifies the sender and the witness (once; a failure is retried by the next caller). The node
	 * calls it first to name configuration problems before anything is sent.
	 */
	identify(): Promise<Identities> {
		if (!this.identities) {
			const timeoutMs = this.settings.requestTimeoutMs;
			const promise = Promise.all([
				identifyAccount(this.env.sender.client, timeoutMs),
				this.env.witness
					? identifyAccount(this.env.witness.client, timeoutMs)
					: Promise.resolve(undefined),
			]).then(([sender, witness]) => ({ sender, witness }));
			this.identities = promise;
			void promise.then((ids) => {
				if ((!ids.sender.ok || (ids.witness && !ids.witness.ok)) && this.identities === promise) {
					this.identities = undefined;
				}
			});
		}
		return this.identities;
	}

	/** Why the witness cannot prove delivery to this target, or null (core/delivery/watchers.ts). */
	static witnessProblem(target: Target, witness: AccountIdentity): string | null {
		return witnessProblem(target, witness);
	}

	/**
	 * Delivers every request; the outcomes line up with `requests`. Each item ends on its own: an error
	 * inside one item (a bug, a cancellation) is that item's outcome, and the call returns only when every
	 * item has settled, so no item keeps running (or resends) after it. Then every watcher and socket closes.
	 */
	async deliverEach(requests: DeliveryRequest[]): Promise<DeliveryOutcome[]> {
		const onAbort = () => this.close();
		this.env.signal?.addEventListener('abort', onAbort, { once: true });
		try {
			// Reserve first attempts synchronously so they go out in input order.
			const tickets = requests.map((request) => this.lane.reserve(targetKey(request.target)));
			const settled = await Promise.allSettled(
				requests.map((request, i) => this.deliverOne(request, tickets[i])),
			);
			return settled.map((entry) =>
				entry.status === 'fulfilled'
					? { ok: true, result: entry.value }
					: { ok: false, error: entry.reason },
			);
		} finally {
			this.env.signal?.removeEventListener('abort', onAbort);
			this.close();
		}
	}

	/** Delivers every request; the results line up with `requests`. Rejects with the first item's error, after all settled. */
	async deliverAll(requests: DeliveryRequest[]): Promise<DeliveryResult[]> {
		const outcomes = await this.deliverEach(requests);
		const failed = outcomes.find((outcome) => !outcome.ok);
		if (failed && !failed.ok) throw failed.error;
		return outcomes.map((outcome) => (outcome as { ok: true; result: DeliveryResult }).result);
	}

	/** Stops sending and closes every watcher (and its event socket). Idempotent. */
	close(): void {
		this.closed = true;
		this.watchers.close();
	}

	private throwIfStopped(ticket?: SendTicket): void {
		const stop = this.stopReason();
		if (!stop) return;
		ticket?.cancel();
		throw new DeliveryStopped(stop);
	}

	private stopReason(): string | null {
		if (this.env.signal?.aborted) return 'the execution was cancelled: nothing more is sent';
		if (this.closed) return 'the run has ended: nothing more is sent';
		return null;
	}

	/**
	 * One item, owning what its sends take: every permit of the account's gate (a breaker trial among them)
	 * and its lane ticket are given back when the item ends, however it ends (a result, a stop, a crash).
	 */
	private async deliverOne(
		request: DeliveryRequest,
		firstTicket: SendTicket,
	): Promise<DeliveryResult> {
		const hold: ItemHold = {
			gate: new ItemGate(this.settings, this.env, this.context.stopReason),
			ticket: firstTicket,
		};
		try {
			return await this.deliverItem(request, hold);
		} finally {
			hold.ticket.cancel();
			hold.gate.release();
		}
	}

	/** The item's loop: attempt, then deliver, check, resend or give up. */
	private async deliverItem(request: DeliveryRequest, hold: ItemHold): Promise<DeliveryResult> {
		const { clock, sleep } = this.env;
		const { gate } = hold;
		const progress = new ItemProgress(this.settings, request, gate, clock());
		for (let attempt = 1; ; attempt++) {
			this.throwIfStopped(hold.ticket);
			const tried = await this.attempt(request, attempt, hold.ticket, gate);
			this.throwIfStopped();
			progress.add(tried);
			if (tried.permit && !tried.permit.admitted) {
				progress.evidence.resend =
					"not sent: held back while the account's breaker was open; resending it is safe";
				const summary = heldSummary(attempt, tried.permit.breakerWaitMs);
				return progress.result('failed', clock(), tried.classification, summary);
			}
			// The breaker hears what the send came to (once per send: a refused one already told it in the lane).
			await gate.record(
				tried.permit,
				tried.selfId,
				tried.delivered ? undefined : tried.classification,
			);
			if (tried.delivered) return this.delivered(progress, tried, attempt);
			const failure = tried.classification!;
			const decision = decideRetry(failure, attempt, this.settings.retry, this.env.random);
			if (decision.checkFirst && tried.sentAt !== undefined) {
				const ended = await this.checkFirst(progress, request, tried, attempt, decision, gate);
				if (ended) return ended;
			}
			if (decision.action === 'stop') {
				progress.evidence.retry = decision.why;
				const summary = gaveUpSummary(attempt, failure, decision.why);
				return progress.result('failed', clock(), failure, summary);
			}
			if (decision.delayMs > 0) await sleep(decision.delayMs);
			this.throwIfStopped();
			hold.ticket = this.lane.reserve(targetKey(request.target));
		}
	}

	private async delivered(
		progress: ItemProgress,
		tried: AttemptResult,
		attempt: number,
	): Promise<DeliveryResult> {
		const level = this.settings.verification;
		const basis = await deliveredBasis(level, this.context.identify);
		progress.evidence.basis = basis;
		// After a wait (lookup, witness), the accepted send's self message shows whether self-reporting is on.
		const kernel = this.watchers.kernel;
		if (kernel && tried.record.messageId !== null && (level === 'witness' || level === 'lookup'))
			progress.evidence.selfEvent = kernel.selfEventFor(tried.record.messageId);
		const summary = deliveredSummary(level, attempt, basis);
		return progress.result('delivered', tried.verifiedAt ?? this.env.clock(), undefined, summary);
	}

	/**
	 * A failed send that may have landed, before anything else: landed ends the item delivered (and the
	 * breaker hears a delivery), unknown ends it failed and unsent; not landed goes on to the retry decision.
	 */
	private async checkFirst(
		progress: ItemProgress,
		request: DeliveryRequest,
		tried: AttemptResult,
		attempt: number,
		decision: RetryDecision,
		gate: ItemGate,
	): Promise<DeliveryResult | undefined> {
		const { clock } = this.env;
		const failure = tried.classification!;
		const check = await checkLanding(this.context, request, tried, decision);
		if (check.result === 'landed') await gate.record(tried.permit, tried.selfId, undefined);
		progress.addCheck(tried, check);
		if (check.result === 'landed') {
			tried.record.outcome = 'landed_after_check';
			progress.evidence.basis = 'landed_after_check';
			return progress.result(
				'delivered',
				check.at,
				undefined,
				landedSummary(attempt, failure, check),
			);
		}
		if (check.result === 'unknown') {
			progress.evidence.resend =
				'not resent: nothing shows whether the message arrived, and a resend could deliver it twice';
			const summary = unknownSummary(attempt, failure);
			return progress.result('failed', clock(), check.reclassified ?? failure, summary);
		}
		if (check.reclassified && decision.action === 'stop') {
			progress.evidence.retry = decision.why;
			const summary = notConfirmedSummary(attempt, failure, decision.why);
			return progress.result('failed', clock(), check.reclassified, summary);
		}
		tried.record.outcome = 'not_landed_after_check';
		return undefined;
	}

	/** One attempt: prepare, send, judge the answer, then verify at the level. */
	private async attempt(
		request: DeliveryRequest,
		attempt: number,
		ticket: SendTicket,
		gate: ItemGate,
	): Promise<AttemptResult> {
		const { clock } = this.env;
		const startedAt = clock();
		const record: AttemptRecord = {
			attempt,
			outcome: 'failed',
			reason: null,
			messageId: null,
			raw: null,
			startedAt: iso(startedAt),
			durationMs: 0,
		};
		const unsent = (
			classification: Classification,
			evidence: Record<string, unknown>,
			selfId?: number,
			permit?: Permit,
		): AttemptResult => {
			ticket.cancel();
			record.reason = classification.reason;
			record.raw = classification.raw;
			record.durationMs = clock() - startedAt;
			return { record, delivered: false, classification, evidence, selfId, permit };
		};
		const prepared = await prepareSend(
			this.settings,
			this.watchers,
			request,
			await this.identify(),
		);
		if (!prepared.ready) return unsent(prepared.classification, prepared.evidence, prepared.selfId);
		const { sender, checker } = prepared;
		const sent = await sendOnce(this.context, gate, ticket, request, sender);
		if (sent.held) return unsent(sent.classification, {}, sender.selfId, sent.permit);
		const { sentAt, answeredAt, acceptance, permit } = sent;
		const done = (fields: Verified): AttemptResult => {
			record.durationMs = clock() - sentAt;
			record.startedAt = iso(sentAt);
			if (fields.classification) {
				record.reason = fields.classification.reason;
				record.raw = fields.classification.raw;
			}
			return {
				record,
				delivered: false,
				sentAt,
				answeredAt,
				selfId: sender.selfId,
				permit,
				...fields,
			};
		};
		if (!acceptance.accepted) {
			const { client } = this.env.sender;
			const timeoutMs = this.settings.requestTimeoutMs;
			return done(
				await judgeRefusal(
					acceptance.classification,
					attempt,
					request.target,
					sender,
					client,
					timeoutMs,
				),
			);
		}
		const { messageId } = acceptance;
		this.seenMessageIds.add(messageId);
		record.outcome = 'accepted';
		record.messageId = messageId;
		this.watchers.kernel?.claimMessageId(messageId);
		const api = { accepted: true, attempt, messageId };
		const accepted: AcceptedSend = { request, sender, messageId, sentAt, answeredAt, api, checker };
		return done(await VERIFY[this.settings.verification](accepted, this.context));
	}
}
