import type { RequestFn } from './transport';
import { signReport } from './signing';
import { REASON_CODES } from './types';
import type { DeliveryResult, FailureEvent, FailureEventKind, FailureSource } from './types';
import { isRecord } from './values';

/**
 * Failure reports: what the Send, Probe and Restart nodes post to a Delivery Failure Trigger.
 * The body is the JSON of a FailureEvent; the signature (core/signing.ts) covers timestamp and body.
 */

export const FAILURE_EVENT_KINDS: readonly FailureEventKind[] = [
	'delivery_failed',
	'client_offline',
	'probe_down',
	'restart_failed',
];
export const FAILURE_SOURCES: readonly FailureSource[] = [
	'send',
	'probe',
	'restart',
	'onebot_event',
];

export interface FailureEventFields extends Partial<DeliveryResult> {
	event: FailureEventKind;
	source: FailureSource;
	/** ISO time, or epoch milliseconds. */
	reportedAt: string | number;
	workflowId?: string | null;
	executionId?: string | null;
	details?: Record<string, unknown>;
}

/** Key order of the event as users see it in n8n: what happened first, then the delivery fields. */
const EVENT_KEYS = [
	'event',
	'source',
	'reportedAt',
	'status',
	'reason',
	'reasonClass',
	'verification',
	'target',
	'message',
	'messageId',
	'correlationId',
	'selfId',
	'evidence',
	'attempts',
	'timing',
	'details',
	'workflowId',
	'executionId',
] as const;

export function buildFailureEvent(fields: FailureEventFields): FailureEvent {
	const source = fields as unknown as Record<string, unknown>;
	const event: Record<string, unknown> = {};
	for (const key of EVENT_KEYS) {
		if (source[key] !== undefined) event[key] = source[key];
	}
	event.reportedAt =
		typeof fields.reportedAt === 'number'
			? new Date(fields.reportedAt).toISOString()
			: fields.reportedAt;
	return event as unknown as FailureEvent;
}

export class ReportFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ReportFormatError';
	}
}

/** Checks a parsed report body and returns it as a FailureEvent; throws ReportFormatError saying what is wrong. */
export function parseFailureEvent(value: unknown): FailureEvent {
	if (!isRecord(value)) throw new ReportFormatError('the report body is not a JSON object');
	const { event, source, reportedAt, reason, target, message } = value;
	if (!FAILURE_EVENT_KINDS.includes(event as FailureEventKind)) {
		throw new ReportFormatError(`"event" must be one of ${FAILURE_EVENT_KINDS.join(', ')}`);
	}
	if (!FAILURE_SOURCES.includes(source as FailureSource)) {
		throw new ReportFormatError(`"source" must be one of ${FAILURE_SOURCES.join(', ')}`);
	}
	if (typeof reportedAt !== 'string' || Number.isNaN(Date.parse(reportedAt))) {
		throw new ReportFormatError('"reportedAt" must be an ISO date');
	}
	if (
		reason !== undefined &&
		reason !== null &&
		!(REASON_CODES as readonly unknown[]).includes(reason)
	) {
		throw new ReportFormatError(`"reason" is not a known reason code`);
	}
	// An item refused before sending reports what it had: its target may lack a valid id or type, and it
	// has no message (null). The trigger takes those with their reason rather than refusing the report.
	if (
		target !== undefined &&
		target !== null &&
		!(
			isRecord(target) &&
			(target.type === 'group' || target.type === 'private' || target.type === null) &&
			(typeof target.id === 'number' || target.id === null)
		)
	) {
		throw new ReportFormatError(
			'"target" must be {type: "group"|"private", id: number} (type or id null when invalid)',
		);
	}
	if (message !== undefined && message !== null && !Array.isArray(message)) {
		throw new ReportFormatError(
			'"message" must be an array of segments, or null when nothing was sent',
		);
	}
	return buildFailureEvent(value as unknown as FailureEventFields);
}

export interface ReportDestination {
	reportUrl?: string;
	reportSecret?: string;
}

export interface ReportOutcome {
	sent: boolean;
	status?: number;
	error?: string;
}

/**
 * Posts a signed report. Never throws: a report that cannot be delivered must not turn a send's result
 * into an error, so the outcome says what happened. An unsigned report is never sent (the trigger refuses it).
 */
export async function postFailureReport(
	request: RequestFn,
	destination: ReportDestination,
	event: FailureEvent,
	options: { nowSeconds: number; timeoutMs?: number },
): Promise<ReportOutcome> {
	const reportUrl = destination.reportUrl?.trim();
	if (!reportUrl) return { sent: false, error: 'no report URL is set in the credential' };
	if (!destination.reportSecret)
		return { sent: false, error: 'no report secret is set in the credential' };
	try {
		// The exact string that is signed is the exact body sent: never let a client re-serialise it.
		const body = JSON.stringify(event);
		const response = await request({
			method: 'POST',
			url: reportUrl,
			headers: {
				'Content-Type': 'application/json',
				...signReport(body, destination.reportSecret, options.nowSeconds),
			},
			body,
			timeoutMs: options.timeoutMs ?? 10000,
		});
		if (response.status >= 200 && response.status < 300)
			return { sent: true, status: response.status };
		return {
			sent: false,
			status: response.status,
			error: `the trigger answered HTTP ${response.status}${describeRefusal(response.body)}`,
		};
	} catch (error) {
		const code = isRecord(error) && typeof error.code === 'string' ? ` (${error.code})` : '';
		return { sent: false, error: `the report could not be posted${code}` };
	}
}

/** How many reports go out at once, and how long all of one run's reports may take together. */
export const REPORT_CONCURRENCY = 4;
export const REPORT_BUDGET_MS = 60_000;
export const REPORT_TIMEOUT_MS = 10_000;

export interface ReportBatchOptions<T = unknown> {
	clock: () => number;
	concurrency?: number;
	budgetMs?: number;
	/** Timeout of one report (cut to what is left of the budget). */
	timeoutMs?: number;
	/** A report's own timeout, when it has one (also cut to what is left of the budget). */
	timeoutOf?: (report: T) => number | undefined;
	/** The run's cancel signal: once aborted, no further report is posted. */
	signal?: AbortSignal;
}

/**
 * Posts many reports with bounded concurrency and one time budget for all of them: 500 failures against
 * an unreachable trigger end within the budget instead of 500 timeouts one after another. Reports that the
 * budget leaves no time for, or that are due after `signal` was aborted (the execution was stopped), are
 * not posted and say so: no report is dropped silently. `post` sends one report (postFailureReport, with
 * the event stamped when it goes out) within the timeout it is given. Outcomes line up with `reports`.
 */
export async function postFailureReports<T>(
	reports: readonly T[],
	post: (report: T, timeoutMs: number) => Promise<ReportOutcome>,
	options: ReportBatchOptions<T>,
): Promise<ReportOutcome[]> {
	const { clock } = options;
	const budgetMs = options.budgetMs ?? REPORT_BUDGET_MS;
	const endsAt = clock() + budgetMs;
	const outcomes: ReportOutcome[] = new Array(reports.length);
	let next = 0;
	const worker = async () => {
		while (next < reports.length) {
			const index = next++;
			const left = endsAt - clock();
			if (options.signal?.aborted) {
				outcomes[index] = {
					sent: false,
					error: 'not posted: the execution was cancelled before this report went out',
				};
				continue;
			}
			if (left < 100) {
				outcomes[index] = {
					sent: false,
					error: `not posted: this run's reports used up their time budget (${Math.round(budgetMs / 1000)} s)`,
				};
				continue;
			}
			const timeoutMs =
				options.timeoutOf?.(reports[index]) ?? options.timeoutMs ?? REPORT_TIMEOUT_MS;
			outcomes[index] = await post(reports[index], Math.min(timeoutMs, left));
		}
	};
	const workers = Math.max(1, Math.min(options.concurrency ?? REPORT_CONCURRENCY, reports.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return outcomes;
}

function describeRefusal(body: unknown): string {
	const message = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
	return message ? `: ${message.slice(0, 200)}` : '';
}

/** A target as a report may carry it: type and id kept when valid, else null (an item refused before sending). */
export function reportableTarget(
	target: unknown,
): { type: 'group' | 'private' | null; id: number | null } | undefined {
	if (!isRecord(target)) return undefined;
	const type = target.type === 'group' || target.type === 'private' ? target.type : null;
	const id = typeof target.id === 'number' && Number.isSafeInteger(target.id) ? target.id : null;
	return { type, id };
}
