import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';
import { randomUUID } from 'crypto';
import type { DeliveryRequest, DeliverySettings } from '../../core/deliver';
import { InputError, buildMessage, parseTargetId } from '../../core/message';
import type { MessageMode } from '../../core/message';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import type { ReasonClass, VerificationLevel } from '../../core/types';
import { parameterError, readNumber, readOptionalNumber } from '../shared/parameters';
import type { FieldOf } from '../shared/parameters';

const MESSAGE_FIELDS: Record<MessageMode, string> = {
	text: 'text',
	segments: 'segments',
	cq: 'cqMessage',
};

export interface RunSettings extends DeliverySettings {
	useEventStream: boolean;
	useSelfEvents: boolean;
	reportFailures: boolean;
	/** Copy each input item's JSON into its output item as `input` (off: reach it with `$('Node').item`). */
	includeInput: boolean;
	/** Close the account's breaker and forget its count before this run sends. */
	resetBreaker: boolean;
}

export function inputError(
	context: IExecuteFunctions,
	itemIndex: number,
	field: string,
	message: string,
): NodeOperationError {
	return parameterError(context, itemIndex, field, message);
}

const num = (context: IExecuteFunctions, field: FieldOf<'send'>, value: unknown) =>
	readNumber(context, 'send', field, value);
const optionalNum = (context: IExecuteFunctions, field: FieldOf<'send'>, value: unknown) =>
	readOptionalNumber(context, 'send', field, value);

/** Run-wide settings, read from the first item (one engine serves the whole run). */
export function readSettings(context: IExecuteFunctions): RunSettings {
	const verification = context.getNodeParameter('verification', 0) as VerificationLevel;
	if (!['api', 'lookup', 'witness', 'kernel'].includes(verification)) {
		throw inputError(context, 0, 'verification', `unknown verification "${String(verification)}"`);
	}
	const retry = context.getNodeParameter('retry', 0, {}) as IDataObject;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const retryOn = (retry.retryOn ?? DEFAULT_RETRY_POLICY.retryOn) as ReasonClass[];
	if (
		!Array.isArray(retryOn) ||
		retryOn.some((value) => !['ambiguous', 'transient', 'account'].includes(value))
	) {
		throw inputError(
			context,
			0,
			'retry.retryOn',
			'"Retry On" takes ambiguous, transient and account only',
		);
	}
	return {
		verification,
		deadlineMs:
			num(context, 'deadlineSeconds', context.getNodeParameter('deadlineSeconds', 0)) * 1000,
		pollIntervalMs: num(context, 'options.pollIntervalMs', options.pollIntervalMs),
		minIntervalMs: num(context, 'options.minIntervalMs', options.minIntervalMs),
		requestTimeoutMs: num(context, 'options.requestTimeoutMs', options.requestTimeoutMs),
		useEventStream: options.useEventStream !== false,
		useSelfEvents: options.useSelfEvents !== false,
		reportFailures: options.reportFailures !== false,
		includeInput: options.includeInput === true,
		resetBreaker: options.resetBreaker === true,
		// Options left unset keep what the account already has in this process (another workflow may have set them).
		pacing: {
			ratePerMinute: optionalNum(
				context,
				'options.accountRatePerMinute',
				options.accountRatePerMinute,
			),
			breaker: {
				threshold: optionalNum(context, 'options.breakerThreshold', options.breakerThreshold),
				coolDownMs: ((s) => (s === undefined ? undefined : s * 1000))(
					optionalNum(context, 'options.breakerCoolDownSeconds', options.breakerCoolDownSeconds),
				),
			},
			holdMs: num(context, 'options.breakerHoldSeconds', options.breakerHoldSeconds) * 1000,
		},
		attemptLog: options.includeAttemptLog === true,
		retry: {
			...DEFAULT_RETRY_POLICY,
			maxAttempts: num(context, 'retry.maxAttempts', retry.maxAttempts),
			baseMs: num(context, 'retry.backoffMs', retry.backoffMs),
			capMs: num(context, 'retry.backoffCapMs', retry.backoffCapMs),
			accountBackoffMs: num(context, 'retry.accountBackoffMs', retry.accountBackoffMs),
			retryOn,
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
