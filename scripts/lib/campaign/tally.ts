/**
 * What the fault campaign counts per implementation, the checks of reports and restarts against the
 * simulator's ground truth, and the tables and totals of docs/campaign.md.
 */
import type { ReportOutcome } from '../../../core/report';
import type { RestartGuardPolicy, RestartRunResult } from '../../../core/restart';
import { checkRestartsAccounted } from '../campaignEdges';
import { RESTART_TRANSIT_TOLERANCE_MS } from './plan';
import type { ReportReceiver } from './receiver';

export interface TargetTally {
	target: string;
	sends: number;
	delivered: number;
	notDelivered: number;
	notDeliveredArrivedAmbiguous: number;
	errors: number;
	duplicates: number;
	lost: number;
	wrongNotDelivered: number;
	/** Items whose run was stopped before they ended, and the runs stopped. */
	stopped: number;
	stoppedRuns: number;
	/** Items that sent a text another item sent too (overlapping runs). */
	sharedTexts: number;
	faults: number;
	/** Restarts the campaign's chaos made through the simulator's control API (outside the guard). */
	restarts: number;
	/** Not Delivered reasons and how often. */
	reasons: Record<string, number>;
	/** Failure reports posted (one per Not Delivered item), accepted by the receiver, replays refused. */
	reports: number;
	reportsAccepted: number;
	replaysRefused: number;
	/** Restart runs the receiver started (one per accepted report) and how they ended. */
	restartsRequested: number;
	restartsPerformed: number;
	skippedCooldown: number;
	/** Cooldown skips by what held them back: min_interval, hourly_cap, target_started_recently. */
	skippedBy: Record<string, number>;
	skippedInProgress: number;
	/** Restart requests that reached the supervisor and then lost their connection. */
	restartsResetAfterReceived: number;
	/** Reports posted again minutes later, and how many of those were refused. */
	lateReplays: number;
	lateReplaysRefused: number;
	/** Restarts in the simulator's own log that came through the Restart Client's method (Docker). */
	restartsInGroundTruth: number;
	/** Smallest time between two of those in the simulator's log; null with fewer than two. */
	minRestartSpacingMs: number | null;
}

export interface CampaignResult {
	seed: number;
	sends: number;
	tallies: TargetTally[];
	violations: string[];
	durationMs: number;
}

/** Smallest gap between consecutive times (sorted); null with fewer than two. */
function smallestGap(times: number[]): number | null {
	const sorted = [...times].sort((a, b) => a - b);
	let min: number | null = null;
	for (let i = 1; i < sorted.length; i++) {
		const gap = sorted[i] - sorted[i - 1];
		if (min === null || gap < min) min = gap;
	}
	return min;
}

/** Most restarts inside any one hour of `times`. */
function mostInAnHour(times: number[]): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	let from = 0;
	for (let i = 0; i < sorted.length; i++) {
		while (sorted[i] - sorted[from] >= 3_600_000) from++;
		most = Math.max(most, i - from + 1);
	}
	return most;
}

/** A tally with nothing counted yet. */
export function emptyTally(label: string): TargetTally {
	return {
		target: label,
		sends: 0,
		delivered: 0,
		notDelivered: 0,
		notDeliveredArrivedAmbiguous: 0,
		errors: 0,
		duplicates: 0,
		lost: 0,
		wrongNotDelivered: 0,
		stopped: 0,
		stoppedRuns: 0,
		sharedTexts: 0,
		faults: 0,
		restarts: 0,
		reasons: {},
		reports: 0,
		reportsAccepted: 0,
		replaysRefused: 0,
		restartsRequested: 0,
		restartsPerformed: 0,
		skippedCooldown: 0,
		skippedBy: {},
		skippedInProgress: 0,
		restartsResetAfterReceived: 0,
		lateReplays: 0,
		lateReplaysRefused: 0,
		restartsInGroundTruth: 0,
		minRestartSpacingMs: null,
	};
}

/**
 * Reports and restarts against the ground truth: every Not Delivered item's report was posted and taken
 * exactly once, nothing else was taken, and the restarts in the simulator's own log that came through the
 * Restart Client (Docker) keep the guard's minimum interval and hourly cap and match the runs that sent one.
 */
export function checkReportsAndRestarts(
	label: string,
	tally: TargetTally,
	violations: string[],
	seen: {
		reports: Array<{ correlationId: string; outcome: ReportOutcome }>;
		receiver: ReportReceiver;
		runs: RestartRunResult[];
		guard: RestartGuardPolicy;
		restarts: Array<{ account: string; via: string; at: number }>;
	},
): void {
	const expected = new Set<string>();
	for (const { correlationId, outcome } of seen.reports) {
		tally.reports++;
		expected.add(correlationId);
		const taken = seen.receiver.accepted.get(correlationId) ?? 0;
		if (outcome.sent && taken === 1) tally.reportsAccepted++;
		else
			violations.push(
				`${label}: the report of ${correlationId} was taken ${taken} times (posting: ${outcome.sent ? 'sent' : outcome.error})`,
			);
	}
	for (const [id, taken] of seen.receiver.accepted)
		if (!expected.has(id))
			violations.push(`${label}: a report for ${id} (${taken}×) that no run posted was taken`);
	const refusedFirst =
		seen.receiver.refused.length - tally.replaysRefused - tally.lateReplaysRefused;
	if (refusedFirst > 0)
		violations.push(
			`${label}: ${refusedFirst} reports refused that should have been taken: ${JSON.stringify(seen.receiver.refused.slice(0, 3))}`,
		);
	tally.restartsRequested = seen.runs.length;
	for (const run of seen.runs) {
		if (run.restartRequestedAt !== null) tally.restartsPerformed++;
		if (run.outcome === 'skipped_cooldown') {
			tally.skippedCooldown++;
			const by = String(run.guard.blockedBy);
			tally.skippedBy[by] = (tally.skippedBy[by] ?? 0) + 1;
		}
		if (run.outcome === 'skipped_in_progress') tally.skippedInProgress++;
		if (run.restartRequestedAt !== null && !run.recovered)
			violations.push(`${label}: a restart ended ${run.outcome}: ${run.explanation}`);
	}
	const times = seen.restarts
		.filter((r) => r.account === 'bot' && r.via === 'docker')
		.map((r) => r.at);
	tally.restartsInGroundTruth = times.length;
	tally.minRestartSpacingMs = smallestGap(times);
	tally.restartsResetAfterReceived = seen.receiver.restartRequests.resetAfterReceived;
	violations.push(
		...checkRestartsAccounted(label, {
			logged: times.length,
			saidSent: tally.restartsPerformed,
			...seen.receiver.restartRequests,
		}),
	);
	const floor = seen.guard.minIntervalMs - RESTART_TRANSIT_TOLERANCE_MS;
	if (tally.minRestartSpacingMs !== null && tally.minRestartSpacingMs < floor)
		violations.push(
			`${label}: two restarts ${tally.minRestartSpacingMs} ms apart in the simulator's log (minimum interval ${seen.guard.minIntervalMs} ms)`,
		);
	const most = mostInAnHour(times);
	if (seen.guard.maxPerHour > 0 && most > seen.guard.maxPerHour)
		violations.push(
			`${label}: ${most} restarts within one hour (hourly cap ${seen.guard.maxPerHour})`,
		);
}

/** A Markdown table: the first column left-aligned, the counts right-aligned. */
function markdownTable(columns: string[], rows: Array<Array<string | number>>): string {
	const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
	const rule = `|${columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
	return [line(columns), rule, ...rows.map(line)].join('\n');
}

/** Sends and what became of them, per implementation. */
export function resultsTable(result: CampaignResult): string {
	return markdownTable(
		[
			'Implementation',
			'Sends',
			'Delivered',
			'Not Delivered',
			'Not Delivered, arrived, said unknown',
			'Faults injected',
			'Chaos restarts',
			'Duplicates',
			'Lost',
			'Not Delivered but arrived',
			'Item errors',
		],
		result.tallies.map((t) => [
			t.target,
			t.sends,
			t.delivered,
			t.notDelivered,
			t.notDeliveredArrivedAmbiguous,
			t.faults,
			t.restarts,
			t.duplicates,
			t.lost,
			t.wrongNotDelivered,
			t.errors,
		]),
	);
}

/** Reports and the restarts they started, per implementation. */
export function restartsTable(result: CampaignResult): string {
	return markdownTable(
		[
			'Implementation',
			'Reports posted',
			'Reports taken once',
			'Replays refused',
			'Restarts requested',
			'Performed',
			'Skipped: cooldown',
			'Skipped: in progress',
			'Restarts in simulator log',
			'Smallest spacing (ms)',
		],
		result.tallies.map((t) => [
			t.target,
			t.reports,
			t.reportsAccepted,
			t.replaysRefused,
			t.restartsRequested,
			t.restartsPerformed,
			t.skippedCooldown,
			t.skippedInProgress,
			t.restartsInGroundTruth,
			t.minRestartSpacingMs ?? '–',
		]),
	);
}

/** Totals over every implementation. */
export function campaignTotals(result: CampaignResult) {
	const sum = (pick: (t: TargetTally) => number) =>
		result.tallies.reduce((total, t) => total + pick(t), 0);
	const spacings = result.tallies
		.map((t) => t.minRestartSpacingMs)
		.filter((ms): ms is number => ms !== null);
	return {
		delivered: sum((t) => t.delivered),
		notDelivered: sum((t) => t.notDelivered),
		faults: sum((t) => t.faults),
		reports: sum((t) => t.reports),
		reportsAccepted: sum((t) => t.reportsAccepted),
		replaysRefused: sum((t) => t.replaysRefused),
		restartsRequested: sum((t) => t.restartsRequested),
		restartsPerformed: sum((t) => t.restartsPerformed),
		skippedCooldown: sum((t) => t.skippedCooldown),
		skippedInProgress: sum((t) => t.skippedInProgress),
		skippedBy: result.tallies.reduce<Record<string, number>>((all, t) => {
			for (const [by, n] of Object.entries(t.skippedBy)) all[by] = (all[by] ?? 0) + n;
			return all;
		}, {}),
		minRestartSpacingMs: spacings.length > 0 ? Math.min(...spacings) : null,
	};
}
