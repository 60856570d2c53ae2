/**
 * Deciding whether a witness's message event or history entry is the message we sent.
 * Rules (docs/compatibility.md, table 'Witness matching'): same chat, same sender, the server seq when both sides know it, else the
 * normalised content inside a time window after the send. Never by message_id across accounts, and
 * never an entry the witness already had before the send.
 */
import { implementationNameOf, profileOf } from './implementations';
import type { ImplementationName, SeqField } from './implementations';
import { tryNormaliseForMatch } from './message';
import type { Segment, TargetType } from './types';
import { toNumber } from './values';

/** A OneBot message event or history entry as the witness sees it. */
export interface WitnessEntry {
	post_type?: string;
	message_type?: string;
	self_id?: number | string;
	group_id?: number | string;
	user_id?: number | string;
	sender?: { user_id?: number | string; [key: string]: unknown };
	message?: string | Segment[] | Segment;
	raw_message?: string;
	/** Seconds. */
	time?: number;
	/** The witness's own id for the entry: fine for telling its entries apart, never compared with the sender's. */
	message_id?: number | string;
	message_seq?: number | string;
	real_seq?: number | string;
	real_id?: number | string;
	[key: string]: unknown;
}

export interface SentMessageExpectation {
	targetType: TargetType;
	groupId?: number;
	/** For a private send: the peer, which must be the witness. */
	userId?: number;
	/** The sending bot's own QQ number. */
	senderId: number;
	/** `normaliseForMatch` of the message as sent. */
	content: string;
	/** When the send was requested, ms. */
	sentAt: number;
	/** How long after the send the message may show up, ms. */
	windowMs: number;
	/** The server seq the sender's `get_msg` reported, when it did. */
	serverSeq?: number;
}

/**
 * Which field of the witness's entries holds an ordered server seq, per implementation and version
 * (core/implementations: `ImplementationProfile.seqField`). `none`: no field is ordered.
 */
export type WitnessSeqField = SeqField;

/**
 * The seq field of an implementation at an unknown version. Prefer `identifyImplementation(...).seqField`:
 * LLOneBot has a seq field only from v4.6.2, so without a version it gets `none`.
 */
export function seqFieldFor(implementation: ImplementationName): WitnessSeqField | undefined {
	return implementation === 'unknown' ? undefined : profileOf(implementation).seqField;
}

/** Reads the implementation from `get_version_info` data (`app_name`). */
export function implementationFromAppName(appName: unknown): ImplementationName {
	return implementationNameOf(appName);
}

export interface MatchOptions {
	/**
	 * Where the witness keeps the server seq. Unset: only `real_seq` is trusted (it exists only where it
	 * is the server seq); `message_seq` means different things per implementation.
	 */
	seqField?: WitnessSeqField;
	/** How far the witness's clock may run behind the sender's, ms. */
	clockSkewMs?: number;
}

export const DEFAULT_CLOCK_SKEW_MS = 2000;
/** `time` is whole seconds, truncated. */
const SECOND_ROUNDING_MS = 1000;

/** The entry's server seq, when the witness's implementation has one. */
export function entryServerSeq(
	entry: WitnessEntry,
	seqField?: WitnessSeqField,
): number | undefined {
	switch (seqField) {
		case 'none':
			return undefined;
		case 'message_seq':
			return toNumber(entry.message_seq) ?? toNumber(entry.real_id);
		case 'real_seq':
		default:
			return toNumber(entry.real_seq);
	}
}

function entrySender(entry: WitnessEntry): number | undefined {
	return toNumber(entry.user_id) ?? toNumber(entry.sender?.user_id);
}

function sameChat(entry: WitnessEntry, expectation: SentMessageExpectation): boolean {
	if (expectation.targetType === 'group') {
		const type = entry.message_type ?? (entry.group_id !== undefined ? 'group' : undefined);
		return type === 'group' && toNumber(entry.group_id) === expectation.groupId;
	}
	if (entry.message_type !== 'private') return false;
	// The witness must be the recipient: its own id, when the entry carries it, is the peer we sent to.
	const selfId = toNumber(entry.self_id);
	return selfId === undefined || expectation.userId === undefined || selfId === expectation.userId;
}

function contentMatches(entry: WitnessEntry, content: string): boolean {
	if (entry.message !== undefined && tryNormaliseForMatch(entry.message) === content) return true;
	return (
		typeof entry.raw_message === 'string' && tryNormaliseForMatch(entry.raw_message) === content
	);
}

function insideWindow(
	entry: WitnessEntry,
	expectation: SentMessageExpectation,
	options: MatchOptions,
): boolean {
	const time = toNumber(entry.time);
	if (time === undefined) return false;
	const at = time * 1000;
	const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
	return (
		at >= expectation.sentAt - skew - SECOND_ROUNDING_MS &&
		at <= expectation.sentAt + expectation.windowMs
	);
}

/** The chat an answer, event or history entry names: its message_type, else group when it has a group_id. */
export function chatOf(data: Record<string, unknown>): { type?: string; groupId?: number } {
	const groupId = toNumber(data.group_id);
	const type =
		typeof data.message_type === 'string'
			? data.message_type
			: groupId !== undefined
				? 'group'
				: undefined;
	return { type, groupId };
}

/** How an entry matched, for the evidence of a delivery result. */
export type MatchMethod = 'server_seq' | 'content_time';

/**
 * Whether the entry is our message, ignoring what the witness had before the send (`matchAll`
 * handles that). Returns how it matched, or null.
 */
export function matchEntry(
	entry: WitnessEntry,
	expectation: SentMessageExpectation,
	options: MatchOptions = {},
): MatchMethod | null {
	if (!sameChat(entry, expectation)) return null;
	if (entrySender(entry) !== expectation.senderId) return null;
	const seq = entryServerSeq(entry, options.seqField);
	if (seq !== undefined && expectation.serverSeq !== undefined) {
		return seq === expectation.serverSeq ? 'server_seq' : null;
	}
	if (!insideWindow(entry, expectation, options)) return null;
	return contentMatches(entry, expectation.content) ? 'content_time' : null;
}

export function matchesExpectation(
	entry: WitnessEntry,
	expectation: SentMessageExpectation,
	options: MatchOptions = {},
): boolean {
	return matchEntry(entry, expectation, options) !== null;
}

/** Identity of an entry within one witness's store (its own message_id, else seq, else its fields). */
function entryKey(entry: WitnessEntry): string {
	const id = toNumber(entry.message_id);
	if (id !== undefined) return `id:${id}`;
	const seq = toNumber(entry.real_seq) ?? toNumber(entry.message_seq) ?? toNumber(entry.real_id);
	if (seq !== undefined) return `seq:${seq}`;
	const content =
		(entry.message !== undefined ? tryNormaliseForMatch(entry.message) : null) ??
		String(entry.raw_message ?? '');
	return `raw:${entry.time}|${entrySender(entry)}|${content}`;
}

/**
 * What the witness had already seen before the send, captured from a history read (or the events
 * received) just before it. An entry present then cannot be our message, whatever it says, and
 * neither can anything older than the newest of them.
 */
export class WitnessBaseline {
	private readonly keys = new Set<string>();

	private highSeq: number | undefined;

	private newestTime: number | undefined;

	constructor(
		entries: WitnessEntry[] = [],
		private readonly seqField?: WitnessSeqField,
	) {
		this.add(entries);
	}

	add(entries: WitnessEntry[]): void {
		for (const entry of entries) {
			this.keys.add(entryKey(entry));
			const seq = entryServerSeq(entry, this.seqField);
			if (seq !== undefined && (this.highSeq === undefined || seq > this.highSeq))
				this.highSeq = seq;
			const time = toNumber(entry.time);
			if (time !== undefined && (this.newestTime === undefined || time > this.newestTime))
				this.newestTime = time;
		}
	}

	/** Whether the entry was (or is older than what was) already there before the send. */
	covers(entry: WitnessEntry): boolean {
		if (this.keys.has(entryKey(entry))) return true;
		const seq = entryServerSeq(entry, this.seqField);
		if (seq !== undefined && this.highSeq !== undefined) return seq <= this.highSeq;
		// Server time only moves forward: anything stamped before the newest baseline entry came earlier.
		const time = toNumber(entry.time);
		return time !== undefined && this.newestTime !== undefined && time < this.newestTime;
	}

	get highWaterSeq(): number | undefined {
		return this.highSeq;
	}

	get newestTimeSeconds(): number | undefined {
		return this.newestTime;
	}

	get size(): number {
		return this.keys.size;
	}
}

export interface WitnessMatch {
	entry: WitnessEntry;
	method: MatchMethod;
}

/** Orders entries oldest first: by seq when known, else time, else the order the witness gave. */
function chronological(entries: WitnessEntry[], seqField?: WitnessSeqField): WitnessEntry[] {
	return entries
		.map((entry, index) => ({ entry, index }))
		.sort((a, b) => {
			const seqA = entryServerSeq(a.entry, seqField);
			const seqB = entryServerSeq(b.entry, seqField);
			if (seqA !== undefined && seqB !== undefined && seqA !== seqB) return seqA - seqB;
			const timeA = toNumber(a.entry.time) ?? 0;
			const timeB = toNumber(b.entry.time) ?? 0;
			return timeA !== timeB ? timeA - timeB : a.index - b.index;
		})
		.map(({ entry }) => entry);
}

/**
 * Resolves many pending expectations against one history read: each entry serves at most one
 * expectation, so two identical sends in a row need two distinct entries (matched in send order).
 * Expectations with a server seq are settled first since they are exact. The result lines up with
 * `expectations`.
 */
export function matchAll(
	entries: WitnessEntry[],
	expectations: SentMessageExpectation[],
	baseline: WitnessBaseline = new WitnessBaseline(),
	options: MatchOptions = {},
): Array<WitnessMatch | undefined> {
	const candidates = chronological(entries, options.seqField).filter(
		(entry) => !baseline.covers(entry),
	);
	const claimed = new Set<WitnessEntry>();
	const results: Array<WitnessMatch | undefined> = new Array(expectations.length).fill(undefined);
	const order = expectations
		.map((expectation, index) => ({ expectation, index }))
		.sort((a, b) => {
			const exactA = a.expectation.serverSeq !== undefined ? 0 : 1;
			const exactB = b.expectation.serverSeq !== undefined ? 0 : 1;
			return exactA - exactB || a.expectation.sentAt - b.expectation.sentAt || a.index - b.index;
		});
	for (const { expectation, index } of order) {
		for (const entry of candidates) {
			if (claimed.has(entry)) continue;
			const method = matchEntry(entry, expectation, options);
			if (method) {
				claimed.add(entry);
				results[index] = { entry, method };
				break;
			}
		}
	}
	return results;
}

/** Where a history page ends, so the caller can read the page before it. */
export interface HistoryPageInfo {
	count: number;
	/** Pass as `message_seq` to LLOneBot / go-cqhttp. */
	oldestSeq?: number;
	/** The witness's own id of the oldest entry: NapCat's `message_seq` parameter and Lagrange's `message_id`. */
	oldestMessageId?: number;
	/** ms. */
	oldestTime?: number;
	newestTime?: number;
}

export function historyPageInfo(
	entries: WitnessEntry[],
	seqField?: WitnessSeqField,
): HistoryPageInfo {
	const ordered = chronological(entries, seqField);
	const oldest = ordered[0];
	const newest = ordered[ordered.length - 1];
	const info: HistoryPageInfo = { count: entries.length };
	if (!oldest) return info;
	const seq = seqField === 'none' ? undefined : entryServerSeq(oldest, seqField ?? 'message_seq');
	if (seq !== undefined) info.oldestSeq = seq;
	const id = toNumber(oldest.message_id);
	if (id !== undefined) info.oldestMessageId = id;
	const oldestTime = toNumber(oldest.time);
	if (oldestTime !== undefined) info.oldestTime = oldestTime * 1000;
	const newestTime = toNumber(newest.time);
	if (newestTime !== undefined) info.newestTime = newestTime * 1000;
	return info;
}

/**
 * Whether an older page is needed to cover everything since `sinceMs` (e.g. the earliest pending
 * send minus the skew): more than a page of messages may have arrived in between.
 */
export function needsOlderPage(entries: WitnessEntry[], sinceMs: number, pageSize = 20): boolean {
	if (entries.length < pageSize) return false;
	const info = historyPageInfo(entries);
	return info.oldestTime === undefined || info.oldestTime > sinceMs;
}
