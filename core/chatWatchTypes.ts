/**
 * What a chat watcher (core/chatWatcher.ts) is told and what it answers: its options, one expected message,
 * and the outcome of waiting for it.
 */
import type { AccountIdentity } from './account';
import type { WatchedChat } from './chatHistory';
import type { EventSource } from './eventStream';
import type { OneBotClient } from './transport';
import type { Classification, Clock, Segment, Sleep } from './types';
import type { MatchMethod } from './witness';

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
