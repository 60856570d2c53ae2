/** The HTTP helpers the restart methods share: one exchange, bounded texts, tolerant JSON. */
import { TIMEOUT_CODES, TransportError, networkErrorCode } from '../transport';
import type { CallFailure, HttpRequest, HttpResponse, RequestFn } from '../transport';
import { clip } from '../values';

export interface Exchanged {
	response?: HttpResponse;
	failure?: CallFailure;
}

/** A response body as bounded text; no body is an empty text. */
export function bodyText(body: unknown): string {
	if (body === undefined || body === null || body === '') return '';
	return clip(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
}

export function parseJson(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/** One HTTP exchange; a request that got no response becomes a network or timeout failure. */
export async function exchange(
	request: RequestFn,
	http: HttpRequest,
	action: string,
): Promise<Exchanged> {
	try {
		return { response: await request(http) };
	} catch (error) {
		const code = error instanceof TransportError ? error.code : networkErrorCode(error);
		const message = error instanceof Error ? error.message : String(error);
		return {
			failure: {
				kind: TIMEOUT_CODES.has(code) ? 'timeout' : 'network',
				action,
				raw: { code, message },
			},
		};
	}
}

export function networkExplanation(what: string, failure: CallFailure): string {
	return failure.kind === 'timeout'
		? `${what} did not answer in time (${failure.raw.code}).`
		: `${what} could not be reached (${failure.raw.code}).`;
}

export function httpFailure(action: string, response: HttpResponse): CallFailure {
	return {
		kind: 'http',
		action,
		raw: { httpStatus: response.status, body: bodyText(response.body) },
	};
}
