import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import {
	ReplayMemory,
	matchesFilters,
	offlineRunDue,
	receiveTriggerRequest,
} from '../../core/trigger';
import { readNumber } from '../shared/parameters';
import { deliveryFailureTriggerProperties } from './description';
import { readFilters } from './parameters';
import type { TriggerOptions } from './parameters';

/** Static data keys; kept per node, saved by n8n after each production request (not in test mode). */
interface TriggerState {
	seenReportSignatures?: ReplayMemory;
	lastOfflineRun?: Record<string, number>;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * Replay and offline-repeat memory, per workflow and trigger node, in the process that receives the
 * webhook. Static data cannot hold it: n8n does not save a webhook's static data when the run it starts
 * saves its own. Each process that receives webhooks (the main, or each webhook process in queue mode)
 * remembers for itself; the 5-minute age limit on reports holds everywhere.
 */
const processState = new Map<string, TriggerState>();

/**
 * "Listen for test event" (manual mode) and the production URL keep separate memories, so testing
 * neither wipes nor fills the production replay memory.
 */
function stateKey(
	context: IWebhookFunctions | IHookFunctions,
	scope: 'test' | 'production',
): string {
	return `${scope}:${context.getWorkflow().id ?? ''}:${context.getNode().name}`;
}

function webhookScope(context: IWebhookFunctions): 'test' | 'production' {
	return context.getMode() === 'manual' ? 'test' : 'production';
}

/** The test listener is created in manual mode; production webhooks on activation. */
function hookScope(context: IHookFunctions): 'test' | 'production' {
	const activation =
		typeof context.getActivationMode === 'function' ? context.getActivationMode() : undefined;
	const mode = typeof context.getMode === 'function' ? context.getMode() : undefined;
	return mode === 'manual' || activation === 'manual' ? 'test' : 'production';
}

function stateFor(context: IWebhookFunctions): TriggerState {
	const key = stateKey(context, webhookScope(context));
	let state = processState.get(key);
	if (!state) {
		state = {};
		processState.set(key, state);
	}
	return state;
}

/**
 * How long a trigger reuses the credential it read. In n8n 2.41 reading a credential in the webhook phase costs a
 * database read, a decryption and an expression isolate of its own (n8n-core reads it "runless", in a workflow of
 * its own), on top of the isolate n8n already holds for the request (docs/benchmarks.md).
 */
export const CREDENTIAL_REUSE_MS = 10_000;

const credentialCache = new Map<
	string,
	{ at: number; credentialId: string; data: ICredentialDataDecryptedObject }
>();

/**
 * The trigger's credential, read at most once per request and reused for CREDENTIAL_REUSE_MS by the same workflow,
 * node and scope in this process. `fresh` reads it again: a refused request is decided once more with a fresh read,
 * so a secret that was just changed works at once for reports signed with it.
 */
async function triggerCredentials(
	context: IWebhookFunctions,
	fresh: boolean,
): Promise<{ data: ICredentialDataDecryptedObject; reused: boolean }> {
	const key = stateKey(context, webhookScope(context));
	const credentialId = String(context.getNode().credentials?.oneBotApi?.id ?? '');
	const now = Date.now();
	const cached = credentialCache.get(key);
	if (
		!fresh &&
		cached &&
		cached.credentialId === credentialId &&
		now >= cached.at &&
		now - cached.at < CREDENTIAL_REUSE_MS
	) {
		return { data: cached.data, reused: true };
	}
	const data = await context.getCredentials('oneBotApi');
	credentialCache.set(key, { at: now, credentialId, data });
	return { data, reused: false };
}

export class OneBotDeliveryFailureTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Delivery Failure Trigger',
		name: 'oneBotDeliveryFailureTrigger',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n 2.41 evaluates `$parameter["options"]["binaryData"]` in an expression isolate for
		// every request to a typeVersion-1 webhook node (webhook-helpers.js parseRequestBody), about 10 ms of CPU
		// per report on a loaded 2-core machine (docs/benchmarks.md); from 1.1 on it parses the body directly.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{"On: " + $parameter["events"].join(", ")}}',
		description:
			'Starts a workflow when a QQ message was not delivered or the OneBot account went offline',
		defaults: { name: 'OneBot Delivery Failure Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'oneBotApi', required: true, displayName: 'Bot Account (Reports Failures)' },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'onebot-failures',
			},
		],
		properties: deliveryFailureTriggerProperties,
	};

	/**
	 * Nothing is registered remotely: the URL is pasted into credentials and the OneBot implementation by
	 * hand. Activation checks the filters (a bad ID fails here, not on every request) and starts with fresh
	 * replay and offline-repeat state; deactivation drops that state.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				readFilters(this);
				processState.delete(stateKey(this, hookScope(this)));
				credentialCache.delete(stateKey(this, hookScope(this)));
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// n8n removes test and production webhooks alike in 'internal' mode, so which one this is cannot
				// be told here: the memory is dropped by the next create() of its own scope, and its entries
				// expire with the report age window and the repeat interval anyway.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const answer = (status: number, message: string): IWebhookResponseData => {
			if (status === 204) res.status(204).end();
			else res.status(status).json({ message });
			return { noWebhookResponse: true };
		};

		let credentials = await triggerCredentials(this, false);
		const filters = readFilters(this);
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const state = stateFor(this);
		state.seenReportSignatures ??= new ReplayMemory();
		state.lastOfflineRun ??= {};

		// n8n reads the raw body for webhook nodes before parsing it; read it here if it did not.
		if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
		const nowMs = Date.now();
		const decide = () =>
			receiveTriggerRequest(
				{ headers: this.getHeaderData() as Record<string, unknown>, rawBody: req.rawBody ?? '' },
				{
					reportSecret: text(credentials.data.reportSecret),
					eventKey: text(credentials.data.eventSecret) ?? text(credentials.data.accessToken),
				},
				{
					nowMs,
					acceptUnsignedEvents: options.acceptUnsignedEvents === true,
					seenReportSignatures: state.seenReportSignatures!,
				},
			);
		let decision = decide();
		if (
			'status' in decision &&
			(decision.status === 401 || decision.status === 403) &&
			credentials.reused
		) {
			// Refused with a reused credential: decide again with a fresh read (the secret may have just changed).
			credentials = await triggerCredentials(this, true);
			decision = decide();
		}
		if ('status' in decision) return answer(decision.status, decision.message);

		const event = decision.start;
		if (!matchesFilters(event, filters).match) return answer(204, 'filtered');
		const repeatSeconds =
			readNumber(this, 'trigger', 'options.offlineRepeatMinutes', options.offlineRepeatMinutes) *
			60;
		const fingerprint = decision.origin === 'onebot_event' ? decision.fingerprint : undefined;
		if (!offlineRunDue(event, state.lastOfflineRun, nowMs, repeatSeconds, fingerprint))
			return answer(204, 'repeat');

		const workflowData = [this.helpers.returnJsonArray([event as unknown as IDataObject])];
		// A OneBot implementation reads the answer as a "quick operation": give it an empty one.
		if (decision.origin === 'onebot_event') {
			res.status(204).end();
			return { noWebhookResponse: true, workflowData };
		}
		return { workflowData };
	}
}
