/** Any supervisor with an HTTP endpoint (systemd via a small webhook, Portainer, a PaaS API...): 2xx means accepted. */
import { redactUrl } from '../../redact';
import type { RequestFn } from '../../transport';
import { acceptedRequest, dryRunRequest, failedRequest, sendRestartRequest } from '../request';
import type { RestartRequest } from '../request';
import { httpFailure, serverError } from '../http';
import type { RestartMethod } from '../method';

export interface CustomRestartOptions {
	url: string;
	method: 'GET' | 'POST';
	body?: unknown;
	request: RequestFn;
	timeoutMs: number;
	/** The run's cancel signal: checked right before the request. */
	signal?: AbortSignal;
}

export async function restartViaHttp(options: CustomRestartOptions): Promise<RestartRequest> {
	// A supervisor that restarts the process answering it drops the connection after the request.
	const sent = await sendRestartRequest(
		{
			request: options.request,
			http: {
				method: options.method,
				url: options.url,
				headers: options.body === undefined ? undefined : { 'Content-Type': 'application/json' },
				body: options.body,
				timeoutMs: options.timeoutMs,
			},
			action: 'custom_restart',
			signal: options.signal,
		},
		{ name: 'The restart endpoint', request: 'the request' },
	);
	if ('unanswered' in sent) return sent.unanswered;
	const { response } = sent;
	if (response.status >= 200 && response.status < 300) {
		return acceptedRequest(
			`The restart endpoint accepted the request (HTTP ${response.status}).`,
			response.status,
		);
	}
	const failed = httpFailure('custom_restart', response);
	const auth = response.status === 401 || response.status === 403;
	return failedRequest(
		failed,
		`The restart endpoint answered HTTP ${response.status}${auth ? ': check the authorization in the credential' : ''}${serverError(response.status) ? ' (the request may have reached the supervisor: it counts for the guard)' : ''}.`,
		serverError(response.status) ? 'maybe_sent' : true,
		response.status === 404 ? { reason: 'bad_request' } : {},
	);
}

/** A custom HTTP request as a RestartMethod; a dry run sends nothing. */
export function customHttpRestartMethod(options: CustomRestartOptions): RestartMethod {
	return {
		name: 'customHttp',
		requestBudgetMs: options.timeoutMs,
		restart: ({ dryRun }) =>
			dryRun
				? Promise.resolve(
						dryRunRequest(
							`Dry run: ${options.method} ${redactUrl(options.url)} would be requested.`,
						),
					)
				: restartViaHttp(options),
	};
}
