/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, runs outside n8n */
/**
 * Virtual time with a timer queue, for code where several callers sleep at once: `sleep` schedules a
 * wake-up, and `run` moves the clock from one wake-up to the next until the awaited promise settles.
 */
export function scheduledTime(start = 1_700_000_000_000) {
	let now = start;
	let seq = 0;
	const timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
	const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
	return {
		clock: () => now,
		sleep: (ms: number) =>
			new Promise<void>((resolve) => {
				timers.push({ at: now + Math.max(0, ms), seq: seq++, resolve });
			}),
		/** Runs virtual time until `promise` settles; fails if it waits on nothing scheduled. */
		async run<T>(promise: Promise<T>): Promise<T> {
			let done = false;
			promise.then(
				() => (done = true),
				() => (done = true),
			);
			for (;;) {
				await settle();
				if (done) return promise;
				if (timers.length === 0) throw new Error('stuck: the promise waits on nothing scheduled');
				timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
				const next = timers.shift()!;
				now = Math.max(now, next.at);
				next.resolve();
			}
		},
		/** Moves the clock without waking anyone (time passing while nobody sleeps). */
		advance(ms: number) {
			now += ms;
		},
	};
}
