import { sleep } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';
import type { Sleep } from '../../core/types';
import { MAX_TIMER_MS } from './parameters';

/** Thrown by a wait once the execution was cancelled ("Stop execution"): nothing runs after it. */
export class ExecutionCancelled extends Error {
	constructor() {
		super('the execution was cancelled');
		this.name = 'ExecutionCancelled';
	}
}

/** How long one timer of a wait lasts at most: a cancelled execution stops within this. */
export const WAIT_STEP_MS = 250;

/**
 * The wait the core gets (it owns no timer): n8n's sleep, in steps of at most WAIT_STEP_MS, so that
 * - no single timer exceeds 2^31-1 ms (Node fires a longer one after ~1 ms: a long backoff would become
 *   an immediate resend), and waits longer than that are capped at it;
 * - a cancelled execution (`getExecutionCancelSignal`) ends the wait by throwing ExecutionCancelled: at once
 *   where n8n's sleep takes the signal (n8n 2.x, `@n8n/utils` sleep(ms, abortSignal) clears its timer), else
 *   within one step; no timer outlives the step it was in.
 */
export function stoppableSleep(signal?: AbortSignal, step = WAIT_STEP_MS): Sleep {
	return async (ms: number) => {
		if (signal?.aborted) throw new ExecutionCancelled();
		let remaining = Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_TIMER_MS) : MAX_TIMER_MS;
		do {
			const next = Math.min(remaining, step);
			// It rejects only when the signal aborts, which the check below turns into ExecutionCancelled.
			await sleep(next, signal).catch(() => undefined);
			remaining -= next;
			if (signal?.aborted) throw new ExecutionCancelled();
		} while (remaining > 0);
	};
}

/** The waits of one run: they end when the execution is cancelled, and when `end()` says the run is over. */
export interface RunSleep {
	sleep: Sleep;
	/**
	 * Ends every wait still running (a wait that lost a race to a wake-up, whose result nobody reads): its
	 * timer is cleared instead of ticking on after the run. Call once the run is over (`finally`).
	 */
	end(): void;
}

export function runSleep(cancel?: AbortSignal): RunSleep {
	const ended = new AbortController();
	const signal = cancel ? AbortSignal.any([cancel, ended.signal]) : ended.signal;
	return { sleep: stoppableSleep(signal), end: () => ended.abort() };
}

/** The execution's cancel signal, when n8n gives one (n8n 2.x: IExecuteFunctions.getExecutionCancelSignal). */
export function cancelSignalOf(context: IExecuteFunctions): AbortSignal | undefined {
	return typeof context.getExecutionCancelSignal === 'function'
		? context.getExecutionCancelSignal()
		: undefined;
}
