// Long file: one class whose parts (history paging, the event buffer, the overtake rule, shared paced reads) all act on the same set of pending expectations.
/**
 * Chat watch: an account's history (polled, one read shared by every pending expectation) and, when
 * it has a forward WebSocket, its live event stream. Pointed at a witness account it proves arrival;
 * pointed at the sender's own store it only shows whether the kernel kept the message.
 *
 * "New" never relies on an id's value where the implementation has no ordered server seq (LLOneBot
 * 3.x and 4.0–4.6.1, Lagrange: docs/compatibility.md, table 'Witness matching'): the baseline is a set of what the chat held before
 * the send, read back over the whole matching window, and a new entry must match sender, chat,
 * content and time. Where the profile names a real server seq, it is used as well.
 */
import { chatStoreKey, claimsOn } from './claims';
import type { StoreClaims } from './claims';
import type { AccountIdentity } from './account';
import { classifyCall, verifierFailure } from './classify';
import { EventStream } from './eventStream';
import type { EventSource } from './eventStream';
import type { ImplementationProfile } from './implementations';
import { normaliseForMatch } from './message';
import type { OneBotClient } from './transport';
import type { Classification, Clock, Segment, Sleep } from './types';
import { Wake } from './wake';
import {
	DEFAULT_CLOCK_SKEW_MS,
	WitnessBaseline,
	entryServerSeq,
	historyPageInfo,
	matchAll,
	needsOlderPage,
} from './witness';
import type { MatchMethod, SentMessageExpectation, WitnessEntry, WitnessSeqField } from './witness';
import { dataExcerpt, isRecord, toNumber } from './values';

/** `time` is whole seconds, truncated: an entry may be stamped up to a second before the send. */
const SECOND_ROUNDING_MS = 1000;

/** The chat a watcher reads, from the watching account's side. */
export type WatchedChat = { type: 'group'; groupId: number } | { type: 'private'; peerId: number };

export interface ChatWatcherOptions {
	client: OneBotClient;
	/** The watching account. */
	identity: AccountIdentity;
	chat: WatchedChat;
	sleep: Sleep;
	clock: Clock;
	/** Pause between history reads while expectations are pending. */
	pollIntervalMs: number;
	requestTimeoutMs: number;
	/** Entries per history read. */
	historyCount?: number;
	/**
	 * Upper bound on the pages one refresh reads (default MAX_HISTORY_PAGES). A refresh reads as deep as what
	 * is pending needs: older pages only while the oldest one read is still newer than the oldest pending send,
	 * so a quiet chat costs one page per read however high this is.
	 */
	maxPages?: number;
	/** The watching account's forward WebSocket, when it has one. */
	events?: EventSource;
	/**
	 * The longest a wait on the stream goes without looking again. A wait ends as soon as an event arrives
	 * (or the stream opens or closes); this only bounds it.
	 */
	eventCheckIntervalMs?: number;
	clockSkewMs?: number;
	/** History reads tried after a deadline before the watcher is declared unreadable. */
	finalReadAttempts?: number;
	/**
	 * How long a missing message may still show up after a later message of the same sender was seen in the
	 * chat (see `WatchExpectation.concludeEarly`). Covers delivery jitter; default OVERTAKE_GRACE_MS.
	 */
	overtakeGraceMs?: number;
}

/**
 * Grace after a later message of the same sender was seen while ours is missing. QQ delivers one sender's
 * messages to a chat in order; a few hundred ms cover the jitter between the witness's event stream and
 * history, and a delayed copy that still shows up within it counts as seen.
 */
export const OVERTAKE_GRACE_MS = 500;

/**
 * How deep one history refresh may go: 50 pages of 20, i.e. 1,000 messages arrived in the chat since the
 * oldest pending send (about 20 s of a group receiving 50 messages per second, or a batch with that many
 * sends in flight). Past it the read is cut short, and a watch it did not reach back to is never concluded
 * "not seen" on that read: it ends unreadable (`history_too_deep`) instead of a false miss.
 */
export const MAX_HISTORY_PAGES = 50;

export interface WatchExpectation {
	/** Who sent the message. */
	senderId: number;
	message: Segment[];
	/** When the send was requested, ms. */
	sentAt: number;
	/** Until when the message may show up, ms. */
	deadlineAt: number;
	serverSeq?: number;
	/**
	 * Conclude "not seen" before the deadline when a later message of the same sender is seen in the chat while
	 * this one is missing (after the overtake grace). Later means: a message this watcher was told to expect that
	 * was sent after this one (sends are serialised, so it went out after this one's answer) and, when this one's
	 * server seq is known, any entry of the sender with a higher server seq. Default true; the check before a
	 * resend turns it off and waits for the full deadline.
	 */
	concludeEarly?: boolean;
}

/** The later message that overtook a missing one. */
export interface OvertakenBy {
	/** How much later than ours the overtaking message was sent, ms (null when only its server seq is known). */
	sentAfterMs: number | null;
	/** Its server seq, where the implementation reports an ordered one. */
	serverSeq: number | null;
	/** How "later" was decided: our sends' order plus the witness's arrival order, or server seqs. */
	order: 'arrival' | 'server_seq';
	via: WatchVia;
	/** When the watcher saw it, ms after ours was sent. */
	seenAfterMs: number;
}

export type WatchVia = 'history' | 'event';

export type WatchOutcome =
	| {
			status: 'seen';
			via: WatchVia;
			method: MatchMethod;
			/** When the watcher noticed it (not the message's own time). */
			noticedAfterMs: number;
			/** The watching account's own id of the message (never comparable with the sender's). */
			watcherMessageId: number | null;
			serverSeq: number | null;
			reads: number;
	  }
	| {
			status: 'not_seen';
			via: WatchVia;
			reads: number;
			checkedUntilMs: number;
			/** Set when a later message of the sender was seen first: concluded after the grace, not at the deadline. */
			early?: 'overtaken_by_later_message';
			overtakenBy?: OvertakenBy;
	  }
	| { status: 'unreadable'; reads: number; error: Classification | null };

export interface Watch {
	readonly expectation: WatchExpectation;
	outcome?: WatchOutcome;
}

interface InternalWatch extends Watch {
	match: SentMessageExpectation;
	/** First sign that a later message of the sender arrived while this one is missing. */
	overtaken?: { at: number; by: OvertakenBy };
	graceChecked?: boolean;
}

const MAX_RETAINED_EVENTS = 2000;

/** Identity of an entry in one account's store, so an entry serves one expectation only. */
function entryIdentity(entry: WitnessEntry): string {
	const id = toNumber(entry.message_id);
	if (id !== undefined) return `id:${id}`;
	const seq = toNumber(entry.real_seq) ?? toNumber(entry.message_seq);
	if (seq !== undefined && seq > 0) return `seq:${seq}`;
	return `raw:${entry.time}|${toNumber(entry.user_id) ?? ''}|${entry.raw_message ?? JSON.stringify(entry.message ?? '')}`;
}

/** An entry's claim in the process-wide registry: its identity at its time (an id given again later is new). */
function claimKey(entry: WitnessEntry): string {
	return `${entryIdentity(entry)}@${entry.time ?? ''}`;
}

/**
 * Drops a seq of 0: kernels give it to a message the server never numbered (a stuck send kept in the
 * sender's store). Left in, it would count as "older than the baseline" and never match.
 */
function withoutPlaceholderSeq(entry: WitnessEntry): WitnessEntry {
	const copy: WitnessEntry = { ...entry };
	for (const key of ['real_seq', 'message_seq', 'real_id'] as const) {
		const seq = toNumber(copy[key]);
		if (seq !== undefined && seq <= 0) delete copy[key];
	}
	return copy;
}

/**
 * Whether a history read brought a message older than what was read before: a page that pages forward (the
 * anchor and newer ones) brings none, however busy the chat. Without times, any new entry counts.
 */
function wentOlder(fresh: WitnessEntry[], oldestBeforeMs: number | undefined): boolean {
	if (fresh.length === 0) return false;
	if (oldestBeforeMs === undefined) return true;
	return fresh.some((entry) => {
		const time = toNumber(entry.time);
		return time === undefined || time * 1000 <= oldestBeforeMs;
	});
}

function historyEntries(data: unknown): WitnessEntry[] | undefined {
	const list = Array.isArray(data)
		? data
		: isRecord(data) && Array.isArray(data.messages)
			? data.messages
			: undefined;
	return (list?.filter(isRecord) as WitnessEntry[] | undefined)?.map(withoutPlaceholderSeq);
}

/**
 * Watches one chat of one account for expected messages. Every pending expectation is settled by the
 * same reads: one history read (or the event stream) serves them all. Expectations are matched by
 * `core/witness.ts` (sender, chat, server seq or content and time window, never an entry that was
 * there before `start()`), and each entry serves one expectation, so identical messages need as many
 * entries as sends.
 */
export class ChatWatcher {
	private readonly options: Required<
		Pick<
			ChatWatcherOptions,
			| 'historyCount'
			| 'maxPages'
			| 'eventCheckIntervalMs'
			| 'clockSkewMs'
			| 'finalReadAttempts'
			| 'overtakeGraceMs'
		>
	> &
		ChatWatcherOptions;

	private readonly seqField: WitnessSeqField | undefined;

	private baseline: WitnessBaseline;

	private readonly pending = new Set<InternalWatch>();

	/** Entries already taken as proof, by any run of the process (core/claims.ts). */
	private readonly claimed: StoreClaims;

	/** Send times of this watcher's expectations that were seen, by sender (the overtake signal). */
	private readonly seenSends: Array<{
		senderId: number;
		sentAt: number;
		serverSeq: number | null;
		via: WatchVia;
		at: number;
	}> = [];

	private events: WitnessEntry[] = [];

	private readonly stream: EventStream;

	/** Ends waits on the stream when an event arrives, the stream opens or closes, or close() is called. */
	private readonly wake = new Wake();

	private inflight: { startedAt: number; promise: Promise<void> } | undefined;

	private lastReadStartedAt = Number.NEGATIVE_INFINITY;

	private lastGoodReadStartedAt = Number.NEGATIVE_INFINITY;

	private lastReadError: Classification | null = null;

	/**
	 * How far back (ms) the last good read reached: -Infinity when it reached the start of what it needed, else
	 * the time of the oldest entry it read before the page bound cut it short.
	 */
	private lastReadReachedBackTo = Number.NEGATIVE_INFINITY;

	private started: Promise<void> | undefined;

	/** Set by close(): every wait ends at its next step, and nothing reads or listens any more. */
	private closed = false;

	reads = 0;

	baselineError: Classification | null = null;

	constructor(options: ChatWatcherOptions) {
		this.options = {
			historyCount: 20,
			maxPages: MAX_HISTORY_PAGES,
			eventCheckIntervalMs: 20,
			clockSkewMs: DEFAULT_CLOCK_SKEW_MS,
			finalReadAttempts: 3,
			overtakeGraceMs: OVERTAKE_GRACE_MS,
			...options,
		};
		this.stream = new EventStream({
			source: options.events,
			onEvent: (event) => this.onEvent(event),
			clock: this.options.clock,
			sleep: this.options.sleep,
			checkIntervalMs: this.options.eventCheckIntervalMs,
			onStateChange: () => this.wake.notify(),
		});
		this.seqField = options.identity.implementation.seqField;
		const chat = options.chat;
		this.claimed = claimsOn(
			chatStoreKey(
				options.identity.selfId,
				chat.type === 'group' ? `group:${chat.groupId}` : `private:${chat.peerId}`,
			),
		);
		this.baseline = new WitnessBaseline([], this.seqField);
	}

	get chat(): WatchedChat {
		return this.options.chat;
	}

	get identity(): AccountIdentity {
		return this.options.identity;
	}

	/** What the event stream did, for evidence. */
	get eventStream(): string {
		return this.stream.state;
	}

	/**
	 * Reads what the chat already holds (so none of it is taken for a later send) and opens the event
	 * stream. Call before the first send; later calls return the same promise.
	 */
	start(): Promise<void> {
		this.started ??= this.begin();
		return this.started;
	}

	private async begin(): Promise<void> {
		if (!this.closed) this.stream.connect();
		// Everything that could pass the time check of a later send goes into the baseline set: read back
		// over the clock skew and the second rounding, not just one page.
		const read = await this.readHistory(
			this.options.clock() - this.options.clockSkewMs - SECOND_ROUNDING_MS,
		);
		if (read.entries) this.baseline = new WitnessBaseline(read.entries, this.seqField);
		else this.baselineError = read.error;
		await this.stream.awaitOpen();
	}

	private onEvent(event: Record<string, unknown>): void {
		if (event.post_type !== 'message') return;
		this.events.push(withoutPlaceholderSeq(event as WitnessEntry));
		if (this.events.length > MAX_RETAINED_EVENTS)
			this.events.splice(0, this.events.length - MAX_RETAINED_EVENTS);
		this.wake.notify();
	}

	/** Registers an expected message. Settle it with `waitFor`. */
	expect(expectation: WatchExpectation): Watch {
		const chat = this.options.chat;
		const watch: InternalWatch = {
			expectation,
			match: {
				targetType: chat.type,
				groupId: chat.type === 'group' ? chat.groupId : undefined,
				userId: chat.type === 'private' ? this.options.identity.selfId : undefined,
				senderId: expectation.senderId,
				content: normaliseForMatch(expectation.message),
				sentAt: expectation.sentAt,
				windowMs: Math.max(0, expectation.deadlineAt - expectation.sentAt),
				serverSeq: expectation.serverSeq,
			},
		};
		this.pending.add(watch);
		// A later send of ours may already have been seen (e.g. this is a retry's expectation).
		this.noteOvertaken(watch, this.options.clock());
		return watch;
	}

	/**
	 * Whether an open expectation from this sender awaits the same content. Only then can copies be told
	 * apart by nothing but their server seq; otherwise sender, chat, content and time window are exact enough.
	 */
	isAwaiting(senderId: number, content: string): boolean {
		for (const watch of this.pending) {
			if (!watch.outcome && watch.match.senderId === senderId && watch.match.content === content)
				return true;
		}
		return false;
	}

	/** Waits until the expected message is seen, or the deadline passes and a read after it confirms it is not there. */
	async waitFor(watch: Watch): Promise<WatchOutcome> {
		const internal = watch as InternalWatch;
		const { clock, sleep } = this.options;
		await this.start();
		if (this.baselineError?.reasonClass === 'terminal' && !this.stream.isOpen) {
			// Neither history (refused for good, e.g. unsupported) nor events can show anything.
			return this.finish(internal, {
				status: 'unreadable',
				reads: this.reads,
				error: this.baselineError,
			});
		}
		for (;;) {
			if (this.closed) return this.finish(internal, this.closedOutcome());
			this.settleFromEvents();
			if (internal.outcome) return this.finish(internal);
			const now = clock();
			const graceEndsAt = internal.overtaken
				? internal.overtaken.at + this.options.overtakeGraceMs
				: Number.POSITIVE_INFINITY;
			if (
				graceEndsAt < internal.expectation.deadlineAt &&
				now >= graceEndsAt &&
				!internal.graceChecked
			) {
				internal.graceChecked = true;
				// One look after the grace (events on the wire, or a read that started after it).
				const outcome = await this.conclude(internal, graceEndsAt, 1);
				if (internal.outcome) return this.finish(internal);
				if (outcome.status === 'not_seen') {
					return this.finish(internal, {
						...outcome,
						early: 'overtaken_by_later_message',
						overtakenBy: internal.overtaken!.by,
					});
				}
				// Unreadable right now: nothing concluded early; wait for the deadline as usual.
				continue;
			}
			const deadlineAt = Math.min(internal.expectation.deadlineAt, graceEndsAt);
			if (now >= internal.expectation.deadlineAt)
				return this.finish(internal, await this.conclude(internal));
			if (this.streamCovers(internal)) {
				// Ends on the next event (or stream change, or close()); the interval and the deadline bound it.
				await this.wake.sleep(
					sleep,
					Math.max(1, Math.min(this.options.eventCheckIntervalMs, deadlineAt - now)),
				);
			} else {
				await this.pacedRead(deadlineAt);
			}
		}
	}

	/** What a wait cut short by close() learned: nothing (so nobody resends on it). */
	private closedOutcome(): WatchOutcome {
		return { status: 'unreadable', reads: this.reads, error: null };
	}

	private finish(watch: InternalWatch, outcome?: WatchOutcome): WatchOutcome {
		if (outcome && !watch.outcome) watch.outcome = outcome;
		this.pending.delete(watch);
		return watch.outcome!;
	}

	/** Whether the stream has been open since before the send, so an absent event means an absent message. */
	private streamCovers(watch: InternalWatch): boolean {
		return this.stream.openSince(watch.expectation.sentAt);
	}

	/** Settles a watch at `deadlineAt` (its own deadline, or the end of the overtake grace). */
	private async conclude(
		watch: InternalWatch,
		deadlineAt = watch.expectation.deadlineAt,
		attempts = this.options.finalReadAttempts,
	): Promise<WatchOutcome> {
		if (this.streamCovers(watch)) {
			// Let events already on the wire in; then absence is conclusive.
			await this.options.sleep(this.options.eventCheckIntervalMs);
			this.settleFromEvents();
			if (watch.outcome) return watch.outcome;
			if (this.streamCovers(watch)) {
				return {
					status: 'not_seen',
					via: 'event',
					reads: this.reads,
					checkedUntilMs: deadlineAt - watch.expectation.sentAt,
				};
			}
		}
		for (let attempt = 1; attempt <= attempts; attempt++) {
			if (this.closed) return this.closedOutcome();
			await this.readAfter(deadlineAt);
			if (watch.outcome) return watch.outcome;
			if (this.lastGoodReadStartedAt >= deadlineAt) {
				if (this.lastReadReachedBackTo > watch.expectation.sentAt - this.options.clockSkewMs) {
					// The read stopped at the page bound before it reached back to this send.
					return {
						status: 'unreadable',
						reads: this.reads,
						error: verifierFailure(
							'lookup_failed',
							'transient',
							{ message: `more than ${this.options.maxPages} history pages since the send` },
							'history_too_deep',
						),
					};
				}
				return {
					status: 'not_seen',
					via: 'history',
					reads: this.reads,
					checkedUntilMs: deadlineAt - watch.expectation.sentAt,
				};
			}
			if (attempt < attempts) await this.options.sleep(this.options.pollIntervalMs);
		}
		return {
			status: 'unreadable',
			reads: this.reads,
			error: this.lastReadError ?? this.baselineError,
		};
	}

	/** One shared read, no more often than the poll interval. */
	private async pacedRead(capAt: number): Promise<void> {
		if (this.inflight) {
			await this.inflight.promise;
			return;
		}
		const now = this.options.clock();
		const nextAt = this.lastReadStartedAt + this.options.pollIntervalMs;
		if (now < nextAt) {
			// An event may settle the watch before the next read is due.
			await this.wake.sleep(this.options.sleep, Math.max(1, Math.min(nextAt, capAt) - now));
			return;
		}
		await this.read();
	}

	/** A read that started at or after `at`: joins one in flight when it qualifies, else starts one. */
	private async readAfter(at: number): Promise<void> {
		if (this.inflight && this.inflight.startedAt < at) await this.inflight.promise;
		await this.read();
	}

	private read(): Promise<void> {
		if (!this.inflight) {
			const startedAt = this.options.clock();
			this.lastReadStartedAt = startedAt;
			const promise = this.refresh(startedAt).finally(() => {
				if (this.inflight?.promise === promise) this.inflight = undefined;
			});
			this.inflight = { startedAt, promise };
		}
		return this.inflight.promise;
	}

	private async refresh(startedAt: number): Promise<void> {
		const earliest = Math.min(
			...[...this.pending].map((watch) => watch.expectation.sentAt),
			startedAt,
		);
		const read = await this.readHistory(earliest - this.options.clockSkewMs);
		if (!read.entries) {
			this.lastReadError = read.error;
			return;
		}
		this.lastGoodReadStartedAt = Math.max(this.lastGoodReadStartedAt, startedAt);
		this.lastReadReachedBackTo = read.cutShortAt ?? Number.NEGATIVE_INFINITY;
		this.settle(read.entries, 'history');
	}

	private settleFromEvents(): void {
		if (this.events.length > 0) this.settle(this.events, 'event');
	}

	private settle(entries: WitnessEntry[], via: WatchVia): void {
		const open = [...this.pending].filter((watch) => !watch.outcome);
		if (open.length === 0) return;
		const now = this.options.clock();
		const fresh = entries.filter((entry) => !this.claimed.has(claimKey(entry), now));
		const matches = matchAll(
			fresh,
			open.map((watch) => watch.match),
			this.baseline,
			{ seqField: this.seqField, clockSkewMs: this.options.clockSkewMs },
		);
		matches.forEach((match, index) => {
			if (!match) return;
			const watch = open[index];
			this.claimed.claim(claimKey(match.entry), now);
			const seq = entryServerSeq(match.entry, this.seqField);
			this.seenSends.push({
				senderId: watch.expectation.senderId,
				sentAt: watch.expectation.sentAt,
				serverSeq: seq !== undefined && seq > 0 ? seq : null,
				via,
				at: now,
			});
			watch.outcome = {
				status: 'seen',
				via,
				method: match.method,
				noticedAfterMs: now - watch.expectation.sentAt,
				watcherMessageId: toNumber(match.entry.message_id) ?? null,
				serverSeq: seq !== undefined && seq > 0 ? seq : null,
				reads: this.reads,
			};
		});
		for (const watch of open) {
			if (watch.outcome) continue;
			this.noteOvertaken(watch, now);
			if (!watch.overtaken) this.noteOvertakenBySeq(watch, fresh, via, now);
		}
	}

	/** Whether a later send of the same sender (to this chat) was seen while `watch` is still missing. */
	private noteOvertaken(watch: InternalWatch, now: number): void {
		if (watch.overtaken || watch.outcome || watch.expectation.concludeEarly === false) return;
		const { senderId, sentAt } = watch.expectation;
		const later = this.seenSends.find((seen) => seen.senderId === senderId && seen.sentAt > sentAt);
		if (!later) return;
		watch.overtaken = {
			at: Math.max(now, later.at),
			by: {
				sentAfterMs: later.sentAt - sentAt,
				serverSeq: later.serverSeq,
				order: 'arrival',
				via: later.via,
				seenAfterMs: Math.max(now, later.at) - sentAt,
			},
		};
	}

	/**
	 * With this message's server seq known (and an implementation whose seq is ordered), any new entry of the
	 * sender with a higher seq is later, whoever sent it.
	 */
	private noteOvertakenBySeq(
		watch: InternalWatch,
		entries: WitnessEntry[],
		via: WatchVia,
		now: number,
	): void {
		const ours = watch.expectation.serverSeq;
		if (
			ours === undefined ||
			!this.seqField ||
			this.seqField === 'none' ||
			watch.expectation.concludeEarly === false
		)
			return;
		for (const entry of entries) {
			if (toNumber(entry.user_id) !== watch.expectation.senderId) continue;
			if (this.baseline.covers(entry)) continue;
			const seq = entryServerSeq(entry, this.seqField);
			if (seq !== undefined && seq > ours) {
				watch.overtaken = {
					at: now,
					by: {
						sentAfterMs: null,
						serverSeq: seq,
						order: 'server_seq',
						via,
						seenAfterMs: now - watch.expectation.sentAt,
					},
				};
				return;
			}
		}
	}

	/**
	 * Reads the latest page and, while more than a page arrived since `sinceMs`, older ones, up to `maxPages`
	 * reads. An anchored read asks for the older direction where the version takes a parameter for it (NapCat
	 * `reverseOrder` / `reverse_order`); a page that brings nothing older (NapCat and LLOneBot 4.0.0–4.0.8 page
	 * forward, NapCatQQ #441, #987, #1671) switches to anchor-free reads of the latest messages with a doubling
	 * `count` (docs/compatibility.md, table 'Witness matching', column 'history anchor').
	 * `cutShortAt` is the oldest time read when the bound stopped it before it reached `sinceMs`.
	 */
	private async readHistory(
		sinceMs: number,
	): Promise<{ entries?: WitnessEntry[]; error: Classification | null; cutShortAt?: number }> {
		const { chat, client, historyCount, maxPages, requestTimeoutMs } = this.options;
		const action = chat.type === 'group' ? 'get_group_msg_history' : 'get_friend_msg_history';
		const base: Record<string, unknown> =
			chat.type === 'group' ? { group_id: chat.groupId } : { user_id: chat.peerId };
		const olderParams = this.options.identity.implementation.historyOlderParams ?? {};
		const all = new Map<string, WitnessEntry>();
		/**
		 * Each read's new entries: older pages come later, so the result lists them first. Without an ordered
		 * seq (Lagrange) the match takes same-second copies in list order, and a newer copy listed first would
		 * be taken by a run whose own older copy another run's baseline already holds (that run then resends).
		 */
		const pageEntries: WitnessEntry[][] = [];
		let params: Record<string, unknown> = { count: historyCount };
		/** Set once anchored pages stopped going back: the count of the next anchor-free read. */
		let latestCount: number | undefined;
		const pages = Number.isFinite(sinceMs) ? Math.max(1, maxPages) : 1;
		let cutShortAt: number | undefined;
		for (let page = 0; page < pages; page++) {
			this.reads++;
			const result = await client.call(
				action,
				{ ...base, ...params },
				{ timeoutMs: requestTimeoutMs },
			);
			if (!result.ok) {
				if (page === 0) return { error: classifyCall(result.failure) };
				break;
			}
			const entries = historyEntries(result.data);
			if (!entries) {
				if (page === 0) {
					return {
						error: verifierFailure('malformed_response', 'transient', {
							status: result.envelope.status,
							retcode: result.envelope.retcode,
							body: dataExcerpt(result.data),
						}),
					};
				}
				break;
			}
			const oldestBefore = page === 0 ? undefined : historyPageInfo([...all.values()]).oldestTime;
			const fresh = entries.filter((entry) => !all.has(entryIdentity(entry)));
			for (const entry of fresh) all.set(entryIdentity(entry), entry);
			pageEntries.push(fresh);
			const pageSize = Number(params.count);
			if (!needsOlderPage(entries, sinceMs, pageSize)) break;
			const wentBack = page === 0 || wentOlder(fresh, oldestBefore);
			if (!wentBack && latestCount !== undefined) break; // even the latest `count` holds nothing older: the chat has no more
			if (page === pages - 1) {
				cutShortAt =
					historyPageInfo([...all.values()], this.seqField).oldestTime ?? Number.POSITIVE_INFINITY;
				break;
			}
			const next =
				wentBack && latestCount === undefined ? this.olderPageAnchor(entries) : undefined;
			if (next) {
				params = { count: historyCount, ...next, ...olderParams };
				continue;
			}
			// No anchor, or the anchored page brought nothing older: read the latest messages, more each time.
			latestCount = Math.max(latestCount ?? 0, all.size, historyCount) * 2;
			params = { count: latestCount };
		}
		return { entries: pageEntries.reverse().flat(), error: null, cutShortAt };
	}

	/**
	 * The anchor this implementation and version take to read the page before `entries` (docs/compatibility.md, table 'Witness matching',
	 * column 'history anchor'):
	 * LLOneBot ≥ 4.6.2 and go-cqhttp `message_seq` = a seq; NapCat and LLOneBot < 4.6.2 `message_seq` =
	 * a short id; Lagrange `message_id`.
	 */
	private olderPageAnchor(entries: WitnessEntry[]): Record<string, unknown> | undefined {
		const info = historyPageInfo(entries, this.seqField);
		const anchor: ImplementationProfile['historyAnchor'] =
			this.options.identity.implementation.historyAnchor;
		const value = anchor.from === 'seq' ? info.oldestSeq : info.oldestMessageId;
		return value !== undefined ? { [anchor.param]: value } : undefined;
	}

	/** Closes the event stream. Pending expectations are dropped. */
	close(): void {
		this.closed = true;
		this.pending.clear();
		this.stream.close();
	}
}
