/**
 * Before a send: the sender (and at the witness level the witness) must be identified, and the witness must
 * be able to see the target; then the chat's watcher takes its baseline (so a later check can find the
 * message) and the sender's kernel watcher starts (so its event stream covers the send). Whatever is missing
 * ends the attempt unsent, with the reason.
 */
import type { AccountIdentity } from '../account';
import { verifierFailure } from '../classify';
import type { Classification } from '../types';
import type { DeliveryRequest, DeliverySettings, Identities } from './types';
import { asWitnessFailure } from './verify/witness';
import { witnessProblem } from './watchers';
import type { ChatChecker, RunWatchers } from './watchers';

export type Prepared =
	| { ready: true; sender: AccountIdentity; checker: ChatChecker }
	| {
			ready: false;
			classification: Classification;
			evidence: Record<string, unknown>;
			selfId?: number;
	  };

function notReady(
	classification: Classification,
	evidence: Record<string, unknown>,
	selfId?: number,
): Prepared {
	return { ready: false, classification, evidence, selfId };
}

/** Why the witness level cannot prove this send, before anything is sent, or null. */
function witnessMissing(request: DeliveryRequest, ids: Identities): Prepared | null {
	const selfId = ids.sender.ok ? ids.sender.identity.selfId : undefined;
	if (!ids.witness) {
		const failure = verifierFailure(
			'bad_request',
			'terminal',
			{ message: 'no witness credential' },
			'no_witness',
		);
		return notReady(failure, { witness: { configured: false } }, selfId);
	}
	if (!ids.witness.ok) {
		const error = ids.witness.classification;
		return notReady(
			asWitnessFailure(error),
			{ witness: { identified: false, error: error.raw } },
			selfId,
		);
	}
	const problem = witnessProblem(request.target, ids.witness.identity);
	if (!problem) return null;
	return notReady(
		verifierFailure('bad_request', 'terminal', { message: problem }, 'witness_cannot_see_private'),
		{ witness: { account: ids.witness.identity.selfId, problem } },
		selfId,
	);
}

export async function prepareSend(
	settings: DeliverySettings,
	watchers: RunWatchers,
	request: DeliveryRequest,
	ids: Identities,
): Promise<Prepared> {
	if (!ids.sender.ok) {
		const error = ids.sender.classification;
		return notReady(error, { sender: { identified: false, error: error.raw } });
	}
	const sender = ids.sender.identity;
	const level = settings.verification;
	if (level === 'witness') {
		const missing = witnessMissing(request, ids);
		if (missing) return missing;
	}
	// Started before the send, so its baseline predates the message and a later check can find it.
	const checker = watchers.chatFor(request.target, ids, sender);
	await checker.watcher.start();
	// The sender's own event stream too, so it covers the send (Kernel Confirmed, and checks after a timeout).
	await watchers.kernelFor(sender)?.start();
	const { watcher } = checker;
	if (
		level === 'witness' &&
		watcher.baselineError?.reasonClass === 'terminal' &&
		watcher.eventStream !== 'open'
	) {
		const error = watcher.baselineError;
		const note =
			`The witness cannot read this chat's history (${error.reason}) and has no open event stream, ` +
			"so it could not prove arrival: nothing was sent. Set the witness credential's Event WebSocket URL " +
			'(go-cqhttp has no private history), or check that the witness is in the group.';
		return notReady(
			asWitnessFailure(error),
			{
				witness: {
					account: watcher.identity.selfId,
					readable: false,
					eventStream: watcher.eventStream,
					error: error.raw,
					note,
				},
			},
			sender.selfId,
		);
	}
	return { ready: true, sender, checker };
}
