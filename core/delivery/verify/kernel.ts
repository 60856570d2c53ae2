/**
 * Kernel Confirmed: the QQ kernel's own confirmation. NapCat and LLOneBot answer ok only once the kernel
 * confirmed the send (sendStatus 2: core/kernel.ts), so an ok answer is the proof where the profile says so
 * (docs/compatibility.md, table 'Kernel confirmation'). After a failed send, the sender's own confirmations
 * (a late self message, a raw record) show whether it landed anyway.
 */
import { verifierFailure } from '../../classify';
import type { KernelOutcome, KernelWatcher } from '../../kernel';
import type { Clock } from '../../types';
import type { AttemptResult, DeliveryRequest, LandingCheck } from '../types';
import { verifyByApi } from './api';
import type { AcceptedSend, Verified } from './level';

/**
 * At this level the ok answer ends the item delivered, as at API Accepted; its basis (core/delivery/judge.ts)
 * says whether the ok answer was the kernel's confirmation for this implementation.
 */
export function verifyByKernel(sent: AcceptedSend): Verified {
	return verifyByApi(sent);
}

/**
 * Waits for the sender's own confirmation of a failed send until the deadline. Landed or failed in the
 * kernel settle the check; anything else leaves it to the chat check, with the kernel's evidence.
 */
export async function kernelConfirmation(
	watcher: KernelWatcher,
	request: DeliveryRequest,
	tried: AttemptResult,
	deadlineAt: number,
	clock: Clock,
): Promise<{ check?: LandingCheck; kernel: Record<string, unknown> }> {
	const outcome: KernelOutcome = await watcher.waitFor({
		target: request.target,
		message: request.message,
		sentAt: tried.sentAt!,
		deadlineAt,
	});
	const kernel = { ...outcome };
	if (outcome.status === 'confirmed') {
		if (outcome.messageId !== null) tried.record.messageId = outcome.messageId;
		const landedBy =
			outcome.via === 'self_event'
				? "the kernel confirmed it late (the sender's own message_sent event)"
				: "the kernel confirmed it late (sendStatus 2 in the sender's raw record)";
		return {
			check: {
				result: 'landed',
				at: clock(),
				evidence: { by: 'kernel', result: 'landed', kernel },
				landedBy,
			},
			kernel,
		};
	}
	if (outcome.status === 'failed_in_kernel') {
		const note = "the sender's raw record says the kernel failed the send (sendStatus 0)";
		return {
			check: {
				result: 'not_landed',
				at: clock(),
				evidence: { by: 'kernel', result: 'not_landed', kernel, note },
			},
			kernel,
		};
	}
	return { kernel };
}

/** Kernel Confirmed: an ambiguous send failure that was not confirmed ends `not_confirmed` (its raw error kept). */
export function asNotConfirmed(
	check: LandingCheck,
	tried: AttemptResult,
	kernel: Record<string, unknown>,
): LandingCheck {
	const failure = tried.classification;
	if (check.result === 'landed' || failure?.reasonClass !== 'ambiguous') return check;
	const reclassified = verifierFailure('not_confirmed', 'ambiguous', failure.raw, failure.reason);
	return { ...check, evidence: { ...check.evidence, kernel }, reclassified };
}
