import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { REASON_CLASS } from '../../core/classify';
import type { ReportOutcome } from '../../core/report';
import { closeAccountBreaker } from '../../core/pacing/registry';
import {
	NapCatWebUiSession,
	dryRunAttempt,
	restartAccountKey,
	restartViaDocker,
	restartViaHttp,
	restartViaOneBot,
	runRestart,
	RESTART_METHODS,
} from '../../core/restart';
import type { RestartAttempt, RestartMethod, RestartRunResult } from '../../core/restart';
import type { OneBotClient } from '../../core/transport';
import { reportToTrigger } from '../shared/report';
import { authenticatedRequest, oneBotClient, plainRequest } from '../shared/transport';
import type { OneBotCredentialValues } from '../shared/transport';

const HISTORY_KEY = 'restartHistory';

/** Outcomes worth a report to the trigger: a restart was wanted and the account is still not back. */
const REPORTED_OUTCOMES = new Set(['restart_failed', 'needs_login', 'not_recovered']);

interface RestartParameters {
	method: RestartMethod;
	dryRun: boolean;
	minIntervalMs: number;
	maxPerHour: number;
	deadlineMs: number;
	expectedSelfId: number | null;
	initialDelayMs: number;
	loginGraceMs: number;
	pollBaseMs: number;
	pollCapMs: number;
	rateLimitWaitMs: number;
	timeoutMs: number;
	sendReport: boolean;
}

function numberParameter(
	context: IExecuteFunctions,
	value: unknown,
	field: string,
	itemIndex: number,
	{ min, allowZero }: { min?: number; allowZero?: boolean } = {},
): number {
	const number = Number(value);
	const tooSmall = allowZero ? number < 0 : number <= 0;
	if (!Number.isFinite(number) || tooSmall || (min !== undefined && number < min)) {
		throw new NodeOperationError(context.getNode(), `"${field}" must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${String(value)}"`, {
			itemIndex,
			description: `Item ${itemIndex}: fix the "${field}" parameter.`,
		});
	}
	return number;
}

function readParameters(context: IExecuteFunctions, itemIndex: number): RestartParameters {
	const method = context.getNodeParameter('method', itemIndex) as RestartMethod;
	if (!RESTART_METHODS.includes(method)) {
		throw new NodeOperationError(context.getNode(), `Unknown restart method "${String(method)}"`, { itemIndex });
	}
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const seconds = (value: unknown, field: string, allowZero = false) =>
		numberParameter(context, value, field, itemIndex, { allowZero }) * 1000;
	const expected = Number(options.expectedSelfId ?? 0);
	if (!Number.isInteger(expected) || expected < 0) {
		throw new NodeOperationError(context.getNode(), `"Account QQ Number" must be a QQ number, got "${String(options.expectedSelfId)}"`, {
			itemIndex,
		});
	}
	return {
		method,
		dryRun: context.getNodeParameter('dryRun', itemIndex) as boolean,
		minIntervalMs: seconds(context.getNodeParameter('minIntervalMinutes', itemIndex), 'Minimum Interval', true) * 60,
		maxPerHour: Math.floor(numberParameter(context, context.getNodeParameter('maxPerHour', itemIndex), 'Max Restarts per Hour', itemIndex, { allowZero: true })),
		deadlineMs: seconds(context.getNodeParameter('recoveryDeadline', itemIndex), 'Recovery Deadline'),
		expectedSelfId: expected > 0 ? expected : null,
		initialDelayMs: seconds(options.initialWait ?? 5, 'Initial Wait', true),
		loginGraceMs: seconds(options.loginGrace ?? 20, 'Login Grace', true),
		pollBaseMs: seconds(options.pollBase ?? 2, 'Poll Interval'),
		pollCapMs: seconds(options.pollCap ?? 15, 'Max Poll Interval'),
		rateLimitWaitMs: seconds(options.rateLimitWait ?? 60, 'Rate Limit Wait', true),
		timeoutMs: seconds(options.requestTimeout ?? 15, 'Request Timeout'),
		sendReport: options.sendReport !== false,
	};
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

function parseBody(context: IExecuteFunctions, itemIndex: number): unknown {
	const raw = context.getNodeParameter('requestBody', itemIndex, '') as unknown;
	if (raw === '' || raw === null || raw === undefined) return undefined;
	if (typeof raw !== 'string') return raw;
	try {
		return JSON.parse(raw);
	} catch {
		throw new NodeOperationError(context.getNode(), '"Body (JSON)" is not valid JSON', {
			itemIndex,
			description: `Item ${itemIndex}: fix the "Body (JSON)" parameter or leave it empty.`,
		});
	}
}

function iso(ms: number | null | undefined): string | null {
	return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** One WebUI session per WebUI and token for the whole run, so items share a login (the WebUI rate-limits logins). */
async function webUiSession(
	context: IExecuteFunctions,
	itemIndex: number,
	sessions: Map<string, NapCatWebUiSession>,
	parameters: RestartParameters,
): Promise<NapCatWebUiSession> {
	const values = (await context.getCredentials('napCatWebUiApi', itemIndex)) as IDataObject;
	const baseUrl = text(values.baseUrl);
	const token = text(values.token);
	if (!baseUrl || !token) {
		throw new NodeOperationError(context.getNode(), 'The NapCat WebUI credential needs a base URL and a token', { itemIndex });
	}
	const key = `${baseUrl}\n${token}`;
	let session = sessions.get(key);
	if (!session) {
		session = new NapCatWebUiSession({
			baseUrl,
			token,
			request: plainRequest(context),
			sleep,
			clock: Date.now,
			timeoutMs: parameters.timeoutMs,
			rateLimitWaitMs: parameters.rateLimitWaitMs,
		});
		sessions.set(key, session);
	}
	return session;
}

/** Binds the chosen method to its credential; in a dry run nothing that restarts is sent. */
async function restartRequest(
	context: IExecuteFunctions,
	itemIndex: number,
	parameters: RestartParameters,
	client: OneBotClient,
	webUi: NapCatWebUiSession | null,
): Promise<(options: { dryRun: boolean }) => Promise<RestartAttempt>> {
	switch (parameters.method) {
		case 'onebot':
			return ({ dryRun }) => restartViaOneBot(client, { timeoutMs: parameters.timeoutMs, dryRun });
		case 'napcatWebUi':
			return async ({ dryRun }) => {
				if (!dryRun) return webUi!.restart();
				const refused = await webUi!.tryLogin();
				return refused ?? dryRunAttempt('Dry run: the NapCat WebUI login works; Process/Restart would be called.', { webUiLogins: webUi!.logins });
			};
		case 'docker': {
			const container = text(context.getNodeParameter('container', itemIndex));
			if (!container) {
				throw new NodeOperationError(context.getNode(), '"Container" is empty', {
					itemIndex,
					description: `Item ${itemIndex}: set the name or id of the container that runs the QQ client.`,
				});
			}
			const stopTimeoutSeconds = numberParameter(context, context.getNodeParameter('stopTimeout', itemIndex), 'Stop Timeout', itemIndex, { allowZero: true });
			const values = (await context.getCredentials('dockerEngineApi', itemIndex)) as IDataObject;
			const baseUrl = text(values.baseUrl);
			return ({ dryRun }) =>
				dryRun
					? Promise.resolve(dryRunAttempt(`Dry run: Docker would restart container "${container}".`, { container }))
					: restartViaDocker({
							baseUrl,
							container,
							stopTimeoutSeconds,
							request: authenticatedRequest(context, 'dockerEngineApi'),
							timeoutMs: parameters.timeoutMs,
						});
		}
		case 'customHttp': {
			const httpMethod = context.getNodeParameter('httpMethod', itemIndex) as 'GET' | 'POST';
			const body = httpMethod === 'POST' ? parseBody(context, itemIndex) : undefined;
			const values = (await context.getCredentials('oneBotRestartEndpointApi', itemIndex)) as IDataObject;
			const url = text(values.url);
			return ({ dryRun }) =>
				dryRun
					? Promise.resolve(dryRunAttempt(`Dry run: ${httpMethod} ${url} would be requested.`))
					: restartViaHttp({
							url,
							method: httpMethod,
							body,
							request: authenticatedRequest(context, 'oneBotRestartEndpointApi'),
							timeoutMs: parameters.timeoutMs,
						});
		}
	}
}

function guardHistory(context: IExecuteFunctions): Record<string, unknown[]> {
	const staticData = context.getWorkflowStaticData('node');
	const stored = staticData[HISTORY_KEY];
	if (!stored || typeof stored !== 'object' || Array.isArray(stored)) staticData[HISTORY_KEY] = {};
	return staticData[HISTORY_KEY] as Record<string, unknown[]>;
}

/** Static data is saved only for active workflows outside manual runs (n8n community node docs). */
function historyPersists(context: IExecuteFunctions): boolean {
	if (context.getMode() === 'manual') return false;
	const workflow = context.getWorkflow() as { active?: boolean };
	return workflow.active !== false;
}

function toJson(
	run: RestartRunResult,
	parameters: RestartParameters,
	accountKey: string,
	persisted: boolean,
	report: ReportOutcome | null,
): IDataObject {
	const attempt = run.attempt;
	const recovery = run.recovery;
	const last = recovery?.lastState ?? null;
	return {
		outcome: run.outcome,
		recovered: run.recovered,
		explanation: run.explanation,
		reason: run.reason,
		reasonClass: run.reasonClass,
		method: parameters.method,
		dryRun: parameters.dryRun,
		selfId: last?.selfId ?? parameters.expectedSelfId,
		accountKey,
		downtimeMs: recovery?.downtimeMs ?? null,
		implementation: (attempt?.implementation ?? null) as IDataObject | null,
		restart: {
			requested: attempt?.sent ?? false,
			answer: attempt?.answer ?? null,
			requestedAt: iso(run.restartRequestedAt),
			httpStatus: attempt?.httpStatus ?? null,
			explanation: attempt?.explanation ?? null,
			raw: (attempt?.raw ?? null) as IDataObject | null,
			details: (attempt?.details ?? {}) as IDataObject,
		},
		recovery: recovery
			? {
					checks: recovery.checks,
					sawDown: recovery.sawDown,
					backOnlineAt: iso(recovery.backOnlineAt),
					downtimeMs: recovery.downtimeMs,
					waitedMs: recovery.waitedMs,
					lastCheck: last
						? {
								at: iso(last.at),
								reachable: last.reachable,
								online: last.online,
								selfId: last.selfId,
								reason: last.reason,
								webUi: last.webUi as IDataObject | null,
							}
						: null,
				}
			: null,
		qrCodeUrl: last?.webUi?.qrCodeUrl ?? null,
		guard: {
			allowed: run.guard.allowed,
			blockedBy: run.guard.blockedBy,
			minIntervalMinutes: parameters.minIntervalMs / 60000,
			maxPerHour: parameters.maxPerHour,
			restartsInLastHour: run.guard.restartsInLastHour,
			lastRestartAt: iso(run.guard.lastRestartAt),
			nextAllowedAt: iso(run.guard.nextAllowedAt),
			historyPersisted: persisted,
			...(persisted
				? {}
				: {
						note: 'Manual run, inactive workflow, or a queue-mode worker: n8n gives this run no saved static data, so the restart history started empty and is kept only within this run. Activate the workflow in regular mode for the guard to hold across runs (see Queue mode in the README).',
					}),
		},
		timing: {
			startedAt: iso(run.startedAt),
			finishedAt: iso(run.finishedAt),
			totalMs: run.finishedAt - run.startedAt,
		},
		report: report as IDataObject | null,
	};
}

function sendReport(
	context: IExecuteFunctions,
	credentials: OneBotCredentialValues,
	json: IDataObject,
	run: RestartRunResult,
): Promise<ReportOutcome> {
	return reportToTrigger(context, credentials, {
		event: 'restart_failed',
		source: 'restart',
		reason: run.reason,
		reasonClass: run.reasonClass ?? (run.reason ? REASON_CLASS[run.reason] : null),
		selfId: (json.selfId as number | null) ?? null,
		details: {
			outcome: run.outcome,
			method: json.method,
			explanation: run.explanation,
			accountKey: json.accountKey,
			downtimeMs: json.downtimeMs,
			restart: json.restart,
			recovery: json.recovery,
			qrCodeUrl: json.qrCodeUrl,
		},
	});
}

export class OneBotRestartClient implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Restart Client',
		name: 'oneBotRestartClient',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"restart via " + {"onebot": "set_restart", "napcatWebUi": "NapCat WebUI", "docker": "Docker", "customHttp": "HTTP request"}[$parameter["method"]] + ($parameter["dryRun"] ? " (dry run)" : "")}}',
		description:
			'Restarts the QQ client behind a OneBot account in a way that really works for the setup, refuses restart loops, and waits until the account is back online',
		defaults: { name: 'OneBot Restart Client' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Recovered', 'Not Recovered'],
		credentials: [
			{ name: 'oneBotApi', required: true },
			{ name: 'napCatWebUiApi', required: true, displayOptions: { show: { method: ['napcatWebUi'] } } },
			{ name: 'dockerEngineApi', required: true, displayOptions: { show: { method: ['docker'] } } },
			{
				name: 'oneBotRestartEndpointApi',
				required: true,
				testedBy: 'oneBotRestartEndpointTest',
				displayOptions: { show: { method: ['customHttp'] } },
			},
		],
		properties: [
			{
				displayName:
					'The OneBot API credential is the account to bring back: the node checks it until it is logged in and online again. Its report URL and secret sign the report sent when it does not recover.',
				name: 'accountNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Restart Method',
				name: 'method',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Custom HTTP Request',
						value: 'customHttp',
						description: 'Any other supervisor with an HTTP endpoint that restarts the client',
					},
					{
						name: 'Docker Engine API',
						value: 'docker',
						description: 'Restart the container through a restart-only Docker socket proxy',
					},
					{
						name: 'NapCat WebUI',
						value: 'napcatWebUi',
						description: 'NapCat v4.10.32+ WebUI process restart (multi-process mode); also tells a needed QR login apart',
					},
					{
						name: 'OneBot Set_restart',
						value: 'onebot',
						description:
							'Only where it really restarts: NapCat v4.10.32+ in multi-process mode, Lagrange. Refused for LLOneBot and go-cqhttp.',
					},
				],
				default: 'napcatWebUi',
			},
			{
				displayName: 'Container',
				name: 'container',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'napcat',
				description: 'Name or ID of the container that runs the QQ client',
				displayOptions: { show: { method: ['docker'] } },
			},
			{
				displayName: 'Stop Timeout (Seconds)',
				name: 'stopTimeout',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description: 'How long Docker waits for the client to stop before killing it',
				displayOptions: { show: { method: ['docker'] } },
			},
			{
				displayName: 'HTTP Method',
				name: 'httpMethod',
				type: 'options',
				options: [
					{ name: 'GET', value: 'GET' },
					{ name: 'POST', value: 'POST' },
				],
				default: 'POST',
				description: 'The method the restart endpoint expects',
				displayOptions: { show: { method: ['customHttp'] } },
			},
			{
				displayName: 'Body (JSON)',
				name: 'requestBody',
				type: 'json',
				default: '',
				description: 'Optional JSON body for a POST. Leave empty to send none.',
				displayOptions: { show: { method: ['customHttp'], httpMethod: ['POST'] } },
			},
			{
				displayName: 'Minimum Interval (Minutes)',
				name: 'minIntervalMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'No restart of the same account sooner than this after the previous one (0 = no minimum). A refused restart leaves on Not Recovered with outcome skipped_cooldown.',
			},
			{
				displayName: 'Max Restarts per Hour',
				name: 'maxPerHour',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 3,
				description: 'At most this many restarts of the same account in any hour (0 = no cap)',
			},
			{
				displayName: 'Recovery Deadline (Seconds)',
				name: 'recoveryDeadline',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 120,
				description: 'How long to wait for the account to be logged in and online again, counted from the restart request',
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to check the guard and the method (version check, WebUI login) without restarting anything',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Account QQ Number',
						name: 'expectedSelfId',
						type: 'number',
						default: 0,
						description:
							'When set, the account must come back as this QQ number, and the restart guard is kept per QQ number instead of per API base URL',
					},
					{
						displayName: 'Initial Wait (Seconds)',
						name: 'initialWait',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 5,
						description: 'Wait before the first check, so that a process that has not gone down yet is not taken for the restarted one',
					},
					{
						displayName: 'Login Grace (Seconds)',
						name: 'loginGrace',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 20,
						description:
							'NapCat WebUI only: how long the WebUI may offer a QR code before the result is needs_login (a quick login may still be going on)',
					},
					{
						displayName: 'Max Poll Interval (Seconds)',
						name: 'pollCap',
						type: 'number',
						typeOptions: { minValue: 0.1 },
						default: 15,
						description: 'The longest wait between two checks',
					},
					{
						displayName: 'Poll Interval (Seconds)',
						name: 'pollBase',
						type: 'number',
						typeOptions: { minValue: 0.1 },
						default: 2,
						description: 'First wait between checks; it doubles (with jitter) up to the maximum',
					},
					{
						displayName: 'Rate Limit Wait (Seconds)',
						name: 'rateLimitWait',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 60,
						description: 'NapCat WebUI only: how long to wait for the WebUI login rate limit to clear before giving up',
					},
					{
						displayName: 'Request Timeout (Seconds)',
						name: 'requestTimeout',
						type: 'number',
						typeOptions: { minValue: 0.1 },
						default: 15,
						description: 'Timeout of each API call (Docker additionally waits the stop timeout)',
					},
					{
						displayName: 'Send Failure Report',
						name: 'sendReport',
						type: 'boolean',
						default: true,
						description:
							'Whether to post a signed report to the OneBot Delivery Failure Trigger (report URL of the OneBot credential) when the outcome is restart_failed, needs_login or not_recovered',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			/** Checks the URL only: any request to a restart endpoint could restart the client. */
			async oneBotRestartEndpointTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				if (!/^https?:\/\/[^/\s]+/i.test(text(credential.data?.url))) {
					return { status: 'Error', message: 'The restart URL must be a full http:// or https:// URL' };
				}
				return {
					status: 'OK',
					message: 'URL accepted. The endpoint was not contacted, because any request to it could restart the client.',
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const recovered: INodeExecutionData[] = [];
		const notRecovered: INodeExecutionData[] = [];
		const history = guardHistory(this);
		const persisted = historyPersists(this);
		const sessions = new Map<string, NapCatWebUiSession>();

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const parameters = readParameters(this, itemIndex);
				const { client, credentials } = await oneBotClient(this, 'oneBotApi', itemIndex, parameters.timeoutMs);
				if (!credentials.baseUrl) {
					throw new NodeOperationError(this.getNode(), 'The OneBot API credential has no base URL', { itemIndex });
				}
				const webUi = parameters.method === 'napcatWebUi' ? await webUiSession(this, itemIndex, sessions, parameters) : null;
				const request = await restartRequest(this, itemIndex, parameters, client, webUi);
				const accountKey = restartAccountKey(parameters.expectedSelfId, credentials.baseUrl);

				const run = await runRestart({
					method: parameters.method,
					dryRun: parameters.dryRun,
					request,
					client,
					webUi,
					expectedSelfId: parameters.expectedSelfId,
					guard: { minIntervalMs: parameters.minIntervalMs, maxPerHour: parameters.maxPerHour },
					history: Array.isArray(history[accountKey]) ? history[accountKey] : [],
					recovery: {
						deadlineMs: parameters.deadlineMs,
						initialDelayMs: parameters.initialDelayMs,
						pollBaseMs: parameters.pollBaseMs,
						pollCapMs: Math.max(parameters.pollCapMs, parameters.pollBaseMs),
						checkTimeoutMs: parameters.timeoutMs,
						loginGraceMs: parameters.loginGraceMs,
					},
					clock: Date.now,
					sleep,
				});
				history[accountKey] = run.history;

				const json = toJson(run, parameters, accountKey, persisted, null);
				// A client that came back sends again: close the account's breaker so held messages go out now.
				json.breakerClosed = run.recovered && typeof json.selfId === 'number' ? closeAccountBreaker(json.selfId, 'restart_recovered') : false;
				if (parameters.sendReport && REPORTED_OUTCOMES.has(run.outcome)) {
					json.report = (await sendReport(this, credentials, json, run)) as unknown as IDataObject;
				}
				(run.recovered ? recovered : notRecovered).push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (this.continueOnFail()) {
					const message = error instanceof Error ? error.message : String(error);
					notRecovered.push({ json: { outcome: 'error', recovered: false, error: message }, pairedItem: { item: itemIndex } });
					continue;
				}
				// Keeps an existing NodeOperationError as it is (n8n returns it unchanged).
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		return [recovered, notRecovered];
	}
}
