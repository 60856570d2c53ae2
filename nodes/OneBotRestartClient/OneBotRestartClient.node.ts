import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialsDecrypted,
	IDataObject,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import {
	NapCatWebUiSession,
	mergeHistories,
	resolveRestartAccountKey,
	restartAccountKey,
	runRestart,
} from '../../core/restart';
import { closeAccountBreaker } from '../../core/pacing/registry';
import { oneBotClient } from '../shared/transport';
import { cancelSignalOf, stoppableSleep } from '../shared/sleep';
import { restartClientProperties } from './description';
import { guardHistory, historyPersists } from './history';
import { REPORTED_OUTCOMES, restartFailedEvent, toJson } from './output';
import { PendingReports } from '../shared/report';
import { readParameters, text } from './parameters';
import { restartMethod, webUiSession } from './method';
import { outputsForCaller } from '../shared/toolOutput';

export class OneBotRestartClient implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Restart Client',
		name: 'oneBotRestartClient',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{"restart via " + {"onebot": "set_restart", "napcatWebUi": "NapCat WebUI", "docker": "Docker", "customHttp": "HTTP request"}[$parameter["method"]] + ($parameter["dryRun"] ? " (dry run)" : "")}}',
		description:
			'Restarts the QQ client behind a OneBot account in a way that really works for the setup, refuses restart loops (outcome skipped_cooldown), and waits until the account is back online',
		defaults: { name: 'OneBot Restart Client' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Recovered', 'Not Recovered'],
		credentials: [
			{ name: 'oneBotApi', required: true, displayName: 'Bot Account (Restarted)' },
			// Shown when webUiLoginCheck is true: always with the WebUI method (a hidden parameter fixed to true),
			// on request with the others (n8n takes a credential's first entry, so there is one entry).
			{
				name: 'napCatWebUiApi',
				required: true,
				displayName: 'NapCat WebUI (Restart or Login Check)',
				displayOptions: { show: { webUiLoginCheck: [true] } },
			},
			{
				name: 'dockerEngineApi',
				required: true,
				displayName: 'Docker Engine (Performs the Restart)',
				displayOptions: { show: { method: ['docker'] } },
			},
			{
				name: 'oneBotRestartEndpointApi',
				required: true,
				displayName: 'Restart Endpoint (Performs the Restart)',
				testedBy: 'oneBotRestartEndpointTest',
				displayOptions: { show: { method: ['customHttp'] } },
			},
		],
		properties: restartClientProperties,
	};

	methods = {
		credentialTest: {
			/** Checks the URL only: any request to a restart endpoint could restart the client. */
			async oneBotRestartEndpointTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				if (!/^https?:\/\/[^/\s]+/i.test(text(credential.data?.url))) {
					return {
						status: 'Error',
						message: 'The restart URL must be a full http:// or https:// URL',
					};
				}
				return {
					status: 'OK',
					message:
						'URL accepted. The endpoint was not contacted, because any request to it could restart the client.',
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const recovered: INodeExecutionData[] = [];
		const notRecovered: INodeExecutionData[] = [];
		// Failure reports are posted together after the last item, through the path every node shares.
		const reports = new PendingReports(this);
		const shared: RunShared = {
			history: guardHistory(this),
			persisted: historyPersists(this),
			sessions: new Map<string, NapCatWebUiSession>(),
			signal: cancelSignalOf(this),
			reports,
		};

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const { json, recovered: back } = await restartItem(this, itemIndex, shared);
				(back ? recovered : notRecovered).push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (this.continueOnFail()) {
					const message = error instanceof Error ? error.message : String(error);
					notRecovered.push({
						json: { outcome: 'error', recovered: false, error: message },
						pairedItem: { item: itemIndex },
					});
					continue;
				}
				// The run ends here: the items before this one still get their reports.
				await reports.flush();
				// Keeps an existing NodeOperationError as it is (n8n returns it unchanged).
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		await reports.flush();
		return outputsForCaller(this, [recovered, notRecovered]);
	}
}

/** What every item of a run shares: the guard history, WebUI sessions, the cancel signal, pending reports. */
interface RunShared {
	history: ReturnType<typeof guardHistory>;
	persisted: boolean;
	sessions: Map<string, NapCatWebUiSession>;
	signal: AbortSignal | undefined;
	reports: PendingReports;
}

/** One item: its restart behind the guard, then its output (and its report, when it failed). */
async function restartItem(
	context: IExecuteFunctions,
	itemIndex: number,
	shared: RunShared,
): Promise<{ json: IDataObject; recovered: boolean }> {
	const parameters = readParameters(context, itemIndex);
	const { client, credentials } = await oneBotClient(
		context,
		'oneBotApi',
		itemIndex,
		parameters.timeoutMs,
	);
	if (!credentials.baseUrl) {
		throw new NodeOperationError(context.getNode(), 'The OneBot API credential has no base URL', {
			itemIndex,
		});
	}
	const webUi =
		parameters.method === 'napcatWebUi' || parameters.webUiLoginCheck
			? await webUiSession(context, itemIndex, shared.sessions, parameters, shared.signal)
			: null;
	const method = await restartMethod(context, itemIndex, parameters, client, webUi, shared.signal);
	const resolved = await resolveRestartAccountKey({
		client,
		baseUrl: credentials.baseUrl,
		expectedSelfId: parameters.expectedSelfId,
		timeoutMs: parameters.timeoutMs,
	});
	const accountKey = resolved.key;
	// Restarts context workflow stored under the endpoint before the number was known count too.
	const endpointKey = restartAccountKey(null, resolved.endpoint);
	const stored = mergeHistories(
		shared.history[accountKey],
		endpointKey === accountKey ? [] : shared.history[endpointKey],
	);

	const run = await runRestart({
		accountKey,
		signal: shared.signal,
		requestBudgetMs: method.requestBudgetMs,
		method: parameters.method,
		dryRun: parameters.dryRun,
		request: (options) => method.restart(options),
		lastStartedAt: method.lastStartedAt ? () => method.lastStartedAt!() : undefined,
		client,
		webUi,
		expectedSelfId: parameters.expectedSelfId,
		guard: { minIntervalMs: parameters.minIntervalMs, maxPerHour: parameters.maxPerHour },
		history: stored,
		recovery: {
			deadlineMs: parameters.deadlineMs,
			initialDelayMs: parameters.initialDelayMs,
			pollBaseMs: parameters.pollBaseMs,
			pollCapMs: Math.max(parameters.pollCapMs, parameters.pollBaseMs),
			checkTimeoutMs: parameters.timeoutMs,
			loginGraceMs: parameters.loginGraceMs,
		},
		clock: Date.now,
		sleep: stoppableSleep(shared.signal),
	});
	// Static data is only a copy (n8n writes it back whole when the run ends, last writer wins):
	// merged, never overwritten, so a run that ends later cannot erase another run's restarts.
	shared.history[accountKey] = mergeHistories(shared.history[accountKey], run.history);

	const json = toJson(run, parameters, resolved, shared.persisted, null);
	// A client that came back sends again: close the account's breaker so held messages go out now.
	json.breakerClosed =
		run.recovered && typeof json.selfId === 'number'
			? closeAccountBreaker(json.selfId, 'restart_recovered')
			: false;
	if (parameters.sendReport && REPORTED_OUTCOMES.has(run.outcome)) {
		shared.reports.add(json, { destination: credentials, fields: restartFailedEvent(json, run) });
	}
	return { json, recovered: run.recovered };
}
