import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';
import { randomUUID } from 'crypto';
import { parseTargetId } from '../../core/message';
import type { RunSettings } from './parameters';

/** The Not Delivered item of an input that could not be sent (continueOnFail): the contract fields, nothing sent. */
export function errorItem(
	context: IExecuteFunctions,
	settings: RunSettings,
	itemIndex: number,
	error: NodeOperationError,
	now: number,
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
		verification: settings.verification,
		evidence: { summary: `Not sent: ${error.message}`, problem: error.description ?? error.message },
		target: { type: read('targetType'), id },
		message: null,
		messageId: null,
		correlationId: String(options.correlationId ?? '').trim() || randomUUID(),
		attempts: [],
		timing: { requestedAt: at, answeredAt: null, verifiedAt: null, gaveUpAt: at, totalMs: 0 },
		selfId: null,
	};
}
