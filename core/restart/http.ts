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

/**
 * Errors raised before a request can have reached its target: the connection was refused, the host is
 * unknown or unreachable, or TLS failed. Every other failure (a reset, a broken pipe, a timeout) may come
 * after the request went out, and the target may have acted on it.
 */
const NEVER_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL',
	'ERR_INVALID_URL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether a request that got no answer may have reached its target (docs/compatibility.md, "Restart requests that get no answer"). */
export function mayHaveReached(failure: CallFailure): boolean {
	if (failure.kind === 'timeout') return true;
	if (failure.kind !== 'network') return true;
	return !NEVER_SENT_CODES.has(String(failure.raw.code ?? ''));
}

/** A 5xx may come from a proxy after the target received the request, or from a target that acted and then failed. */
export function serverError(status: number): boolean {
	return status >= 500 && status < 600;
}
