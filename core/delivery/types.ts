/**
 * What the delivery engine takes and gives (its settings, environment, requests and outcomes), and the
 * shapes its stages hand each other: an attempt's result and a landing check's outcome.
 */
import type { IdentifyResult } from '../account';
import type { BreakerSettings, BreakerSnapshot } from '../pacing/breaker';
import type { AccountPacing } from '../pacing/registry';
import type { RandomFn, RetryPolicy } from '../retry';
import type { EventSource } from '../eventStream';
import type { OneBotClient } from '../transport';
import type {
	AttemptRecord,
	Classification,
	Clock,
	DeliveryResult,
	Segment,
	Sleep,
	Target,
	VerificationLevel,
} from '../types';
import type { Permit } from './admit';

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

export interface Identities {
	sender: IdentifyResult;
	witness?: IdentifyResult;
}

/** Whether a failed send landed: seen, surely absent, or nothing can tell. */
export type Landing = 'landed' | 'not_landed' | 'unknown';

/** What a landing check found (core/delivery/check.ts). */
export interface LandingCheck {
	result: Landing;
	at: number;
	evidence: Record<string, unknown>;
	/** What the delivered summary says proved it, when not the witness. */
	landedBy?: string;
	/** The reason the item fails with when this check decided (Kernel Confirmed: not_confirmed). */
	reclassified?: Classification;
}

/** One attempt's end, as the engine's loop reads it. */
export interface AttemptResult {
	record: AttemptRecord;
	delivered: boolean;
	classification?: Classification;
	/** Set when the attempt's own verification already settled whether it landed (the witness at its deadline). */
	check?: LandingCheck;
	/**
	 * Set when the witness concluded early (a later message of the sender overtook this one): enough to end the
	 * item, not to resend it. A resend still waits for the usual check.
	 */
	earlyCheck?: LandingCheck;
	sentAt?: number;
	answeredAt?: number;
	/** The sender's QQ number, once known. */
	selfId?: number;
	verifiedAt?: number;
	evidence: Record<string, unknown>;
	/** What the account's gate did for this attempt's send, when it went through it. */
	permit?: Permit;
}

export function targetKey(target: Target): string {
	return `${target.type}:${target.id}`;
}

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}
