/**
 * The process-wide registry of per-account pacing: one send limiter and one circuit breaker per QQ
 * account, shared by every execution in this process (module memory, never workflow static data: n8n
 * writes static data back whole when an execution ends, so it cannot be shared between runs).
 *
 * In queue mode each worker process has its own registry: pacing and the breaker hold per process.
 */
import { CircuitBreaker } from './breaker';
import { SendLimiter } from './limiter';

export interface AccountPacing {
	limiter: SendLimiter;
	breaker: CircuitBreaker;
}

const accounts = new Map<string, AccountPacing>();

/** The account's pacing, made on first use. The key is the account's QQ number. */
export function accountPacing(selfId: number | string): AccountPacing {
	const key = String(selfId);
	let pacing = accounts.get(key);
	if (!pacing) {
		pacing = { limiter: new SendLimiter(), breaker: new CircuitBreaker() };
		accounts.set(key, pacing);
	}
	return pacing;
}

/** The account's pacing if any execution in this process has used it. */
export function knownAccountPacing(selfId: number | string): AccountPacing | undefined {
	return accounts.get(String(selfId));
}

/** Closes the account's breaker at once (a restart that recovered, a healthy probe). */
export function closeAccountBreaker(selfId: number | string, by: string): boolean {
	return accounts.get(String(selfId))?.breaker.close(by) ?? false;
}

/** Forgets every account (tests start from a clean process state). */
export function resetAllAccountPacing(): void {
	accounts.clear();
}
