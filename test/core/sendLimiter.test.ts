/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, runs outside n8n */
import { SendLimiter } from '../../core/pacing/limiter';
import { scheduledTime } from './pacingTime';

describe('SendLimiter: per-account slots in request order', () => {
	test('an account rate spaces every send of the account evenly, whatever the target', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const limiter = new SendLimiter();
		const grants: string[] = [];
		const slots = ['group:1', 'group:2', 'private:3', 'group:1'].map((targetKey, i) =>
			limiter.acquire({ targetKey, ratePerMinute: 30, minIntervalMs: 0 }, time).then((slot) => {
				grants.push(`${i}@${slot.at - t0}`);
				return slot;
			}),
		);
		const granted = await time.run(Promise.all(slots));
		expect(grants).toEqual(['0@0', '1@2000', '2@4000', '3@6000']);
		expect(granted.map((slot) => slot.waitedMs)).toEqual([0, 2000, 4000, 6000]);
		expect(granted.map((slot) => slot.queuedBehind)).toEqual([0, 1, 2, 3]);
		expect(granted.map((slot) => slot.limitedBy)).toEqual([
			'none',
			'account_rate',
			'account_rate',
			'account_rate',
		]);
	});

	test('the per-target interval applies across callers; other targets never wait for it (no head-of-line blocking)', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const limiter = new SendLimiter();
		const request = (targetKey: string) =>
			limiter.acquire({ targetKey, ratePerMinute: 0, minIntervalMs: 500 }, time);
		const slots = await time.run(
			Promise.all([request('group:1'), request('group:1'), request('group:2'), request('group:1')]),
		);
		expect(slots.map((slot) => slot.at - t0)).toEqual([0, 500, 0, 1000]);
		expect(slots[1].limitedBy).toBe('target_interval');
		expect(slots[2].limitedBy).toBe('none');
	});

	test('two runs sharing the limiter: slots follow the order they were asked for (FIFO), none is skipped', async () => {
		const time = scheduledTime();
		const limiter = new SendLimiter();
		const order: string[] = [];
		const take = (name: string) =>
			limiter
				.acquire({ targetKey: 'group:1', ratePerMinute: 60, minIntervalMs: 1000 }, time)
				.then(() => order.push(name));
		const all = Promise.all([
			take('run1-a'),
			take('run2-a'),
			take('run1-b'),
			take('run2-b'),
			take('run1-c'),
		]);
		await time.run(all);
		expect(order).toEqual(['run1-a', 'run2-a', 'run1-b', 'run2-b', 'run1-c']);
		expect(limiter.granted).toBe(5);
		expect(limiter.queued).toBe(0);
	});

	test('a slot asked for after the interval has passed is granted at once', async () => {
		const time = scheduledTime();
		const limiter = new SendLimiter();
		const settings = { targetKey: 'group:1', ratePerMinute: 6, minIntervalMs: 1000 };
		await time.run(limiter.acquire(settings, time));
		time.advance(10_000);
		const slot = await time.run(limiter.acquire(settings, time));
		expect(slot.waitedMs).toBe(0);
		expect(slot.limitedBy).toBe('none');
	});

	test('a lower rate set by a later caller applies from its slot on', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const limiter = new SendLimiter();
		const fast = { targetKey: 'group:1', ratePerMinute: 120, minIntervalMs: 0 };
		const slow = { ...fast, ratePerMinute: 20 };
		const slots = await time.run(
			Promise.all([
				limiter.acquire(fast, time),
				limiter.acquire(fast, time),
				limiter.acquire(slow, time),
			]),
		);
		expect(slots.map((slot) => slot.at - t0)).toEqual([0, 500, 3500]);
	});
});

describe('SendLimiter: a stopped caller', () => {
	test('leaves at once from behind another caller, takes no slot, and the next caller keeps its turn', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const limiter = new SendLimiter();
		const request = { targetKey: 'group:1', ratePerMinute: 0, minIntervalMs: 5000 };
		const controller = new AbortController();
		const first = limiter.acquire(request, time);
		const stopped = limiter.acquire(request, { ...time, signal: controller.signal });
		const third = limiter.acquire(request, time);
		const outcome = stopped.then(
			() => 'granted',
			(error: Error) => error.name,
		);
		const stopper = time.sleep(1000).then(() => controller.abort());
		const [a, b, c] = await time.run(Promise.all([first, outcome, third, stopper]));
		expect(b).toBe('SlotAbandoned');
		expect([a.at - t0, c.at - t0]).toEqual([0, 5000]);
		expect(limiter.granted).toBe(2);
		expect(limiter.queued).toBe(0);
	});

	test('a booking given back by a stopped caller frees its account slot', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const limiter = new SendLimiter();
		const controller = new AbortController();
		const rate = { ratePerMinute: 30, minIntervalMs: 0 };
		const first = limiter.acquire({ targetKey: 'group:1', ...rate }, time);
		const stopped = limiter
			.acquire({ targetKey: 'group:2', ...rate }, { ...time, signal: controller.signal })
			.catch((error: Error) => error.name);
		const stopper = time.sleep(500).then(() => controller.abort());
		await time.run(Promise.all([first, stopped, stopper]));
		const later = await time.run(limiter.acquire({ targetKey: 'group:3', ...rate }, time));
		expect(later.at - t0).toBe(2000);
		expect(await stopped).toBe('SlotAbandoned');
	});
});

/**
 * Virtual time whose timers fire a few ms late, as real timers do under load; `run` gives up once the
 * clock has passed `limitMs` (a wait that never ends).
 */
function laggingTime(lagMs: number, limitMs: number) {
	let now = 1_700_000_000_000;
	const start = now;
	let seq = 0;
	const timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
	return {
		clock: () => now,
		sleep: (ms: number) =>
			new Promise<void>((resolve) => {
				timers.push({ at: now + Math.max(0, ms) + lagMs, seq: seq++, resolve });
			}),
		start,
		async run<T>(promise: Promise<T>): Promise<T | 'still waiting'> {
			let done = false;
			void promise.then(
				() => (done = true),
				() => (done = true),
			);
			for (;;) {
				await new Promise<void>((resolve) => setImmediate(resolve));
				if (done) return promise;
				if (now - start > limitMs || timers.length === 0) return 'still waiting';
				timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
				const next = timers.shift()!;
				now = Math.max(now, next.at);
				next.resolve();
			}
		},
	};
}

describe('SendLimiter with timers that fire late', () => {
	test('two callers for different targets, both waiting for the account rate, are granted one spacing apart (no leapfrog)', async () => {
		// Seen in real n8n: a group canary and a private canary waiting behind a send of the account booked
		// slots 3 s apart; each woke a few ms late, gave its booking up, found the other's booking closer than one
		// spacing and booked behind it, and so on for minutes.
		const time = laggingTime(7, 120_000);
		const limiter = new SendLimiter();
		const rate = { ratePerMinute: 20, minIntervalMs: 0 };
		await time.run(limiter.acquire({ targetKey: 'group:1', ...rate }, time));
		const both = Promise.all([
			limiter.acquire({ targetKey: 'private:2', ...rate }, time),
			limiter.acquire({ targetKey: 'group:3', ...rate }, time),
		]);
		const granted = await time.run(both);
		expect(granted).not.toBe('still waiting');
		const [first, second] = granted as Array<{ at: number }>;
		expect(first.at - time.start).toBeGreaterThanOrEqual(3000);
		expect(first.at - time.start).toBeLessThan(3100);
		expect(second.at - first.at).toBeGreaterThanOrEqual(3000);
		expect(second.at - time.start).toBeLessThan(6200);
	});
});
