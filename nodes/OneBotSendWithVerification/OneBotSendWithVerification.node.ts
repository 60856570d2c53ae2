import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { DeliveryEngine } from '../../core/delivery';
import type { DeliveryOutcome, DeliveryRequest } from '../../core/delivery';
import type { DeliveryResult } from '../../core/types';
import { accountPacing } from '../../core/pacing/registry';
import { reportableTarget } from '../../core/report';
import { reportAllToTrigger, reportToTrigger } from '../shared/report';
import { cancelSignalOf, runSleep } from '../shared/sleep';
import type { RunSleep } from '../shared/sleep';
import { eventStreamOf, oneBotClient } from '../shared/transport';
import { sendWithVerificationProperties } from './description';
import { errorItem, itemFailure } from './output';
import {
	checkRunWide,
	inputError,
	readItemSettings,
	readRequest,
	readSettings,
} from './parameters';
import type { ItemSettings, RunSettings } from './parameters';
import { outputsForCaller } from '../shared/toolOutput';
import { redactUrl } from '../../core/redact';
import { MESSAGE_IDS_KEPT, messageIdMemory, runMemoryKey } from '../../core/runMemory';

/**
 * message_ids remembered across runs so a repeat is caught between runs too: in process memory (shared by
 * overlapping runs of this node in this n8n process), with a copy in static data (active workflows only)
 * merged in when a run loads it.
 */
const SEEN_IDS_KEY = 'recentMessageIds';

/** Why a Witness item cannot run without a witness credential, and the one-account level instead. */
export const WITNESS_MISSING =
	'Witness verification needs a second QQ account: add a OneBot Witness API credential (an account in the target group, or the recipient of a private message). With one QQ account, choose Kernel Confirmed verification: no second account needed.';

async function witnessCredentials(context: IExecuteFunctions): Promise<boolean> {
	try {
		await context.getCredentials('oneBotWitnessApi', 0);
		return true;
	} catch {
		// Optional for API and lookup verification: without it, checks use the sender's own history.
		return false;
	}
}

type Client = Awaited<ReturnType<typeof oneBotClient>>;

/** Requests grouped by their item's settings, in input order within each group. */
function groupBySettings(
	requests: DeliveryRequest[],
	itemSettings: Map<number, ItemSettings>,
): Array<{ settings: ItemSettings; requests: DeliveryRequest[] }> {
	const groups = new Map<string, { settings: ItemSettings; requests: DeliveryRequest[] }>();
	for (const request of requests) {
		const own = itemSettings.get(request.index)!;
		// Include Input shapes the output only: items differing in it still share an engine.
		const key = JSON.stringify({ ...own, includeInput: null });
		if (!groups.has(key)) groups.set(key, { settings: own, requests: [] });
		groups.get(key)!.requests.push(request);
	}
	return [...groups.values()];
}

/** One delivery engine for the items of one settings group; every engine shares the run's memory and pacing. */
function engineFor(
	context: IExecuteFunctions,
	settings: RunSettings & ItemSettings,
	sender: Client,
	witness: Client | undefined,
	seenIds: Set<number>,
	waits: RunSleep,
): DeliveryEngine {
	return new DeliveryEngine(settings, {
		sender: {
			client: sender.client,
			// The sender's own message_sent events: Kernel Confirmed, and the check after a timed-out send.
			events: settings.useSelfEvents ? eventStreamOf(sender.credentials, context) : undefined,
		},
		witness: witness
			? {
					client: witness.client,
					events: settings.useEventStream
						? eventStreamOf(witness.credentials, context, 0)
						: undefined,
				}
			: undefined,
		sleep: waits.sleep,
		signal: cancelSignalOf(context),
		clock: Date.now,
		seenMessageIds: seenIds,
		accounts: accountPacing,
		// The one send whose failure opened the account's breaker reports the opening, so one restart starts.
		onBreakerOpen: async (opening) => {
			if (!settings.reportFailures || !sender.credentials.reportUrl)
				return { sent: false, note: 'no report URL, or reports off' };
			const outcome = await reportToTrigger(context, sender.credentials, {
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

	// Long: reads every item, runs one delivery engine per group of items with the same settings, reports, then
	// shapes every item's output; split, the per-item bookkeeping would cross functions.
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const settings = readSettings(this);
		const delivered: INodeExecutionData[] = [];
		const notDelivered: INodeExecutionData[] = [];
		const outputs: Array<{ json: IDataObject; failed: boolean } | undefined> = new Array(
			items.length,
		);
		const requests: DeliveryRequest[] = [];
		const itemSettings = new Map<number, ItemSettings>();
		const failures: Array<{ itemIndex: number; result: DeliveryResult | IDataObject }> = [];

		const reject = (itemIndex: number, error: NodeOperationError, mayHaveBeenSent = false) => {
			if (!this.continueOnFail()) throw error;
			failures.push({
				itemIndex,
				result: errorItem(this, itemIndex, error, Date.now(), mayHaveBeenSent),
			});
		};

		const hasWitness = await witnessCredentials(this);
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				if (itemIndex > 0) checkRunWide(this, itemIndex);
				const own = readItemSettings(this, itemIndex);
				// The level the user chose stays: without a witness the item is refused, naming the one-account level.
				if (own.verification === 'witness' && !hasWitness)
					throw inputError(this, itemIndex, 'verification', WITNESS_MISSING);
				requests.push(readRequest(this, itemIndex));
				itemSettings.set(itemIndex, own);
			} catch (error) {
				reject(itemIndex, error as NodeOperationError);
			}
		}

		const sender = await oneBotClient(this, 'oneBotApi', 0, settings.requestTimeoutMs);
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
		// Items whose level, deadline or retry differ run in engines of their own, at the same time.
		const groups = groupBySettings(requests, itemSettings).map((group) => ({
			...group,
			engine: engineFor(this, { ...settings, ...group.settings }, sender, witness, seenIds, waits),
		}));

		// Name what cannot be verified before anything is sent.
		const identified = await Promise.all(groups.map((group) => group.engine.identify()));
		const senderIdentity = identified.find((identities) => identities.sender.ok)?.sender;
		const selfKey =
			senderIdentity?.ok === true ? String(senderIdentity.identity.selfId) : undefined;
		if (settings.resetBreaker && senderIdentity?.ok === true)
			accountPacing(senderIdentity.identity.selfId).breaker.reset();
		const storedIds = (selfKey && remembered[selfKey]) || [];
		if (memoryKey) messageIdMemory(memoryKey, storedIds);
		else for (const id of Array.isArray(storedIds) ? storedIds : []) seenIds.add(id);
		const sendable = groups.map((group, g) => {
			const witnessIdentity = identified[g].witness?.ok
				? identified[g].witness.identity
				: undefined;
			return group.requests.filter((request) => {
				const problem =
					group.settings.verification === 'witness' && witnessIdentity
						? DeliveryEngine.witnessProblem(request.target, witnessIdentity)
						: null;
				if (problem) reject(request.index, inputError(this, request.index, 'targetId', problem));
				return !problem;
			});
		});

		// Every item settles before anything else happens; an item that crashed becomes its own error.
		let outcomes: DeliveryOutcome[][];
		try {
			outcomes = await Promise.all(groups.map((group, g) => group.engine.deliverEach(sendable[g])));
		} finally {
			waits.end();
		}
		const crashed: Array<{ itemIndex: number; error: NodeOperationError }> = [];

		if (selfKey) {
			remembered[selfKey] = [...seenIds].slice(-MESSAGE_IDS_KEPT);
			staticData[SEEN_IDS_KEY] = remembered;
		}

		outcomes.flat().forEach((outcome, i) => {
			const itemIndex = sendable.flat()[i].index;
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

		// An item refused before its settings were read still follows its own Include Input when it can be read.
		const includeInputOf = (itemIndex: number): boolean => {
			try {
				return (
					(this.getNodeParameter('options', itemIndex, {}) as IDataObject).includeInput === true
				);
			} catch {
				return false;
			}
		};
		items.forEach((item, itemIndex) => {
			const output = outputs[itemIndex]!;
			const out: INodeExecutionData = {
				json:
					(itemSettings.get(itemIndex)?.includeInput ?? includeInputOf(itemIndex))
						? { ...output.json, input: item.json }
						: output.json,
				pairedItem: { item: itemIndex },
			};
			if (item.binary) out.binary = item.binary;
			(output.failed ? notDelivered : delivered).push(out);
		});
		return outputsForCaller(this, [delivered, notDelivered]);
	}
}
