/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, runs outside n8n */
/**
 * The world's timers on its clock: every one is tracked so closing the world stops them all, and a reset
 * starts a new generation so work scheduled before it is dropped.
 */
import type { Clock } from '../clock';

export class Timers {
	private readonly pending = new Set<NodeJS.Timeout>();
	private closedFlag = false;
	/** bumped by a reset: deliveries scheduled before it are dropped */
	generation = 0;

	constructor(private readonly clock: Clock) {}

	get closed(): boolean {
		return this.closedFlag;
	}

	later(ms: number, fn: () => void): NodeJS.Timeout {
		const t = this.clock.setTimeout(() => {
			this.pending.delete(t);
			if (!this.closedFlag) fn();
		}, ms);
		this.pending.add(t);
		return t;
	}

	/** `fn` every `ms` on the clock, until cancelled or the world closes. */
	every(ms: number, fn: () => void): NodeJS.Timeout {
		const t = this.clock.setInterval(fn, ms);
		this.pending.add(t);
		return t;
	}

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const t = this.clock.setTimeout(() => {
				this.pending.delete(t);
				resolve();
			}, ms);
			this.pending.add(t);
		});
	}

	cancel(t: NodeJS.Timeout | undefined): void {
		if (!t) return;
		clearTimeout(t);
		clearInterval(t);
		this.pending.delete(t);
	}

	close(): void {
		this.closedFlag = true;
		for (const t of this.pending) {
			clearTimeout(t);
			clearInterval(t);
		}
		this.pending.clear();
	}
}
