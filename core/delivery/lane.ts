/**
 * The run's send lane: serialises the sender's sends in reservation order and spaces sends to one target.
 * A ticket is reserved when an item starts (so first attempts go out in input order) or when it decides to
 * retry. A ticket is one slot in the lane: it is used by `run` or given up by `cancel`, and the item that
 * holds it cancels it when it ends (a no-op once used), so a stop or a crash never leaves the lane blocked.
 */
import type { Clock, Sleep } from '../types';
import { DeliveryStopped } from './types';

export interface SendTicket {
	run<T>(send: (sentAt: number) => Promise<T>): Promise<T>;
	/** Gives the slot up without sending (the attempt failed before it, or the item ended). */
	cancel(): void;
}

export class SendLane {
	private tail: Promise<void> = Promise.resolve();

	private readonly lastSendAt = new Map<string, number>();

	constructor(
		private readonly minIntervalMs: number,
		private readonly sleep: Sleep,
		private readonly clock: Clock,
		/** Why no send may go out any more (engine closed, run cancelled), or null. */
		private readonly stopped: () => string | null,
	) {}

	reserve(key: string): SendTicket {
		const previous = this.tail;
		let release!: () => void;
		this.tail = new Promise<void>((resolve) => {
			release = resolve;
		});
		let used = false;
		const run = async <T>(send: (sentAt: number) => Promise<T>): Promise<T> => {
			used = true;
			await previous;
			try {
				const last = this.lastSendAt.get(key);
				const wait = last === undefined ? 0 : last + this.minIntervalMs - this.clock();
				if (wait > 0) await this.sleep(wait);
				const stop = this.stopped();
				if (stop) throw new DeliveryStopped(stop);
				const sentAt = this.clock();
				this.lastSendAt.set(key, sentAt);
				return await send(sentAt);
			} finally {
				release();
			}
		};
		const cancel = () => {
			if (used) return;
			used = true;
			void previous.then(release);
		};
		return { run, cancel };
	}
}
