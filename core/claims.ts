/**
 * The process-wide claim registry: which entry of an account's store (a witness's message in a chat, a
 * sender's own self message or record) has already been taken as the proof of one send. An entry proves one
 * send only, whichever run asks: two overlapping runs sending the same text to one group, of which the client
 * dropped one copy, find one entry between them, not one each.
 *
 * Shared by every run in this process (module memory, like the pacing registry, never workflow static data),
 * keyed by what identifies the store: the reading account's QQ number and the chat, never a URL as typed.
 * In queue mode each worker has its own registry: docs/queue-mode.md says what that leaves open and what to do.
 */

/** Claims kept per store; the oldest go first (an entry that old is outside every send's time window). */
const CLAIMS_KEPT_PER_STORE = 5000;

/**
 * How long a claim holds. Callers put the entry's own time in its key where it has one, so an id an
 * implementation gives again later (a seq-based id after a client restart) is a new entry; a claim on a bare
 * message_id (an `ok` answer) ends after this.
 */
export const CLAIM_HELD_MS = 60 * 60_000;

type Store = Map<string, number>;

const stores = new Map<string, Store>();

/** The claims on one store, shared by every run of the process. */
export class StoreClaims {
	constructor(private readonly claims: Store) {}

	/** Whether another send already took `entry` (at `now`, on the caller's clock). */
	has(entry: string, now: number): boolean {
		const at = this.claims.get(entry);
		return at !== undefined && now - at <= CLAIM_HELD_MS;
	}

	/** Takes `entry` as proof at `now`; false when another send already holds it. */
	claim(entry: string, now: number): boolean {
		if (this.has(entry, now)) return false;
		this.claims.delete(entry);
		this.claims.set(entry, now);
		if (this.claims.size > CLAIMS_KEPT_PER_STORE) {
			const oldest = this.claims.keys().next().value;
			if (oldest !== undefined) this.claims.delete(oldest);
		}
		return true;
	}
}

/** The store a witness reads: its account and the chat (`group:<id>` or `private:<peer>`). */
export function chatStoreKey(accountId: number, chat: string): string {
	return `chat|${accountId}|${chat}`;
}

/** The sender's own confirmations (self messages, raw records, message_ids of accepted sends). */
export function selfStoreKey(selfId: number): string {
	return `self|${selfId}`;
}

/** The claims on a store, made on first use. */
export function claimsOn(storeKey: string): StoreClaims {
	let claims = stores.get(storeKey);
	if (!claims) {
		claims = new Map();
		stores.set(storeKey, claims);
	}
	return new StoreClaims(claims);
}

/** Forgets every claim (tests start from a clean process state, as a fresh n8n process would). */
export function resetAllClaims(): void {
	stores.clear();
}
