/**
 * What every verification level gets (an accepted send) and gives back (the attempt's end, as far as the
 * level decides it). One file per level: api.ts, lookup.ts, witness.ts, kernel.ts.
 */
import type { AccountIdentity } from '../../account';
import type { Clock } from '../../types';
import type {
	AttemptResult,
	DeliveryEnvironment,
	DeliveryRequest,
	DeliverySettings,
} from '../types';
import type { ChatChecker } from '../watchers';

export interface AcceptedSend {
	request: DeliveryRequest;
	sender: AccountIdentity;
	messageId: number;
	sentAt: number;
	answeredAt: number;
	/** The `api` part of the evidence: `{ accepted: true, attempt, messageId }`. */
	api: Record<string, unknown>;
	/** Who watches the target's chat (its baseline was taken before the send). */
	checker: ChatChecker;
}

export interface VerifyContext {
	settings: DeliverySettings;
	env: DeliveryEnvironment;
	clock: Clock;
}

/** A level's verdict on an accepted send: the attempt's fields it decides. */
export type Verified = Partial<AttemptResult> & { evidence: Record<string, unknown> };
