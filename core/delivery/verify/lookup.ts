/**
 * Sender Lookup: the sender's own `get_msg` finds the message (and yields the server seq where the sender's
 * implementation has one). That proves the kernel kept it, not that anyone received it.
 */
import { classifyCall, verifierFailure } from '../../classify';
import { normaliseForMatch, tryNormaliseForMatch } from '../../message';
import type { OneBotClient } from '../../transport';
import type { Classification, Target } from '../../types';
import { isRecord, toNumber } from '../../values';
import { chatOf, entryServerSeq } from '../../witness';
import type { WitnessEntry, WitnessSeqField } from '../../witness';
import type { AcceptedSend, Verified, VerifyContext } from './level';

export interface LookupRequest {
	messageId: number;
	target: Target;
	senderId: number | null;
	/** `normaliseForMatch` of the message as sent. */
	content: string;
	/** Where the sender's implementation keeps the server seq in `get_msg` data. */
	seqField?: WitnessSeqField;
	timeoutMs: number;
}

export interface LookupResult {
	found: boolean;
	/** The server seq, for group messages on implementations that report it. */
	serverSeq?: number;
	/** Why it was not found: the call's failure, or a mismatch. */
	classification?: Classification;
	evidence: Record<string, unknown>;
}

/**
 * Looks the sent message up with the sender's `get_msg`. Found means the sender's store holds a
 * message with this id, from the sender, in the target chat, with the content sent. That proves the
 * kernel kept it, not that anyone received it: a stuck client shows unsent messages as sent.
 */
export async function lookupSentMessage(
	client: OneBotClient,
	request: LookupRequest,
): Promise<LookupResult> {
	const result = await client.call(
		'get_msg',
		{ message_id: request.messageId },
		{ timeoutMs: request.timeoutMs },
	);
	if (!result.ok) {
		const classification = classifyCall(result.failure);
		return {
			found: false,
			classification,
			evidence: { action: 'get_msg', found: false, error: classification.raw },
		};
	}
	const data = isRecord(result.data) ? result.data : {};
	const problems: string[] = [];
	const sender =
		toNumber(data.user_id) ?? (isRecord(data.sender) ? toNumber(data.sender.user_id) : undefined);
	if (request.senderId !== null && sender !== undefined && sender !== request.senderId)
		problems.push('another sender');
	const chat = chatOf(data);
	if (chat.type !== undefined && chat.type !== request.target.type)
		problems.push('another chat type');
	if (
		request.target.type === 'group' &&
		chat.groupId !== undefined &&
		chat.groupId !== request.target.id
	) {
		problems.push('another group');
	}
	const sameContent =
		(data.message !== undefined && tryNormaliseForMatch(data.message) === request.content) ||
		(typeof data.raw_message === 'string' &&
			tryNormaliseForMatch(data.raw_message) === request.content);
	if (!sameContent) problems.push('other content');
	if (problems.length > 0) {
		return {
			found: false,
			classification: verifierFailure(
				'lookup_failed',
				'ambiguous',
				{
					status: result.envelope.status,
					retcode: result.envelope.retcode,
					message: `get_msg returned ${problems.join(', ')}`,
				},
				'lookup_mismatch',
			),
			evidence: { action: 'get_msg', found: false, mismatch: problems },
		};
	}
	const seq =
		request.target.type === 'group'
			? entryServerSeq(data as WitnessEntry, request.seqField)
			: undefined;
	const evidence: Record<string, unknown> = { action: 'get_msg', found: true };
	// Seq 0 is what a kernel gives a message the server never numbered.
	if (seq !== undefined && seq > 0) {
		evidence.serverSeq = seq;
		return { found: true, serverSeq: seq, evidence };
	}
	return { found: true, evidence };
}

/** The sender's `get_msg` of an accepted send. */
export function lookUpSent(sent: AcceptedSend, context: VerifyContext): Promise<LookupResult> {
	return lookupSentMessage(context.env.sender.client, {
		messageId: sent.messageId,
		target: sent.request.target,
		senderId: sent.sender.selfId,
		content: normaliseForMatch(sent.request.message),
		seqField: sent.sender.implementation.seqField,
		timeoutMs: context.settings.requestTimeoutMs,
	});
}

/** Found ends the item delivered; not found may still have arrived, so it is checked before any resend. */
export async function verifyByLookup(
	sent: AcceptedSend,
	context: VerifyContext,
): Promise<Verified> {
	const lookup = await lookUpSent(sent, context);
	const evidence = { api: sent.api, lookup: lookup.evidence };
	if (lookup.found) return { delivered: true, verifiedAt: context.clock(), evidence };
	const failure = lookup.classification!;
	// Accepted, so it may have arrived: unless the lookup can never work, check before any resend.
	const classification: Classification =
		failure.reasonClass === 'terminal' ? failure : { ...failure, reasonClass: 'ambiguous' };
	return { classification, evidence };
}
