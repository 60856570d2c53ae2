/** The parts of bench/RESULTS.md each benchmark phase adds to, and the helpers their tables share. */

export type Verdict = 'met' | 'missed' | 'n/a';

export interface Row {
	measure: string;
	result: string;
	goal: string;
	verdict: Verdict;
}

export const mark = (v: Verdict) => (v === 'met' ? '✅ met' : v === 'missed' ? '❌ missed' : '—');
export const verdict = (ok: boolean | undefined): Verdict =>
	ok === undefined ? 'n/a' : ok ? 'met' : 'missed';

/**
 * Where the spread of repetitions lies against a goal: "within" (every repetition meets it), "straddles" (some do,
 * some don't: the verdict rests on the median), "outside" (none does).
 */
export function against(values: number[], meets: (v: number) => boolean): string {
	const finite = values.filter(Number.isFinite);
	if (finite.length < 2) return 'one repetition: spread unknown';
	const ok = finite.filter(meets).length;
	if (ok === finite.length) return 'spread within the goal';
	if (ok === 0) return 'spread entirely outside the goal';
	return `spread straddles the goal (${ok} of ${finite.length} reps meet it)`;
}

export function byRep<T extends { rep: number }>(
	rows: T[],
	value: (rows: T[]) => number,
): number[] {
	const reps = [...new Set(rows.map((r) => r.rep))].sort((a, b) => a - b);
	return reps.map((rep) => value(rows.filter((r) => r.rep === rep)));
}

/** What the phases add: summary rows, one section each, the missed goals explained, the chart's converter. */
export interface Report {
	rows: Row[];
	sections: string[];
	gaps: string[];
	/** The tool that converted the latency chart to PNG, null when it stays SVG. */
	chartTool: string | null;
}
