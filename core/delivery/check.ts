/**
 * The check stage: did a failed send land? One function, `checkLanding`, called by the engine exactly when
 * the retry decision says so (`checkFirst`, core/retry.ts) and the send went out. It looks, in this order:
 * 1. what the attempt's own verification already settled (the witness at its deadline), or, for an item that
 *    is not resent, what the witness concluded early;
 * 2. for a send that failed itself (timeout, empty answer), the sender's own confirmations: a late one ends
 *    delivered; a kernel that reports the send failed (raw status 0) allows the resend;
 * 3. the chat: the witness if it can see the target, else the sender's own history. Absent from the sender's
 *    history means the kernel never stored it (safe to resend); present proves nothing (a stuck client shows
 *    unsent messages as sent), so the item fails without a resend; unreadable, likewise.
 * The absence of a self message alone never decides (NapCat may confirm up to 10 minutes later, and a NOSEQ
 * send is never pushed). So a retry never delivers an input twice, as long as every copy that arrives
 * reaches the witness (or the sender's store) before the deadline.
 */
import type { RetryDecision } from '../retry';
import type { AttemptResult, DeliveryRequest, Identities, LandingCheck } from './types';
import type { VerifyContext } from './verify/level';
import { asNotConfirmed, kernelConfirmation } from './verify/kernel';
import { witnessEvidence } from './verify/witness';
import type { RunWatchers } from './watchers';

export interface CheckContext extends VerifyContext {
	watchers: RunWatchers;
	identify: () => Promise<Identities>;
}

export async function checkLanding(
	context: CheckContext,
	request: DeliveryRequest,
	tried: AttemptResult,
	decision: RetryDecision,
): Promise<LandingCheck> {
	if (tried.check) return tried.check;
	if (decision.action === 'stop' && tried.earlyCheck) return tried.earlyCheck;
	const { clock, settings, watchers } = context;
	const kernelLevel = settings.verification === 'kernel';
	const deadlineAt = (tried.answeredAt ?? clock()) + settings.deadlineMs;
	const watcher =
		tried.record.outcome === 'failed' &&
		tried.selfId !== undefined &&
		settings.selfEventCheck !== false &&
		!watchers.isClosed
			? watchers.kernel
			: undefined;
	if (!watcher) {
		const check = await checkChat(context, request, tried, deadlineAt);
		return kernelLevel ? asNotConfirmed(check, tried, { status: 'not_checked' }) : check;
	}
	const confirmation = await kernelConfirmation(watcher, request, tried, deadlineAt, clock);
	const { kernel } = confirmation;
	if (confirmation.check?.result === 'landed') return confirmation.check;
	if (confirmation.check)
		return kernelLevel ? asNotConfirmed(confirmation.check, tried, kernel) : confirmation.check;
	const check = await checkChat(context, request, tried, deadlineAt);
	const merged: LandingCheck = { ...check, evidence: { ...check.evidence, kernel } };
	return kernelLevel ? asNotConfirmed(merged, tried, kernel) : merged;
}

/** The chat's word: waits up to the deadline after the answer, and never concludes early. */
async function checkChat(
	context: CheckContext,
	request: DeliveryRequest,
	tried: AttemptResult,
	deadlineAt: number,
): Promise<LandingCheck> {
	const { clock } = context;
	const ids = await context.identify();
	if (!ids.sender.ok) {
		const note = 'the sender could not be identified';
		return { result: 'unknown', at: clock(), evidence: { by: 'none', result: 'unknown', note } };
	}
	const { watcher, by } = context.watchers.chatFor(request.target, ids, ids.sender.identity);
	const watch = watcher.expect({
		senderId: ids.sender.identity.selfId,
		message: request.message,
		sentAt: tried.sentAt!,
		deadlineAt,
		// The check before a resend waits for the full deadline: an early signal never triggers a resend.
		concludeEarly: false,
	});
	const outcome = await watcher.waitFor(watch);
	const base =
		by === 'witness'
			? witnessEvidence(watcher, outcome)
			: { account: watcher.identity.selfId, ...outcome };
	if (outcome.status === 'unreadable') {
		const note =
			by === 'witness'
				? 'the witness could not be read, so whether the message arrived is unknown'
				: "the sender's own history could not be read and no witness can see this target, so nothing can tell whether the message arrived";
		return { result: 'unknown', at: clock(), evidence: { ...base, by, result: 'unknown', note } };
	}
	if (by === 'witness') {
		const result = outcome.status === 'seen' ? 'landed' : 'not_landed';
		return { result, at: clock(), evidence: { ...base, by, result } };
	}
	if (outcome.status === 'seen') {
		const note =
			"the sender's own history holds the message: that happens when it arrived and also when the client is stuck " +
			'and shows an unsent message as sent. Only a witness can tell; add one to resend safely.';
		return { result: 'unknown', at: clock(), evidence: { ...base, by, result: 'unknown', note } };
	}
	const note = "the sender's own history does not hold the message: the kernel never stored it";
	return {
		result: 'not_landed',
		at: clock(),
		evidence: { ...base, by, result: 'not_landed', note },
	};
}
