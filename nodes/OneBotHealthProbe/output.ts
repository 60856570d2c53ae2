import type { IDataObject } from 'n8n-workflow';
import { REASON_CLASS } from '../../core/classify';
import type { HysteresisOutcome, ProbeRun } from '../../core/probe';
import type { ReportOutcome } from '../../core/report';
import type { NodeFailureFields } from '../shared/report';
import type { ProbeParameters } from './parameters';

function historyNote(kept: boolean, startedEmpty: boolean): string {
	if (!kept) {
		return 'Manual run: no history is kept, so this run is judged alone (state = observed state, changed = false, no report).';
	}
	return startedEmpty
		? 'First run for this account and canary configuration (none in this n8n process, none in static data): the history starts at "up", as Gatus starts healthy.'
		: "State debounced across runs with the thresholds below (history kept in this n8n process's memory; static data holds a merged copy).";
}

/** The item a probe leaves on Healthy or Unhealthy. */
export function toJson(
	run: ProbeRun,
	outcome: HysteresisOutcome,
	parameters: ProbeParameters,
	settings: { failureThreshold: number; recoveryThreshold: number },
	keepHistory: boolean,
	report: ReportOutcome | null,
): IDataObject {
	return {
		state: outcome.state,
		observedState: run.state,
		previousState: keepHistory ? outcome.previousState : 'unknown',
		changed: keepHistory && outcome.changed,
		diagnosis: run.diagnosis,
		reason: run.reason,
		summary: run.summary,
		selfId: run.selfId,
		online: run.online,
		implementation: run.implementation as IDataObject | null,
		checks: run.checks as unknown as IDataObject,
		canaries: run.canaries as unknown as IDataObject,
		thresholds: { apiSlowMs: parameters.apiSlowMs, canarySlowMs: parameters.canarySlowMs },
		history: {
			kept: keepHistory,
			startedEmpty: outcome.startedEmpty,
			failureThreshold: settings.failureThreshold,
			recoveryThreshold: settings.recoveryThreshold,
			recent: keepHistory ? outcome.memory.recent : [run.state],
			changedAt: keepHistory ? outcome.memory.changedAt : null,
			note: historyNote(keepHistory, outcome.startedEmpty),
		},
		report: report as IDataObject | null,
		probedAt: run.probedAt,
		durationMs: run.durationMs,
	};
}

export function probeDownEvent(run: ProbeRun, outcome: HysteresisOutcome): NodeFailureFields {
	const failedCanary =
		run.canaries.group?.status === 'failed' ? run.canaries.group : run.canaries.private;
	return {
		event: 'probe_down',
		source: 'probe',
		status: 'failed',
		reason: run.reason,
		reasonClass: run.reason ? REASON_CLASS[run.reason] : null,
		selfId: run.selfId,
		target: failedCanary?.status === 'failed' ? failedCanary.target : undefined,
		details: {
			diagnosis: run.diagnosis,
			summary: run.summary,
			state: outcome.state,
			previousState: outcome.previousState,
			online: run.online,
			implementation: run.implementation,
			checks: run.checks,
			canaries: run.canaries,
		},
	};
}
