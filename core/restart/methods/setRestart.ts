/** OneBot `set_restart`, refused where it does not really restart (from the version and from the answer). */
import { classifyCall } from '../../classify';
import { readVersionInfo } from '../../account';
import type { OneBotClient } from '../../transport';
import {
	acceptedRequest,
	dryRunRequest,
	failedRequest,
	noAnswerRequest,
	refusedRequest,
	throwIfCancelled,
	unsupportedRequest,
} from '../request';
import { mayHaveReached, serverError } from '../http';
import type { RestartRequest } from '../request';
import { detectImplementation, setRestartRefusal } from '../implementation';
import type { RestartMethod } from '../method';

export async function restartViaOneBot(
	client: OneBotClient,
	options: { timeoutMs: number; dryRun?: boolean; signal?: AbortSignal },
): Promise<RestartRequest> {
	const version = await readVersionInfo(client, options.timeoutMs);
	if (!version.ok) {
		const { reason, reasonClass, raw } = version.classification;
		if (reason === 'unreachable' || reason === 'client_timeout' || reason === 'auth_failed') {
			const explanation =
				reason === 'auth_failed'
					? 'The OneBot API refused the access token, so set_restart cannot be sent.'
					: 'The OneBot API does not answer, so set_restart cannot reach the client. Use a restart method outside the client (Docker or a custom HTTP request).';
			return refusedRequest(explanation, reason, { reasonClass, raw, implementation: null });
		}
	}
	const implementation = version.ok
		? detectImplementation(version.info.appName, version.info.appVersion)
		: detectImplementation(null, null);
	const refusal = setRestartRefusal(implementation);
	if (refusal) {
		return unsupportedRequest(
			`${refusal} Use the NapCat WebUI, Docker or a custom HTTP request instead.`,
			null,
			{ implementation },
		);
	}
	if (options.dryRun)
		return { ...dryRunRequest('Dry run: set_restart would be sent.'), implementation };

	throwIfCancelled(options.signal);
	const result = await client.call('set_restart', {}, { timeoutMs: options.timeoutMs });
	if (result.ok) {
		return acceptedRequest(
			`${implementation.appName ?? 'The implementation'} accepted set_restart.`,
			result.httpStatus,
			{
				implementation,
			},
		);
	}
	const failure = result.failure;
	if ((failure.kind === 'network' || failure.kind === 'timeout') && mayHaveReached(failure)) {
		// A process that restarts may drop the connection before it answers.
		return noAnswerRequest(
			'set_restart got no answer (the process may have gone down before answering); recovery decides.',
			failure.raw,
			{ implementation },
		);
	}
	const classification = classifyCall(failure);
	if (classification.reason === 'unsupported_action') {
		const explanation =
			classification.detail === 'napcat_restart_unavailable'
				? 'NapCat answered "重启功能未初始化": set_restart works only when NapCat runs in multi-process (Shell) mode. Use the NapCat WebUI in that mode, Docker or a custom HTTP request.'
				: `${implementation.appName ?? 'The implementation'} does not support set_restart. Use the NapCat WebUI, Docker or a custom HTTP request.`;
		return unsupportedRequest(explanation, failure.raw, { implementation });
	}
	const status = failure.raw.httpStatus ?? 0;
	return failedRequest(
		failure,
		`set_restart failed (${classification.reason}).`,
		failure.kind === 'network' ? false : serverError(status) ? 'maybe_sent' : true,
		{},
		{},
		{ implementation },
	);
}

/** set_restart as a RestartMethod. */
export function setRestartMethod(
	client: OneBotClient,
	options: { timeoutMs: number; signal?: AbortSignal },
): RestartMethod {
	return {
		name: 'onebot',
		// get_version_info, then set_restart.
		requestBudgetMs: 2 * options.timeoutMs,
		restart: ({ dryRun }) =>
			restartViaOneBot(client, { timeoutMs: options.timeoutMs, dryRun, signal: options.signal }),
	};
}
