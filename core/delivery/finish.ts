/**
 * The finish stage: what one item's attempts add up to. `ItemProgress` collects each attempt (its record,
 * evidence, ids and times) and builds the item's result; the summaries are the sentences users read in
 * `evidence.summary`.
 */
import type { Classification, DeliveryResult, AttemptRecord, VerificationLevel } from '../types';
import type { ItemGate } from './gate';
import { BASIS } from './judge';
import { iso } from './types';
import type { AttemptResult, DeliveryRequest, DeliverySettings, LandingCheck } from './types';

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

/** One item's attempts so far, and its result once it ends. */
export class ItemProgress {
	readonly evidence: Record<string, unknown>;

	private readonly attempts: AttemptRecord[] = [];

	private lastAnsweredAt: number | null = null;

	private messageId: number | null = null;

	private selfId: number | null = null;

	constructor(
		private readonly settings: DeliverySettings,
		private readonly request: DeliveryRequest,
		private readonly gate: ItemGate,
		private readonly requestedAt: number,
	) {
		this.evidence = { level: settings.verification };
	}

	/** Takes in one attempt's record, evidence, ids and times. */
	add(tried: AttemptResult): void {
		if (this.settings.attemptLog) tried.record.evidence = tried.evidence;
		this.attempts.push(tried.record);
		Object.assign(this.evidence, tried.evidence);
		if (tried.answeredAt !== undefined) this.lastAnsweredAt = tried.answeredAt;
		if (tried.record.messageId !== null) this.messageId = tried.record.messageId;
		if (tried.selfId !== undefined) this.selfId = tried.selfId;
		const pacing = this.gate.pacingEvidence(tried.permit);
		if (pacing) this.evidence.pacing = pacing;
	}

	/** Records a landing check in the item's evidence (and the attempt's, with the attempt log). */
	addCheck(tried: AttemptResult, check: LandingCheck): void {
		this.evidence.check = check.evidence;
		if (tried.record.evidence)
			tried.record.evidence = { ...tried.record.evidence, check: check.evidence };
	}

	result(
		status: DeliveryResult['status'],
		endedAt: number,
		classification?: Classification,
		summary?: string,
	): DeliveryResult {
		const { evidence, settings, requestedAt } = this;
		if (summary) evidence.summary = summary;
		const breaker = this.gate.breakerEvidence(this.selfId);
		if (breaker) evidence.breaker = breaker;
		return {
			status,
			reason: classification?.reason ?? null,
			reasonClass: classification?.reasonClass ?? null,
			verification: settings.verification,
			evidence: settings.attemptLog === true ? evidence : trimEvidence(evidence),
			target: this.request.target,
			message: this.request.message,
			messageId: this.messageId,
			correlationId: this.request.correlationId,
			attempts: this.attempts,
			timing: {
				requestedAt: iso(requestedAt),
				answeredAt: this.lastAnsweredAt === null ? null : iso(this.lastAnsweredAt),
				verifiedAt: status === 'delivered' ? iso(endedAt) : null,
				gaveUpAt: status === 'failed' ? iso(endedAt) : null,
				totalMs: endedAt - requestedAt,
				...this.gate.timingWaits(),
			},
			selfId: this.selfId,
		};
	}
}

function tries(attempt: number): string {
	return attempt === 1 ? 'on the first attempt' : `on attempt ${attempt}`;
}

function attemptsMade(attempt: number): string {
	return `${attempt} attempt${attempt === 1 ? '' : 's'}`;
}

export function deliveredSummary(level: VerificationLevel, attempt: number, basis: string): string {
	const when = tries(attempt);
	if (level === 'kernel' && basis === BASIS.api)
		return `The API accepted the message ${when}. This implementation has no QQ kernel whose confirmation an ok answer carries, so only a witness can prove arrival.`;
	switch (level) {
		case 'api':
			return `The API accepted the message ${when} (a fresh, non-zero message_id). Arrival was not checked.`;
		case 'lookup':
			return `The API accepted the message ${when} and the sender's get_msg found it. Arrival was not checked by a second account.`;
		case 'kernel':
			return `The QQ kernel confirmed the message ${when} (the send was answered ok: the server acknowledged it). Whether a member received it only a witness can prove.`;
		default:
			return `The witness account received the message ${when}.`;
	}
}

export function heldSummary(attempt: number, breakerWaitMs: number): string {
	return `Attempt ${attempt} was held back for ${Math.round(breakerWaitMs / 1000)} s while the account's circuit breaker stayed open, and not sent (circuit_open).`;
}

export function landedSummary(
	attempt: number,
	failure: Classification,
	check: LandingCheck,
): string {
	return `Attempt ${attempt} failed (${failure.reason}) but ${check.landedBy ?? 'the witness saw the message'}: delivered once, not resent.`;
}

export function unknownSummary(attempt: number, failure: Classification): string {
	return `Attempt ${attempt} failed (${failure.reason}); whether it arrived is unknown, so it was not resent.`;
}

export function notConfirmedSummary(attempt: number, failure: Classification, why: string): string {
	return `Not delivered after ${attemptsMade(attempt)}: the kernel did not confirm it (${failure.reason}, ${why}).`;
}

export function gaveUpSummary(attempt: number, failure: Classification, why: string): string {
	return `Not delivered after ${attemptsMade(attempt)}: ${failure.reason} (${why}).`;
}
