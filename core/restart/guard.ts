/** The restart guard: a minimum interval and an hourly cap per account, decided from its restart history. */

export interface RestartGuardPolicy {
	/** Minimum time between two restarts of one account; 0 = none. */
	minIntervalMs: number;
	/** Most restarts of one account in any hour; 0 = no cap. */
	maxPerHour: number;
}

export interface GuardDecision {
	allowed: boolean;
	blockedBy: 'min_interval' | 'hourly_cap' | null;
	lastRestartAt: number | null;
	restartsInLastHour: number;
	/** When the next restart would be allowed; null when it is allowed now. */
	nextAllowedAt: number | null;
}

export const HOUR_MS = 3600000;

export function sortedTimes(history: readonly unknown[]): number[] {
	return history
		.filter((t): t is number => typeof t === 'number' && Number.isFinite(t))
		.sort((a, b) => a - b);
}

/** Decides whether one more restart of an account is allowed, from the times of its earlier restarts. */
export function checkRestartGuard(
	history: readonly unknown[],
	now: number,
	policy: RestartGuardPolicy,
): GuardDecision {
	const times = sortedTimes(history);
	const lastRestartAt = times.length ? times[times.length - 1] : null;
	const lastHour = times.filter((t) => t > now - HOUR_MS && t <= now);
	const decision: GuardDecision = {
		allowed: true,
		blockedBy: null,
		lastRestartAt,
		restartsInLastHour: lastHour.length,
		nextAllowedAt: null,
	};
	if (
		policy.minIntervalMs > 0 &&
		lastRestartAt !== null &&
		now - lastRestartAt < policy.minIntervalMs
	) {
		return {
			...decision,
			allowed: false,
			blockedBy: 'min_interval',
			nextAllowedAt: lastRestartAt + policy.minIntervalMs,
		};
	}
	if (policy.maxPerHour > 0 && lastHour.length >= policy.maxPerHour) {
		// The oldest restart that counts must leave the hour before another one fits.
		const leaving = lastHour[lastHour.length - policy.maxPerHour];
		return {
			...decision,
			allowed: false,
			blockedBy: 'hourly_cap',
			nextAllowedAt: leaving + HOUR_MS,
		};
	}
	return decision;
}

/** Adds a restart to an account's history, keeping only what the guard can still need (the last hour). */
export function recordRestart(history: readonly unknown[], at: number, keepMs = HOUR_MS): number[] {
	const times = sortedTimes([...history, at]);
	const last = times[times.length - 1];
	return times.filter((t) => t > at - keepMs || t === last);
}

/** The guard's key for one account: its QQ number when known, else its OneBot endpoint (normalized). */
export function restartAccountKey(selfId: number | null | undefined, baseUrl: string): string {
	if (typeof selfId === 'number' && Number.isFinite(selfId) && selfId > 0) return `qq:${selfId}`;
	return `url:${normalizeEndpoint(baseUrl)}`;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * One spelling per OneBot endpoint: scheme and host in lower case, `localhost` and `[::1]` as
 * 127.0.0.1, default ports dropped, no trailing slash, query or fragment (an access token in the query
 * is not part of the endpoint). Text that is not a URL is only trimmed and lower-cased.
 */
export function normalizeEndpoint(baseUrl: string): string {
	const trimmed = baseUrl.trim();
	let url: URL;
	try {
		url = new URL(trimmed);
	} catch {
		return trimmed.replace(/\/+$/, '').toLowerCase();
	}
	const host = LOOPBACK_HOSTS.has(url.hostname) ? '127.0.0.1' : url.hostname;
	const port = url.port ? `:${url.port}` : '';
	const path = url.pathname.replace(/\/+$/, '');
	return `${url.protocol}//${host}${port}${path}`;
}
