import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { randomUUID } from 'crypto';
import { DeliveryEngine } from '../../core/deliver';
import type { DeliveryRequest, DeliverySettings } from '../../core/deliver';
import { InputError, buildMessage, parseTargetId } from '../../core/message';
import type { MessageMode } from '../../core/message';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import { accountPacing } from '../../core/pacing/registry';
import type { DeliveryResult, ReasonClass, VerificationLevel } from '../../core/types';
import { reportToTrigger } from '../shared/report';
import { eventStreamOf, oneBotClient } from '../shared/transport';
import { sendWithVerificationProperties } from './description';

/** message_ids remembered across runs (active workflows only) so a repeat is caught between runs too. */
const SEEN_IDS_KEY = 'recentMessageIds';
const SEEN_IDS_KEPT = 500;

const MESSAGE_FIELDS: Record<MessageMode, string> = { text: 'text', segments: 'segments', cq: 'cqMessage' };

interface RunSettings extends DeliverySettings {
	useEventStream: boolean;
	reportFailures: boolean;
	resetBreaker: boolean;
}

function inputError(context: IExecuteFunctions, itemIndex: number, field: string, message: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), `Item ${itemIndex}: ${message}`, {
		itemIndex,
		description: `Check the "${field}" parameter of item ${itemIndex}.`,
	});
}

function numberOption(
	context: IExecuteFunctions,
	value: unknown,
	fallback: number,
	field: string,
	minimum: number,
): number {
	const number = value === undefined || value === '' ? fallback : Number(value);
	if (!Number.isFinite(number) || number < minimum) {
		throw inputError(context, 0, field, `"${field}" must be a number of at least ${minimum}, got "${String(value)}"`);
	}
	return number;
}

function optionalNumber(
	context: IExecuteFunctions,
	value: unknown,
	field: string,
	minimum: number,
	convert: (n: number) => number = (n) => n,
): number | undefined {
	if (value === undefined || value === '') return undefined;
	return convert(numberOption(context, value, 0, field, minimum));
}

/** Run-wide settings, read from the first item (one engine serves the whole run). */
function readSettings(context: IExecuteFunctions): RunSettings {
	const verification = context.getNodeParameter('verification', 0) as VerificationLevel;
	if (!['api', 'lookup', 'witness'].includes(verification)) {
		throw inputError(context, 0, 'verification', `unknown verification "${String(verification)}"`);
	}
	const retry = context.getNodeParameter('retry', 0, {}) as IDataObject;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const retryOn = (retry.retryOn ?? DEFAULT_RETRY_POLICY.retryOn) as ReasonClass[];
	if (!Array.isArray(retryOn) || retryOn.some((value) => !['ambiguous', 'transient', 'account'].includes(value))) {
		throw inputError(context, 0, 'retry.retryOn', '"Retry On" takes ambiguous, transient and account only');
	}
	return {
		verification,
		deadlineMs: numberOption(context, context.getNodeParameter('deadlineSeconds', 0), 30, 'deadlineSeconds', 0.01) * 1000,
		pollIntervalMs: numberOption(context, options.pollIntervalMs, 1000, 'options.pollIntervalMs', 10),
		minIntervalMs: numberOption(context, options.minIntervalMs, 1000, 'options.minIntervalMs', 0),
		requestTimeoutMs: numberOption(context, options.requestTimeoutMs, 30000, 'options.requestTimeoutMs', 100),
		useEventStream: options.useEventStream !== false,
		reportFailures: options.reportFailures !== false,
		resetBreaker: options.resetBreaker === true,
		// Options left unset keep what the account already has in this process (another workflow may have set them).
		pacing: {
			ratePerMinute: optionalNumber(context, options.accountRatePerMinute, 'options.accountRatePerMinute', 0),
			breaker: {
				threshold: optionalNumber(context, options.breakerThreshold, 'options.breakerThreshold', 0, Math.floor),
				coolDownMs: optionalNumber(context, options.breakerCoolDownSeconds, 'options.breakerCoolDownSeconds', 0, (s) => s * 1000),
			},
			holdMs: numberOption(context, options.breakerHoldSeconds, 600, 'options.breakerHoldSeconds', 0) * 1000,
		},
		retry: {
			...DEFAULT_RETRY_POLICY,
			maxAttempts: Math.floor(numberOption(context, retry.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts, 'retry.maxAttempts', 1)),
			baseMs: numberOption(context, retry.backoffMs, DEFAULT_RETRY_POLICY.baseMs, 'retry.backoffMs', 0),
			capMs: numberOption(context, retry.backoffCapMs, DEFAULT_RETRY_POLICY.capMs, 'retry.backoffCapMs', 0),
			accountBackoffMs: numberOption(
				context,
				retry.accountBackoffMs,
				DEFAULT_RETRY_POLICY.accountBackoffMs,
				'retry.accountBackoffMs',
				0,
			),
			retryOn,
		},
	};
}

/** One item's target, message and correlation id; throws a NodeOperationError naming the field. */
function readRequest(context: IExecuteFunctions, itemIndex: number): DeliveryRequest {
	const targetType = context.getNodeParameter('targetType', itemIndex) as string;
	if (targetType !== 'group' && targetType !== 'private') {
		throw inputError(context, itemIndex, 'targetType', `"targetType" must be group or private, got "${String(targetType)}"`);
	}
	const mode = context.getNodeParameter('messageMode', itemIndex) as MessageMode;
	const messageField = MESSAGE_FIELDS[mode];
	if (!messageField) throw inputError(context, itemIndex, 'messageMode', `unknown message format "${String(mode)}"`);
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	try {
		const id = parseTargetId(context.getNodeParameter('targetId', itemIndex), 'targetId');
		const message = buildMessage({ mode, content: context.getNodeParameter(messageField, itemIndex) });
		const correlationId = String(options.correlationId ?? '').trim() || randomUUID();
		return { index: itemIndex, target: { type: targetType, id }, message, correlationId };
	} catch (error) {
		const field = error instanceof InputError && error.field && error.field !== 'message' ? error.field : messageField;
		throw inputError(context, itemIndex, field, error instanceof Error ? error.message : String(error));
	}
}

async function witnessCredentials(context: IExecuteFunctions): Promise<boolean> {
	try {
		await context.getCredentials('oneBotWitnessApi', 0);
		return true;
	} catch {
		// Optional for API and lookup verification: without it, checks use the sender's own history.
		return false;
	}
}

/** The Not Delivered item of an input that could not be sent (continueOnFail): the contract fields, nothing sent. */
function errorItem(
	context: IExecuteFunctions,
	settings: RunSettings,
	itemIndex: number,
	error: NodeOperationError,
	now: number,
): IDataObject {
	const at = new Date(now).toISOString();
	const read = (name: string): unknown => {
		try {
			return context.getNodeParameter(name, itemIndex, null);
		} catch {
			return null;
		}
	};
	let id: number | null = null;
	try {
		id = parseTargetId(read('targetId'), 'targetId');
	} catch {
		id = null;
	}
	const options = (read('options') ?? {}) as IDataObject;
	return {
		error: error.message,
		status: 'failed',
		reason: 'bad_request',
		reasonClass: 'terminal',
		verification: settings.verification,
		evidence: { summary: `Not sent: ${error.message}`, problem: error.description ?? error.message },
		target: { type: read('targetType'), id },
		message: null,
		messageId: null,
		correlationId: String(options.correlationId ?? '').trim() || randomUUID(),
		attempts: [],
		timing: { requestedAt: at, answeredAt: null, verifiedAt: null, gaveUpAt: at, totalMs: 0 },
		selfId: null,
	};
}

export class OneBotSendWithVerification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Send With Verification',
		name: 'oneBotSendWithVerification',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["targetType"] + " " + $parameter["targetId"] + " · " + $parameter["verification"]}}',
		description:
			'Send a QQ message through OneBot v11 and prove it arrived: API accepted, sender lookup, or a witness account saw it. Retries only what is safe.',
		defaults: { name: 'OneBot Send With Verification' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Delivered', 'Not Delivered'],
		credentials: [
			{ name: 'oneBotApi', required: true },
			{ name: 'oneBotWitnessApi', required: false },
		],
		properties: sendWithVerificationProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const settings = readSettings(this);
		const delivered: INodeExecutionData[] = [];
		const notDelivered: INodeExecutionData[] = [];
		const outputs: Array<{ json: IDataObject; failed: boolean } | undefined> = new Array(items.length);
		const requests: DeliveryRequest[] = [];
		const failures: Array<{ itemIndex: number; result: DeliveryResult | IDataObject }> = [];

		const reject = (itemIndex: number, error: NodeOperationError) => {
			if (!this.continueOnFail()) throw error;
			failures.push({ itemIndex, result: errorItem(this, settings, itemIndex, error, Date.now()) });
		};

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				requests.push(readRequest(this, itemIndex));
			} catch (error) {
				reject(itemIndex, error as NodeOperationError);
			}
		}

		const sender = await oneBotClient(this, 'oneBotApi', 0, settings.requestTimeoutMs);
		const hasWitness = await witnessCredentials(this);
		if (settings.verification === 'witness' && !hasWitness) {
			throw new NodeOperationError(this.getNode(), 'Witness verification needs a OneBot Witness API credential', {
				description:
					'Add the credential of a second QQ account that is in the target group (or is the private recipient), or choose another verification.',
			});
		}
		const witness = hasWitness ? await oneBotClient(this, 'oneBotWitnessApi', 0, settings.requestTimeoutMs) : undefined;

		const staticData = this.getWorkflowStaticData('node');
		const remembered = (staticData[SEEN_IDS_KEY] ?? {}) as Record<string, number[]>;
		const seenIds = new Set<number>();
		const engine = new DeliveryEngine(settings, {
			sender: { client: sender.client },
			witness: witness
				? {
						client: witness.client,
						events: settings.useEventStream ? eventStreamOf(witness.credentials) : undefined,
					}
				: undefined,
			sleep,
			clock: Date.now,
			seenMessageIds: seenIds,
			accounts: accountPacing,
			// The one send whose failure opened the account's breaker reports the opening, so one restart starts.
			onBreakerOpen: async (opening) => {
				if (!settings.reportFailures || !sender.credentials.reportUrl) return { sent: false, note: 'no report URL, or reports off' };
				const outcome = await reportToTrigger(this, sender.credentials, {
					event: 'delivery_failed',
					source: 'send',
					status: 'failed',
					reason: 'circuit_open',
					reasonClass: 'account',
					verification: settings.verification,
					selfId: opening.selfId,
					details: {
						breaker: { ...opening.snapshot, transition: 'opened', openedBy: opening.reason.reason },
						note: "The account's circuit breaker opened: its sends are held until a restart or probe closes it. No message is attached; held messages report themselves if they are not sent.",
					},
				});
				return outcome as unknown as Record<string, unknown>;
			},
		});

		// Name what cannot be verified before anything is sent.
		const identities = await engine.identify();
		const selfKey = identities.sender.ok ? String(identities.sender.identity.selfId) : undefined;
		if (settings.resetBreaker && identities.sender.ok) accountPacing(identities.sender.identity.selfId).breaker.reset();
		for (const id of (selfKey && remembered[selfKey]) || []) seenIds.add(id);
		const witnessIdentity = identities.witness?.ok ? identities.witness.identity : undefined;
		const sendable: DeliveryRequest[] = [];
		for (const request of requests) {
			const problem =
				settings.verification === 'witness' && witnessIdentity
					? DeliveryEngine.witnessProblem(request.target, witnessIdentity)
					: null;
			if (problem) reject(request.index, inputError(this, request.index, 'targetId', problem));
			else sendable.push(request);
		}

		const results = await engine.deliverAll(sendable);

		if (selfKey) {
			remembered[selfKey] = [...seenIds].slice(-SEEN_IDS_KEPT);
			staticData[SEEN_IDS_KEY] = remembered;
		}

		results.forEach((result, i) => {
			const itemIndex = sendable[i].index;
			if (result.status === 'delivered') outputs[itemIndex] = { json: result as unknown as IDataObject, failed: false };
			else failures.push({ itemIndex, result });
		});

		for (const { itemIndex, result } of failures) {
			const json = result as unknown as IDataObject;
			if (settings.reportFailures && sender.credentials.reportUrl) {
				json.report = (await reportToTrigger(this, sender.credentials, {
					...(result as DeliveryResult),
					event: 'delivery_failed',
					source: 'send',
				})) as unknown as IDataObject;
			}
			outputs[itemIndex] = { json, failed: true };
		}

		items.forEach((item, itemIndex) => {
			const output = outputs[itemIndex]!;
			const out: INodeExecutionData = {
				json: { ...output.json, input: item.json },
				pairedItem: { item: itemIndex },
			};
			if (item.binary) out.binary = item.binary;
			(output.failed ? notDelivered : delivered).push(out);
		});
		return [delivered, notDelivered];
	}
}
