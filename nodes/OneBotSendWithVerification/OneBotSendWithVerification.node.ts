import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { DeliveryEngine } from '../../core/deliver';
import type { DeliveryRequest } from '../../core/deliver';
import type { DeliveryResult } from '../../core/types';
import { accountPacing } from '../../core/pacing/registry';
import { reportableTarget } from '../../core/report';
import { reportAllToTrigger, reportToTrigger } from '../shared/report';
import { cancelSignalOf, runSleep } from '../shared/sleep';
import { eventStreamOf, oneBotClient } from '../shared/transport';
import { sendWithVerificationProperties } from './description';
import { errorItem, itemFailure } from './output';
import { inputError, readRequest, readSettings } from './parameters';
import { outputsForCaller } from '../shared/toolOutput';
import { redactUrl } from '../../core/redact';
import { MESSAGE_IDS_KEPT, messageIdMemory, runMemoryKey } from '../../core/runMemory';

/**
 * message_ids remembered across runs so a repeat is caught between runs too: in process memory (shared by
 * overlapping runs of this node in this n8n process), with a copy in static data (active workflows only)
 * merged in when a run loads it.
 */
const SEEN_IDS_KEY = 'recentMessageIds';

async function witnessCredentials(context: IExecuteFunctions): Promise<boolean> {
	try {
		await context.getCredentials('oneBotWitnessApi', 0);
		return true;
	} catch {
		// Optional for API and lookup verification: without it, checks use the sender's own history.
		return false;
	}
}

export class OneBotSendWithVerification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Send With Verification',
		name: 'oneBotSendWithVerification',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{$parameter["targetType"] + " " + $parameter["targetId"] + " · " + $parameter["verification"]}}',
		description:
			'Send a QQ message through OneBot v11 and prove it arrived: API accepted, sender lookup, or a witness account saw it. Retries only what is safe. Returns one item per message: status delivered, or failed with reason and reasonClass.',
		defaults: { name: 'OneBot Send With Verification' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Delivered', 'Not Delivered'],
		credentials: [
			{ name: 'oneBotApi', required: true, displayName: 'Bot Account (Sends the Message)' },
			{
				name: 'oneBotWitnessApi',
				required: false,
				displayName: 'Witness Account (Confirms Arrival)',
			},
		],
		properties: sendWithVerificationProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const settings = readSettings(this);
		const delivered: INodeExecutionData[] = [];
		const notDelivered: INodeExecutionData[] = [];
		const outputs: Array<{ json: IDataObject; failed: boolean } | undefined> = new Array(
			items.length,
		);
		const requests: DeliveryRequest[] = [];
		const failures: Array<{ itemIndex: number; result: DeliveryResult | IDataObject }> = [];

		const reject = (itemIndex: number, error: NodeOperationError, mayHaveBeenSent = false) => {
			if (!this.continueOnFail()) throw error;
			failures.push({
				itemIndex,
				result: errorItem(this, settings, itemIndex, error, Date.now(), mayHaveBeenSent),
			});
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
			throw new NodeOperationError(
				this.getNode(),
				'Witness verification needs a OneBot Witness API credential',
				{
					description:
						'Add the credential of a second QQ account that is in the target group (or is the private recipient), or choose another verification.',
				},
			);
		}
		const witness = hasWitness
			? await oneBotClient(this, 'oneBotWitnessApi', 0, settings.requestTimeoutMs)
			: undefined;

		const staticData = this.getWorkflowStaticData('node');
		const remembered = (staticData[SEEN_IDS_KEY] ?? {}) as Record<string, number[]>;
		// Manual runs keep nothing between runs (n8n saves no static data for them): their ids stay in the run.
		const memoryKey =
			this.getMode() !== 'manual'
				? runMemoryKey(
						this.getWorkflow().id,
						this.getNode().id ?? this.getNode().name,
						redactUrl(sender.credentials.baseUrl),
					)
				: null;
		const seenIds: Set<number> = memoryKey
			? messageIdMemory(memoryKey, undefined)
			: new Set<number>();
		// The run's waits: they end on Stop, and when the run is over (no timer ticks on after it).
		const waits = runSleep(cancelSignalOf(this));
		const engine = new DeliveryEngine(settings, {
			sender: {
				client: sender.client,
				// The sender's own message_sent events: Kernel Confirmed, and the check after a timed-out send.
				events: settings.useSelfEvents ? eventStreamOf(sender.credentials, this) : undefined,
			},
			witness: witness
				? {
						client: witness.client,
						events: settings.useEventStream
							? eventStreamOf(witness.credentials, this, 0)
							: undefined,
					}
				: undefined,
			sleep: waits.sleep,
			signal: cancelSignalOf(this),
			clock: Date.now,
			seenMessageIds: seenIds,
			accounts: accountPacing,
			// The one send whose failure opened the account's breaker reports the opening, so one restart starts.
			onBreakerOpen: async (opening) => {
				if (!settings.reportFailures || !sender.credentials.reportUrl)
					return { sent: false, note: 'no report URL, or reports off' };
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
		if (settings.resetBreaker && identities.sender.ok)
			accountPacing(identities.sender.identity.selfId).breaker.reset();
		const storedIds = (selfKey && remembered[selfKey]) || [];
		if (memoryKey) messageIdMemory(memoryKey, storedIds);
		else for (const id of Array.isArray(storedIds) ? storedIds : []) seenIds.add(id);
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

		// Every item settles before anything else happens; an item that crashed becomes its own error.
		let outcomes: Awaited<ReturnType<DeliveryEngine['deliverEach']>>;
		try {
			outcomes = await engine.deliverEach(sendable);
		} finally {
			waits.end();
		}
		const crashed: Array<{ itemIndex: number; error: NodeOperationError }> = [];

		if (selfKey) {
			remembered[selfKey] = [...seenIds].slice(-MESSAGE_IDS_KEPT);
			staticData[SEEN_IDS_KEY] = remembered;
		}

		outcomes.forEach((outcome, i) => {
			const itemIndex = sendable[i].index;
			if (!outcome.ok) {
				crashed.push({ itemIndex, error: itemFailure(this, itemIndex, outcome.error) });
				return;
			}
			const result = outcome.result;
			if (result.status === 'delivered')
				outputs[itemIndex] = { json: result as unknown as IDataObject, failed: false };
			else failures.push({ itemIndex, result });
		});
		// An item that crashed fails the node (Continue On Fail off) only after the others' reports went out.
		const failNodeWith = this.continueOnFail() ? undefined : crashed[0]?.error;
		if (!failNodeWith) for (const { itemIndex, error } of crashed) reject(itemIndex, error, true);

		const reports =
			settings.reportFailures && sender.credentials.reportUrl
				? await reportAllToTrigger(
						this,
						sender.credentials,
						failures.map(({ result }) => ({
							...(result as DeliveryResult),
							target: reportableTarget(result.target) as DeliveryResult['target'],
							event: 'delivery_failed',
							source: 'send',
						})),
					)
				: [];
		if (failNodeWith) throw failNodeWith;
		failures.forEach(({ itemIndex, result }, i) => {
			const json = result as unknown as IDataObject;
			if (reports[i]) json.report = reports[i] as unknown as IDataObject;
			outputs[itemIndex] = { json, failed: true };
		});

		items.forEach((item, itemIndex) => {
			const output = outputs[itemIndex]!;
			const out: INodeExecutionData = {
				json: settings.includeInput ? { ...output.json, input: item.json } : output.json,
				pairedItem: { item: itemIndex },
			};
			if (item.binary) out.binary = item.binary;
			(output.failed ? notDelivered : delivered).push(out);
		});
		return outputsForCaller(this, [delivered, notDelivered]);
	}
}
