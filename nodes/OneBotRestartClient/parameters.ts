import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { RESTART_METHODS } from '../../core/restart';
import type { RestartMethodName } from '../../core/restart';
import { readChoice, readNumber } from '../shared/parameters';
import type { FieldOf } from '../shared/parameters';

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

/** A numeric parameter of the Restart Client, checked against its bounds (nodes/shared/parameters.ts). */
export function numberParameter(
	context: IExecuteFunctions,
	value: unknown,
	field: FieldOf<'restart'>,
	itemIndex: number,
): number {
	return readNumber(context, 'restart', field, value, itemIndex);
}

export function readParameters(context: IExecuteFunctions, itemIndex: number): RestartParameters {
	const method = readChoice(
		context,
		'method',
		context.getNodeParameter('method', itemIndex),
		RESTART_METHODS,
		itemIndex,
	);
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const seconds = (value: unknown, field: FieldOf<'restart'>) =>
		numberParameter(context, value, field, itemIndex) * 1000;
	const expected = numberParameter(
		context,
		options.expectedSelfId,
		'options.expectedSelfId',
		itemIndex,
	);
	return {
		method,
		dryRun: context.getNodeParameter('dryRun', itemIndex) as boolean,
		minIntervalMs:
			seconds(context.getNodeParameter('minIntervalMinutes', itemIndex), 'minIntervalMinutes') * 60,
		maxPerHour: numberParameter(
			context,
			context.getNodeParameter('maxPerHour', itemIndex),
			'maxPerHour',
			itemIndex,
		),
		deadlineMs: seconds(
			context.getNodeParameter('recoveryDeadline', itemIndex),
			'recoveryDeadline',
		),
		expectedSelfId: expected > 0 ? expected : null,
		initialDelayMs: seconds(options.initialWait, 'options.initialWait'),
		loginGraceMs: seconds(options.loginGrace, 'options.loginGrace'),
		pollBaseMs: seconds(options.pollBase, 'options.pollBase'),
		pollCapMs: seconds(options.pollCap, 'options.pollCap'),
		rateLimitWaitMs: seconds(options.rateLimitWait, 'options.rateLimitWait'),
		timeoutMs: seconds(options.requestTimeout, 'options.requestTimeout'),
		sendReport: options.sendReport !== false,
		webUiLoginCheck:
			method !== 'napcatWebUi' &&
			context.getNodeParameter('webUiLoginCheck', itemIndex, false) === true,
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
