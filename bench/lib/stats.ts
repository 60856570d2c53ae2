/** Summaries for benchmark samples: quantiles with linear interpolation, medians of repetitions with spread. */

export interface Summary {
	n: number;
	min: number;
	q1: number;
	p50: number;
	q3: number;
	p95: number;
	p99: number;
	max: number;
	mean: number;
}

export function quantile(values: number[], q: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const pos = (sorted.length - 1) * q;
	const lower = Math.floor(pos);
	const upper = Math.ceil(pos);
	return sorted[lower] + (sorted[upper] - sorted[lower]) * (pos - lower);
}

export function summarise(values: number[]): Summary {
	const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
	return {
		n: values.length,
		min: values.length ? Math.min(...values) : Number.NaN,
		q1: quantile(values, 0.25),
		p50: quantile(values, 0.5),
		q3: quantile(values, 0.75),
		p95: quantile(values, 0.95),
		p99: quantile(values, 0.99),
		max: values.length ? Math.max(...values) : Number.NaN,
		mean,
	};
}

export function median(values: number[]): number {
	return quantile(values, 0.5);
}

/** A number for a table: fixed decimals, "n/a" when missing. */
export function fmt(value: number | undefined, decimals = 1): string {
	if (value === undefined || !Number.isFinite(value)) return 'n/a';
	return value.toFixed(decimals);
}

/** "median (min–max)" of per-repetition values. */
export function spread(values: number[], decimals = 1): string {
	if (values.length === 0) return 'n/a';
	if (values.length === 1) return fmt(values[0], decimals);
	return `${fmt(median(values), decimals)} (${fmt(Math.min(...values), decimals)}–${fmt(Math.max(...values), decimals)})`;
}
