// Long file: one engine keeps each item's state machine (send, verify at four levels, check before any resend, pacing, breaker) in one place; split, that per-item state would cross files.
/**
 * The send-verify-retry engine behind Send With Verification.
 *
 * Per item: send (in input order, spaced per target), verify at the requested level, and on failure
 * decide by class (core/retry.ts). A failure after which the message may have arrived (ambiguous, or
 * account-level) is checked before any resend, and resent only when the check says it did not land:
 * - with a witness that can see the target: the witness's history / event stream until the deadline;
 * - else the sender's own history: absent means the kernel never stored it (safe to resend); present
 *   proves nothing (a stuck client shows unsent messages as sent), so the item fails without a resend;
 * - when neither can be read, the item fails without a resend.
 * So a retry never delivers an input twice, as long as every copy that arrives reaches the witness
 * (or the sender's store) before the deadline.
 */
import { decideRetry } from './retry';
import type { RandomFn, RetryPolicy } from './retry';
import type { OneBotClient } from './transport';
import type {
	AttemptRecord,
	Classification,
	Clock,
	DeliveryResult,
	ReasonClass,
	Segment,
	Sleep,
	Target,
	VerificationLevel,
} from './types';
import { identifyAccount } from './account';
import type { AccountIdentity, IdentifyResult } from './account';
import { ChatWatcher } from './chatWatcher';
import type { WatchOutcome } from './chatWatcher';
import { checkApiAcceptance, lookupSentMessage, verifierFailure } from './verify';
import { nonFriendCheckSays, nonFriendTimeout } from './classify';
import type { EventSource } from './eventStream';
import { normaliseForMatch } from './message';
import { KernelWatcher } from './kernel';
import type { KernelOutcome } from './kernel';
import { admit } from './delivery/admit';
import { SlotAbandoned } from './pacing/limiter';
import type { Permit } from './delivery/admit';
import type { BreakerSettings, BreakerSnapshot } from './pacing/breaker';
import type { AccountPacing } from './pacing/registry';
import type { SendSlot } from './pacing/limiter';

export interface DeliveryRequest {
	/** Position of the input item; results come back in this order. */
	index: number;
	target: Target;
	message: Segment[];
	correlationId: string;
}

export interface DeliverySettings {
	verification: VerificationLevel;
	/** How long after a send's answer its message may take to show up (witness or sender history). */
	deadlineMs: number;
	pollIntervalMs: number;
	/** Minimum time between two sends to the same target. */
	minIntervalMs: number;
	/** Our own timeout for each OneBot call. */
	requestTimeoutMs: number;
	retry: RetryPolicy;
	/**
	 * Check a send that failed ambiguously against the sender's own confirmations first (default true). The
	 * probe's canaries turn it off: only the witness may judge them.
	 */
	selfEventCheck?: boolean;
	/**
	 * Keep the full attempt log: every attempt carries its own evidence and the item's evidence keeps the
	 * diagnostic counters (`reads`, the watcher's own message id). Off: only the decisive facts.
	 */
	attemptLog?: boolean;
	/** Account-wide pacing and circuit breaker (needs `accounts` in the environment). */
	pacing?: PacingSettings;
}

/** Diagnostic counters left out of an item's evidence unless the attempt log is asked for. */
const LOG_ONLY_FIELDS = ['reads', 'watcherMessageId'];

/** The decisive facts of an evidence object: the same object without the log-only fields (one level down). */
export function trimEvidence(evidence: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(evidence)) {
		if (LOG_ONLY_FIELDS.includes(key)) continue;
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			const inner: Record<string, unknown> = {};
			for (const [k, v] of Object.entries(value)) if (!LOG_ONLY_FIELDS.includes(k)) inner[k] = v;
			out[key] = inner;
		} else {
			out[key] = value;
		}
	}
	return out;
}

export interface PacingSettings {
	/** Messages per minute for the whole account, across runs; 0 = no account-wide limit; absent = as last set. */
	ratePerMinute?: number;
	/** Fields left out keep what the account has (defaults: core/pacing/breaker.ts). */
	breaker: Partial<BreakerSettings>;
	/** How long a send may wait for an open breaker before it leaves with circuit_open (0 = not at all). */
	holdMs: number;
	/** Longest single sleep while waiting for the breaker. */
	pollMs?: number;
	/** Take a send slot only: the breaker neither holds nor counts these sends (the probe's canaries). */
	bypassBreaker?: boolean;
}

/** Told once per closed → open transition of an account's breaker, to send the one report. */
export interface BreakerOpening {
	selfId: number;
	reason: Classification;
	snapshot: BreakerSnapshot;
	at: number;
}

export interface AccountAccess {
	client: OneBotClient;
	/** Forward WebSocket for live events, when the account has one. */
	events?: EventSource;
}

export interface DeliveryEnvironment {
	sender: AccountAccess;
	witness?: AccountAccess;
	sleep: Sleep;
	clock: Clock;
	random?: RandomFn;
	/** message_ids earlier sends got; a repeat means the id is not evidence (kept up to date here). */
	seenMessageIds?: Set<number>;
	/** The process-wide pacing of an account (core/pacing/registry.ts); used with `settings.pacing`. */
	accounts?: (selfId: number) => AccountPacing;
	/** Called by the one send whose failure opened the breaker; its answer goes into that item's evidence. */
	onBreakerOpen?: (opening: BreakerOpening) => Promise<Record<string, unknown> | undefined>;
	/** The execution's cancel signal: once aborted, nothing more is sent and every wait ends. */
	signal?: AbortSignal;
}

/** One item's end: its result, or the error that stopped it (a bug or a cancellation), isolated from the others. */
export type DeliveryOutcome = { ok: true; result: DeliveryResult } | { ok: false; error: unknown };

/** Thrown instead of sending once the engine is closed or its run was cancelled. */
export class DeliveryStopped extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DeliveryStopped';
	}
}

/** What the account's breaker and limiter did for one send. */
interface GateResult {
	admitted: boolean;
	trial: boolean;
	breakerWaitMs: number;
	pacingWaitMs: number;
	slot?: SendSlot;
	/** The owner of what the gate took (core/delivery/admit.ts); it tells the breaker the send's result. */
	permit: Permit;
	/** This send's failure opened the breaker; `report` is what onBreakerOpen answered. */
	opened?: boolean;
	report?: Record<string, unknown>;
}

type CheckResult = 'landed' | 'not_landed' | 'unknown';

interface CheckOutcome {
	result: CheckResult;
	at: number;
	evidence: Record<string, unknown>;
	/** What the delivered summary says proved it, when not the witness. */
	landedBy?: string;
	/** The reason the item fails with when this check decided (Kernel Confirmed: not_confirmed). */
	reclassified?: Classification;
}

interface AttemptResult {
	record: AttemptRecord;
	delivered: boolean;
	classification?: Classification;
	/** Set when the attempt's own verification already settled whether it landed. */
	check?: CheckOutcome;
	/**
	 * Set when the witness concluded early (a later message of the sender overtook this one): enough to end the
	 * item, not to resend it. A resend still waits for the usual check.
	 */
	earlyCheck?: CheckOutcome;
	sentAt?: number;
	answeredAt?: number;
	/** The sender's QQ number, once known. */
	selfId?: number;
	verifiedAt?: number;
	evidence: Record<string, unknown>;
	/** Set when the attempt went through the account's breaker and limiter. */
	gate?: GateResult;
}

interface Identities {
	sender: IdentifyResult;
	witness?: IdentifyResult;
}

function targetKey(target: Target): string {
	return `${target.type}:${target.id}`;
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/**
 * Serialises the sender's sends in reservation order and spaces sends to one target. A ticket is
 * reserved when an item starts (so first attempts go out in input order) or when it decides to retry.
 */
class SendLane {
	private tail: Promise<void> = Promise.resolve();

	private readonly lastSendAt = new Map<string, number>();

	constructor(
		private readonly minIntervalMs: number,
		private readonly sleep: Sleep,
		private readonly clock: Clock,
		/** Why no send may go out any more (engine closed, run cancelled), or null. */
		private readonly stopped: () => string | null,
	) {}

	reserve(key: string): SendTicket {
		const previous = this.tail;
		let release!: () => void;
		this.tail = new Promise<void>((resolve) => {
			release = resolve;
		});
		let used = false;
		const run = async <T>(send: (sentAt: number) => Promise<T>): Promise<T> => {
			used = true;
			await previous;
			try {
				const last = this.lastSendAt.get(key);
				const wait = last === undefined ? 0 : last + this.minIntervalMs - this.clock();
				if (wait > 0) await this.sleep(wait);
				const stop = this.stopped();
				if (stop) throw new DeliveryStopped(stop);
				const sentAt = this.clock();
				this.lastSendAt.set(key, sentAt);
				return await send(sentAt);
			} finally {
				release();
			}
		};
		const cancel = () => {
			if (used) return;
			used = true;
			void previous.then(release);
		};
		return { run, cancel };
	}
}

interface SendTicket {
	run<T>(send: (sentAt: number) => Promise<T>): Promise<T>;
	/** Gives the slot up without sending (the attempt failed before it). */
	cancel(): void;
}

/**
 * Failures of a send that reached the implementation and may have delivered: ambiguous ones, and
 * account-level ones too, since go-cqhttp answers SEND_MSG_API_ERROR both for a blocked send and for
 * one that timed out (and may have arrived). Their long backoff dwarfs the check.
 */
const CHECKED_CLASSES: ReadonlySet<ReasonClass> = new Set<ReasonClass>(['ambiguous', 'account']);

/** What a level's evidence is, for the `evidence.basis` field users read. */
const BASIS: Record<VerificationLevel, string> = {
	api: 'api_accepted',
	lookup: 'sender_lookup',
	witness: 'witness_saw_message',
	kernel: 'kernel_confirmed',
};

export class DeliveryEngine {
	private readonly lane: SendLane;

	private identities: Promise<Identities> | undefined;

	private readonly watchers = new Map<string, ChatWatcher>();

	/** The sender's own confirmations (self messages, raw records); see `kernelWatcher`. */
	private kernel: KernelWatcher | undefined;

	private readonly seenMessageIds: Set<number>;

	private closed = false;

	constructor(
		private readonly settings: DeliverySettings,
		private readonly env: DeliveryEnvironment,
	) {
		// With account pacing the limiter spaces sends per target across runs; the lane keeps input order.
		this.lane = new SendLane(this.paced ? 0 : settings.minIntervalMs, env.sleep, env.clock, () =>
			this.stopReason(),
		);
		this.seenMessageIds = env.seenMessageIds ?? new Set();
	}

	private get paced(): boolean {
		return this.settings.pacing !== undefined && this.env.accounts !== undefined;
	}

	/**
	 * The account's breaker, then its limiter: waits while the breaker is open (up to the hold), then for
	 * a send slot. Called in the lane, so a run's sends pass in input order.
	 */
	private async passGate(target: Target, selfId: number, owned: Permit[]): Promise<GateResult> {
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
		owned.push(permit);
		return {
			admitted: permit.admitted,
			trial: permit.trial,
			breakerWaitMs: permit.breakerWaitMs,
			pacingWaitMs: permit.pacingWaitMs,
			slot: permit.slot,
			permit,
		};
	}

	/** Tells the account's breaker what one admitted send came to (a trial's result once). */
	private async judge(
		gate: GateResult | undefined,
		selfId: number | undefined,
		failure: Classification | undefined,
	): Promise<void> {
		if (!gate?.admitted || selfId === undefined) return;
		// A failure counts once per send; a later check that finds the message landed still counts as a delivery.
		const at = this.env.clock();
		const result = gate.permit.verdict(failure, at);
		if (!result?.opened || !failure) return;
		gate.opened = true;
		try {
			gate.report = await this.env.onBreakerOpen?.({
				selfId,
				reason: failure,
				snapshot: result.snapshot,
				at,
			});
		} catch (error) {
			gate.report = { sent: false, error: error instanceof Error ? error.message : String(error) };
		}
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

	/**
	 * Why the witness cannot prove delivery to this target, or null. A private message reaches only its
	 * recipient, so only a witness that is the recipient can see it.
	 */
	static witnessProblem(target: Target, witness: AccountIdentity): string | null {
		if (target.type === 'private' && target.id !== witness.selfId) {
			return (
				`A private message can be witnessed only by its recipient: the witness account is ${witness.selfId}, ` +
				`the target is ${target.id}. Send to a group, make the witness the recipient, or choose "API Accepted" ` +
				`or "Sender Lookup" verification for this target.`
			);
		}
		return null;
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
		for (const watcher of this.watchers.values()) watcher.close();
		this.watchers.clear();
		this.kernel?.close();
		this.kernel = undefined;
	}

	/**
	 * The watcher of the sender's own confirmations: at the Kernel Confirmed level always (its history may show
	 * LLOneBot's raw records), at the other levels when the sender's credential has an event stream.
	 */
	private kernelWatcher(sender: AccountIdentity): KernelWatcher | undefined {
		if (this.settings.verification !== 'kernel' && !this.env.sender.events) return undefined;
		// Once the run closed, nothing opens a stream any more (close() has already run and would miss it).
		if (this.closed) return undefined;
		// Self messages confirm only where the version pushes them on sendStatus 2 (docs/compatibility.md, table 'Kernel confirmation').
		const proof = sender.implementation.kernelProof;
		this.kernel ??= new KernelWatcher({
			client: this.env.sender.client,
			selfId: sender.selfId,
			events: this.env.sender.events,
			sleep: this.env.sleep,
			clock: this.env.clock,
			pollIntervalMs: this.settings.pollIntervalMs,
			requestTimeoutMs: this.settings.requestTimeoutMs,
			selfMessagesConfirm: proof.selfMessage,
			selfMessageProof: {
				label: sender.implementation.label,
				since: proof.selfMessageSince,
				noKernel: !proof.okAnswer,
			},
		});
		return this.kernel;
	}

	/**
	 * The basis of a delivered item: at Kernel Confirmed an `ok` answer is the kernel's confirmation only where
	 * the implementation answers after sendStatus 2 (LLOneBot, NapCat); elsewhere it proved only that the API
	 * accepted the message (docs/compatibility.md, table 'Kernel confirmation').
	 */
	private async deliveredBasis(): Promise<string> {
		const level = this.settings.verification;
		if (level !== 'kernel') return BASIS[level];
		const ids = await this.identify();
		const okAnswer = ids.sender.ok && ids.sender.identity.implementation.kernelProof.okAnswer;
		return okAnswer ? BASIS.kernel : BASIS.api;
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
	 * is released when the item ends, however it ends (a result, a stop, a crash).
	 */
	private async deliverOne(
		request: DeliveryRequest,
		firstTicket: SendTicket,
	): Promise<DeliveryResult> {
		const owned: Permit[] = [];
		try {
			return await this.deliverOwned(request, firstTicket, owned);
		} finally {
			for (const permit of owned) permit.release();
		}
	}

	private async deliverOwned(
		request: DeliveryRequest,
		firstTicket: SendTicket,
		owned: Permit[],
	): Promise<DeliveryResult> {
		const { clock, sleep } = this.env;
		const requestedAt = clock();
		const attempts: AttemptRecord[] = [];
		let ticket = firstTicket;
		let lastAnsweredAt: number | null = null;
		let messageId: number | null = null;
		let selfId: number | null = null;
		const evidence: Record<string, unknown> = { level: this.settings.verification };
		const paced = this.paced;
		const waits = { pacingWaitMs: 0, breakerWaitMs: 0, trial: false, openedBreaker: false };
		let openingReport: Record<string, unknown> | undefined;

		const finish = (
			status: DeliveryResult['status'],
			endedAt: number,
			classification?: Classification,
			summary?: string,
		): DeliveryResult => {
			if (summary) evidence.summary = summary;
			const log = this.settings.attemptLog === true;
			const timingWaits = paced
				? { pacingWaitMs: waits.pacingWaitMs, breakerWaitMs: waits.breakerWaitMs }
				: {};
			if (paced && selfId !== null && !this.settings.pacing!.bypassBreaker) {
				evidence.breaker = {
					...this.env.accounts!(selfId).breaker.snapshot(),
					account: selfId,
					waitedMs: waits.breakerWaitMs,
					trial: waits.trial,
					openedByThisItem: waits.openedBreaker,
					...(openingReport ? { report: openingReport } : {}),
				};
			}
			return {
				status,
				reason: classification?.reason ?? null,
				reasonClass: classification?.reasonClass ?? null,
				verification: this.settings.verification,
				evidence: log ? evidence : trimEvidence(evidence),
				target: request.target,
				message: request.message,
				messageId,
				correlationId: request.correlationId,
				attempts,
				timing: {
					requestedAt: iso(requestedAt),
					answeredAt: lastAnsweredAt === null ? null : iso(lastAnsweredAt),
					verifiedAt: status === 'delivered' ? iso(endedAt) : null,
					gaveUpAt: status === 'failed' ? iso(endedAt) : null,
					totalMs: endedAt - requestedAt,
					...timingWaits,
				},
				selfId,
			};
		};

		for (let attempt = 1; ; attempt++) {
			this.throwIfStopped(ticket);
			const tried = await this.attempt(request, attempt, ticket, owned);
			this.throwIfStopped();
			if (this.settings.attemptLog) tried.record.evidence = tried.evidence;
			attempts.push(tried.record);
			Object.assign(evidence, tried.evidence);
			if (tried.answeredAt !== undefined) lastAnsweredAt = tried.answeredAt;
			if (tried.record.messageId !== null) messageId = tried.record.messageId;
			if (tried.selfId !== undefined) selfId = tried.selfId;
			if (tried.gate) {
				waits.pacingWaitMs += tried.gate.pacingWaitMs;
				waits.breakerWaitMs += tried.gate.breakerWaitMs;
				if (tried.gate.trial) waits.trial = true;
				if (tried.gate.slot) {
					evidence.pacing = {
						ratePerMinute: this.settings.pacing!.ratePerMinute ?? null,
						minIntervalMs: this.settings.minIntervalMs,
						waitedMs: waits.pacingWaitMs,
						queuedBehind: tried.gate.slot.queuedBehind,
						limitedBy: tried.gate.slot.limitedBy,
					};
				}
			}
			if (tried.gate && !tried.gate.admitted) {
				const classification = tried.classification!;
				evidence.resend =
					"not sent: held back while the account's breaker was open; resending it is safe";
				return finish(
					'failed',
					clock(),
					classification,
					`Attempt ${attempt} was held back for ${Math.round(tried.gate.breakerWaitMs / 1000)} s while the account's circuit breaker stayed open, and not sent (circuit_open).`,
				);
			}
			// A send answered with a failure has told the breaker in the lane; an accepted one tells it once verified.
			const judgeNow = async (): Promise<void> => {
				await this.judge(
					tried.gate,
					tried.selfId,
					tried.delivered ? undefined : tried.classification,
				);
				if (tried.gate?.opened && !waits.openedBreaker) {
					waits.openedBreaker = true;
					openingReport = tried.gate.report;
				}
			};

			if (tried.delivered) {
				await judgeNow();
				const basis = await this.deliveredBasis();
				evidence.basis = basis;
				// After a wait (lookup, witness), the accepted send's self message shows whether self-reporting is on.
				if (
					this.kernel &&
					tried.record.messageId !== null &&
					(this.settings.verification === 'witness' || this.settings.verification === 'lookup')
				) {
					evidence.selfEvent = this.kernel.selfEventFor(tried.record.messageId);
				}
				return finish(
					'delivered',
					tried.verifiedAt ?? clock(),
					undefined,
					this.deliveredSummary(attempt, basis),
				);
			}
			const classification = tried.classification!;
			const decision = decideRetry(classification, attempt, this.settings.retry, this.env.random);

			if (tried.gate?.admitted && !tried.check) await judgeNow();
			if (tried.sentAt !== undefined && CHECKED_CLASSES.has(classification.reasonClass)) {
				const early = decision.action === 'stop' ? tried.earlyCheck : undefined;
				const checked = tried.check ?? early ?? (await this.checkAfterFailure(request, tried));
				const check = {
					...checked,
					result: nonFriendCheckSays(classification, checked.result, checked.evidence.by),
				};
				if (tried.gate?.admitted && tried.check) await judgeNow();
				else if (tried.gate?.admitted && check.result === 'landed')
					await this.judge(tried.gate, tried.selfId, undefined);
				evidence.check = check.evidence;
				if (tried.record.evidence)
					tried.record.evidence = { ...tried.record.evidence, check: check.evidence };
				if (check.result === 'landed') {
					tried.record.outcome = 'landed_after_check';
					evidence.basis = 'landed_after_check';
					return finish(
						'delivered',
						check.at,
						undefined,
						`Attempt ${attempt} failed (${classification.reason}) but ${check.landedBy ?? 'the witness saw the message'}: delivered once, not resent.`,
					);
				}
				if (check.result === 'unknown') {
					evidence.resend =
						'not resent: nothing shows whether the message arrived, and a resend could deliver it twice';
					return finish(
						'failed',
						clock(),
						check.reclassified ?? classification,
						`Attempt ${attempt} failed (${classification.reason}); whether it arrived is unknown, so it was not resent.`,
					);
				}
				if (check.reclassified && decision.action === 'stop') {
					evidence.retry = decision.why;
					return finish(
						'failed',
						clock(),
						check.reclassified,
						`Not delivered after ${attempt} attempt${attempt === 1 ? '' : 's'}: the kernel did not confirm it (${classification.reason}, ${decision.why}).`,
					);
				}
				tried.record.outcome = 'not_landed_after_check';
			}
			if (decision.action === 'stop') {
				evidence.retry = decision.why;
				return finish(
					'failed',
					clock(),
					classification,
					`Not delivered after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${classification.reason} (${decision.why}).`,
				);
			}
			if (decision.delayMs > 0) await sleep(decision.delayMs);
			this.throwIfStopped();
			ticket = this.lane.reserve(targetKey(request.target));
		}
	}

	private deliveredSummary(attempt: number, basis: string): string {
		const tries = attempt === 1 ? 'on the first attempt' : `on attempt ${attempt}`;
		if (this.settings.verification === 'kernel' && basis === BASIS.api)
			return `The API accepted the message ${tries}. This implementation has no QQ kernel whose confirmation an ok answer carries, so only a witness can prove arrival.`;
		switch (this.settings.verification) {
			case 'api':
				return `The API accepted the message ${tries} (a fresh, non-zero message_id). Arrival was not checked.`;
			case 'lookup':
				return `The API accepted the message ${tries} and the sender's get_msg found it. Arrival was not checked by a second account.`;
			case 'kernel':
				return `The QQ kernel confirmed the message ${tries} (the send was answered ok: the server acknowledged it). Whether a member received it only a witness can prove.`;
			default:
				return `The witness account received the message ${tries}.`;
		}
	}

	/** One attempt: identify, make sure a watcher has its baseline, send, then verify at the level. */
	/**
	 * NapCat answers a private message to a non-friend with the same `Timeout ... EventRet: {}` as a hung
	 * kernel (NapCatQQ #600; docs/compatibility.md, row 'NapCat ≥ 3 Timeout ... EventRet {}'). `get_friend_list` says
	 * whether the target is a friend at all; a non-friend's timeout is no proof either way (core/classify.ts `nonFriendTimeout`).
	 */
	private async nonFriendCheck(
		target: Target,
		sender: AccountIdentity,
		failure: Classification,
	): Promise<{ classification?: Classification; evidence: Record<string, unknown> } | undefined> {
		if (target.type !== 'private' || !sender.implementation.privateNonFriendTimeout)
			return undefined;
		if (failure.reason !== 'send_timeout' || failure.detail !== 'napcat_kernel_no_answer')
			return undefined;
		const result = await this.env.sender.client.call(
			'get_friend_list',
			{},
			{ timeoutMs: this.settings.requestTimeoutMs },
		);
		if (!result.ok || !Array.isArray(result.data)) {
			return { evidence: { action: 'get_friend_list', readable: false } };
		}
		const friends = result.data as Array<{ user_id?: unknown }>;
		const isFriend = friends.some((friend) => Number(friend?.user_id) === target.id);
		if (isFriend) return { evidence: { action: 'get_friend_list', friend: true } };
		return {
			classification: nonFriendTimeout(failure),
			evidence: {
				action: 'get_friend_list',
				friend: false,
				friends: friends.length,
				note: 'not a friend: NapCat sends as a temp chat or to a one-way friend, so the message may have arrived',
			},
		};
	}

	private async attempt(
		request: DeliveryRequest,
		attempt: number,
		ticket: SendTicket,
		owned: Permit[],
	): Promise<AttemptResult> {
		const { clock } = this.env;
		const level = this.settings.verification;
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
		const failBeforeSend = (
			classification: Classification,
			evidence: Record<string, unknown>,
			selfId?: number,
		): AttemptResult => {
			ticket.cancel();
			record.reason = classification.reason;
			record.raw = classification.raw;
			record.durationMs = clock() - startedAt;
			return { record, delivered: false, classification, evidence, selfId };
		};

		const ids = await this.identify();
		if (!ids.sender.ok) {
			return failBeforeSend(ids.sender.classification, {
				sender: { identified: false, error: ids.sender.classification.raw },
			});
		}
		const sender = ids.sender.identity;
		if (level === 'witness') {
			if (!ids.witness) {
				return failBeforeSend(
					verifierFailure(
						'bad_request',
						'terminal',
						{ message: 'no witness credential' },
						'no_witness',
					),
					{
						witness: { configured: false },
					},
					sender.selfId,
				);
			}
			if (!ids.witness.ok) {
				return failBeforeSend(
					this.asWitnessFailure(ids.witness.classification),
					{
						witness: { identified: false, error: ids.witness.classification.raw },
					},
					sender.selfId,
				);
			}
			const problem = DeliveryEngine.witnessProblem(request.target, ids.witness.identity);
			if (problem) {
				return failBeforeSend(
					verifierFailure(
						'bad_request',
						'terminal',
						{ message: problem },
						'witness_cannot_see_private',
					),
					{
						witness: { account: ids.witness.identity.selfId, problem },
					},
					sender.selfId,
				);
			}
		}
		// Started before the send, so its baseline predates the message and a later check can find it.
		const checker = this.checkerFor(request.target, ids, sender);
		await checker.watcher.start();
		// The sender's own event stream too, so it covers the send (Kernel Confirmed, and checks after a timeout).
		await this.kernelWatcher(sender)?.start();
		if (
			level === 'witness' &&
			checker.watcher.baselineError?.reasonClass === 'terminal' &&
			checker.watcher.eventStream !== 'open'
		) {
			return failBeforeSend(
				this.asWitnessFailure(checker.watcher.baselineError),
				{
					witness: {
						account: checker.watcher.identity.selfId,
						readable: false,
						eventStream: checker.watcher.eventStream,
						error: checker.watcher.baselineError.raw,
						note:
							`The witness cannot read this chat's history (${checker.watcher.baselineError.reason}) and has no open event stream, ` +
							"so it could not prove arrival: nothing was sent. Set the witness credential's Event WebSocket URL " +
							'(go-cqhttp has no private history), or check that the witness is in the group.',
					},
				},
				sender.selfId,
			);
		}

		const { target, message } = request;
		const action = target.type === 'group' ? 'send_group_msg' : 'send_private_msg';
		const params =
			target.type === 'group' ? { group_id: target.id, message } : { user_id: target.id, message };
		let sentAt = startedAt;
		let gate: GateResult | undefined;
		const result = await ticket.run(async (at) => {
			if (this.paced) {
				gate = await this.passGate(target, sender.selfId, owned);
				if (!gate.admitted) return undefined;
				at = clock();
			}
			// The last moment before the world changes: after every wait (lane, breaker, slot), right before the call.
			const stop = this.stopReason();
			if (stop) throw new DeliveryStopped(stop);
			sentAt = at;
			const answer = await this.env.sender.client.call(action, params, {
				timeoutMs: this.settings.requestTimeoutMs,
			});
			if (gate) {
				// Before the lane lets the next send go: a refused or timed-out send tells the breaker now.
				const accepted = checkApiAcceptance(answer, this.seenMessageIds, target.type);
				if (!accepted.accepted) await this.judge(gate, sender.selfId, accepted.classification);
			}
			return answer;
		});
		if (result === undefined) {
			const held = failBeforeSend(
				verifierFailure('circuit_open', 'account', {
					message: `held back ${gate!.breakerWaitMs} ms while the account's circuit breaker was open; not sent`,
				}),
				{},
				sender.selfId,
			);
			return { ...held, gate };
		}
		const answeredAt = clock();
		const done = (
			fields: Partial<AttemptResult> & { evidence: Record<string, unknown> },
		): AttemptResult => {
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
				gate,
				...fields,
			};
		};

		const acceptance = checkApiAcceptance(result, this.seenMessageIds, target.type);
		if (!acceptance.accepted) {
			const friend = await this.nonFriendCheck(target, sender, acceptance.classification);
			const api = { accepted: false, attempt };
			return done({
				classification: friend?.classification ?? acceptance.classification,
				evidence: friend ? { api, friendCheck: friend.evidence } : { api },
			});
		}
		const messageId = acceptance.messageId;
		this.seenMessageIds.add(messageId);
		record.outcome = 'accepted';
		record.messageId = messageId;
		const api = { accepted: true, attempt, messageId };
		this.kernel?.claimMessageId(messageId);
		// NapCat and LLOneBot answer ok only once the kernel confirmed the send (sendStatus 2): core/kernel.ts.
		if (level === 'api' || level === 'kernel')
			return done({ delivered: true, verifiedAt: answeredAt, evidence: { api } });

		const content = normaliseForMatch(message);
		const lookUp = () =>
			lookupSentMessage(this.env.sender.client, {
				messageId,
				target,
				senderId: sender.selfId,
				content,
				seqField: sender.implementation.seqField,
				timeoutMs: this.settings.requestTimeoutMs,
			});
		if (level === 'lookup') {
			const lookup = await lookUp();
			if (lookup.found)
				return done({
					delivered: true,
					verifiedAt: clock(),
					evidence: { api, lookup: lookup.evidence },
				});
			const failure = lookup.classification!;
			// Accepted, so it may have arrived: unless the lookup can never work, check before any resend.
			const classification: Classification =
				failure.reasonClass === 'terminal' ? failure : { ...failure, reasonClass: 'ambiguous' };
			return done({ classification, evidence: { api, lookup: lookup.evidence } });
		}

		// Witness level: sender, chat, content and time window identify the message, except when an identical
		// message is still awaited; then the sender's server seq (one get_msg) tells the two copies apart.
		const watcher = checker.watcher;
		const lookup = watcher.isAwaiting(sender.selfId, content) ? await lookUp() : undefined;
		const watch = watcher.expect({
			senderId: sender.selfId,
			message,
			sentAt,
			deadlineAt: answeredAt + this.settings.deadlineMs,
			serverSeq: lookup?.serverSeq,
		});
		const outcome = await watcher.waitFor(watch);
		const witness = this.witnessEvidence(watcher, outcome);
		const evidence = lookup ? { api, lookup: lookup.evidence, witness } : { api, witness };
		if (outcome.status === 'seen') return done({ delivered: true, verifiedAt: clock(), evidence });
		if (outcome.status === 'not_seen' && outcome.early) {
			return done({
				classification: verifierFailure(
					'not_observed',
					'ambiguous',
					{
						message:
							'the witness saw a later message of the sender while this one was still missing',
					},
					outcome.early,
				),
				earlyCheck: {
					result: 'not_landed',
					at: clock(),
					evidence: { by: 'witness', result: 'not_landed', early: outcome.early },
				},
				evidence,
			});
		}
		if (outcome.status === 'not_seen') {
			return done({
				classification: verifierFailure('not_observed', 'ambiguous', {
					message: 'the witness did not see the message by the deadline',
				}),
				check: {
					result: 'not_landed',
					at: clock(),
					evidence: { by: 'witness', result: 'not_landed' },
				},
				evidence,
			});
		}
		return done({
			classification: this.asWitnessFailure(outcome.error, 'ambiguous'),
			check: {
				result: 'unknown',
				at: clock(),
				evidence: {
					by: 'witness',
					result: 'unknown',
					note: 'the witness could not be read after the deadline',
				},
			},
			evidence,
		});
	}

	/** A witness that cannot be read is a failed lookup of the proof; the class says whether a send is at stake. */
	private asWitnessFailure(
		error: Classification | null,
		reasonClass?: ReasonClass,
	): Classification {
		const cls: ReasonClass =
			reasonClass ?? (error?.reasonClass === 'terminal' ? 'terminal' : 'transient');
		return verifierFailure(
			'lookup_failed',
			cls,
			error?.raw ?? { message: 'the witness could not be read' },
			`witness_${error?.reason ?? 'unreadable'}`,
		);
	}

	private witnessEvidence(watcher: ChatWatcher, outcome: WatchOutcome): Record<string, unknown> {
		return { account: watcher.identity.selfId, eventStream: watcher.eventStream, ...outcome };
	}

	/**
	 * Who checks whether a message landed: the witness when there is one that can see the target, else
	 * the sender's own history. One watcher per chat, shared by every item to it.
	 */
	private checkerFor(
		target: Target,
		ids: Identities,
		sender: AccountIdentity,
	): { watcher: ChatWatcher; by: 'witness' | 'sender_history' } {
		const witness = ids.witness?.ok ? ids.witness.identity : undefined;
		const useWitness =
			witness !== undefined &&
			this.env.witness !== undefined &&
			DeliveryEngine.witnessProblem(target, witness) === null;
		const by = useWitness ? 'witness' : 'sender_history';
		const key = `${by}|${targetKey(target)}`;
		this.throwIfStopped();
		if (!this.watchers.has(key)) {
			const access = useWitness ? this.env.witness! : this.env.sender;
			const identity = useWitness ? witness! : sender;
			this.watchers.set(
				key,
				new ChatWatcher({
					client: access.client,
					identity,
					chat:
						target.type === 'group'
							? { type: 'group', groupId: target.id }
							: { type: 'private', peerId: useWitness ? sender.selfId : target.id },
					sleep: this.env.sleep,
					clock: this.env.clock,
					pollIntervalMs: this.settings.pollIntervalMs,
					requestTimeoutMs: this.settings.requestTimeoutMs,
					events: useWitness ? access.events : undefined,
				}),
			);
		}
		return { watcher: this.watchers.get(key)!, by };
	}

	/**
	 * After an ambiguous failure, before any resend. A send that failed itself (timeout, empty answer) is first
	 * checked against the sender's own confirmations: a late one ends delivered; a kernel that reports the send
	 * failed (raw status 0) allows the resend. Otherwise the usual check (witness, else the sender's history)
	 * decides whether a resend is safe; the absence of a self message alone never does (NapCat may confirm up
	 * to 10 minutes later, and a NOSEQ send is never pushed).
	 */
	private async checkAfterFailure(
		request: DeliveryRequest,
		tried: AttemptResult,
	): Promise<CheckOutcome> {
		const { clock } = this.env;
		const kernelLevel = this.settings.verification === 'kernel';
		const watcher =
			tried.record.outcome === 'failed' &&
			tried.selfId !== undefined &&
			this.settings.selfEventCheck !== false &&
			!this.closed
				? this.kernel
				: undefined;
		if (!watcher) {
			const check = await this.checkLanded(request, tried);
			return kernelLevel ? this.asNotConfirmed(check, tried, { status: 'not_checked' }) : check;
		}
		const outcome: KernelOutcome = await watcher.waitFor({
			target: request.target,
			message: request.message,
			sentAt: tried.sentAt!,
			deadlineAt: (tried.answeredAt ?? clock()) + this.settings.deadlineMs,
		});
		const kernel = { ...outcome };
		if (outcome.status === 'confirmed') {
			if (outcome.messageId !== null) tried.record.messageId = outcome.messageId;
			return {
				result: 'landed',
				at: clock(),
				evidence: { by: 'kernel', result: 'landed', kernel },
				landedBy:
					outcome.via === 'self_event'
						? "the kernel confirmed it late (the sender's own message_sent event)"
						: "the kernel confirmed it late (sendStatus 2 in the sender's raw record)",
			};
		}
		if (outcome.status === 'failed_in_kernel') {
			const check: CheckOutcome = {
				result: 'not_landed',
				at: clock(),
				evidence: {
					by: 'kernel',
					result: 'not_landed',
					kernel,
					note: "the sender's raw record says the kernel failed the send (sendStatus 0)",
				},
			};
			return kernelLevel ? this.asNotConfirmed(check, tried, kernel) : check;
		}
		const check = await this.checkLanded(request, tried);
		const merged: CheckOutcome = { ...check, evidence: { ...check.evidence, kernel } };
		return kernelLevel ? this.asNotConfirmed(merged, tried, kernel) : merged;
	}

	/** Kernel Confirmed: an ambiguous send failure that was not confirmed ends `not_confirmed` (its raw error kept). */
	private asNotConfirmed(
		check: CheckOutcome,
		tried: AttemptResult,
		kernel: Record<string, unknown>,
	): CheckOutcome {
		const failure = tried.classification;
		if (check.result === 'landed' || failure?.reasonClass !== 'ambiguous') return check;
		const reclassified = verifierFailure('not_confirmed', 'ambiguous', failure.raw, failure.reason);
		return { ...check, evidence: { ...check.evidence, kernel }, reclassified };
	}

	/** After an ambiguous failure: did the message land anyway? Waits up to the deadline after the answer. */
	private async checkLanded(request: DeliveryRequest, tried: AttemptResult): Promise<CheckOutcome> {
		const { clock } = this.env;
		const ids = await this.identify();
		if (!ids.sender.ok) {
			return {
				result: 'unknown',
				at: clock(),
				evidence: { by: 'none', result: 'unknown', note: 'the sender could not be identified' },
			};
		}
		const { watcher, by } = this.checkerFor(request.target, ids, ids.sender.identity);
		const watch = watcher.expect({
			senderId: ids.sender.identity.selfId,
			message: request.message,
			sentAt: tried.sentAt!,
			deadlineAt: (tried.answeredAt ?? clock()) + this.settings.deadlineMs,
			// The check before a resend waits for the full deadline: an early signal never triggers a resend.
			concludeEarly: false,
		});
		const outcome = await watcher.waitFor(watch);
		const base =
			by === 'witness'
				? this.witnessEvidence(watcher, outcome)
				: { account: watcher.identity.selfId, ...outcome };
		if (outcome.status === 'unreadable') {
			const note =
				by === 'witness'
					? 'the witness could not be read, so whether the message arrived is unknown'
					: "the sender's own history could not be read and no witness can see this target, so nothing can tell whether the message arrived";
			return { result: 'unknown', at: clock(), evidence: { ...base, by, result: 'unknown', note } };
		}
		if (by === 'witness') {
			const result = outcome.status === 'seen' ? 'landed' : 'not_landed';
			return { result, at: clock(), evidence: { ...base, by, result } };
		}
		if (outcome.status === 'seen') {
			return {
				result: 'unknown',
				at: clock(),
				evidence: {
					...base,
					by,
					result: 'unknown',
					note:
						"the sender's own history holds the message: that happens when it arrived and also when the client is stuck " +
						'and shows an unsent message as sent. Only a witness can tell; add one to resend safely.',
				},
			};
		}
		return {
			result: 'not_landed',
			at: clock(),
			evidence: {
				...base,
				by,
				result: 'not_landed',
				note: "the sender's own history does not hold the message: the kernel never stored it",
			},
		};
	}
}
