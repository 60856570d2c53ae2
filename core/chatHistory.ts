/**
 * Reading one chat's history for a watcher (core/chatWatcher.ts): the latest page and, while more than a page
 * arrived since the oldest pending send, older ones, whichever way the implementation pages; plus what makes
 * an entry the same entry across reads and runs. The live side (events) is core/liveEvents.ts.
 */
import type { AccountIdentity } from './account';
import { answersEmptyHistory } from './implementations';
import type { ImplementationProfile } from './implementations';
import type { CallFailure, OneBotClient } from './transport';
import type { RawError } from './types';
import { dataExcerpt, isRecord, toNumber } from './values';
import { historyPageInfo, needsOlderPage } from './witness';
import type { WitnessEntry, WitnessSeqField } from './witness';

/** `time` is whole seconds, truncated: an entry may be stamped up to a second before the send. */
export const SECOND_ROUNDING_MS = 1000;

/** The chat a watcher reads, from the watching account's side. */
export type WatchedChat = { type: 'group'; groupId: number } | { type: 'private'; peerId: number };

export interface ChatHistoryOptions {
	client: OneBotClient;
	/** The reading account. */
	identity: AccountIdentity;
	chat: WatchedChat;
	requestTimeoutMs: number;
	/** Entries per read. */
	historyCount: number;
	/** Upper bound on the pages one call reads. */
	maxPages: number;
	seqField: WitnessSeqField | undefined;
	/** Called once per history request (the watcher counts its reads). */
	onRead(): void;
}

/** A read's entries, or why there are none: the first request failed (`failure`) or answered no list (`malformed`). */
export interface HistoryRead {
	entries?: WitnessEntry[];
	failure?: CallFailure;
	malformed?: RawError;
	/** The oldest time read when the page bound stopped the read before it reached `sinceMs`. */
	cutShortAt?: number;
}

/** Identity of an entry in one account's store, so an entry serves one expectation only. */
export function entryIdentity(entry: WitnessEntry): string {
	const id = toNumber(entry.message_id);
	if (id !== undefined) return `id:${id}`;
	const seq = toNumber(entry.real_seq) ?? toNumber(entry.message_seq);
	if (seq !== undefined && seq > 0) return `seq:${seq}`;
	return `raw:${entry.time}|${toNumber(entry.user_id) ?? ''}|${entry.raw_message ?? JSON.stringify(entry.message ?? '')}`;
}

/** An entry's claim in the process-wide registry: its identity at its time (an id given again later is new). */
export function claimKey(entry: WitnessEntry): string {
	return `${entryIdentity(entry)}@${entry.time ?? ''}`;
}

/**
 * Drops a seq of 0: kernels give it to a message the server never numbered (a stuck send kept in the
 * sender's store). Left in, it would count as "older than the baseline" and never match.
 */
export function withoutPlaceholderSeq(entry: WitnessEntry): WitnessEntry {
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

export function historyEntries(data: unknown): WitnessEntry[] | undefined {
	const list = Array.isArray(data)
		? data
		: isRecord(data) && Array.isArray(data.messages)
			? data.messages
			: undefined;
	return (list?.filter(isRecord) as WitnessEntry[] | undefined)?.map(withoutPlaceholderSeq);
}

/**
 * Reads the latest page and, while more than a page arrived since `sinceMs`, older ones, up to `maxPages`
 * reads. An anchored read asks for the older direction where the version takes a parameter for it (NapCat
 * `reverseOrder` / `reverse_order`); a page that brings nothing older (NapCat and LLOneBot 4.0.0–4.0.8 page
 * forward, NapCatQQ #441, #987, #1671) switches to anchor-free reads of the latest messages with a doubling
 * `count` (docs/compatibility.md, table 'Witness matching', column 'history anchor').
 * `cutShortAt` is the oldest time read when the bound stopped it before it reached `sinceMs`.
 */
export async function readChatHistory(
	options: ChatHistoryOptions,
	sinceMs: number,
): Promise<HistoryRead> {
	const { chat, client, historyCount, maxPages, requestTimeoutMs } = options;
	const action = chat.type === 'group' ? 'get_group_msg_history' : 'get_friend_msg_history';
	const base: Record<string, unknown> =
		chat.type === 'group' ? { group_id: chat.groupId } : { user_id: chat.peerId };
	const olderParams = options.identity.implementation.historyOlderParams ?? {};
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
		options.onRead();
		const result = await client.call(
			action,
			{ ...base, ...params },
			{ timeoutMs: requestTimeoutMs },
		);
		// LLOneBot answers an empty chat's history with an error (core/implementations/llonebot.ts).
		let entries: WitnessEntry[] = [];
		if (result.ok) {
			const read = historyEntries(result.data);
			if (!read) {
				if (page > 0) break;
				return {
					malformed: {
						status: result.envelope.status,
						retcode: result.envelope.retcode,
						body: dataExcerpt(result.data),
					},
				};
			}
			entries = read;
		} else if (!answersEmptyHistory(result.failure, options.identity.implementation)) {
			if (page === 0) return { failure: result.failure };
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
				historyPageInfo([...all.values()], options.seqField).oldestTime ?? Number.POSITIVE_INFINITY;
			break;
		}
		const next =
			wentBack && latestCount === undefined ? olderPageAnchor(entries, options) : undefined;
		if (next) {
			params = { count: historyCount, ...next, ...olderParams };
			continue;
		}
		// No anchor, or the anchored page brought nothing older: read the latest messages, more each time.
		latestCount = Math.max(latestCount ?? 0, all.size, historyCount) * 2;
		params = { count: latestCount };
	}
	return { entries: pageEntries.reverse().flat(), cutShortAt };
}

/**
 * The anchor this implementation and version take to read the page before `entries` (docs/compatibility.md, table 'Witness matching',
 * column 'history anchor'):
 * LLOneBot ≥ 4.6.2 and go-cqhttp `message_seq` = a seq; NapCat and LLOneBot < 4.6.2 `message_seq` =
 * a short id; Lagrange `message_id`.
 */
function olderPageAnchor(
	entries: WitnessEntry[],
	options: ChatHistoryOptions,
): Record<string, unknown> | undefined {
	const info = historyPageInfo(entries, options.seqField);
	const anchor: ImplementationProfile['historyAnchor'] =
		options.identity.implementation.historyAnchor;
	const value = anchor.from === 'seq' ? info.oldestSeq : info.oldestMessageId;
	return value !== undefined ? { [anchor.param]: value } : undefined;
}
