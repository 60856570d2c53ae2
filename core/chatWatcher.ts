/**
 * Chat watch: an account's history (polled, one read shared by every pending expectation: core/chatHistory.ts)
 * and, when it has a forward WebSocket, its live event stream (core/liveEvents.ts, shared with the kernel
 * watcher). Pointed at a witness account it proves arrival; at the sender's own store it only shows whether
 * the kernel kept the message. Options and outcomes: core/chatWatchTypes.ts.
 *
 * "New" never relies on an id's value where the implementation has no ordered server seq (LLOneBot
 * 3.x and 4.0–4.6.1, Lagrange: docs/compatibility.md, table 'Witness matching'): the baseline is a set of what the chat held before
 * the send, read back over the whole matching window, and a new entry must match sender, chat,
 * content and time. Where the profile names a real server seq, it is used as well.
 */
import type { AccountIdentity } from './account';
import {
	SECOND_ROUNDING_MS,
	claimKey,
	readChatHistory,
	withoutPlaceholderSeq,
} from './chatHistory';
import type { WatchedChat } from './chatHistory';
import { classifyCall, verifierFailure } from './classify';
import { chatStoreKey, claimsOn } from './claims';
import { LiveEvents } from './liveEvents';
import { normaliseForMatch } from './message';
import { overtakenBySeq } from './overtake';
import type { Classification } from './types';
import { DEFAULT_CLOCK_SKEW_MS, WitnessBaseline, entryServerSeq, matchAll } from './witness';
import type { SentMessageExpectation, WitnessEntry, WitnessSeqField } from './witness';
import { toNumber } from './values';
import {
	MAX_HISTORY_PAGES,
	OVERTAKE_GRACE_MS,
	type ChatWatcherOptions,
	type OvertakenBy,
	type Watch,
	type WatchExpectation,
	type WatchOutcome,
	type WatchVia,
} from './chatWatchTypes';

export type { WatchedChat } from './chatHistory';
export * from './chatWatchTypes';

interface InternalWatch extends Watch {
	match: SentMessageExpectation;
	/** First sign that a later message of the sender arrived while this one is missing. */
	overtaken?: { at: number; by: OvertakenBy };
	graceChecked?: boolean;
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

	/** Send times of this watcher's expectations that were seen, by sender (the overtake signal). */
	private readonly seenSends: Array<{
		senderId: number;
		sentAt: number;
		serverSeq: number | null;
		via: WatchVia;
		at: number;
	}> = [];

	/** The chat's stream, its message events, and the claims on the watched store (core/liveEvents.ts). */
	private readonly live: LiveEvents<WitnessEntry>;

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
		const chat = options.chat;
		this.live = new LiveEvents({
			source: options.events,
			clock: this.options.clock,
			sleep: this.options.sleep,
			checkIntervalMs: this.options.eventCheckIntervalMs,
			accept: (event) =>
				event.post_type === 'message' ? withoutPlaceholderSeq(event as WitnessEntry) : undefined,
			claims: claimsOn(
				chatStoreKey(
					options.identity.selfId,
					chat.type === 'group' ? `group:${chat.groupId}` : `private:${chat.peerId}`,
				),
			),
		});
		this.seqField = options.identity.implementation.seqField;
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
		return this.live.state;
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
		if (!this.closed) this.live.connect();
		// Everything that could pass the time check of a later send goes into the baseline set: read back
		// over the clock skew and the second rounding, not just one page.
		const read = await this.readHistory(
			this.options.clock() - this.options.clockSkewMs - SECOND_ROUNDING_MS,
		);
		if (read.entries) this.baseline = new WitnessBaseline(read.entries, this.seqField);
		else this.baselineError = read.error;
		await this.live.awaitOpen();
	}

	/** One read of the chat's history back to `sinceMs` (core/chatHistory.ts), counted in `reads`. */
	private async readHistory(
		sinceMs: number,
	): Promise<{ entries?: WitnessEntry[]; error: Classification | null; cutShortAt?: number }> {
		const { client, identity, chat, requestTimeoutMs, historyCount, maxPages } = this.options;
		const read = await readChatHistory(
			{
				client,
				identity,
				chat,
				requestTimeoutMs,
				historyCount,
				maxPages,
				seqField: this.seqField,
				onRead: () => this.reads++,
			},
			sinceMs,
		);
		if (read.entries) return { entries: read.entries, error: null, cutShortAt: read.cutShortAt };
		if (read.failure) return { error: classifyCall(read.failure) };
		return { error: verifierFailure('malformed_response', 'transient', read.malformed ?? {}) };
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
		const { clock } = this.options;
		await this.start();
		if (this.baselineError?.reasonClass === 'terminal' && !this.live.isOpen) {
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
				await this.live.sleep(Math.min(this.options.eventCheckIntervalMs, deadlineAt - now));
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
		return this.live.covers(watch.expectation.sentAt);
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
			await this.live.sleep(Math.min(nextAt, capAt) - now);
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
		if (this.live.events.length > 0) this.settle(this.live.events, 'event');
	}

	private settle(entries: readonly WitnessEntry[], via: WatchVia): void {
		const open = [...this.pending].filter((watch) => !watch.outcome);
		if (open.length === 0) return;
		const now = this.options.clock();
		const fresh = entries.filter((entry) => !this.live.claimed.has(claimKey(entry), now));
		const matches = matchAll(
			fresh,
			open.map((watch) => watch.match),
			this.baseline,
			{ seqField: this.seqField, clockSkewMs: this.options.clockSkewMs },
		);
		matches.forEach((match, index) => {
			if (!match) return;
			const watch = open[index];
			this.live.claimed.claim(claimKey(match.entry), now);
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
			watch.overtaken ??= overtakenBySeq(watch.expectation, fresh, {
				baseline: this.baseline,
				seqField: this.seqField,
				via,
				now,
			});
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

	/** Closes the event stream. Pending expectations are dropped. */
	close(): void {
		this.closed = true;
		this.pending.clear();
		this.live.close();
	}
}
