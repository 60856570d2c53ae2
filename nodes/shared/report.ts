import type { IExecuteFunctions } from 'n8n-workflow';
import { buildFailureEvent, postFailureReport, postFailureReports } from '../../core/report';
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

export { REPORT_BUDGET_MS, REPORT_CONCURRENCY, REPORT_TIMEOUT_MS } from '../../core/report';

/**
 * Posts many reports with bounded concurrency and one time budget for all of them (core/report.ts
 * postFailureReports); each is stamped with this run's workflow and execution. Outcomes line up with `reports`.
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
	return await postFailureReports(
		reports,
		(fields, timeoutMs) => reportToTrigger(context, destination, fields, { timeoutMs }),
		{ ...options, clock: options.clock ?? Date.now },
	);
}
