/**
 * The judge stage: what a send's answer means, with the implementation's profile (core/implementations/).
 * A refusal is classified (core/classify.ts) and, where the
 * profile says the wording is shared with a hung kernel, looked at once more; a delivered item's basis says
 * what its proof was for this implementation.
 */
import type { AccountIdentity } from '../account';
import { acceptedMessageId, checkSendAccepted, classifyCall, verifierFailure } from '../classify';
import type { CallResult, OneBotClient } from '../transport';
import type { Classification, Target, VerificationLevel } from '../types';
import type { Identities } from './types';

export type SendAcceptance =
	| { accepted: true; messageId: number }
	| { accepted: false; classification: Classification };

/**
 * Whether the send's answer accepted the message. Accepted means: status ok, retcode 0, and a non-zero
 * message_id that no earlier, different send already got (`seenMessageIds`).
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

/** What a level's evidence is, for the `evidence.basis` field users read. */
export const BASIS: Record<VerificationLevel, string> = {
	api: 'api_accepted',
	lookup: 'sender_lookup',
	witness: 'witness_saw_message',
	kernel: 'kernel_confirmed',
};

/**
 * The basis of a delivered item: at Kernel Confirmed an `ok` answer is the kernel's confirmation only where
 * the implementation answers after sendStatus 2 (LLOneBot, NapCat); elsewhere it proved only that the API
 * accepted the message (docs/compatibility.md, table 'Kernel confirmation').
 */
export async function deliveredBasis(
	level: VerificationLevel,
	identify: () => Promise<Identities>,
): Promise<string> {
	if (level !== 'kernel') return BASIS[level];
	const ids = await identify();
	const okAnswer = ids.sender.ok && ids.sender.identity.implementation.kernelProof.okAnswer;
	return okAnswer ? BASIS.kernel : BASIS.api;
}

/** A refused send: its class (perhaps judged again) and the `api` evidence. */
export async function judgeRefusal(
	refusal: Classification,
	attempt: number,
	target: Target,
	sender: AccountIdentity,
	client: OneBotClient,
	timeoutMs: number,
): Promise<{ classification: Classification; evidence: Record<string, unknown> }> {
	const friend = await nonFriendCheck(target, sender, refusal, client, timeoutMs);
	const api = { accepted: false, attempt };
	return {
		classification: friend?.classification ?? refusal,
		evidence: friend ? { api, friendCheck: friend.evidence } : { api },
	};
}

/**
 * NapCat answers a private message to a non-friend with the same `Timeout ... EventRet: {}` as a hung
 * kernel (NapCatQQ #600; docs/compatibility.md, row 'NapCat ≥ 3 Timeout ... EventRet {}'). Before that is
 * treated as ambiguous, `get_friend_list` says whether the target is a friend at all: a non-friend ends
 * terminal (`not_friend`), never resent.
 */
async function nonFriendCheck(
	target: Target,
	sender: AccountIdentity,
	failure: Classification,
	client: OneBotClient,
	timeoutMs: number,
): Promise<{ classification?: Classification; evidence: Record<string, unknown> } | undefined> {
	if (target.type !== 'private' || !sender.implementation.privateNonFriendTimeout) return undefined;
	if (failure.reason !== 'send_timeout' || failure.detail !== 'napcat_kernel_no_answer')
		return undefined;
	const result = await client.call('get_friend_list', {}, { timeoutMs });
	if (!result.ok || !Array.isArray(result.data)) {
		return { evidence: { action: 'get_friend_list', readable: false } };
	}
	const friends = result.data as Array<{ user_id?: unknown }>;
	const isFriend = friends.some((friend) => Number(friend?.user_id) === target.id);
	if (isFriend) return { evidence: { action: 'get_friend_list', friend: true } };
	return {
		classification: verifierFailure(
			'not_friend',
			'terminal',
			failure.raw,
			'napcat_private_not_friend',
		),
		evidence: { action: 'get_friend_list', friend: false, friends: friends.length },
	};
}
