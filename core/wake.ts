/**
 * Wakes waiters when something they wait for may have arrived (an event on the stream, the stream opening
 * or closing, the watcher closing), so a wait ends on the event instead of at its next periodic check.
 * No timers: the injected sleep still bounds every wait (deadlines, the periodic check), and the wake-up
 * only ends it sooner.
 */
import type { Sleep } from './types';

export class Wake {
	private readonly waiters = new Set<() => void>();

	/** Ends every wait in progress. Waits started later wait for the next call. */
	notify(): void {
		const waiters = [...this.waiters];
		this.waiters.clear();
		for (const resolve of waiters) resolve();
	}

	/**
	 * Sleeps `ms` with the injected sleep, or less when `notify()` is called first. A wait that the sleep
	 * ends leaves nothing registered behind; a sleep that the wake-up cut short runs out on its own.
	 */
	async sleep(sleep: Sleep, ms: number): Promise<void> {
		let resolve!: () => void;
		const woken = new Promise<void>((done) => (resolve = done));
		this.waiters.add(resolve);
		try {
			await Promise.race([sleep(ms), woken]);
		} finally {
			this.waiters.delete(resolve);
		}
	}

	/** How many waits are in progress (for tests and evidence). */
	get waiting(): number {
		return this.waiters.size;
	}
}
