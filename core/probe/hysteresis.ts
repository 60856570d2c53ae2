/**
 * Hysteresis: turns each run's result into a debounced state across runs, as Gatus does (failure
 * threshold 3, recovery threshold 2), kept per account and canary configuration in the node's static data.
 */
import type { Clock, Target } from '../types';
import type { ProbeState } from './diagnosis';

export interface HysteresisSettings {
	/** Consecutive worse results before the state worsens (Gatus failure-threshold, default 3). */
	failureThreshold: number;
	/** Consecutive better results before the state improves (Gatus success-threshold, default 2). */
	recoveryThreshold: number;
}

export const DEFAULT_HYSTERESIS: HysteresisSettings = { failureThreshold: 3, recoveryThreshold: 2 };

/** What is kept between runs for one account and probe configuration. */
export interface HysteresisMemory {
	state: ProbeState;
	/** Observed results of the latest runs, oldest first. */
	recent: ProbeState[];
	changedAt: string | null;
	updatedAt: string;
}

export interface HysteresisOutcome {
	state: ProbeState;
	previousState: ProbeState;
	changed: boolean;
	/** No history existed: the state before this run is the assumed `up`. */
	startedEmpty: boolean;
	memory: HysteresisMemory;
}

const SEVERITY: Record<ProbeState, number> = { up: 0, degraded: 1, down: 2 };
const BY_SEVERITY: ProbeState[] = ['up', 'degraded', 'down'];
const MAX_RECENT = 20;

/**
 * Moves the debounced state by one observed result. The state worsens only when the last
 * `failureThreshold` results were all worse than it (to the mildest of them), and improves only when
 * the last `recoveryThreshold` results were all better (to the worst of them). Alternating results
 * therefore never move it. An empty history starts at `up`, as Gatus starts healthy: a client that is
 * down when the workflow is activated is reported, with `changed`, after `failureThreshold` runs.
 */
export function applyHysteresis(
	memory: HysteresisMemory | undefined,
	observed: ProbeState,
	settings: HysteresisSettings,
	now: Clock,
): HysteresisOutcome {
	const failureThreshold = Math.max(1, Math.floor(settings.failureThreshold));
	const recoveryThreshold = Math.max(1, Math.floor(settings.recoveryThreshold));
	const previousState: ProbeState =
		memory && SEVERITY[memory.state] !== undefined ? memory.state : 'up';
	const recent = [
		...(memory?.recent ?? []).filter((state) => SEVERITY[state] !== undefined),
		observed,
	].slice(-MAX_RECENT);
	const current = SEVERITY[previousState];

	let next = current;
	const lastWorse = recent.slice(-failureThreshold);
	const lastBetter = recent.slice(-recoveryThreshold);
	if (
		lastWorse.length === failureThreshold &&
		lastWorse.every((state) => SEVERITY[state] > current)
	) {
		next = Math.min(...lastWorse.map((state) => SEVERITY[state]));
	} else if (
		lastBetter.length === recoveryThreshold &&
		lastBetter.every((state) => SEVERITY[state] < current)
	) {
		next = Math.max(...lastBetter.map((state) => SEVERITY[state]));
	}
	const state = BY_SEVERITY[next];
	const changed = state !== previousState;
	const at = new Date(now()).toISOString();
	return {
		state,
		previousState,
		changed,
		startedEmpty: !memory,
		memory: { state, recent, changedAt: changed ? at : (memory?.changedAt ?? null), updatedAt: at },
	};
}

/** Keeps the history of at most `max` probe configurations in one node's static data (least recent out). */
export function pruneHistories(histories: Record<string, HysteresisMemory>, max = 20): void {
	const keys = Object.keys(histories);
	if (keys.length <= max) return;
	keys
		.sort((a, b) => String(histories[a]?.updatedAt).localeCompare(String(histories[b]?.updatedAt)))
		.slice(0, keys.length - max)
		.forEach((key) => delete histories[key]);
}

/** The history key: one account (its API base URL) and one canary configuration. */
export function hysteresisKey(
	baseUrl: string,
	canaries: { group?: Target; private?: Target | 'witness' },
): string {
	const privateKey =
		canaries.private === 'witness'
			? 'witness'
			: canaries.private
				? String(canaries.private.id)
				: '-';
	return `${baseUrl.replace(/\/+$/, '')}|group:${canaries.group ? canaries.group.id : '-'}|private:${privateKey}`;
}
