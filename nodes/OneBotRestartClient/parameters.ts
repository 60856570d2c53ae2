import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { RESTART_METHODS } from '../../core/restart';
import type { RestartMethodName } from '../../core/restart';

export interface RestartParameters {
	method: RestartMethodName;
	dryRun: boolean;
	minIntervalMs: number;
	maxPerHour: number;
	deadlineMs: number;
	expectedSelfId: number | null;
	initialDelayMs: number;
	loginGraceMs: number;
	pollBaseMs: number;
	pollCapMs: number;
	rateLimitWaitMs: number;
	timeoutMs: number;
	sendReport: boolean;
	/** Docker, set_restart, custom HTTP: also read the QQ login state from the NapCat WebUI. */
	webUiLoginCheck: boolean;
}

export function numberParameter(
	context: IExecuteFunctions,
	value: unknown,
	field: string,
	itemIndex: number,
	{ min, allowZero }: { min?: number; allowZero?: boolean } = {},
): number {
	const number = Number(value);
	const tooSmall = allowZero ? number < 0 : number <= 0;
	if (!Number.isFinite(number) || tooSmall || (min !== undefined && number < min)) {
		throw new NodeOperationError(context.getNode(), `"${field}" must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${String(value)}"`, {
			itemIndex,
			description: `Item ${itemIndex}: fix the "${field}" parameter.`,
		});
	}
	return number;
}

export function readParameters(context: IExecuteFunctions, itemIndex: number): RestartParameters {
	const method = context.getNodeParameter('method', itemIndex) as RestartMethodName;
	if (!RESTART_METHODS.includes(method)) {
		throw new NodeOperationError(context.getNode(), `Unknown restart method "${String(method)}"`, { itemIndex });
	}
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const seconds = (value: unknown, field: string, allowZero = false) =>
		numberParameter(context, value, field, itemIndex, { allowZero }) * 1000;
	const expected = Number(options.expectedSelfId ?? 0);
	if (!Number.isInteger(expected) || expected < 0) {
		throw new NodeOperationError(context.getNode(), `"Account QQ Number" must be a QQ number, got "${String(options.expectedSelfId)}"`, {
			itemIndex,
		});
	}
	return {
		method,
		dryRun: context.getNodeParameter('dryRun', itemIndex) as boolean,
		minIntervalMs: seconds(context.getNodeParameter('minIntervalMinutes', itemIndex), 'Minimum Interval', true) * 60,
		maxPerHour: Math.floor(numberParameter(context, context.getNodeParameter('maxPerHour', itemIndex), 'Max Restarts per Hour', itemIndex, { allowZero: true })),
		deadlineMs: seconds(context.getNodeParameter('recoveryDeadline', itemIndex), 'Recovery Deadline'),
		expectedSelfId: expected > 0 ? expected : null,
		initialDelayMs: seconds(options.initialWait ?? 5, 'Initial Wait', true),
		loginGraceMs: seconds(options.loginGrace ?? 20, 'Login Grace', true),
		pollBaseMs: seconds(options.pollBase ?? 2, 'Poll Interval'),
		pollCapMs: seconds(options.pollCap ?? 15, 'Max Poll Interval'),
		rateLimitWaitMs: seconds(options.rateLimitWait ?? 60, 'Rate Limit Wait', true),
		timeoutMs: seconds(options.requestTimeout ?? 15, 'Request Timeout'),
		sendReport: options.sendReport !== false,
		webUiLoginCheck: method !== 'napcatWebUi' && context.getNodeParameter('webUiLoginCheck', itemIndex, false) === true,
	};
}

export function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

export function parseBody(context: IExecuteFunctions, itemIndex: number): unknown {
	const raw = context.getNodeParameter('requestBody', itemIndex, '') as unknown;
	if (raw === '' || raw === null || raw === undefined) return undefined;
	if (typeof raw !== 'string') return raw;
	try {
		return JSON.parse(raw);
	} catch {
		throw new NodeOperationError(context.getNode(), '"Body (JSON)" is not valid JSON', {
			itemIndex,
			description: `Item ${itemIndex}: fix the "Body (JSON)" parameter or leave it empty.`,
		});
	}
}
