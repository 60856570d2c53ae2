/**
 * The per-account restart lease of one process. n8n's static data is loaded when an execution starts and
 * written back whole when it ends (last writer wins), and queue-mode workers start each execution from `{}`,
 * so it cannot keep overlapping runs apart. This registry can: it lives in the process (one module
 * instance per n8n process), and taking the lease is synchronous, so two runs of one process can never both
 * take it. It holds each account's restart history (merged with whatever static data offers) and the
 * restart in progress, if any, which other runs can wait for. No timers: the holding run renews its lease
 * before each step (the restart request for as long as its method may take, each wait of the recovery),
 * and releases it when it ends (try/finally); a lease that was never released (its run vanished)
 * counts as expired once its last renewal runs out, judged when the next run asks.
 */
import type { RequestState } from './request';
import { HOUR_MS, recordRestart, sortedTimes } from './guard';

export interface LeaseHolder {
	/** Whether the holding run has finished. */
	readonly settled: boolean;
	/** When the holding run took the lease. */
	since: number;
	/** After this the lease counts as abandoned. */
	until: number;
	/** Settles with what the holding run ended with. */
	done: Promise<LeaseRelease>;
}

export interface LeaseRelease {
	outcome: string;
	recovered: boolean;
	restartRequestedAt: number | null;
	finishedAt: number;
}

/** One restart in the guard history, with whether the target answered it (sent) or may have got it (maybe_sent). */
export interface GuardHistoryEntry {
	at: number;
	request: Exclude<RequestState, 'not_sent'>;
}

interface AccountEntry {
	history: number[];
	/** Times in `history` whose request may have reached the target without an answer. */
	maybeSent: Set<number>;
	holder: {
		since: number;
		until: number;
		done: Promise<LeaseRelease>;
		settled: boolean;
		token: number;
	} | null;
}

export type LeaseGrant =
	| {
			granted: true;
			history: number[];
			record(at: number, request?: GuardHistoryEntry['request']): number[];
			/** Holds the lease at least until `until` (epoch ms); never shortens it. */
			renew(until: number): void;
			release(result: LeaseRelease): number[];
	  }
	| { granted: false; history: number[]; holder: LeaseHolder };

/** Times of one account kept together: every finite time from both lists, sorted, without duplicates. */
export function mergeHistories(
	...lists: ReadonlyArray<readonly unknown[] | null | undefined>
): number[] {
	const all = sortedTimes(lists.flatMap((list) => (Array.isArray(list) ? list : [])));
	return all.filter((t, i) => i === 0 || t !== all[i - 1]);
}

export class RestartLeases {
	private readonly accounts = new Map<string, AccountEntry>();

	/** A URL key → the QQ number key it turned out to be (see alias). */
	private readonly aliases = new Map<string, string>();

	private counter = 0;

	private entry(key: string): AccountEntry {
		const canonical = this.aliases.get(key) ?? key;
		let entry = this.accounts.get(canonical);
		if (!entry) {
			entry = { history: [], maybeSent: new Set(), holder: null };
			this.accounts.set(canonical, entry);
		}
		return entry;
	}

	/**
	 * From now on `from` (an account's URL key) is `to` (its QQ number key): what `from` holds (history,
	 * a restart in progress) moves to `to`, so a run that took the URL key before the number was known
	 * still keeps runs under the number out.
	 */
	alias(from: string, to: string): void {
		if (from === to || this.aliases.get(from) === to) return;
		this.aliases.set(from, to);
		const old = this.accounts.get(from);
		if (!old) return;
		this.accounts.delete(from);
		const target = this.entry(to);
		target.history = mergeHistories(target.history, old.history);
		for (const at of old.maybeSent) target.maybeSent.add(at);
		if (!target.holder || target.holder.settled) target.holder = old.holder;
	}

	/** The account's guard history in this process with each request's state (output). */
	states(key: string): GuardHistoryEntry[] {
		const entry = this.entry(key);
		return entry.history.map((at) => ({
			at,
			request: entry.maybeSent.has(at) ? 'maybe_sent' : 'sent',
		}));
	}

	/** The account's history in this process, merged with `stored` (static data), kept to the last hour. */
	history(key: string, now: number, stored: readonly unknown[] = []): number[] {
		const entry = this.entry(key);
		const merged = mergeHistories(entry.history, stored);
		const last = merged[merged.length - 1];
		entry.history = merged.filter((t) => t > now - HOUR_MS || t === last);
		for (const at of entry.maybeSent) if (!entry.history.includes(at)) entry.maybeSent.delete(at);
		return entry.history;
	}

	/**
	 * Takes the account's lease unless a run of this process holds it. Synchronous on purpose: the check and
	 * the take cannot be interleaved with another run's.
	 */
	acquire(key: string, now: number, holdMs: number): LeaseGrant {
		const entry = this.entry(key);
		if (entry.holder && entry.holder.until > now) {
			return { granted: false, history: entry.history, holder: entry.holder };
		}
		let resolve!: (release: LeaseRelease) => void;
		const done = new Promise<LeaseRelease>((r) => (resolve = r));
		const token = ++this.counter;
		const holder = { since: now, until: now + holdMs, done, settled: false, token };
		entry.holder = holder;
		// Looked up at each call, not captured: an alias may have moved the account to its QQ number key.
		return {
			granted: true,
			history: entry.history,
			record: (at: number, request: GuardHistoryEntry['request'] = 'sent') => {
				const current = this.entry(key);
				current.history = recordRestart(current.history, at);
				if (request === 'maybe_sent') current.maybeSent.add(at);
				return current.history;
			},
			renew: (until: number) => {
				if (!holder.settled) holder.until = Math.max(holder.until, until);
			},
			release: (result: LeaseRelease) => {
				holder.settled = true;
				const current = this.entry(key);
				if (current.holder?.token === token) current.holder = null;
				resolve(result);
				return current.history;
			},
		};
	}

	/** Forgets everything (tests). */
	clear(): void {
		this.accounts.clear();
		this.aliases.clear();
	}
}

/** The one registry of this process. */
export const processRestartLeases = new RestartLeases();
