/* eslint-disable @n8n/community-nodes/require-node-api-error -- test tooling, runs outside n8n */
/**
 * A RequestFn on global fetch, for tests and tools (nodes use n8n's request helpers instead).
 * Resolves with any HTTP status; rejects only when no response arrived, with a TransportError whose
 * code says why (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...).
 */
import { TransportError, networkErrorCode } from '../../core/transport';
import type { HttpRequest, HttpResponse, RequestFn } from '../../core/transport';

function requestBody(request: HttpRequest): string | undefined {
	if (request.method === 'GET' || request.body === undefined) return undefined;
	return typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
}

/** undici reports a peer that closed mid-exchange as UND_ERR_SOCKET ("other side closed"): a reset. */
function fetchErrorCode(error: unknown): string {
	const code = networkErrorCode(error);
	if (code !== 'ENETWORK') return code;
	const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
	return cause?.code === 'UND_ERR_SOCKET' ? 'ECONNRESET' : code;
}

export const fetchRequest: RequestFn = async (request: HttpRequest): Promise<HttpResponse> => {
	let response: Response;
	let text: string;
	try {
		response = await fetch(request.url, {
			method: request.method,
			headers: request.headers,
			body: requestBody(request),
			signal: AbortSignal.timeout(request.timeoutMs),
		});
		text = await response.text();
	} catch (error) {
		const code = fetchErrorCode(error);
		const message = error instanceof Error ? error.message : String(error);
		throw new TransportError(`${request.method} ${request.url}: ${message} (${code})`, code);
	}
	if (!text) return { status: response.status, body: '' };
	try {
		return { status: response.status, body: JSON.parse(text) };
	} catch {
		return { status: response.status, body: text };
	}
};
