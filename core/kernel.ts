// Long file: the kernel watcher plus the matching rules for self events and raw records it alone uses, all over one set of pending sends.
/**
 * The QQ kernel's own confirmation of a send, read from the sender's side (no second account needed).
 *
 * NapCat and LLOneBot answer send_msg only once the kernel set the record's sendStatus to 2 (NapCat
 * `SendStatusType`: 0 failed, 1 sending, 2 success, 3 success without a server seq), so an `ok` answer is
 * the kernel's confirmation and a timeout is that wait running out. The confirmation can still come later,
 * and then they push the sender's own message as a `message_sent` event (NapCat `onAddSendMsg` within 10
 * minutes, LLOneBot's UPDATE_MSG hook; both only on status 2, only with self-reporting switched on), and
 * LLOneBot with `debug` shows the record itself (`raw.sendStatus`, `raw.msgSeq`) in history entries. Sources
 * and versions: docs/kernel-confirmed.md.
 *
 * What this proves: the QQ server acknowledged the message. Not that a member received it: only a witness
 * proves that.
 */
import { claimsOn, selfStoreKey } from './claims';
import type { StoreClaims } from './claims';
import { normaliseForMatch } from './message';
import type { OneBotClient } from './transport';
import type { Clock, Segment, Sleep, Target } from './types';
import { EventStream } from './eventStream';
import type { EventSource } from './eventStream';
import { isRecord, toNumber } from './values';
import { chatOf } from './witness';
import { Wake } from './wake';

/** NapCat `SendStatusType` (packages/napcat-core/types/msg.ts). */
export const SEND_STATUS = { failed: 0, sending: 1, success: 2, successNoSeq: 3 } as const;

export interface KernelExpectation {
	target: Target;
	message: Segment[];
	/** When the send was requested, ms. */
	sentAt: number;
	/** Until when a confirmation counts, ms. */
	deadlineAt: number;
}

export type KernelVia = 'self_event' | 'raw_record';

/** What the sender's side showed about one send by the deadline. */
export type KernelOutcome =
	| {
			status: 'confirmed';
			via: KernelVia;
			/** From the send request to the confirmation being noticed. */
			noticedAfterMs: number;
			/** The sender's own message_id of it (the event's or the history entry's). */
			messageId: number | null;
			/** The server seq, when the source carries one that is not "0". */
			serverSeq: number | null;
	  }
	| { status: 'failed_in_kernel'; via: 'raw_record'; sendStatus: 0; noticedAfterMs: number }
	| {
			status: 'not_confirmed';
			eventStream: string;
			/** Self messages of this account seen on the stream so far (0 suggests self-reporting is off). */
			selfEventsSeen: number;
			rawRecords: 'exposed' | 'not_exposed' | 'unread' | 'not_read';
			/** The last raw.sendStatus seen for the message: 1 still sending, 3 NOSEQ. */
			lastSendStatus?: number;
			note: string;
	  };

export interface KernelWatcherOptions {
	client: OneBotClient;
	/** The sending account. */
	selfId: number;
	/** The sender's forward WebSocket, when its credential names one. */
	events?: EventSource;
	sleep: Sleep;
	clock: Clock;
	/** Pause between history reads (for raw records) while waiting. */
	pollIntervalMs: number;
	requestTimeoutMs: number;
	/**
	 * The longest a wait on the stream goes without looking again. A wait ends as soon as a self message
	 * arrives (or the stream opens or closes); this only bounds it.
	 */
	eventCheckIntervalMs?: number;
	clockSkewMs?: number;
	/** Read the sender's history for LLOneBot's raw records (default true). */
	readRawRecords?: boolean;
	/**
	 * Whether the sender's version pushes its self message only on sendStatus 2 (LLOneBot ≥ 4.0.12, NapCat;
	 * `ImplementationProfile.kernelProof`). When false (default true) a self message confirms nothing.
	 */
	selfMessagesConfirm?: boolean;
	/** Who cannot give that proof and who can, for the `not_confirmed` note (e.g. `LLOneBot 3.28.0`). */
	selfMessageProof?: { label: string; since: string | null };
}

interface Pending {
	expectation: KernelExpectation;
	content: string;
	outcome?: KernelOutcome;
}

const MAX_RETAINED_EVENTS = 2000;

/** The sender, chat, content and time of an event or history entry against one expectation. */
function matches(
	entry: Record<string, unknown>,
	selfId: number,
	pending: Pending,
	skewMs: number,
): boolean {
	const sender =
		toNumber(entry.user_id) ??
		(isRecord(entry.sender) ? toNumber(entry.sender.user_id) : undefined);
	if (sender !== selfId) return false;
	const { target, sentAt, deadlineAt } = pending.expectation;
	const chat = chatOf(entry);
	const groupId = chat.groupId;
	const type = chat.type ?? 'private';
	if (type !== target.type) return false;
	if (target.type === 'group' && groupId !== target.id) return false;
	if (target.type === 'private') {
		const peer = toNumber(entry.target_id);
		if (peer !== undefined && peer !== target.id) return false;
	}
	const time = toNumber(entry.time);
	if (time !== undefined) {
		const ms = time < 1e12 ? time * 1000 : time;
		// Event times are whole seconds: allow the second the send started in.
		if (ms < sentAt - skewMs - 1000 || ms > deadlineAt + skewMs) return false;
	}
	const sameContent =
		(entry.message !== undefined &&
			normaliseForMatch(entry.message as string | Segment[]) === pending.content) ||
		(typeof entry.raw_message === 'string' &&
			normaliseForMatch(entry.raw_message) === pending.content);
	return sameContent;
}

function entryKey(entry: Record<string, unknown>): string {
	const raw = isRecord(entry.raw) ? entry.raw : undefined;
	if (raw && typeof raw.msgId === 'string') return `msg:${raw.msgId}`;
	const id = toNumber(entry.message_id);
	if (id !== undefined) return `id:${id}`;
	return `raw:${entry.time}|${entry.raw_message ?? JSON.stringify(entry.message ?? '')}`;
}

/** An entry's claim in the process-wide registry: its key at its time (an id given again later is new). */
function claimKey(entry: Record<string, unknown>): string {
	return `${entryKey(entry)}@${String(entry.time ?? '')}`;
}

function serverSeqOf(entry: Record<string, unknown>): number | null {
	const raw = isRecord(entry.raw) ? entry.raw : undefined;
	const seq = toNumber(raw?.msgSeq) ?? toNumber(entry.real_seq);
	return seq !== undefined && seq > 0 ? seq : null;
}

/**
 * Watches the sender's own confirmations: its `message_sent` events (forward WebSocket) and, where exposed,
 * the raw records of its history. One per engine run, shared by every item.
 */
export class KernelWatcher {
	private readonly options: KernelWatcherOptions & {
		eventCheckIntervalMs: number;
		clockSkewMs: number;
	};

	private readonly stream: EventStream;

	/** Ends waits when a self message arrives, the stream opens or closes, or close() is called. */
	private readonly wake = new Wake();

	private events: Array<Record<string, unknown>> = [];

	/** Self messages and records already taken as proof, by any run of the process (core/claims.ts). */
	private readonly claimed: StoreClaims;

	private started: Promise<void> | undefined;

	private rawRecords: 'exposed' | 'not_exposed' | 'unread' | 'not_read' = 'not_read';

	private lastReadAt = Number.NEGATIVE_INFINITY;

	selfEventsSeen = 0;

	reads = 0;

	constructor(options: KernelWatcherOptions) {
		this.options = { eventCheckIntervalMs: 20, clockSkewMs: 2000, ...options };
		this.claimed = claimsOn(selfStoreKey(options.selfId));
		this.stream = new EventStream({
			source: options.events,
			onEvent: (event) => this.onEvent(event),
			clock: this.options.clock,
			sleep: this.options.sleep,
			checkIntervalMs: this.options.eventCheckIntervalMs,
			onStateChange: () => this.wake.notify(),
		});
	}

	get eventStream(): string {
		return this.stream.state;
	}

	/**
	 * Whether anything on the sender's side could confirm a send: an open stream whose self messages mean
	 * sendStatus 2, or raw records not yet ruled out.
	 */
	get canConfirm(): boolean {
		return (this.stream.isOpen && this.selfMessagesConfirm) || this.rawRecordsPossible;
	}

	private get selfMessagesConfirm(): boolean {
		return this.options.selfMessagesConfirm !== false;
	}

	private get rawRecordsPossible(): boolean {
		return this.options.readRawRecords !== false && this.rawRecords !== 'not_exposed';
	}

	/** Opens the event stream (before the first send, so the stream covers it). Later calls share it. */
	start(): Promise<void> {
		this.started ??= this.begin();
		return this.started;
	}

	private async begin(): Promise<void> {
		this.stream.connect();
		await this.stream.awaitOpen();
	}

	private onEvent(event: Record<string, unknown>): void {
		const self = toNumber(event.user_id) === this.options.selfId;
		// message_sent: go-cqhttp, LLOneBot, NapCat; Lagrange reports its own messages as ordinary `message`.
		if (!(event.post_type === 'message_sent' || (event.post_type === 'message' && self))) return;
		if (!self) return;
		// NapCat's debug adds the record: a self message is pushed only on status 2, but check it when shown.
		if (
			isRecord(event.raw) &&
			event.raw.sendStatus !== undefined &&
			toNumber(event.raw.sendStatus) !== SEND_STATUS.success
		)
			return;
		this.selfEventsSeen++;
		this.events.push(event);
		if (this.events.length > MAX_RETAINED_EVENTS)
			this.events.splice(0, this.events.length - MAX_RETAINED_EVENTS);
		this.wake.notify();
	}

	/** Whether the stream was open since before the send, so its events cover the send. */
	private streamCovers(expectation: KernelExpectation): boolean {
		return this.stream.openSince(expectation.sentAt);
	}

	/**
	 * Waits until the kernel's confirmation of the expected message shows (event or raw record), the kernel
	 * reports it failed (raw status 0), or the deadline passes. Never throws.
	 */
	async waitFor(expectation: KernelExpectation): Promise<KernelOutcome> {
		const { clock, sleep } = this.options;
		await this.start();
		const pending: Pending = { expectation, content: normaliseForMatch(expectation.message) };
		for (;;) {
			this.settleFromEvents(pending);
			if (pending.outcome) return pending.outcome;
			const now = clock();
			if (this.rawRecordsPossible && now >= this.lastReadAt + this.options.pollIntervalMs) {
				await this.readRawRecords(pending);
				if (pending.outcome) return pending.outcome;
			}
			if (!this.canConfirm || clock() >= expectation.deadlineAt) break;
			const nextRead = this.rawRecordsPossible
				? this.lastReadAt + this.options.pollIntervalMs
				: Number.POSITIVE_INFINITY;
			const wait = Math.min(
				this.stream.isOpen ? this.options.eventCheckIntervalMs : Number.POSITIVE_INFINITY,
				nextRead - clock(),
				expectation.deadlineAt - clock(),
			);
			// Ends on the next self message (or stream change, or close()); the interval, the next raw-record
			// read and the deadline bound it.
			await this.wake.sleep(sleep, Math.max(1, wait));
		}
		// Let events already on the wire in.
		if (this.stream.isOpen && this.selfMessagesConfirm) {
			await sleep(this.options.eventCheckIntervalMs);
			this.settleFromEvents(pending);
			if (pending.outcome) return pending.outcome;
		}
		return this.notConfirmed(pending);
	}

	private notConfirmed(pending: Pending): KernelOutcome {
		const covered = this.streamCovers(pending.expectation) || this.stream.isOpen;
		let note: string;
		const proof = this.options.selfMessageProof;
		if (!this.selfMessagesConfirm && this.rawRecords !== 'exposed') {
			note =
				`${proof?.label ?? 'this version'} pushes its self message before the kernel confirms a send, so it cannot prove one` +
				(proof?.since ? ` (${proof.since} or later, or NapCat, can)` : '') +
				'; its history shows no raw records (LLOneBot debug) either';
		} else if (!covered && this.rawRecords !== 'exposed') {
			note =
				this.options.events === undefined
					? "nothing on the sender's side can confirm it: its credential has no Event WebSocket URL and its history shows no raw records (LLOneBot debug)"
					: `nothing on the sender's side can confirm it: its event stream is ${this.stream.state} and its history shows no raw records`;
		} else if (this.selfEventsSeen === 0 && this.rawRecords !== 'exposed') {
			note =
				'no confirmation by the deadline, and no self message at all on the event stream: self-reporting may be off (NapCat reportSelfMessage, LLOneBot "report self message")';
		} else {
			note =
				'the kernel did not confirm the message by the deadline (it may still confirm it later, or never)';
		}
		const outcome: KernelOutcome = {
			status: 'not_confirmed',
			eventStream: this.stream.state,
			selfEventsSeen: this.selfEventsSeen,
			rawRecords: this.options.readRawRecords === false ? 'not_read' : this.rawRecords,
			note,
		};
		const last = this.lastStatus.get(pending);
		this.lastStatus.delete(pending);
		if (last !== undefined) outcome.lastSendStatus = last;
		return outcome;
	}

	private readonly lastStatus = new Map<Pending, number>();

	/**
	 * Marks a message_id the send answer already gave (an `ok`): its self message and record belong to that
	 * send, never to a later identical one that timed out.
	 */
	claimMessageId(messageId: number): void {
		this.claimed.claim(`message_id:${messageId}`, this.options.clock());
	}

	/**
	 * Whether the self message of an accepted send (its message_id) came in on the stream: every accepted send
	 * of NapCat and LLOneBot pushes one when self-reporting is on, so none after a wait means it is off.
	 */
	selfEventFor(messageId: number): { eventStream: string; seen: boolean; selfEventsSeen: number } {
		const seen = this.events.some((event) => toNumber(event.message_id) === messageId);
		return { eventStream: this.stream.state, seen, selfEventsSeen: this.selfEventsSeen };
	}

	private taken(entry: Record<string, unknown>): boolean {
		const id = toNumber(entry.message_id);
		const now = this.options.clock();
		return (
			this.claimed.has(claimKey(entry), now) ||
			(id !== undefined && this.claimed.has(`message_id:${id}`, now))
		);
	}

	private claim(entry: Record<string, unknown>): void {
		const now = this.options.clock();
		this.claimed.claim(claimKey(entry), now);
		const id = toNumber(entry.message_id);
		if (id !== undefined) this.claimed.claim(`message_id:${id}`, now);
	}

	private settleFromEvents(pending: Pending): void {
		// A version that pushes the self message when the record is added proves nothing by it.
		if (pending.outcome || !this.selfMessagesConfirm) return;
		for (const event of this.events) {
			if (
				this.taken(event) ||
				!matches(event, this.options.selfId, pending, this.options.clockSkewMs)
			)
				continue;
			this.claim(event);
			pending.outcome = {
				status: 'confirmed',
				via: 'self_event',
				noticedAfterMs: this.options.clock() - pending.expectation.sentAt,
				messageId: toNumber(event.message_id) ?? null,
				serverSeq: serverSeqOf(event),
			};
			return;
		}
	}

	/** One read of the sender's latest history page; LLOneBot with debug shows each record's sendStatus. */
	private async readRawRecords(pending: Pending): Promise<void> {
		const { client, requestTimeoutMs, clock } = this.options;
		const { target } = pending.expectation;
		this.lastReadAt = clock();
		this.reads++;
		const result =
			target.type === 'group'
				? await client.call(
						'get_group_msg_history',
						{ group_id: target.id, count: 20 },
						{ timeoutMs: requestTimeoutMs },
					)
				: await client.call(
						'get_friend_msg_history',
						{ user_id: target.id, count: 20 },
						{ timeoutMs: requestTimeoutMs },
					);
		if (!result.ok) {
			if (this.rawRecords === 'not_read') this.rawRecords = 'unread';
			return;
		}
		const data = result.data;
		const list = Array.isArray(data)
			? data
			: isRecord(data) && Array.isArray(data.messages)
				? data.messages
				: [];
		const entries = list.filter(isRecord);
		if (entries.length > 0 && !entries.some((entry) => isRecord(entry.raw))) {
			this.rawRecords = 'not_exposed';
			return;
		}
		if (entries.length === 0) {
			if (this.rawRecords === 'not_read') this.rawRecords = 'unread';
			return;
		}
		this.rawRecords = 'exposed';
		const candidates = entries.filter(
			(entry) =>
				isRecord(entry.raw) &&
				!this.taken(entry) &&
				matches(entry, this.options.selfId, pending, this.options.clockSkewMs),
		);
		for (const entry of candidates) {
			const raw = entry.raw as Record<string, unknown>;
			const status = toNumber(raw.sendStatus);
			// Content and a time window cannot tell an older identical send from this one: a failed record
			// proves this send failed only when it is the one candidate (else a resend could duplicate a landed one).
			if (status === SEND_STATUS.failed && candidates.length > 1) continue;
			if (status === SEND_STATUS.success) {
				this.claim(entry);
				pending.outcome = {
					status: 'confirmed',
					via: 'raw_record',
					noticedAfterMs: clock() - pending.expectation.sentAt,
					messageId: toNumber(entry.message_id) ?? null,
					serverSeq: serverSeqOf(entry),
				};
				return;
			}
			if (status === SEND_STATUS.failed) {
				this.claim(entry);
				pending.outcome = {
					status: 'failed_in_kernel',
					via: 'raw_record',
					sendStatus: 0,
					noticedAfterMs: clock() - pending.expectation.sentAt,
				};
				return;
			}
			if (status !== undefined) this.lastStatus.set(pending, status);
		}
	}

	/** Closes the event stream; a watcher closed before or while it connects leaves no socket open. */
	close(): void {
		this.stream.close();
	}
}
