import { OneBotClient, TransportError } from '../../core/transport';
import type { CallFailure, HttpRequest, HttpResponse, RequestFn } from '../../core/transport';

/** A request function that always answers with the given HTTP status and body. */
export function answering(status: number, body: unknown): RequestFn {
	return async () => ({ status, body });
}

/** A request function that always fails the way a network library does. */
export function failing(error: unknown): RequestFn {
	return async () => {
		throw error;
	};
}

export function recording(response: HttpResponse): { request: RequestFn; seen: HttpRequest[] } {
	const seen: HttpRequest[] = [];
	return {
		seen,
		request: async (request) => {
			seen.push(request);
			return response;
		},
	};
}

/** Calls `action` through the real client against a canned answer and returns the failure. */
export async function failureOf(action: string, request: RequestFn): Promise<CallFailure> {
	const client = new OneBotClient({ baseUrl: 'http://onebot.test', request, clock: () => 0 });
	const result = await client.call(action, {});
	if (result.ok) throw new Error(`expected ${action} to fail`);
	return result.failure;
}

export { TransportError };
