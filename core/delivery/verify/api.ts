/**
 * API Accepted: the accepted answer is the proof (what accepted means: `checkApiAcceptance` in
 * core/delivery/judge.ts). Arrival is not checked.
 */
import type { AcceptedSend, Verified } from './level';

/** At this level the accepted answer ends the item delivered. */
export function verifyByApi(sent: AcceptedSend): Verified {
	return { delivered: true, verifiedAt: sent.answeredAt, evidence: { api: sent.api } };
}
