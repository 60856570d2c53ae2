/**
 * The send stage: one attempt's API call. In the item's slot of the run's lane it passes the account's gate
 * (when paced), checks Stop at the last moment before the world changes, sends, and reads the answer. A
 * refused or timed-out send tells the breaker before the lane lets the next send go.
 */
import type { AccountIdentity } from '../account';
import { verifierFailure } from '../classify';
import type { Permit } from './admit';
import type { ItemGate } from './gate';
import { checkApiAcceptance } from './judge';
import type { SendAcceptance } from './judge';
import type { SendTicket } from './lane';
import { DeliveryStopped } from './types';
import type { DeliveryEnvironment, DeliveryRequest, DeliverySettings } from './types';
import type { Classification } from '../types';

export interface SendContext {
	settings: DeliverySettings;
	env: DeliveryEnvironment;
	/** message_ids earlier sends got (read here; the engine adds an accepted send's id). */
	seenMessageIds: ReadonlySet<number>;
	stopReason: () => string | null;
}

export type Sent =
	/** The breaker stayed open for the whole hold: nothing was sent. */
	| { held: true; permit: Permit; classification: Classification }
	| {
			held: false;
			acceptance: SendAcceptance;
			sentAt: number;
			answeredAt: number;
			permit?: Permit;
	  };

export async function sendOnce(
	context: SendContext,
	gate: ItemGate,
	ticket: SendTicket,
	request: DeliveryRequest,
	sender: AccountIdentity,
): Promise<Sent> {
	const { settings, env } = context;
	const { target, message } = request;
	const action = target.type === 'group' ? 'send_group_msg' : 'send_private_msg';
	const params =
		target.type === 'group' ? { group_id: target.id, message } : { user_id: target.id, message };
	let permit: Permit | undefined;
	let sentAt = 0;
	const acceptance = await ticket.run(async (at) => {
		if (gate.paced) {
			permit = await gate.pass(target, sender.selfId);
			if (!permit.admitted) return undefined;
			at = env.clock();
		}
		// The last moment before the world changes: after every wait (lane, breaker, slot), right before the call.
		const stop = context.stopReason();
		if (stop) throw new DeliveryStopped(stop);
		sentAt = at;
		const answer = await env.sender.client.call(action, params, {
			timeoutMs: settings.requestTimeoutMs,
		});
		const read = checkApiAcceptance(answer, context.seenMessageIds, target.type);
		// Before the lane lets the next send go: a refused or timed-out send tells the breaker now.
		if (!read.accepted) await gate.record(permit, sender.selfId, read.classification);
		return read;
	});
	if (acceptance === undefined) {
		const message = `held back ${permit!.breakerWaitMs} ms while the account's circuit breaker was open; not sent`;
		return {
			held: true,
			permit: permit!,
			classification: verifierFailure('circuit_open', 'account', { message }),
		};
	}
	return { held: false, acceptance, sentAt, answeredAt: env.clock(), permit };
}
