import type { IDataObject } from 'n8n-workflow';
import { REASON_CLASS } from '../../core/classify';
import type { ReportOutcome } from '../../core/report';
import type { ResolvedAccountKey, RestartRunResult } from '../../core/restart';
import type { NodeFailureFields } from '../shared/report';
import type { RestartParameters } from './parameters';

/** Outcomes worth a report to the trigger: a restart was wanted and the account is still not back. */
export const REPORTED_OUTCOMES = new Set(['restart_failed', 'needs_login', 'not_recovered']);

function iso(ms: number | null | undefined): string | null {
	return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function toJson(
	run: RestartRunResult,
	parameters: RestartParameters,
	account: ResolvedAccountKey,
	persisted: boolean,
	report: ReportOutcome | null,
): IDataObject {
	const request = run.request;
	const recovery = run.recovery;
	const last = recovery?.lastState ?? null;
	return {
		outcome: run.outcome,
		recovered: run.recovered,
		explanation: run.explanation,
		reason: run.reason,
		reasonClass: run.reasonClass,
		method: parameters.method,
		dryRun: parameters.dryRun,
		selfId: last?.selfId ?? parameters.expectedSelfId ?? account.selfId,
		accountKey: account.key,
		accountKeySource: account.source,
		downtimeMs: recovery?.downtimeMs ?? null,
		implementation: (request?.implementation ?? null) as IDataObject | null,
		restart: {
			requested: request?.sent ?? false,
			requestState: request?.requestState ?? 'not_sent',
			answer: request?.answer ?? null,
			requestedAt: iso(run.restartRequestedAt),
			httpStatus: request?.httpStatus ?? null,
			explanation: request?.explanation ?? null,
			raw: (request?.raw ?? null) as IDataObject | null,
			details: (request?.details ?? {}) as IDataObject,
		},
		recovery: recovery
			? {
					checks: recovery.checks,
					sawDown: recovery.sawDown,
					backOnlineAt: iso(recovery.backOnlineAt),
					downtimeMs: recovery.downtimeMs,
					waitedMs: recovery.waitedMs,
					lastCheck: last
						? {
								at: iso(last.at),
								reachable: last.reachable,
								online: last.online,
								selfId: last.selfId,
								reason: last.reason,
								webUi: last.webUi as IDataObject | null,
							}
						: null,
				}
			: null,
		qrCodeUrl: last?.webUi?.qrCodeUrl ?? null,
		guard: {
			allowed: run.guard.allowed,
			blockedBy: run.guard.blockedBy,
			minIntervalMinutes: parameters.minIntervalMs / 60000,
			maxPerHour: parameters.maxPerHour,
			restartsInLastHour: run.guard.restartsInLastHour,
			lastRestartAt: iso(run.guard.lastRestartAt),
			history: (run.guardHistory ?? run.history.map((at) => ({ at, request: 'sent' }))).map(
				(entry) => ({ at: iso(entry.at), request: entry.request }),
			),
			nextAllowedAt: iso(run.guard.nextAllowedAt),
			historyPersisted: persisted,
			inProgressSince: run.inProgress ? iso(run.inProgress.since) : null,
			targetStartedAt: iso(run.targetStartedAt),
			startTimeGuard: run.startTimeGuard ?? null,
			...(run.startTimeNote ? { startTimeNote: run.startTimeNote } : {}),
			heldBy: 'process',
			...(persisted
				? {}
				: {
						note: 'Manual run or inactive workflow: n8n saves no static data for this run. The guard still holds within this n8n process (its restart history and lease live in process memory), but not across processes or restarts of n8n: see docs/queue-mode.md.',
					}),
		},
		timing: {
			startedAt: iso(run.startedAt),
			finishedAt: iso(run.finishedAt),
			totalMs: run.finishedAt - run.startedAt,
		},
		report: report as IDataObject | null,
	};
}

/** The restart_failed report of an item, posted through the shared path (nodes/shared/report.ts). */
export function restartFailedEvent(json: IDataObject, run: RestartRunResult): NodeFailureFields {
	return {
		event: 'restart_failed',
		source: 'restart',
		reason: run.reason,
		reasonClass: run.reasonClass ?? (run.reason ? REASON_CLASS[run.reason] : null),
		selfId: (json.selfId as number | null) ?? null,
		details: {
			outcome: run.outcome,
			method: json.method,
			explanation: run.explanation,
			accountKey: json.accountKey,
			downtimeMs: json.downtimeMs,
			restart: json.restart,
			recovery: json.recovery,
			qrCodeUrl: json.qrCodeUrl,
		},
	};
}
