import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { randomUUID } from 'crypto';
import type { DeliveryRequest, DeliverySettings } from '../../core/deliver';
import { InputError, buildMessage, parseTargetId } from '../../core/message';
import type { MessageMode } from '../../core/message';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import type { ReasonClass, VerificationLevel } from '../../core/types';

const MESSAGE_FIELDS: Record<MessageMode, string> = { text: 'text', segments: 'segments', cq: 'cqMessage' };

export interface RunSettings extends DeliverySettings {
	useEventStream: boolean;
	useSelfEvents: boolean;
	reportFailures: boolean;
	/** Copy each input item's JSON into its output item as `input` (off: reach it with `$('Node').item`). */
	includeInput: boolean;
	/** Close the account's breaker and forget its count before this run sends. */
	resetBreaker: boolean;
}

export function inputError(context: IExecuteFunctions, itemIndex: number, field: string, message: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), `Item ${itemIndex}: ${message}`, {
		itemIndex,
		description: `Check the "${field}" parameter of item ${itemIndex}.`,
	});
}

function numberOption(
	context: IExecuteFunctions,
	value: unknown,
	fallback: number,
	field: string,
	minimum: number,
): number {
	const number = value === undefined || value === '' ? fallback : Number(value);
	if (!Number.isFinite(number) || number < minimum) {
		throw inputError(context, 0, field, `"${field}" must be a number of at least ${minimum}, got "${String(value)}"`);
	}
	return number;
}

function optionalNumber(
	context: IExecuteFunctions,
	value: unknown,
	field: string,
	minimum: number,
	convert: (n: number) => number = (n) => n,
): number | undefined {
	if (value === undefined || value === '') return undefined;
	return convert(numberOption(context, value, 0, field, minimum));
}

/** Run-wide settings, read from the first item (one engine serves the whole run). */
export function readSettings(context: IExecuteFunctions): RunSettings {
	const verification = context.getNodeParameter('verification', 0) as VerificationLevel;
	if (!['api', 'lookup', 'witness', 'kernel'].includes(verification)) {
		throw inputError(context, 0, 'verification', `unknown verification "${String(verification)}"`);
	}
	const retry = context.getNodeParameter('retry', 0, {}) as IDataObject;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const retryOn = (retry.retryOn ?? DEFAULT_RETRY_POLICY.retryOn) as ReasonClass[];
	if (!Array.isArray(retryOn) || retryOn.some((value) => !['ambiguous', 'transient', 'account'].includes(value))) {
		throw inputError(context, 0, 'retry.retryOn', '"Retry On" takes ambiguous, transient and account only');
	}
	return {
		verification,
		deadlineMs: numberOption(context, context.getNodeParameter('deadlineSeconds', 0), 30, 'deadlineSeconds', 0.01) * 1000,
		pollIntervalMs: numberOption(context, options.pollIntervalMs, 1000, 'options.pollIntervalMs', 10),
		minIntervalMs: numberOption(context, options.minIntervalMs, 1000, 'options.minIntervalMs', 0),
		requestTimeoutMs: numberOption(context, options.requestTimeoutMs, 30000, 'options.requestTimeoutMs', 100),
		useEventStream: options.useEventStream !== false,
		useSelfEvents: options.useSelfEvents !== false,
		reportFailures: options.reportFailures !== false,
		includeInput: options.includeInput === true,
		resetBreaker: options.resetBreaker === true,
		// Options left unset keep what the account already has in this process (another workflow may have set them).
		pacing: {
			ratePerMinute: optionalNumber(context, options.accountRatePerMinute, 'options.accountRatePerMinute', 0),
			breaker: {
				threshold: optionalNumber(context, options.breakerThreshold, 'options.breakerThreshold', 0, Math.floor),
				coolDownMs: optionalNumber(context, options.breakerCoolDownSeconds, 'options.breakerCoolDownSeconds', 0, (s) => s * 1000),
			},
			holdMs: numberOption(context, options.breakerHoldSeconds, 600, 'options.breakerHoldSeconds', 0) * 1000,
		},
		attemptLog: options.includeAttemptLog === true,
		retry: {
			...DEFAULT_RETRY_POLICY,
			maxAttempts: Math.floor(numberOption(context, retry.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts, 'retry.maxAttempts', 1)),
			baseMs: numberOption(context, retry.backoffMs, DEFAULT_RETRY_POLICY.baseMs, 'retry.backoffMs', 0),
			capMs: numberOption(context, retry.backoffCapMs, DEFAULT_RETRY_POLICY.capMs, 'retry.backoffCapMs', 0),
			accountBackoffMs: numberOption(
				context,
				retry.accountBackoffMs,
				DEFAULT_RETRY_POLICY.accountBackoffMs,
				'retry.accountBackoffMs',
				0,
			),
			retryOn,
		},
	};
}

/** One item's target, message and correlation id; throws a NodeOperationError naming the field. */
export function readRequest(context: IExecuteFunctions, itemIndex: number): DeliveryRequest {
	const targetType = context.getNodeParameter('targetType', itemIndex) as string;
	if (targetType !== 'group' && targetType !== 'private') {
		throw inputError(context, itemIndex, 'targetType', `"targetType" must be group or private, got "${String(targetType)}"`);
	}
	const mode = context.getNodeParameter('messageMode', itemIndex) as MessageMode;
	const messageField = Object.prototype.hasOwnProperty.call(MESSAGE_FIELDS, mode) ? MESSAGE_FIELDS[mode] : undefined;
	if (!messageField) throw inputError(context, itemIndex, 'messageMode', `unknown message format "${String(mode)}"`);
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	try {
		const id = parseTargetId(context.getNodeParameter('targetId', itemIndex), 'targetId');
		const message = buildMessage({ mode, content: context.getNodeParameter(messageField, itemIndex) });
		const correlationId = String(options.correlationId ?? '').trim() || randomUUID();
		return { index: itemIndex, target: { type: targetType, id }, message, correlationId };
	} catch (error) {
		const field = error instanceof InputError && error.field && error.field !== 'message' ? error.field : messageField;
		throw inputError(context, itemIndex, field, error instanceof Error ? error.message : String(error));
	}
}
