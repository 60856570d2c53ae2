/**
 * The per-account restart lease of one process. n8n's static data is loaded when an execution starts and
 * written back whole when it ends (last writer wins), and queue-mode workers start each execution from `{}`,
 * so it cannot keep overlapping runs apart. This registry can: it lives in the process (one module
 * instance per n8n process), and taking the lease is synchronous, so two runs of one process can never both
 * take it. It holds each account's restart history (merged with whatever static data offers) and the
 * restart in progress, if any, which other runs can wait for. No timers: a lease that was never released
 * (its run vanished) counts as expired after its hold time, judged when the next run asks.
 */
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

interface AccountEntry {
	history: number[];
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
			record(at: number): number[];
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

	private counter = 0;

	private entry(key: string): AccountEntry {
		let entry = this.accounts.get(key);
		if (!entry) {
			entry = { history: [], holder: null };
			this.accounts.set(key, entry);
		}
		return entry;
	}

	/** The account's history in this process, merged with `stored` (static data), kept to the last hour. */
	history(key: string, now: number, stored: readonly unknown[] = []): number[] {
		const entry = this.entry(key);
		const merged = mergeHistories(entry.history, stored);
		const last = merged[merged.length - 1];
		entry.history = merged.filter((t) => t > now - HOUR_MS || t === last);
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
		return {
			granted: true,
			history: entry.history,
			record: (at: number) => {
				entry.history = recordRestart(entry.history, at);
				return entry.history;
			},
			release: (result: LeaseRelease) => {
				holder.settled = true;
				if (entry.holder?.token === token) entry.holder = null;
				resolve(result);
				return entry.history;
			},
		};
	}

	/** Forgets everything (tests). */
	clear(): void {
		this.accounts.clear();
	}
}

/** The one registry of this process. */
export const processRestartLeases = new RestartLeases();
