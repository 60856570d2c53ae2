/** Stamping the call log: a request's known fields once, then one line per way it ended. */
import type { CallRecord } from './types';

/** What is known of a call before it is answered; without `at`, the call is stamped when it is recorded. */
export type CallBase = Omit<
	CallRecord,
	'n' | 'at' | 'response' | 'outcome' | 'durationMs' | 'faults'
> & {
	at?: number;
};

/** The end of a call: its answer and outcome; `faults` defaults to none, `durationMs` to the time since `started`. */
export type CallEnd = Partial<Omit<CallRecord, 'n'>> & Pick<CallRecord, 'response' | 'outcome'>;

/**
 * Returns a function that records one call made of `base` (read when it is called, so fields set
 * later, like parsed params, are kept) and its end.
 */
export function recorder(
	log: { clock: { now(): number }; recordCall(c: Omit<CallRecord, 'n'>): CallRecord },
	base: CallBase,
	started: number,
): (end: CallEnd) => CallRecord {
	return (end) =>
		log.recordCall({
			at: log.clock.now(),
			...base,
			faults: [],
			durationMs: Date.now() - started,
			...end,
		});
}

/** A request body as the call log keeps it: parsed JSON, `{}` when empty, the text when it is not JSON. */
export function safeParse(body: string): unknown {
	try {
		return body ? JSON.parse(body) : {};
	} catch {
		return body;
	}
}
