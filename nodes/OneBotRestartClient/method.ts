import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	NapCatWebUiSession,
	customHttpRestartMethod,
	dockerRestartMethod,
	setRestartMethod,
	webUiRestartMethod,
} from '../../core/restart';
import type { RestartMethod } from '../../core/restart';
import type { OneBotClient } from '../../core/transport';
import { authenticatedRequest, plainRequest } from '../shared/transport';
import { readChoice } from '../shared/parameters';
import { stoppableSleep } from '../shared/sleep';
import { numberParameter, parseBody, text } from './parameters';
import type { RestartParameters } from './parameters';

/** One WebUI session per WebUI and token for the whole run, so items share a login (the WebUI rate-limits logins). */
export async function webUiSession(
	context: IExecuteFunctions,
	itemIndex: number,
	sessions: Map<string, NapCatWebUiSession>,
	parameters: RestartParameters,
	signal: AbortSignal | undefined,
): Promise<NapCatWebUiSession> {
	const values = (await context.getCredentials('napCatWebUiApi', itemIndex)) as IDataObject;
	const baseUrl = text(values.baseUrl);
	const token = text(values.token);
	if (!baseUrl || !token) {
		throw new NodeOperationError(
			context.getNode(),
			'The NapCat WebUI credential needs a base URL and a token',
			{ itemIndex },
		);
	}
	const key = `${baseUrl}\n${token}`;
	let session = sessions.get(key);
	if (!session) {
		session = new NapCatWebUiSession({
			baseUrl,
			token,
			request: plainRequest(context),
			// One session per run: its waits (the login rate limit) end at the run's Stop, and the session
			// checks the signal again right before Process/Restart.
			sleep: stoppableSleep(signal),
			signal,
			clock: Date.now,
			timeoutMs: parameters.timeoutMs,
			rateLimitWaitMs: parameters.rateLimitWaitMs,
		});
		sessions.set(key, session);
	}
	return session;
}

/** Binds the chosen method to its credential; in a dry run nothing that restarts is sent. */
export async function restartMethod(
	context: IExecuteFunctions,
	itemIndex: number,
	parameters: RestartParameters,
	client: OneBotClient,
	webUi: NapCatWebUiSession | null,
	signal: AbortSignal | undefined,
): Promise<RestartMethod> {
	switch (parameters.method) {
		case 'onebot':
			return setRestartMethod(client, { timeoutMs: parameters.timeoutMs, signal });
		case 'napcatWebUi':
			return webUiRestartMethod(webUi!);
		case 'docker': {
			const container = text(context.getNodeParameter('container', itemIndex));
			if (!container) {
				throw new NodeOperationError(context.getNode(), '"Container" is empty', {
					itemIndex,
					description: `Item ${itemIndex}: set the name or id of the container that runs the QQ client.`,
				});
			}
			const stopTimeoutSeconds = numberParameter(
				context,
				context.getNodeParameter('stopTimeout', itemIndex),
				'stopTimeout',
				itemIndex,
			);
			const values = (await context.getCredentials('dockerEngineApi', itemIndex)) as IDataObject;
			return dockerRestartMethod({
				baseUrl: text(values.baseUrl),
				container,
				stopTimeoutSeconds,
				request: authenticatedRequest(context, 'dockerEngineApi'),
				timeoutMs: parameters.timeoutMs,
				signal,
			});
		}
		case 'customHttp': {
			const httpMethod = readChoice(
				context,
				'httpMethod',
				context.getNodeParameter('httpMethod', itemIndex),
				['GET', 'POST'] as const,
				itemIndex,
			);
			const body = httpMethod === 'POST' ? parseBody(context, itemIndex) : undefined;
			const values = (await context.getCredentials(
				'oneBotRestartEndpointApi',
				itemIndex,
			)) as IDataObject;
			return customHttpRestartMethod({
				url: text(values.url),
				method: httpMethod,
				body,
				request: authenticatedRequest(context, 'oneBotRestartEndpointApi'),
				timeoutMs: parameters.timeoutMs,
				signal,
			});
		}
	}
}
