/**
 * Witness Received: the witness's history or event stream shows the message (core/chatWatcher.ts, matching
 * with core/witness.ts) before the deadline. Sender, chat, content and time window identify the message,
 * except when an identical message is still awaited; then the sender's server seq (one get_msg) tells the
 * two copies apart.
 */
import { verifierFailure } from '../../classify';
import type { ChatWatcher, WatchOutcome } from '../../chatWatcher';
import { normaliseForMatch } from '../../message';
import type { Classification, ReasonClass } from '../../types';
import type { AcceptedSend, Verified, VerifyContext } from './level';
import { lookUpSent } from './lookup';

/** A witness that cannot be read is a failed lookup of the proof; the class says whether a send is at stake. */
export function asWitnessFailure(
	error: Classification | null,
	reasonClass?: ReasonClass,
): Classification {
	const cls: ReasonClass =
		reasonClass ?? (error?.reasonClass === 'terminal' ? 'terminal' : 'transient');
	return verifierFailure(
		'lookup_failed',
		cls,
		error?.raw ?? { message: 'the witness could not be read' },
		`witness_${error?.reason ?? 'unreadable'}`,
	);
}

export function witnessEvidence(
	watcher: ChatWatcher,
	outcome: WatchOutcome,
): Record<string, unknown> {
	return { account: watcher.identity.selfId, eventStream: watcher.eventStream, ...outcome };
}

/**
 * Seen ends the item delivered. Not seen by the deadline settles the landing check itself (not landed);
 * not seen because a later message overtook it settles it only for an item that is not resent; an
 * unreadable witness leaves it unknown.
 */
export async function verifyByWitness(
	sent: AcceptedSend,
	context: VerifyContext,
): Promise<Verified> {
	const { clock } = context;
	const { watcher } = sent.checker;
	const senderId = sent.sender.selfId;
	const awaiting = watcher.isAwaiting(senderId, normaliseForMatch(sent.request.message));
	const lookup = awaiting ? await lookUpSent(sent, context) : undefined;
	const watch = watcher.expect({
		senderId,
		message: sent.request.message,
		sentAt: sent.sentAt,
		deadlineAt: sent.answeredAt + context.settings.deadlineMs,
		serverSeq: lookup?.serverSeq,
	});
	const outcome = await watcher.waitFor(watch);
	const witness = witnessEvidence(watcher, outcome);
	const evidence = lookup
		? { api: sent.api, lookup: lookup.evidence, witness }
		: { api: sent.api, witness };
	if (outcome.status === 'seen') return { delivered: true, verifiedAt: clock(), evidence };
	if (outcome.status === 'not_seen' && outcome.early) {
		const message =
			'the witness saw a later message of the sender while this one was still missing';
		return {
			classification: verifierFailure('not_observed', 'ambiguous', { message }, outcome.early),
			earlyCheck: {
				result: 'not_landed',
				at: clock(),
				evidence: { by: 'witness', result: 'not_landed', early: outcome.early },
			},
			evidence,
		};
	}
	if (outcome.status === 'not_seen') {
		return {
			classification: verifierFailure('not_observed', 'ambiguous', {
				message: 'the witness did not see the message by the deadline',
			}),
			check: {
				result: 'not_landed',
				at: clock(),
				evidence: { by: 'witness', result: 'not_landed' },
			},
			evidence,
		};
	}
	const note = 'the witness could not be read after the deadline';
	return {
		classification: asWitnessFailure(outcome.error, 'ambiguous'),
		check: { result: 'unknown', at: clock(), evidence: { by: 'witness', result: 'unknown', note } },
		evidence,
	};
}
