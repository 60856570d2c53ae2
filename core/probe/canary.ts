/**
 * Canaries: a unique message the probe sends to a group or a friend and a witness must see. Sent and
 * verified by the Send node's DeliveryEngine with one attempt (a probe measures, it never resends).
 */
import { classifyCall } from '../classify';
import { DeliveryEngine } from '../delivery';
import type { AccountAccess } from '../delivery';
import type { AccountPacing } from '../pacing/registry';
import type {
	Clock,
	DeliveryResult,
	ReasonClass,
	ReasonCode,
	Sleep,
	Target,
	VerificationLevel,
} from '../types';

export type CanaryKind = 'group' | 'private';

/** How one canary ended. `unverified`: sent, but the witness could not be read, so arrival is unknown. */
export interface CanaryResult {
	target: Target;
	status: 'delivered' | 'failed' | 'unverified' | 'skipped';
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	verification: VerificationLevel;
	/** Why the canary was skipped, or what its verification level can and cannot prove. */
	note?: string;
	text: string | null;
	messageId: number | null;
	/** From the send request to the proof of arrival (or to giving up). */
	latencyMs: number | null;
	slow: boolean;
	recall: { requested: boolean; done: boolean; error?: string };
	evidence: Record<string, unknown>;
}

/** A canary to send: where, with what text, and how its arrival is proved. */
export interface CanaryPlan {
	target: Target;
	/** witness: a second account must see it. lookup: only the sender's own API can be asked. */
	verification: 'witness' | 'lookup';
	text: string;
	/** How long the witness (or lookup) may take to see it. */
	deadlineMs: number;
	/** Recall it (delete_msg) once judged. */
	recall: boolean;
}

/** Sends one canary and judges it; the node passes one built on the Send node's verifier. */
export type CanarySender = (
	plan: CanaryPlan,
	context: { selfId: number | null },
) => Promise<CanaryResult>;

export const CANARY_PLACEHOLDERS = ['{time}', '{nonce}'] as const;

/**
 * Fills a canary template. `{nonce}` is required: it makes every canary unique, so a witness can never
 * mistake an earlier canary for this one. `{time}` is the probe time in the given time zone.
 */
export function renderCanaryText(
	template: string,
	values: { nowMs: number; nonce: string; timeZone?: string },
): string {
	let time: string;
	try {
		time = new Intl.DateTimeFormat('sv-SE', {
			timeZone: values.timeZone || 'UTC',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			hour12: false,
		}).format(new Date(values.nowMs));
	} catch {
		time = new Date(values.nowMs).toISOString();
	}
	return template.split('{time}').join(time).split('{nonce}').join(values.nonce);
}

/** A canary that was not sent, with why. */
export function skippedCanary(plan: CanaryPlan, note: string): CanaryResult {
	return {
		target: plan.target,
		status: 'skipped',
		reason: null,
		reasonClass: null,
		verification: plan.verification,
		note,
		text: null,
		messageId: null,
		latencyMs: null,
		slow: false,
		recall: { requested: plan.recall, done: false },
		evidence: {},
	};
}

export interface CanaryEnvironment {
	sender: AccountAccess;
	/** Needed for witness-verified canaries. */
	witness?: AccountAccess;
	sleep: Sleep;
	clock: Clock;
	requestTimeoutMs: number;
	/** The process-wide pacing of an account: a canary takes a send slot like any send (never held by the breaker). */
	accounts?: (selfId: number) => AccountPacing;
	/** The per-target interval for canaries' slots; the account rate is the one its sends last set. */
	pacing?: { minIntervalMs: number };
	/** The execution's cancel signal: once aborted, no canary is sent, wherever it waits. */
	signal?: AbortSignal;
}

/** Polls often enough that a canary's latency is measured to a fraction of its deadline. */
export function canaryPollIntervalMs(deadlineMs: number): number {
	return Math.min(1000, Math.max(100, Math.floor(deadlineMs / 20)));
}

function timeBetween(from: string | undefined, to: string | null | undefined): number | null {
	if (!from || !to) return null;
	const ms = Date.parse(to) - Date.parse(from);
	return Number.isFinite(ms) ? ms : null;
}

/** Reads a delivery result as a canary result. */
export function canaryFromDelivery(
	plan: CanaryPlan,
	text: string,
	result: DeliveryResult,
): CanaryResult {
	const sentAt = result.attempts[0]?.startedAt;
	const delivered = result.status === 'delivered';
	// Only the witness proves arrival; a witness that cannot be read leaves arrival unknown.
	const unverified =
		!delivered && plan.verification === 'witness' && result.reason === 'lookup_failed';
	const canary: CanaryResult = {
		target: result.target,
		status: delivered ? 'delivered' : unverified ? 'unverified' : 'failed',
		reason: result.reason,
		reasonClass: result.reasonClass,
		verification: result.verification,
		text,
		messageId: result.messageId,
		latencyMs: timeBetween(sentAt, delivered ? result.timing.verifiedAt : result.timing.gaveUpAt),
		slow: false,
		recall: { requested: plan.recall, done: false },
		evidence: result.evidence,
	};
	if (plan.verification === 'lookup') {
		canary.note =
			"Checked through the bot's own get_msg only: that shows the client kept the message, not that the user received it. Send the private canary to the witness to prove arrival.";
	}
	return canary;
}

/**
 * A CanarySender on the Send node's DeliveryEngine: one attempt (a probe measures, it never resends),
 * verified by the witness or by lookup, then recalled when asked. A private canary to the witness goes
 * to the witness's own number, learned from its get_login_info.
 */
export function deliveryCanarySender(environment: CanaryEnvironment): CanarySender {
	return async (plan) => {
		const engine = new DeliveryEngine(
			{
				verification: plan.verification,
				deadlineMs: plan.deadlineMs,
				pollIntervalMs: canaryPollIntervalMs(plan.deadlineMs),
				minIntervalMs: environment.pacing?.minIntervalMs ?? 0,
				requestTimeoutMs: environment.requestTimeoutMs,
				retry: { maxAttempts: 1, baseMs: 0, capMs: 0, accountBackoffMs: 0, retryOn: [] },
				// The bot's own stream only tells whether self-reporting is on (evidence.selfEvent); the witness judges.
				selfEventCheck: false,
				pacing: environment.pacing
					? {
							breaker: { threshold: 0, coolDownMs: 0 },
							holdMs: 0,
							bypassBreaker: true,
						}
					: undefined,
			},
			{
				sender: environment.sender,
				witness: plan.verification === 'witness' ? environment.witness : undefined,
				sleep: environment.sleep,
				clock: environment.clock,
				accounts: environment.accounts,
				signal: environment.signal,
			},
		);
		let target = plan.target;
		if (plan.verification === 'witness' && target.type === 'private') {
			const ids = await engine.identify();
			if (!ids.witness?.ok) {
				const failure = ids.witness && !ids.witness.ok ? ids.witness.classification : null;
				return {
					...skippedCanary(
						plan,
						'not sent: the witness account could not be identified (get_login_info)',
					),
					status: 'unverified',
					reason: 'lookup_failed',
					reasonClass: 'transient',
					evidence: {
						witness: {
							identified: false,
							error: failure?.raw ?? null,
							reason: failure?.reason ?? null,
						},
					},
				};
			}
			target = { type: 'private', id: ids.witness.identity.selfId };
		}
		const message = [{ type: 'text', data: { text: plan.text } }];
		const [result] = await engine.deliverAll([
			{ index: 0, target, message, correlationId: `probe-${plan.text}` },
		]);
		const canary = canaryFromDelivery(plan, plan.text, result);
		if (plan.recall && result.messageId !== null) {
			const recall = await environment.sender.client.call(
				'delete_msg',
				{ message_id: result.messageId },
				{ timeoutMs: environment.requestTimeoutMs },
			);
			canary.recall = recall.ok
				? { requested: true, done: true }
				: { requested: true, done: false, error: classifyCall(recall.failure).reason };
		}
		return canary;
	};
}
