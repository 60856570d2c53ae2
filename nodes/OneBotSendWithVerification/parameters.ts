import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';
import { randomUUID } from 'crypto';
import type { DeliveryRequest, DeliverySettings } from '../../core/delivery';
import { InputError, buildMessage, parseTargetId } from '../../core/message';
import type { MessageMode } from '../../core/message';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import type { RetryPolicy } from '../../core/retry';
import type { ReasonClass, VerificationLevel } from '../../core/types';
import {
	NUMBER_LIMITS,
	parameterError,
	readNumber,
	readOptionalNumber,
} from '../shared/parameters';
import type { FieldOf } from '../shared/parameters';

const MESSAGE_FIELDS: Record<MessageMode, string> = {
	text: 'text',
	segments: 'segments',
	cq: 'cqMessage',
};

export function inputError(
	context: IExecuteFunctions,
	itemIndex: number,
	field: string,
	message: string,
): NodeOperationError {
	return parameterError(context, itemIndex, field, message);
}

/**
 * What each item decides for itself (an expression may give every item its own value): the level, the
 * deadline, the retry policy and what its output carries. Items with different values are delivered by
 * separate engines of one run (OneBotSendWithVerification.node.ts).
 */
export interface ItemSettings {
	verification: VerificationLevel;
	deadlineMs: number;
	retry: RetryPolicy;
	attemptLog: boolean;
	includeInput: boolean;
}

/** The run's settings: what every item must share (an item's own settings complete them per engine). */
export type RunSettings = Omit<DeliverySettings, keyof ItemSettings> & {
	useEventStream: boolean;
	useSelfEvents: boolean;
	reportFailures: boolean;
	/** Close the account's breaker and forget its count before this run sends. */
	resetBreaker: boolean;
};

/**
 * Options every item of a run shares: one pacing lane and one breaker per account, one client with one request
 * timeout, one event stream per account, one breaker reset. Their descriptions say so in the editor.
 */
const RUN_WIDE_NUMBERS = [
	'options.minIntervalMs',
	'options.pollIntervalMs',
	'options.requestTimeoutMs',
	'options.accountRatePerMinute',
	'options.breakerThreshold',
	'options.breakerCoolDownSeconds',
	'options.breakerHoldSeconds',
] as const satisfies ReadonlyArray<FieldOf<'send'>>;
const RUN_WIDE_FLAGS = {
	'options.useEventStream': true,
	'options.useSelfEvents': true,
	'options.reportFailures': true,
	'options.resetBreaker': false,
} as const;

type RunWideValues = Record<string, number | boolean | undefined>;

/** The run-wide options as item `itemIndex` gives them (unset numbers stay undefined: "as another run set it"). */
function runWideValues(context: IExecuteFunctions, itemIndex: number): RunWideValues {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const values: RunWideValues = {};
	for (const field of RUN_WIDE_NUMBERS)
		values[field] = readOptionalNumber(
			context,
			'send',
			field,
			options[field.slice('options.'.length)],
			itemIndex,
		);
	for (const [field, fallback] of Object.entries(RUN_WIDE_FLAGS)) {
		const value = options[field.slice('options.'.length)];
		values[field] = value === undefined || value === null ? fallback : value === true;
	}
	return values;
}

/**
 * Throws a NodeOperationError naming the item and the field when item `itemIndex` gives a run-wide option
 * another value than the first item.
 */
export function checkRunWide(context: IExecuteFunctions, itemIndex: number): void {
	const first = runWideValues(context, 0);
	const mine = runWideValues(context, itemIndex);
	for (const field of Object.keys(first)) {
		if (first[field] === mine[field]) continue;
		const limit = (NUMBER_LIMITS.send as Record<string, { label: string } | undefined>)[field];
		const label = limit?.label ?? field.slice('options.'.length);
		throw inputError(
			context,
			itemIndex,
			field,
			`"${label}" (${field}) is shared by every item of a run, but this item gives ${String(mine[field] ?? 'no value')} and item 0 gives ${String(first[field] ?? 'no value')}. Give every item the same value, or split the items into separate runs.`,
		);
	}
}

/** One item's level, deadline, retry policy and output options; throws a NodeOperationError naming item and field. */
export function readItemSettings(context: IExecuteFunctions, itemIndex: number): ItemSettings {
	const verification = context.getNodeParameter('verification', itemIndex) as VerificationLevel;
	if (!['api', 'lookup', 'witness', 'kernel'].includes(verification)) {
		throw inputError(
			context,
			itemIndex,
			'verification',
			`unknown verification "${String(verification)}" (api, lookup, kernel or witness)`,
		);
	}
	const retry = context.getNodeParameter('retry', itemIndex, {}) as IDataObject;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const retryOn = (retry.retryOn ?? DEFAULT_RETRY_POLICY.retryOn) as ReasonClass[];
	if (
		!Array.isArray(retryOn) ||
		retryOn.some((value) => !['ambiguous', 'transient', 'account'].includes(value))
	) {
		throw inputError(
			context,
			itemIndex,
			'retry.retryOn',
			'"Retry On" takes ambiguous, transient and account only',
		);
	}
	const num = (field: FieldOf<'send'>, value: unknown) =>
		readNumber(context, 'send', field, value, itemIndex);
	return {
		verification,
		deadlineMs:
			num('deadlineSeconds', context.getNodeParameter('deadlineSeconds', itemIndex)) * 1000,
		retry: {
			...DEFAULT_RETRY_POLICY,
			maxAttempts: num('retry.maxAttempts', retry.maxAttempts),
			baseMs: num('retry.backoffMs', retry.backoffMs),
			capMs: num('retry.backoffCapMs', retry.backoffCapMs),
			accountBackoffMs: num('retry.accountBackoffMs', retry.accountBackoffMs),
			retryOn,
		},
		attemptLog: options.includeAttemptLog === true,
		includeInput: options.includeInput === true,
	};
}

/** The settings every item shares, read from the first item (checkRunWide holds the others to them). */
export function readSettings(context: IExecuteFunctions): RunSettings {
	const shared = runWideValues(context, 0);
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const number = (field: (typeof RUN_WIDE_NUMBERS)[number]) =>
		(shared[field] as number | undefined) ??
		readNumber(context, 'send', field, options[field.slice('options.'.length)]);
	const optional = (field: (typeof RUN_WIDE_NUMBERS)[number]) =>
		shared[field] as number | undefined;
	const coolDownS = optional('options.breakerCoolDownSeconds');
	return {
		pollIntervalMs: number('options.pollIntervalMs'),
		minIntervalMs: number('options.minIntervalMs'),
		requestTimeoutMs: number('options.requestTimeoutMs'),
		useEventStream: shared['options.useEventStream'] as boolean,
		useSelfEvents: shared['options.useSelfEvents'] as boolean,
		reportFailures: shared['options.reportFailures'] as boolean,
		resetBreaker: shared['options.resetBreaker'] as boolean,
		// Options left unset keep what the account already has in this process (another workflow may have set them).
		pacing: {
			ratePerMinute: optional('options.accountRatePerMinute'),
			breaker: {
				threshold: optional('options.breakerThreshold'),
				coolDownMs: coolDownS === undefined ? undefined : coolDownS * 1000,
			},
			holdMs: number('options.breakerHoldSeconds') * 1000,
		},
	};
}

/** One item's target, message and correlation id; throws a NodeOperationError naming the field. */
export function readRequest(context: IExecuteFunctions, itemIndex: number): DeliveryRequest {
	const targetType = context.getNodeParameter('targetType', itemIndex) as string;
	if (targetType !== 'group' && targetType !== 'private') {
		throw inputError(
			context,
			itemIndex,
			'targetType',
			`"targetType" must be group or private, got "${String(targetType)}"`,
		);
	}
	const mode = context.getNodeParameter('messageMode', itemIndex) as MessageMode;
	const messageField = Object.prototype.hasOwnProperty.call(MESSAGE_FIELDS, mode)
		? MESSAGE_FIELDS[mode]
		: undefined;
	if (!messageField)
		throw inputError(context, itemIndex, 'messageMode', `unknown message format "${String(mode)}"`);
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	try {
		const id = parseTargetId(context.getNodeParameter('targetId', itemIndex), 'targetId');
		const message = buildMessage({
			mode,
			content: context.getNodeParameter(messageField, itemIndex),
		});
		const correlationId = String(options.correlationId ?? '').trim() || randomUUID();
		return { index: itemIndex, target: { type: targetType, id }, message, correlationId };
	} catch (error) {
		const field =
			error instanceof InputError && error.field && error.field !== 'message'
				? error.field
				: messageField;
		throw inputError(
			context,
			itemIndex,
			field,
			error instanceof Error ? error.message : String(error),
		);
	}
}
