import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	REPORT_BUDGET_MS,
	REPORT_CONCURRENCY,
	REPORT_TIMEOUT_MS,
	buildFailureEvent,
	postFailureReport,
	postFailureReports,
} from '../../core/report';
import type { FailureEventFields, ReportDestination, ReportOutcome } from '../../core/report';
import { cancelSignalOf } from './sleep';
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
 * How many reports go out at once, how long all of one run's reports may take together, and how long one
 * report may take (core/report.ts). The nodes read these when they post; tests shorten them, nothing else
 * changes them.
 */
export const reportLimits = {
	concurrency: REPORT_CONCURRENCY,
	budgetMs: REPORT_BUDGET_MS,
	timeoutMs: REPORT_TIMEOUT_MS,
};

/** One report a run has to post: where to, what, and its own request timeout (cut to what the budget leaves). */
export interface ReportJob {
	destination: ReportDestination;
	fields: NodeFailureFields;
	timeoutMs?: number;
}

export interface ReportPostingOptions {
	concurrency?: number;
	budgetMs?: number;
	timeoutMs?: number;
	clock?: () => number;
}

/**
 * The one path every node posts its failure reports through (Send With Verification, Health Probe, Restart
 * Client): core/report.ts postFailureReports, at most `concurrency` at once and one time budget for all of
 * a run's reports, each stamped with this run's workflow and execution. No report is dropped silently: one
 * the budget leaves no time for, or one due after the execution was cancelled, is not posted and its outcome
 * says why. Never throws; outcomes line up with `jobs`.
 */
export async function postReports(
	context: IExecuteFunctions,
	jobs: ReportJob[],
	options: ReportPostingOptions = {},
): Promise<ReportOutcome[]> {
	return await postFailureReports(
		jobs,
		(job, timeoutMs) => reportToTrigger(context, job.destination, job.fields, { timeoutMs }),
		{
			clock: options.clock ?? Date.now,
			concurrency: options.concurrency ?? reportLimits.concurrency,
			budgetMs: options.budgetMs ?? reportLimits.budgetMs,
			timeoutMs: options.timeoutMs ?? reportLimits.timeoutMs,
			timeoutOf: (job) => job.timeoutMs,
			signal: cancelSignalOf(context),
		},
	);
}

/** Many reports to one destination (Send With Verification's failures) through postReports. */
export async function reportAllToTrigger(
	context: IExecuteFunctions,
	destination: ReportDestination,
	reports: NodeFailureFields[],
	options: ReportPostingOptions = {},
): Promise<ReportOutcome[]> {
	return await postReports(
		context,
		reports.map((fields) => ({ destination, fields })),
		options,
	);
}

/**
 * Collects the reports of a node that handles its items one by one, then posts them together through
 * postReports and writes each outcome on its item's `report` field. Items that must not wait for the rest
 * (an error that ends the run) flush what is pending first, so no report is lost.
 */
export class PendingReports {
	private readonly jobs: Array<ReportJob & { json: IDataObject }> = [];

	constructor(private readonly context: IExecuteFunctions) {}

	get size(): number {
		return this.jobs.length;
	}

	/** `json.report` stays null until flush() sets the outcome. */
	add(json: IDataObject, job: ReportJob): void {
		json.report = null;
		this.jobs.push({ ...job, json });
	}

	async flush(options: ReportPostingOptions = {}): Promise<void> {
		const jobs = this.jobs.splice(0);
		if (jobs.length === 0) return;
		const outcomes = await postReports(this.context, jobs, options);
		jobs.forEach((job, i) => {
			job.json.report = outcomes[i] as unknown as IDataObject;
		});
	}
}
