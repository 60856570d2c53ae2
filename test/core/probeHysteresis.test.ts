import { applyHysteresis, hysteresisKey, pruneHistories } from '../../core/probe';
import type { HysteresisMemory, HysteresisSettings, ProbeState } from '../../core/probe';

const clock = () => Date.UTC(2026, 10, 26, 12, 0, 0);

/** Feeds observed results one by one and returns the debounced state and `changed` after each. */
function run(
	observed: ProbeState[],
	settings: HysteresisSettings = { failureThreshold: 3, recoveryThreshold: 2 },
) {
	let memory: HysteresisMemory | undefined;
	return observed.map((state) => {
		const outcome = applyHysteresis(memory, state, settings, clock);
		memory = outcome.memory;
		return { state: outcome.state, changed: outcome.changed, previous: outcome.previousState };
	});
}

describe('probe hysteresis', () => {
	it('starts at up (as Gatus starts healthy) and goes down only after 3 consecutive failures', () => {
		const steps = run(['down', 'down', 'down', 'down']);
		expect(steps.map((s) => s.state)).toEqual(['up', 'up', 'down', 'down']);
		expect(steps.map((s) => s.changed)).toEqual([false, false, true, false]);
		expect(steps[2].previous).toBe('up');
	});

	it('a success in between restarts the failure count', () => {
		const steps = run(['down', 'down', 'up', 'down', 'down', 'down']);
		expect(steps.map((s) => s.state)).toEqual(['up', 'up', 'up', 'up', 'up', 'down']);
	});

	it('comes back up only after 2 consecutive successes', () => {
		const steps = run(['down', 'down', 'down', 'up', 'down', 'up', 'up']);
		expect(steps.map((s) => s.state)).toEqual(['up', 'up', 'down', 'down', 'down', 'down', 'up']);
		expect(steps.filter((s) => s.changed)).toHaveLength(2);
		expect(steps[6]).toEqual({ state: 'up', changed: true, previous: 'down' });
	});

	it('never flaps on alternating results, from up or from down', () => {
		const fromUp = run(['up', 'down', 'up', 'down', 'up', 'down', 'up', 'down']);
		expect(fromUp.every((s) => s.state === 'up' && !s.changed)).toBe(true);
		const fromDown = run(['down', 'down', 'down', 'up', 'down', 'up', 'down', 'up', 'down']);
		expect(fromDown.slice(2).every((s) => s.state === 'down')).toBe(true);
		expect(fromDown.filter((s) => s.changed)).toHaveLength(1);
	});

	it('moves to degraded after 3 results worse than up and to the mildest of them', () => {
		expect(run(['degraded', 'down', 'down']).map((s) => s.state)).toEqual(['up', 'up', 'degraded']);
		const steps = run(['degraded', 'down', 'down', 'down']);
		expect(steps.map((s) => s.state)).toEqual(['up', 'up', 'degraded', 'down']);
		expect(steps.map((s) => s.changed)).toEqual([false, false, true, true]);
	});

	it('recovers from down to the worst of the last results (degraded), then to up', () => {
		const steps = run(['down', 'down', 'down', 'degraded', 'up', 'up']);
		expect(steps.map((s) => s.state)).toEqual(['up', 'up', 'down', 'down', 'degraded', 'up']);
	});

	it('honours other thresholds, thresholds of 1 act at once', () => {
		expect(
			run(['down', 'up'], { failureThreshold: 1, recoveryThreshold: 1 }).map((s) => s.state),
		).toEqual(['down', 'up']);
		const steps = run(['down', 'down', 'up', 'up', 'up'], {
			failureThreshold: 2,
			recoveryThreshold: 3,
		});
		expect(steps.map((s) => s.state)).toEqual(['up', 'down', 'down', 'down', 'up']);
	});

	it('keeps a bounded history and reports whether it started empty', () => {
		let memory: HysteresisMemory | undefined;
		const first = applyHysteresis(
			memory,
			'up',
			{ failureThreshold: 3, recoveryThreshold: 2 },
			clock,
		);
		expect(first.startedEmpty).toBe(true);
		memory = first.memory;
		for (let i = 0; i < 50; i++)
			memory = applyHysteresis(
				memory,
				'up',
				{ failureThreshold: 3, recoveryThreshold: 2 },
				clock,
			).memory;
		expect(memory.recent.length).toBeLessThanOrEqual(20);
		expect(
			applyHysteresis(memory, 'up', { failureThreshold: 3, recoveryThreshold: 2 }, clock)
				.startedEmpty,
		).toBe(false);
	});

	it('prunes the least recently updated histories', () => {
		const histories: Record<string, HysteresisMemory> = {};
		for (let i = 0; i < 5; i++) {
			histories[`k${i}`] = {
				state: 'up',
				recent: [],
				changedAt: null,
				updatedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
			};
		}
		pruneHistories(histories, 3);
		expect(Object.keys(histories).sort()).toEqual(['k2', 'k3', 'k4']);
	});

	it('keys history per account and canary configuration', () => {
		const a = hysteresisKey('http://127.0.0.1:3000/', { group: { type: 'group', id: 1 } });
		expect(a).toBe(hysteresisKey('http://127.0.0.1:3000', { group: { type: 'group', id: 1 } }));
		expect(a).not.toBe(hysteresisKey('http://127.0.0.1:3001', { group: { type: 'group', id: 1 } }));
		expect(a).not.toBe(
			hysteresisKey('http://127.0.0.1:3000/', {
				group: { type: 'group', id: 1 },
				private: 'witness',
			}),
		);
	});
});
