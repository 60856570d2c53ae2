/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, runs outside n8n */
/**
 * Simulated clock. Real time by default; with `factor` > 1 simulated time runs that many times
 * faster than wall time (1440 = a day of uptime per wall minute). Timers take simulated milliseconds.
 */
export interface Clock {
	now(): number;
	setTimeout(fn: () => void, simMs: number): NodeJS.Timeout;
	setInterval(fn: () => void, simMs: number, minRealMs?: number): NodeJS.Timeout;
	readonly factor: number;
	setFactor(factor: number): void;
	advance(simMs: number): void;
	reset(): void;
}

export interface ClockOptions {
	factor?: number;
}

export function createClock(opts: ClockOptions = {}): Clock {
	let factor = opts.factor && opts.factor > 0 ? opts.factor : 1;
	let baseReal = Date.now();
	let baseSim = baseReal;
	const clock: Clock = {
		now: () => Math.floor(baseSim + (Date.now() - baseReal) * factor),
		setTimeout: (fn, simMs) => setTimeout(fn, Math.max(0, simMs / factor)),
		setInterval: (fn, simMs, minRealMs = 20) =>
			setInterval(fn, Math.max(minRealMs, simMs / factor)),
		get factor() {
			return factor;
		},
		setFactor(f: number) {
			const now = clock.now();
			baseReal = Date.now();
			baseSim = now;
			factor = f > 0 ? f : 1;
		},
		advance(simMs: number) {
			baseSim += simMs;
		},
		reset() {
			baseReal = Date.now();
			baseSim = baseReal;
		},
	};
	return clock;
}

export function isClock(x: unknown): x is Clock {
	return (
		!!x && typeof (x as Clock).now === 'function' && typeof (x as Clock).setTimeout === 'function'
	);
}
