/**
 * The overtake rule of the chat watcher (core/chatWatcher.ts): a missing message may be concluded "not seen"
 * before its deadline once a later message of the same sender shows in the chat (QQ delivers one sender's
 * messages to a chat in order). This is the server-seq half of it: with our message's server seq known and an
 * implementation whose seq is ordered, any new entry of the sender with a higher seq is later, whoever sent it.
 */
import type { OvertakenBy, WatchExpectation, WatchVia } from './chatWatchTypes';
import { entryServerSeq } from './witness';
import type { WitnessBaseline, WitnessEntry, WitnessSeqField } from './witness';
import { toNumber } from './values';

/** The first new entry of the sender with a higher server seq than ours, as an overtake, or undefined. */
export function overtakenBySeq(
	expectation: WatchExpectation,
	entries: readonly WitnessEntry[],
	context: {
		baseline: WitnessBaseline;
		seqField: WitnessSeqField | undefined;
		via: WatchVia;
		now: number;
	},
): { at: number; by: OvertakenBy } | undefined {
	const ours = expectation.serverSeq;
	const { seqField, baseline, via, now } = context;
	if (ours === undefined || !seqField || seqField === 'none' || expectation.concludeEarly === false)
		return undefined;
	for (const entry of entries) {
		if (toNumber(entry.user_id) !== expectation.senderId) continue;
		if (baseline.covers(entry)) continue;
		const seq = entryServerSeq(entry, seqField);
		if (seq !== undefined && seq > ours) {
			return {
				at: now,
				by: {
					sentAfterMs: null,
					serverSeq: seq,
					order: 'server_seq',
					via,
					seenAfterMs: now - expectation.sentAt,
				},
			};
		}
	}
	return undefined;
}
