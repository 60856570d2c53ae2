import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { randomBytes } from 'crypto';
import { InputError, parseTargetId } from '../../core/message';
import {
	applyHysteresis,
	DEFAULT_HYSTERESIS,
	deliveryCanarySender,
	hysteresisKey,
	pruneHistories,
	renderCanaryText,
	runProbe,
} from '../../core/probe';
import type { CanaryPlan, HysteresisMemory, HysteresisOutcome, ProbeRun } from '../../core/probe';
import type { ReportOutcome } from '../../core/report';
import { REASON_CLASS } from '../../core/classify';
import { reportToTrigger } from '../shared/report';
import type { NodeFailureFields } from '../shared/report';
import { eventStreamOf, oneBotClient } from '../shared/transport';
import { accountPacing, closeAccountBreaker } from '../../core/pacing/registry';

const HISTORY_KEY = 'probeHistory';

const withCanary = { canary: ['group', 'private', 'groupAndPrivate'] };
const withGroupCanary = { canary: ['group', 'groupAndPrivate'] };
const withPrivateCanary = { canary: ['private', 'groupAndPrivate'] };

interface ProbeParameters {
	canaries: { group?: CanaryPlan; private?: CanaryPlan };
	needsWitness: boolean;
	historyKeyParts: Parameters<typeof hysteresisKey>[1];
	timeoutMs: number;
	apiSlowMs: number;
	canarySlowMs: number;
	failureThreshold: number;
	recoveryThreshold: number;
	degradedToUnhealthy: boolean;
	reportOnDown: boolean;
}

function positive(context: IExecuteFunctions, value: unknown, field: string, itemIndex: number): number {
	const number = Number(value);
	if (!Number.isFinite(number) || number <= 0) {
		throw new NodeOperationError(context.getNode(), `"${field}" must be a positive number, got "${String(value)}"`, {
			itemIndex,
			description: `Item ${itemIndex}: fix the "${field}" parameter.`,
		});
	}
	return number;
}

function readParameters(context: IExecuteFunctions, itemIndex: number, now: number): ProbeParameters {
	const canary = context.getNodeParameter('canary', itemIndex) as string;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const wantsGroup = canary === 'group' || canary === 'groupAndPrivate';
	const wantsPrivate = canary === 'private' || canary === 'groupAndPrivate';
	if (!['none', 'group', 'private', 'groupAndPrivate'].includes(canary)) {
		throw new NodeOperationError(context.getNode(), `Unknown canary choice "${canary}"`, { itemIndex });
	}
	const parameters: ProbeParameters = {
		canaries: {},
		needsWitness: false,
		historyKeyParts: {},
		timeoutMs: positive(context, options.requestTimeout ?? 10, 'Request Timeout', itemIndex) * 1000,
		apiSlowMs: positive(context, options.apiSlowMs ?? 3000, 'API Latency Threshold', itemIndex),
		canarySlowMs: positive(context, options.canarySlowMs ?? 15000, 'Canary Latency Threshold', itemIndex),
		failureThreshold: Math.floor(
			positive(context, options.failureThreshold ?? DEFAULT_HYSTERESIS.failureThreshold, 'Failure Threshold', itemIndex),
		),
		recoveryThreshold: Math.floor(
			positive(context, options.recoveryThreshold ?? DEFAULT_HYSTERESIS.recoveryThreshold, 'Recovery Threshold', itemIndex),
		),
		degradedToUnhealthy: context.getNodeParameter('degradedOutput', itemIndex) === 'unhealthy',
		reportOnDown: context.getNodeParameter('reportOnDown', itemIndex) as boolean,
	};
	if (!wantsGroup && !wantsPrivate) return parameters;

	const template = String(context.getNodeParameter('canaryTemplate', itemIndex));
	if (!template.includes('{nonce}')) {
		throw new NodeOperationError(context.getNode(), 'The canary message must contain {nonce}', {
			itemIndex,
			description: `Item ${itemIndex}: "Canary Message" needs {nonce} so that each canary is unique and cannot be mistaken for an earlier one.`,
		});
	}
	const deadlineMs = positive(context, context.getNodeParameter('canaryDeadline', itemIndex), 'Canary Deadline', itemIndex) * 1000;
	const recall = context.getNodeParameter('recallCanary', itemIndex) as boolean;
	const plan = (target: CanaryPlan['target'], verification: CanaryPlan['verification']): CanaryPlan => ({
		target,
		verification,
		// Each canary gets its own nonce: the group and private canaries are judged separately.
		text: renderCanaryText(template, { nowMs: now, nonce: randomBytes(4).toString('hex'), timeZone: context.getTimezone() }),
		deadlineMs,
		recall,
	});
	try {
		if (wantsGroup) {
			const groupId = parseTargetId(context.getNodeParameter('groupId', itemIndex), 'Probe Group ID');
			parameters.canaries.group = plan({ type: 'group', id: groupId }, 'witness');
			parameters.historyKeyParts.group = parameters.canaries.group.target;
			parameters.needsWitness = true;
		}
		if (wantsPrivate) {
			const toWitness = context.getNodeParameter('privateTarget', itemIndex) === 'witness';
			if (toWitness) {
				// The witness's own number is learned from its get_login_info when the canary is sent.
				parameters.canaries.private = plan({ type: 'private', id: 0 }, 'witness');
				parameters.historyKeyParts.private = 'witness';
				parameters.needsWitness = true;
			} else {
				const userId = parseTargetId(context.getNodeParameter('privateUserId', itemIndex), 'Private Target User ID');
				parameters.canaries.private = plan({ type: 'private', id: userId }, 'lookup');
				parameters.historyKeyParts.private = parameters.canaries.private.target;
			}
		}
	} catch (error) {
		const field = error instanceof InputError ? (error.field ?? 'parameter') : 'parameter';
		throw new NodeOperationError(context.getNode(), (error as Error).message, {
			itemIndex,
			description: `Item ${itemIndex}: fix the "${field}" field.`,
		});
	}
	return parameters;
}

function historyNote(kept: boolean, startedEmpty: boolean): string {
	if (!kept) {
		return 'Manual run: no history is kept, so this run is judged alone (state = observed state, changed = false, no report).';
	}
	return startedEmpty
		? 'First run for this account and canary configuration: the history starts at "up", as Gatus starts healthy.'
		: 'State debounced across runs with the thresholds below.';
}

export class OneBotHealthProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Health Probe',
		name: 'oneBotHealthProbe',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"canary: " + $parameter["canary"]}}',
		description:
			'Checks that a OneBot v11 QQ bot is reachable, logged in and online, and that a canary message really arrives; reports up, degraded or down with a diagnosis',
		defaults: { name: 'OneBot Health Probe' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Healthy', 'Unhealthy'],
		credentials: [
			{ name: 'oneBotApi', required: true },
			{ name: 'oneBotWitnessApi', required: false, displayOptions: { show: withCanary } },
		],
		properties: [
			{
				displayName:
					'Heartbeats and get_status cannot see a client whose group messages silently stop arriving. Only a canary that a second account (the witness) sees can: it is recommended.',
				name: 'canaryNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { canary: ['none'] } },
			},
			{
				displayName: 'Canary',
				name: 'canary',
				type: 'options',
				noDataExpression: true,
				default: 'none',
				description: 'Which canary messages to send besides the API checks. Group and private canaries are judged separately.',
				options: [
					{ name: 'None (API Checks Only)', value: 'none' },
					{ name: 'Group', value: 'group', description: 'A message to a probe group, seen by the witness account' },
					{ name: 'Private', value: 'private', description: 'A private message, by default to the witness account' },
					{
						name: 'Group and Private',
						value: 'groupAndPrivate',
						description: 'Both; tells a stuck client (group blocked, private fine) apart from a dead one',
					},
				],
			},
			{
				displayName: 'Probe Group ID',
				name: 'groupId',
				type: 'string',
				default: '',
				required: true,
				placeholder: '100200300',
				description: 'Group the canary goes to. Both the bot and the witness account must be members; a quiet group made for probing is best.',
				displayOptions: { show: withGroupCanary },
			},
			{
				displayName: 'Private Canary Target',
				name: 'privateTarget',
				type: 'options',
				default: 'witness',
				options: [
					{
						name: 'Witness Account',
						value: 'witness',
						description: 'The witness account receives it and proves it arrived',
					},
					{
						name: 'Another User',
						value: 'user',
						description: 'Arrival can only be checked through the bot\'s own API (lookup), not proved',
					},
				],
				displayOptions: { show: withPrivateCanary },
			},
			{
				displayName: 'Private Target User ID',
				name: 'privateUserId',
				type: 'string',
				default: '',
				required: true,
				placeholder: '10002',
				description: 'QQ number of the user (a friend of the bot) the private canary goes to',
				displayOptions: { show: { ...withPrivateCanary, privateTarget: ['user'] } },
			},
			{
				displayName: 'Canary Message',
				name: 'canaryTemplate',
				type: 'string',
				default: 'Health probe {time} #{nonce}',
				description:
					'Text of the canary. {time} is the probe time in the workflow time zone; {nonce} (required) makes each canary unique.',
				displayOptions: { show: withCanary },
			},
			{
				displayName: 'Canary Deadline (Seconds)',
				name: 'canaryDeadline',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 1 },
				description: 'How long the witness may take to see a canary before it counts as not arrived',
				displayOptions: { show: withCanary },
			},
			{
				displayName: 'Recall Canary',
				name: 'recallCanary',
				type: 'boolean',
				default: false,
				description: 'Whether to recall (delete_msg) each canary once it has been judged, so the group stays clean',
				displayOptions: { show: withCanary },
			},
			{
				displayName: 'Send Degraded To',
				name: 'degradedOutput',
				type: 'options',
				default: 'healthy',
				description: 'Which output a degraded result (slow, or the witness unreadable) leaves on',
				options: [
					{ name: 'Healthy', value: 'healthy' },
					{ name: 'Unhealthy', value: 'unhealthy' },
				],
			},
			{
				displayName: 'Report When Down',
				name: 'reportOnDown',
				type: 'boolean',
				default: true,
				description:
					'Whether to post a signed probe_down report to the Delivery Failure Trigger when the state turns down (needs a report URL and secret in the OneBot API credential)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'API Latency Threshold (Ms)',
						name: 'apiSlowMs',
						type: 'number',
						default: 3000,
						typeOptions: { minValue: 1 },
						description: 'An API check slower than this makes the result degraded (api_slow)',
					},
					{
						displayName: 'Canary Latency Threshold (Ms)',
						name: 'canarySlowMs',
						type: 'number',
						default: 15000,
						typeOptions: { minValue: 1 },
						description: 'A canary that takes longer than this to arrive makes the result degraded (canary_slow)',
					},
					{
						displayName: 'Failure Threshold',
						name: 'failureThreshold',
						type: 'number',
						default: 3,
						typeOptions: { minValue: 1 },
						description: 'Consecutive worse results before the state worsens (e.g. up → down). Kept only in active workflows.',
					},
					{
						displayName: 'Recovery Threshold',
						name: 'recoveryThreshold',
						type: 'number',
						default: 2,
						typeOptions: { minValue: 1 },
						description: 'Consecutive better results before the state improves (e.g. down → up). Kept only in active workflows.',
					},
					{
						displayName: 'Request Timeout (Seconds)',
						name: 'requestTimeout',
						type: 'number',
						default: 10,
						typeOptions: { minValue: 1 },
						description: 'How long each API call may take before it counts as unanswered',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const healthy: INodeExecutionData[] = [];
		const unhealthy: INodeExecutionData[] = [];
		// n8n saves static data only for production runs; a manual run would keep nothing anyway.
		const keepHistory = this.getMode() !== 'manual';
		const staticData = this.getWorkflowStaticData('node');
		const clock = () => Date.now();

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const parameters = readParameters(this, itemIndex, clock());
				const { client, credentials } = await oneBotClient(this, 'oneBotApi', itemIndex, parameters.timeoutMs);
				let witness: Awaited<ReturnType<typeof oneBotClient>> | undefined;
				if (parameters.needsWitness) {
					try {
						witness = await oneBotClient(this, 'oneBotWitnessApi', itemIndex, parameters.timeoutMs);
					} catch {
						throw new NodeOperationError(this.getNode(), 'A canary verified by a witness needs a OneBot Witness API credential', {
							itemIndex,
							description: `Item ${itemIndex}: select a witness credential, or set "Canary" to None.`,
						});
					}
				}

				const run = await runProbe({
					client,
					timeoutMs: parameters.timeoutMs,
					thresholds: { apiSlowMs: parameters.apiSlowMs, canarySlowMs: parameters.canarySlowMs },
					canaries: parameters.canaries,
					sendCanary: deliveryCanarySender({
						sender: { client },
						witness: witness ? { client: witness.client, events: eventStreamOf(witness.credentials) } : undefined,
						sleep,
						clock,
						requestTimeoutMs: parameters.timeoutMs,
						// Canaries take a send slot of the account like any send (never held by its breaker).
						accounts: accountPacing,
						pacing: { minIntervalMs: 0 },
					}),
					clock,
				});

				// A probe whose canary arrived proves the client sends again: close the account's breaker.
				const canaryArrived = Object.values(run.canaries).some((canary) => canary?.status === 'delivered');
				const breakerClosed =
					run.state === 'up' && canaryArrived && run.selfId !== null && run.selfId !== undefined
						? closeAccountBreaker(run.selfId, 'probe_healthy')
						: false;

				const settings = { failureThreshold: parameters.failureThreshold, recoveryThreshold: parameters.recoveryThreshold };
				let outcome: HysteresisOutcome;
				if (keepHistory) {
					const histories = (staticData[HISTORY_KEY] ?? {}) as Record<string, HysteresisMemory>;
					const key = hysteresisKey(credentials.baseUrl, parameters.historyKeyParts);
					outcome = applyHysteresis(histories[key], run.state, settings, clock);
					histories[key] = outcome.memory;
					pruneHistories(histories);
					staticData[HISTORY_KEY] = histories as unknown as IDataObject;
				} else {
					outcome = applyHysteresis(undefined, run.state, { failureThreshold: 1, recoveryThreshold: 1 }, clock);
				}
				const changed = keepHistory && outcome.changed;

				let report: ReportOutcome | null = null;
				if (changed && outcome.state === 'down' && parameters.reportOnDown && credentials.reportUrl) {
					report = await reportToTrigger(this, credentials, probeDownEvent(run, outcome), {
						timeoutMs: parameters.timeoutMs,
					});
				}

				const json: IDataObject = {
					state: outcome.state,
					observedState: run.state,
					previousState: keepHistory ? outcome.previousState : 'unknown',
					changed,
					diagnosis: run.diagnosis,
					reason: run.reason,
					summary: run.summary,
					selfId: run.selfId,
					online: run.online,
					implementation: run.implementation as IDataObject | null,
					checks: run.checks as unknown as IDataObject,
					canaries: run.canaries as unknown as IDataObject,
					thresholds: { apiSlowMs: parameters.apiSlowMs, canarySlowMs: parameters.canarySlowMs },
					history: {
						kept: keepHistory,
						startedEmpty: outcome.startedEmpty,
						failureThreshold: settings.failureThreshold,
						recoveryThreshold: settings.recoveryThreshold,
						recent: keepHistory ? outcome.memory.recent : [run.state],
						changedAt: keepHistory ? outcome.memory.changedAt : null,
						note: historyNote(keepHistory, outcome.startedEmpty),
					},
					report: report as IDataObject | null,
					breakerClosed,
					probedAt: run.probedAt,
					durationMs: run.durationMs,
				};
				const isHealthy = outcome.state === 'up' || (outcome.state === 'degraded' && !parameters.degradedToUnhealthy);
				(isHealthy ? healthy : unhealthy).push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				// Only invalid parameters and missing credentials get here: an unhealthy client is a result.
				const nodeError =
					error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				if (!this.continueOnFail()) throw nodeError;
				unhealthy.push({
					json: { error: nodeError.message, state: null, diagnosis: null },
					pairedItem: { item: itemIndex },
				});
			}
		}
		return [healthy, unhealthy];
	}
}

function probeDownEvent(run: ProbeRun, outcome: HysteresisOutcome): NodeFailureFields {
	const failedCanary = run.canaries.group?.status === 'failed' ? run.canaries.group : run.canaries.private;
	return {
		event: 'probe_down',
		source: 'probe',
		status: 'failed',
		reason: run.reason,
		reasonClass: run.reason ? REASON_CLASS[run.reason] : null,
		selfId: run.selfId,
		target: failedCanary?.status === 'failed' ? failedCanary.target : undefined,
		details: {
			diagnosis: run.diagnosis,
			summary: run.summary,
			state: outcome.state,
			previousState: outcome.previousState,
			online: run.online,
			implementation: run.implementation,
			checks: run.checks,
			canaries: run.canaries,
		},
	};
}
