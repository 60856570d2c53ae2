import type { IExecuteFunctions } from 'n8n-workflow';
import { buildFailureEvent, postFailureReport } from '../../core/report';
import type { FailureEventFields, ReportDestination, ReportOutcome } from '../../core/report';
import { plainRequest } from './transport';

export type NodeFailureFields = Omit<
	FailureEventFields,
	'reportedAt' | 'workflowId' | 'executionId'
>;

/**
 * Posts a signed failure event, stamped with this run's workflow and execution, to the trigger named in
 * the credential. Never throws: the outcome records whether the report went out.
 */
export async function reportToTrigger(
	context: IExecuteFunctions,
	destination: ReportDestination,
	fields: NodeFailureFields,
	options: { timeoutMs?: number } = {},
): Promise<ReportOutcome> {
	const now = Date.now();
	const event = buildFailureEvent({
		...fields,
		reportedAt: now,
		workflowId: context.getWorkflow().id ?? null,
		executionId: context.getExecutionId() ?? null,
	});
	return await postFailureReport(plainRequest(context), destination, event, {
		nowSeconds: Math.floor(now / 1000),
		...options,
	});
}

/** How many reports go out at once, and how long all of one run's reports may take together. */
export const REPORT_CONCURRENCY = 4;
export const REPORT_BUDGET_MS = 60_000;
export const REPORT_TIMEOUT_MS = 10_000;

/**
 * Posts many reports with bounded concurrency and one time budget for all of them: 500 failures against
 * an unreachable trigger end within the budget instead of 500 timeouts one after another. Reports that the
 * budget leaves no time for are not posted and say so. Outcomes line up with `reports`.
 */
export async function reportAllToTrigger(
	context: IExecuteFunctions,
	destination: ReportDestination,
	reports: NodeFailureFields[],
	options: {
		concurrency?: number;
		budgetMs?: number;
		timeoutMs?: number;
		clock?: () => number;
	} = {},
): Promise<ReportOutcome[]> {
	const clock = options.clock ?? Date.now;
	const budgetMs = options.budgetMs ?? REPORT_BUDGET_MS;
	const endsAt = clock() + budgetMs;
	const outcomes: ReportOutcome[] = new Array(reports.length);
	let next = 0;
	const worker = async () => {
		while (next < reports.length) {
			const index = next++;
			const left = endsAt - clock();
			if (left < 100) {
				outcomes[index] = {
					sent: false,
					error: `not posted: this run's reports used up their time budget (${Math.round(budgetMs / 1000)} s)`,
				};
				continue;
			}
			outcomes[index] = await reportToTrigger(context, destination, reports[index], {
				timeoutMs: Math.min(options.timeoutMs ?? REPORT_TIMEOUT_MS, left),
			});
		}
	};
	const workers = Math.max(1, Math.min(options.concurrency ?? REPORT_CONCURRENCY, reports.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return outcomes;
}
