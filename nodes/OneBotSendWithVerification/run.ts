/**
 * One run of Send With Verification: read and check every item, open the run's clients, memory and waits,
 * deliver each settings group with its own engine, report what failed, then give every item its output.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeOperationError,
} from 'n8n-workflow';
import { DeliveryEngine } from '../../core/delivery';
import type { DeliveryOutcome, DeliveryRequest } from '../../core/delivery';
import type { AccountIdentity } from '../../core/account';
import type { DeliveryResult } from '../../core/types';
import { accountPacing } from '../../core/pacing/registry';
import { reportableTarget } from '../../core/report';
import { redactUrl } from '../../core/redact';
import { MESSAGE_IDS_KEPT, messageIdMemory, runMemoryKey } from '../../core/runMemory';
import { reportAllToTrigger, reportToTrigger } from '../shared/report';
import { cancelSignalOf, runSleep } from '../shared/sleep';
import type { RunSleep } from '../shared/sleep';
import { eventStreamOf, oneBotClient } from '../shared/transport';
import { outputsForCaller } from '../shared/toolOutput';
import { errorItem, itemFailure } from './output';
import {
	checkRunWide,
	inputError,
	readItemSettings,
	readRequest,
	readSettings,
} from './parameters';
import type { ItemSettings, RunSettings } from './parameters';

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

type Failure = { itemIndex: number; result: DeliveryResult | IDataObject };

/** What the run holds per item: its request and settings, its output once settled, failures to report. */
class RunItems {
	readonly requests: DeliveryRequest[] = [];

	readonly settings = new Map<number, ItemSettings>();

	readonly outputs: Array<{ json: IDataObject; failed: boolean } | undefined>;

	readonly failures: Failure[] = [];

	constructor(
		private readonly context: IExecuteFunctions,
		count: number,
	) {
		this.outputs = new Array(count);
	}

	/** An item refused: on Not Delivered with its error under Continue On Fail, else the node fails with it. */
	reject(itemIndex: number, error: NodeOperationError, mayHaveBeenSent = false): void {
		if (!this.context.continueOnFail()) throw error;
		this.failures.push({
			itemIndex,
			result: errorItem(this.context, itemIndex, error, Date.now(), mayHaveBeenSent),
		});
	}
}

/** Reads every item's settings and request; an item that cannot be read is refused on its own. */
function readItems(
	context: IExecuteFunctions,
	count: number,
	hasWitness: boolean,
	run: RunItems,
): void {
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			if (itemIndex > 0) checkRunWide(context, itemIndex);
			const own = readItemSettings(context, itemIndex);
			// The level the user chose stays: without a witness the item is refused, naming the one-account level.
			if (own.verification === 'witness' && !hasWitness)
				throw inputError(context, itemIndex, 'verification', WITNESS_MISSING);
			run.requests.push(readRequest(context, itemIndex));
			run.settings.set(itemIndex, own);
		} catch (error) {
			run.reject(itemIndex, error as NodeOperationError);
		}
	}
}

/** The message ids this node remembers for the sender, in process memory with a copy in static data. */
class SeenIdMemory {
	private readonly staticData: IDataObject;

	private readonly remembered: Record<string, number[]>;

	private readonly key: string | null;

	readonly ids: Set<number>;

	constructor(context: IExecuteFunctions, senderBaseUrl: string) {
		this.staticData = context.getWorkflowStaticData('node');
		this.remembered = (this.staticData[SEEN_IDS_KEY] ?? {}) as Record<string, number[]>;
		// Manual runs keep nothing between runs (n8n saves no static data for them): their ids stay in the run.
		this.key =
			context.getMode() !== 'manual'
				? runMemoryKey(
						context.getWorkflow().id,
						context.getNode().id ?? context.getNode().name,
						redactUrl(senderBaseUrl),
					)
				: null;
		this.ids = this.key ? messageIdMemory(this.key, undefined) : new Set<number>();
	}

	/** Merges in what static data kept for this account (once the sender's QQ number is known). */
	load(selfKey: string | undefined): void {
		const stored = (selfKey && this.remembered[selfKey]) || [];
		if (this.key) messageIdMemory(this.key, stored);
		else for (const id of Array.isArray(stored) ? stored : []) this.ids.add(id);
	}

	/** Writes the latest ids back to static data for the account. */
	save(selfKey: string | undefined): void {
		if (!selfKey) return;
		this.remembered[selfKey] = [...this.ids].slice(-MESSAGE_IDS_KEPT);
		this.staticData[SEEN_IDS_KEY] = this.remembered;
	}
}

type EngineGroup = { settings: ItemSettings; requests: DeliveryRequest[]; engine: DeliveryEngine };

/**
 * Names what cannot be verified before anything is sent: identifies both accounts per group, refuses
 * items whose target the witness cannot see, and loads the sender's remembered ids.
 */
async function prepareGroups(
	context: IExecuteFunctions,
	settings: RunSettings,
	groups: EngineGroup[],
	memory: SeenIdMemory,
	run: RunItems,
): Promise<{ sendable: DeliveryRequest[][]; selfKey: string | undefined }> {
	const identified = await Promise.all(groups.map((group) => group.engine.identify()));
	const senderIdentity = identified.find((identities) => identities.sender.ok)?.sender;
	const selfKey = senderIdentity?.ok === true ? String(senderIdentity.identity.selfId) : undefined;
	if (settings.resetBreaker && senderIdentity?.ok === true)
		accountPacing(senderIdentity.identity.selfId).breaker.reset();
	memory.load(selfKey);
	const sendable = groups.map((group, g) => {
		const witness = identified[g].witness;
		const witnessIdentity: AccountIdentity | undefined = witness?.ok ? witness.identity : undefined;
		return group.requests.filter((request) => {
			const problem =
				group.settings.verification === 'witness' && witnessIdentity
					? DeliveryEngine.witnessProblem(request.target, witnessIdentity)
					: null;
			if (problem)
				run.reject(request.index, inputError(context, request.index, 'targetId', problem));
			return !problem;
		});
	});
	return { sendable, selfKey };
}

/**
 * Sorts the outcomes into outputs and failures; returns the error that fails the node (an item that crashed
 * with Continue On Fail off), which is thrown only after the others' reports went out.
 */
function settleOutcomes(
	context: IExecuteFunctions,
	sendable: DeliveryRequest[][],
	outcomes: DeliveryOutcome[][],
	run: RunItems,
): NodeOperationError | undefined {
	const crashed: Array<{ itemIndex: number; error: NodeOperationError }> = [];
	const requests = sendable.flat();
	outcomes.flat().forEach((outcome, i) => {
		const itemIndex = requests[i].index;
		if (!outcome.ok) {
			crashed.push({ itemIndex, error: itemFailure(context, itemIndex, outcome.error) });
			return;
		}
		const result = outcome.result;
		if (result.status === 'delivered')
			run.outputs[itemIndex] = { json: result as unknown as IDataObject, failed: false };
		else run.failures.push({ itemIndex, result });
	});
	const failNodeWith = context.continueOnFail() ? undefined : crashed[0]?.error;
	if (!failNodeWith) for (const { itemIndex, error } of crashed) run.reject(itemIndex, error, true);
	return failNodeWith;
}

/** Reports every failure to the trigger (when a report URL is set), then puts each on Not Delivered. */
async function reportFailures(
	context: IExecuteFunctions,
	settings: RunSettings,
	sender: Client,
	run: RunItems,
): Promise<void> {
	const reports =
		settings.reportFailures && sender.credentials.reportUrl
			? await reportAllToTrigger(
					context,
					sender.credentials,
					run.failures.map(({ result }) => ({
						...(result as DeliveryResult),
						target: reportableTarget(result.target) as DeliveryResult['target'],
						event: 'delivery_failed',
						source: 'send',
					})),
				)
			: [];
	run.failures.forEach(({ itemIndex, result }, i) => {
		const json = result as unknown as IDataObject;
		if (reports[i]) json.report = reports[i] as unknown as IDataObject;
		run.outputs[itemIndex] = { json, failed: true };
	});
}

/** Every input item on Delivered or Not Delivered, in input order, with its input when asked. */
function shapeOutputs(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	run: RunItems,
): INodeExecutionData[][] {
	const delivered: INodeExecutionData[] = [];
	const notDelivered: INodeExecutionData[] = [];
	// An item refused before its settings were read still follows its own Include Input when it can be read.
	const includeInputOf = (itemIndex: number): boolean => {
		try {
			return (
				(context.getNodeParameter('options', itemIndex, {}) as IDataObject).includeInput === true
			);
		} catch {
			return false;
		}
	};
	items.forEach((item, itemIndex) => {
		const output = run.outputs[itemIndex]!;
		const out: INodeExecutionData = {
			json:
				(run.settings.get(itemIndex)?.includeInput ?? includeInputOf(itemIndex))
					? { ...output.json, input: item.json }
					: output.json,
			pairedItem: { item: itemIndex },
		};
		if (item.binary) out.binary = item.binary;
		(output.failed ? notDelivered : delivered).push(out);
	});
	return [delivered, notDelivered];
}

/** The whole run; `progress.sending` turns true once any message may have gone out. */
export async function sendItems(
	context: IExecuteFunctions,
	progress: { sending: boolean },
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const settings = readSettings(context);
	const run = new RunItems(context, items.length);
	const hasWitness = await witnessCredentials(context);
	readItems(context, items.length, hasWitness, run);

	const sender = await oneBotClient(context, 'oneBotApi', 0, settings.requestTimeoutMs);
	const witness = hasWitness
		? await oneBotClient(context, 'oneBotWitnessApi', 0, settings.requestTimeoutMs)
		: undefined;
	const memory = new SeenIdMemory(context, sender.credentials.baseUrl);
	// The run's waits: they end on Stop, and when the run is over (no timer ticks on after it).
	const waits = runSleep(cancelSignalOf(context));
	// Items whose level, deadline or retry differ run in engines of their own, at the same time.
	const groups = groupBySettings(run.requests, run.settings).map((group) => ({
		...group,
		engine: engineFor(
			context,
			{ ...settings, ...group.settings },
			sender,
			witness,
			memory.ids,
			waits,
		),
	}));
	const { sendable, selfKey } = await prepareGroups(context, settings, groups, memory, run);

	// Every item settles before anything else happens; an item that crashed becomes its own error.
	let outcomes: DeliveryOutcome[][];
	try {
		progress.sending = true;
		outcomes = await Promise.all(groups.map((group, g) => group.engine.deliverEach(sendable[g])));
	} finally {
		waits.end();
	}
	memory.save(selfKey);
	const failNodeWith = settleOutcomes(context, sendable, outcomes, run);
	await reportFailures(context, settings, sender, run);
	if (failNodeWith) throw failNodeWith;
	return outputsForCaller(context, shapeOutputs(context, items, run));
}
