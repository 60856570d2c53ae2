/** The Docker Engine API (through a restart-only socket proxy): POST /containers/{id}/restart. */
import type { RequestFn } from '../../transport';
import { acceptedRequest, dryRunRequest, failedRequest, sendRestartRequest } from '../request';
import type { RestartRequest } from '../request';
import { exchange, httpFailure, parseJson, serverError } from '../http';
import { clip, isRecord } from '../../values';
import type { RestartMethod } from '../method';

export interface DockerRestartOptions {
	baseUrl: string;
	container: string;
	/** Seconds Docker waits for the container to stop before killing it (`t`). */
	stopTimeoutSeconds: number;
	request: RequestFn;
	/** Added to the stop timeout: Docker answers only once the container is stopped and started again. */
	timeoutMs: number;
	/** The run's cancel signal: checked right before the restart request. */
	signal?: AbortSignal;
}

/**
 * How long a Docker restart may take: Docker answers only after stopping the container (up to `t` s,
 * then a kill) and starting it again (moby/moby: daemon/restart.go, containerRestart), plus the inspect
 * call before it.
 */
export function dockerRequestBudgetMs(options: { stopTimeoutSeconds: number; timeoutMs: number }) {
	return Math.max(0, Math.floor(options.stopTimeoutSeconds)) * 1000 + 2 * options.timeoutMs;
}

/** POST /containers/{id}/restart?t= (204 restarted, 404 no such container, 500 server error). */
export async function restartViaDocker(options: DockerRestartOptions): Promise<RestartRequest> {
	const base = options.baseUrl.trim().replace(/\/+$/, '');
	const t = Math.max(0, Math.floor(options.stopTimeoutSeconds));
	const details = { container: options.container, stopTimeoutSeconds: t };
	// A timeout: the request reached Docker, which may still be restarting the container.
	const sent = await sendRestartRequest(
		{
			request: options.request,
			http: {
				method: 'POST',
				url: `${base}/containers/${encodeURIComponent(options.container)}/restart?t=${t}`,
				timeoutMs: options.timeoutMs + t * 1000,
			},
			action: 'docker_restart',
			signal: options.signal,
		},
		{ name: 'The Docker Engine API', request: 'the restart request', slowAnswer: ' (a slow stop)' },
		{ details },
	);
	if ('unanswered' in sent) return sent.unanswered;
	const { response } = sent;
	if (response.status >= 200 && response.status < 300) {
		return acceptedRequest(`Docker restarted container "${options.container}".`, response.status, {
			details,
		});
	}
	const parsed = parseJson(response.body);
	const message =
		isRecord(parsed) && typeof parsed.message === 'string' ? clip(parsed.message) : null;
	const failed = httpFailure('docker_restart', response);
	if (message) failed.raw.message = message;
	switch (response.status) {
		case 404:
			return failedRequest(
				failed,
				`Docker has no container "${options.container}"${message ? ` (${message})` : ''}. Check the container name or id.`,
				true,
				{ reason: 'bad_request' },
				details,
			);
		case 401:
		case 403:
			return failedRequest(
				failed,
				`The Docker endpoint refused the restart (HTTP ${response.status}). With a socket proxy, allow POST /containers/{name}/restart for this container only (e.g. wollomatic/socket-proxy -allowPOST), never every POST (that also opens /containers/create and /exec); check the access token.`,
				true,
				{ reason: 'auth_failed' },
				details,
			);
		default:
			return failedRequest(
				failed,
				`Docker could not restart container "${options.container}" (HTTP ${response.status}${message ? `: ${message}` : ''})${serverError(response.status) ? '; it may have stopped it, so the request counts for the guard' : ''}.`,
				serverError(response.status) ? 'maybe_sent' : true,
				{},
				details,
			);
	}
}

/**
 * GET /containers/{id}/json → State.StartedAt (RFC 3339 with nanoseconds; "0001-01-01T00:00:00Z" when never
 * started). Null when it cannot be read: a socket proxy that allows only restarts answers 403 (Tecnativa
 * docker-socket-proxy needs CONTAINERS=1 for this), or the container is unknown.
 */
export async function dockerContainerStartedAt(
	options: Omit<DockerRestartOptions, 'stopTimeoutSeconds'>,
): Promise<number | null> {
	const base = options.baseUrl.trim().replace(/\/+$/, '');
	const { response } = await exchange(
		options.request,
		{
			method: 'GET',
			url: `${base}/containers/${encodeURIComponent(options.container)}/json`,
			timeoutMs: options.timeoutMs,
		},
		'docker_inspect',
	);
	if (!response || response.status !== 200) return null;
	const parsed = parseJson(response.body);
	const state = isRecord(parsed) && isRecord(parsed.State) ? parsed.State : null;
	const startedAt = state && typeof state.StartedAt === 'string' ? state.StartedAt : null;
	if (!startedAt) return null;
	// JavaScript dates keep milliseconds: cut the fraction to three digits before parsing.
	const ms = Date.parse(startedAt.replace(/(\.\d{3})\d+/, '$1'));
	return Number.isFinite(ms) && ms > Date.UTC(2000, 0, 1) ? ms : null;
}

/** Docker as a RestartMethod; a dry run sends nothing. */
export function dockerRestartMethod(options: DockerRestartOptions): RestartMethod {
	return {
		name: 'docker',
		requestBudgetMs: dockerRequestBudgetMs(options),
		lastStartedAt: () => dockerContainerStartedAt(options),
		restart: ({ dryRun }) =>
			dryRun
				? Promise.resolve(
						dryRunRequest(`Dry run: Docker would restart container "${options.container}".`, {
							container: options.container,
						}),
					)
				: restartViaDocker(options),
	};
}
