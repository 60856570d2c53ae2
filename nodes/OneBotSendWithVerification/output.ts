import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { DeliveryStopped } from '../../core/delivery';
import { ExecutionCancelled } from '../shared/sleep';
import { randomUUID } from 'crypto';
import { parseTargetId } from '../../core/message';

/** The Not Delivered item of an input that could not be sent (continueOnFail): the contract fields, nothing sent. */
export function errorItem(
	context: IExecuteFunctions,
	itemIndex: number,
	error: NodeOperationError,
	now: number,
	mayHaveBeenSent = false,
): IDataObject {
	const at = new Date(now).toISOString();
	const read = (name: string): unknown => {
		try {
			return context.getNodeParameter(name, itemIndex, null);
		} catch {
			return null;
		}
	};
	let id: number | null = null;
	try {
		id = parseTargetId(read('targetId'), 'targetId');
	} catch {
		id = null;
	}
	const options = (read('options') ?? {}) as IDataObject;
	return {
		error: error.message,
		status: 'failed',
		reason: 'bad_request',
		reasonClass: 'terminal',
		// The level this item asked for, as given (it may be the very value that was refused).
		verification: read('verification') as string | null,
		evidence: {
			summary: mayHaveBeenSent
				? `Stopped, not resent: ${error.message}`
				: `Not sent: ${error.message}`,
			problem: error.description ?? error.message,
		},
		target: { type: read('targetType'), id },
		message: null,
		messageId: null,
		correlationId: String(options.correlationId ?? '').trim() || randomUUID(),
		attempts: [],
		timing: { requestedAt: at, answeredAt: null, verifiedAt: null, gaveUpAt: at, totalMs: 0 },
		selfId: null,
	};
}

/**
 * The error of an item that stopped inside the engine: a cancelled execution, or a bug. The message names
 * the item; whether a send went out before it stopped is unknown, so it is never retried here.
 */
export function itemFailure(
	context: IExecuteFunctions,
	itemIndex: number,
	error: unknown,
): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const cancelled = error instanceof DeliveryStopped || error instanceof ExecutionCancelled;
	const detail = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(
		context.getNode(),
		cancelled
			? `Item ${itemIndex}: stopped: ${detail}`
			: `Item ${itemIndex}: the send failed unexpectedly: ${detail}`,
		{
			itemIndex,
			description: cancelled
				? 'The execution was cancelled while this item was being sent or verified; whether it arrived is unknown.'
				: 'Whether this message arrived is unknown, so it was not resent. The other items were not affected.',
		},
	);
}
