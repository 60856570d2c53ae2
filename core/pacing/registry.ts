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

/** Per-account pacing, each made on first use; `all` holds every account's pacing made so far. */
export interface PacingRegistry {
	all: Map<string, AccountPacing>;
	/** The account's pacing, made on first use. The key is the account's QQ number. */
	pacing(selfId: number | string): AccountPacing;
}

/** A registry of its own: the process-wide one below, or one per simulated world in the tools. */
export function pacingRegistry(): PacingRegistry {
	const all = new Map<string, AccountPacing>();
	return {
		all,
		pacing: (selfId) => {
			const key = String(selfId);
			let pacing = all.get(key);
			if (!pacing) {
				pacing = { limiter: new SendLimiter(), breaker: new CircuitBreaker() };
				all.set(key, pacing);
			}
			return pacing;
		},
	};
}

const processWide = pacingRegistry();
const accounts = processWide.all;

/** The account's pacing in this process, made on first use. The key is the account's QQ number. */
export function accountPacing(selfId: number | string): AccountPacing {
	return processWide.pacing(selfId);
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
