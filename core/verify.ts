/**
 * Verifiers for a sent message, from weakest to strongest evidence:
 * - API acceptance: the reply carries a usable, fresh message_id.
 * - Sender lookup: the sender's own `get_msg` finds the message (and yields the server seq where the
 *   sender's implementation has one).
 * - Chat watch (core/chatWatcher.ts): an account's history and event stream.
 */
import { acceptedMessageId, checkSendAccepted, classifyCall, verifierFailure } from './classify';
import { tryNormaliseForMatch } from './message';
import type { CallResult, OneBotClient } from './transport';
import type { Classification, Target } from './types';
import { chatOf, entryServerSeq } from './witness';
import type { WitnessEntry, WitnessSeqField } from './witness';
import { isRecord, toNumber } from './values';

// Moved: verifierFailure lives in core/classify.ts, chatOf in core/witness.ts (the chat and kernel
// watchers need them without importing the verifiers).
export { verifierFailure } from './classify';

// ---------------------------------------------------------------------------------- API acceptance

export type SendAcceptance =
	| { accepted: true; messageId: number }
	| { accepted: false; classification: Classification };

/**
 * Accepted means: status ok, retcode 0, and a non-zero message_id that no earlier, different send
 * already got (`seenMessageIds`).
 */
export function checkApiAcceptance(
	result: CallResult,
	seenMessageIds: ReadonlySet<number>,
	targetType: Target['type'],
): SendAcceptance {
	if (!result.ok)
		return { accepted: false, classification: classifyCall(result.failure, { targetType }) };
	const rejection = checkSendAccepted(result.data, seenMessageIds, {
		httpStatus: result.httpStatus,
		status: result.envelope.status,
		retcode: result.envelope.retcode,
	});
	if (rejection) return { accepted: false, classification: rejection };
	return { accepted: true, messageId: acceptedMessageId(result.data) as number };
}

// ---------------------------------------------------------------------------------- sender lookup

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
