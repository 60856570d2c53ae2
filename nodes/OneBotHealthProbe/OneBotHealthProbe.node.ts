import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import {
	applyHysteresis,
	deliveryCanarySender,
	hysteresisKey,
	pruneHistories,
	runProbe,
} from '../../core/probe';
import type {
	HysteresisMemory,
	HysteresisOutcome,
	HysteresisSettings,
	ProbeState,
} from '../../core/probe';
import { redactUrl } from '../../core/redact';
import { PendingReports } from '../shared/report';
import { cancelSignalOf, stoppableSleep } from '../shared/sleep';
import { eventStreamOf, oneBotClient } from '../shared/transport';
import { accountPacing, closeAccountBreaker } from '../../core/pacing/registry';
import { healthProbeProperties, withCanary } from './description';
import { probeDownEvent, toJson } from './output';
import { readParameters } from './parameters';
import type { ProbeParameters } from './parameters';
import { outputsForCaller } from '../shared/toolOutput';
import { runMemoryKey, updateProbeMemory } from '../../core/runMemory';

const HISTORY_KEY = 'probeHistory';

export class OneBotHealthProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Health Probe',
		name: 'oneBotHealthProbe',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"canary: " + $parameter["canary"]}}',
		description:
			'Checks that a OneBot v11 QQ bot is reachable, logged in and online, and that a canary message really arrives; reports up, degraded or down with a diagnosis and what to do',
		defaults: { name: 'OneBot Health Probe' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Healthy', 'Unhealthy'],
		credentials: [
			{ name: 'oneBotApi', required: true, displayName: 'Bot Account (Probed)' },
			{
				name: 'oneBotWitnessApi',
				required: false,
				displayName: 'Witness Account (Receives the Canary)',
				displayOptions: { show: withCanary },
			},
		],
		properties: healthProbeProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const healthy: INodeExecutionData[] = [];
		const unhealthy: INodeExecutionData[] = [];
		// n8n saves static data only for production runs; a manual run would keep nothing anyway.
		const run: ProbeRun = {
			keepHistory: this.getMode() !== 'manual',
			staticData: this.getWorkflowStaticData('node'),
			clock: () => Date.now(),
			// Down reports are posted together after the last item, through the path every node shares.
			reports: new PendingReports(this),
		};

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const { json, isHealthy } = await probeItem(this, itemIndex, run);
				(isHealthy ? healthy : unhealthy).push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				// Only invalid parameters and missing credentials get here: an unhealthy client is a result.
				const nodeError =
					error instanceof NodeOperationError
						? error
						: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				if (!this.continueOnFail()) {
					// The run ends here: the items before this one still get their reports.
					await run.reports.flush();
					throw nodeError;
				}
				unhealthy.push({
					json: { error: nodeError.message, state: null, diagnosis: null },
					pairedItem: { item: itemIndex },
				});
			}
		}
		await run.reports.flush();
		return outputsForCaller(this, [healthy, unhealthy]);
	}
}

/** What every item of one execution shares. */
interface ProbeRun {
	keepHistory: boolean;
	staticData: IDataObject;
	clock: () => number;
	reports: PendingReports;
}

type OneBotConnection = Awaited<ReturnType<typeof oneBotClient>>;

/** Probes one item's client and judges the result against the account's history. */
async function probeItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	probe: ProbeRun,
): Promise<{ json: IDataObject; isHealthy: boolean }> {
	const { keepHistory, clock, reports } = probe;
	const parameters = readParameters(ctx, itemIndex, clock());
	const { client, credentials } = await oneBotClient(
		ctx,
		'oneBotApi',
		itemIndex,
		parameters.timeoutMs,
	);
	const witness = parameters.needsWitness
		? await witnessConnection(ctx, itemIndex, parameters.timeoutMs)
		: undefined;

	const run = await runProbe({
		client,
		timeoutMs: parameters.timeoutMs,
		thresholds: { apiSlowMs: parameters.apiSlowMs, canarySlowMs: parameters.canarySlowMs },
		canaries: parameters.canaries,
		sendCanary: deliveryCanarySender({
			// The bot's own stream, when its credential names one: the probe tells whether self-reporting is on.
			sender: { client, events: eventStreamOf(credentials, ctx, itemIndex) },
			witness: witness
				? {
						client: witness.client,
						events: eventStreamOf(witness.credentials, ctx, itemIndex),
					}
				: undefined,
			sleep: stoppableSleep(cancelSignalOf(ctx)),
			clock,
			requestTimeoutMs: parameters.timeoutMs,
			// Canaries take a send slot of the account like any send (never held by its breaker).
			accounts: accountPacing,
			pacing: { minIntervalMs: 0 },
			signal: cancelSignalOf(ctx),
		}),
		clock,
	});

	// A probe whose canary arrived proves the client sends again: close the account's breaker.
	const canaryArrived = Object.values(run.canaries).some(
		(canary) => canary?.status === 'delivered',
	);
	const breakerClosed =
		run.state === 'up' && canaryArrived && run.selfId !== null && run.selfId !== undefined
			? closeAccountBreaker(run.selfId, 'probe_healthy')
			: false;

	const { outcome, settings } = judgeAgainstHistory(
		ctx,
		run.state,
		parameters,
		credentials.baseUrl,
		probe,
	);
	const changed = keepHistory && outcome.changed;

	const json = toJson(run, outcome, parameters, settings, keepHistory, null);
	if (changed && outcome.state === 'down' && parameters.reportOnDown && credentials.reportUrl) {
		reports.add(json, {
			destination: credentials,
			fields: probeDownEvent(run, outcome),
			timeoutMs: parameters.timeoutMs,
		});
	}
	json.breakerClosed = breakerClosed;
	const isHealthy =
		outcome.state === 'up' || (outcome.state === 'degraded' && !parameters.degradedToUnhealthy);
	return { json, isHealthy };
}

/**
 * The state to report: with history kept, the account's state changes only after enough runs in a row
 * (the thresholds); without (a manual run), each run stands alone.
 */
function judgeAgainstHistory(
	ctx: IExecuteFunctions,
	state: ProbeState,
	parameters: ProbeParameters,
	baseUrl: string,
	{ keepHistory, staticData, clock }: ProbeRun,
): { outcome: HysteresisOutcome; settings: HysteresisSettings } {
	const settings = {
		failureThreshold: parameters.failureThreshold,
		recoveryThreshold: parameters.recoveryThreshold,
	};
	let outcome: HysteresisOutcome;
	if (keepHistory) {
		// Process memory holds (overlapping runs all count); static data is a copy merged in on load.
		const histories = (staticData[HISTORY_KEY] ?? {}) as Record<string, HysteresisMemory>;
		const key = hysteresisKey(redactUrl(baseUrl), parameters.historyKeyParts);
		const memoryKey = runMemoryKey(
			ctx.getWorkflow().id,
			ctx.getNode().id ?? ctx.getNode().name,
			key,
		);
		outcome = updateProbeMemory(memoryKey, histories[key], (memory) =>
			applyHysteresis(memory, state, settings, clock),
		);
		histories[key] = outcome.memory;
		pruneHistories(histories);
		staticData[HISTORY_KEY] = histories as unknown as IDataObject;
	} else {
		outcome = applyHysteresis(
			undefined,
			state,
			{ failureThreshold: 1, recoveryThreshold: 1 },
			clock,
		);
	}
	return { outcome, settings };
}

/** The witness account's connection; a canary verified by a witness cannot run without one. */
async function witnessConnection(
	ctx: IExecuteFunctions,
	itemIndex: number,
	timeoutMs: number,
): Promise<OneBotConnection> {
	try {
		return await oneBotClient(ctx, 'oneBotWitnessApi', itemIndex, timeoutMs);
	} catch {
		throw new NodeOperationError(
			ctx.getNode(),
			'A canary verified by a witness needs a OneBot Witness API credential',
			{
				itemIndex,
				description: `Item ${itemIndex}: select a witness credential (a second QQ account). With one QQ account, set "Canary" to None (API checks), or send the private canary to Another User; for sends, Send With Verification's Kernel Confirmed level needs no second account.`,
			},
		);
	}
}
