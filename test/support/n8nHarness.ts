/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * Runs a node through n8n-core's own execution engine, as n8n 2.41 does for a workflow run:
 * - execute(): a one-node workflow run by `WorkflowExecute`, the node's input on the execution stack, so
 *   parameters get n8n's defaults, expressions are resolved by n8n's expression engine (per-item
 *   parameters become `{{ [...][$itemIndex] }}` expressions), continueOnFail is the node's
 *   `onError: continueRegularOutput`, and HTTP goes through n8n-core's request helpers;
 * - webhook(): n8n-core's `WebhookContext` with the request and response objects n8n hands over;
 * - credentials: a credentials helper written like n8n's (packages/cli credentials-helper): credential
 *   defaults applied, `authenticate` blocks resolved with `$credentials` by the workflow's expression engine;
 * - static data: loaded into the run's workflow at its start and written back whole when it ends, only
 *   when n8n saves it (not in manual mode, workflow with an id, data changed), as n8n's
 *   `workflowExecuteAfter` hook does. Each run sees only what an earlier saved run left.
 * The real-n8n suite (test/e2e) covers what this cannot: the server, queue mode, the editor.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	isExpression,
} from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRun,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { OneBotApi } from '../../credentials/OneBotApi.credentials';
import { OneBotWitnessApi } from '../../credentials/OneBotWitnessApi.credentials';

export type CredentialValues = Record<string, IDataObject>;

const credentialTypes: Record<string, ICredentialType> = {
	oneBotApi: new OneBotApi(),
	oneBotWitnessApi: new OneBotWitnessApi(),
};

/** Lets other credential types (restart targets) join the harness. */
export function registerCredentialType(type: ICredentialType): void {
	credentialTypes[type.name] = type;
}

export interface HttpLogEntry {
	method: string;
	url: string;
	headers: Record<string, unknown>;
	body: unknown;
}

export interface HarnessOptions {
	parameters: Record<string, unknown> | ((itemIndex: number) => Record<string, unknown>);
	credentials?: CredentialValues;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** The workflow's stored static data: read when a run starts, replaced when n8n would save it. */
	staticData?: { node: IDataObject; global: IDataObject };
	mode?: 'manual' | 'trigger' | 'webhook' | 'internal';
	workflow?: { id: string; name: string; active: boolean };
	executionId?: string;
	nodeName?: string;
	/** Every HTTP request the node made, as n8n-core sent it (after authentication). */
	httpLog?: HttpLogEntry[];
}

// ---------------------------------------------------------------------------------------------- HTTP log

/**
 * n8n-core sends every request through its own axios; a request interceptor on that instance records what
 * went out, for the run whose async context made it.
 */
const httpLogContext = new AsyncLocalStorage<HttpLogEntry[] | undefined>();
let interceptorInstalled = false;

function installHttpLog(): void {
	if (interceptorInstalled) return;
	interceptorInstalled = true;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const axios = require(require.resolve('axios', { paths: [require.resolve('n8n-core')] }));
	(axios.default ?? axios).interceptors.request.use((config: Record<string, unknown>) => {
		const log = httpLogContext.getStore();
		if (log) {
			const raw = config.headers as
				| { toJSON?: () => Record<string, unknown> }
				| Record<string, unknown>
				| undefined;
			const headers =
				typeof raw?.toJSON === 'function'
					? (raw.toJSON as () => Record<string, unknown>)()
					: { ...(raw ?? {}) };
			const url = String(config.url ?? '');
			log.push({
				method: String(config.method ?? 'get').toUpperCase(),
				url: /^https?:\/\//i.test(url) ? url : `${String(config.baseURL ?? '')}${url}`,
				headers,
				body: config.data,
			});
		}
		return config;
	});
}

// --------------------------------------------------------------------------------------- credentials

/** n8n's credentials helper, reduced to what a run uses (packages/cli/src/credentials-helper.ts). */
class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly values: CredentialValues) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	/** Every node of this package may use every credential type the harness knows. */
	isCredentialUsableByNode(credentialType: string): boolean {
		return credentialType in credentialTypes;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		const authenticate = type?.authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate && typeof authenticate === 'object' && authenticate.type === 'generic') {
			requestOptions.headers ??= {};
			const resolve = (value: unknown) => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value as string,
					'internal',
					{ $credentials: credentials } as never,
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				const target = ((requestOptions as unknown as Record<string, IDataObject>)[outerKey] ??=
					{});
				for (const [key, value] of Object.entries(outerValue as IDataObject)) {
					target[String(resolve(key))] = resolve(value) as string;
				}
			}
		}
		return requestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by the harness');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.values[nodeCredentials.id ?? type];
		if (!stored) throw new Error(`Credential "${type}" is not stored`);
		// applyDefaultsAndOverwrites: the credential type's defaults fill what the stored data leaves out.
		return NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = credentialTypes[type];
		if (!credentialType) throw new Error(`Unknown credential type "${type}"`);
		return credentialType.properties;
	}
}

// ------------------------------------------------------------------------------------------ workflow

const PACKAGE = 'n8n-nodes-onebot-sentinel';

function nodeTypesOf(nodeType: INodeType): INodeTypes {
	const typeName = `${PACKAGE}.${nodeType.description.name}`;
	const get = (name: string) => {
		if (name !== typeName) throw new Error(`Unknown node type "${name}"`);
		return nodeType;
	};
	return {
		getByName: get,
		getByNameAndVersion: get,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
}

/** A per-item parameter that differs between items becomes the expression a workflow would use for it. */
function parametersFor(options: HarnessOptions, itemCount: number): IDataObject {
	if (typeof options.parameters !== 'function') return options.parameters as IDataObject;
	const perItem = Array.from({ length: Math.max(1, itemCount) }, (_, index) =>
		(options.parameters as (itemIndex: number) => Record<string, unknown>)(index),
	);
	const merge = (values: unknown[]): unknown => {
		const first = values[0];
		if (values.every((value) => JSON.stringify(value) === JSON.stringify(first))) return first;
		const isPlainObject = (value: unknown) =>
			value !== null && typeof value === 'object' && !Array.isArray(value);
		if (values.every(isPlainObject)) {
			const keys = new Set(values.flatMap((value) => Object.keys(value as object)));
			return Object.fromEntries(
				[...keys].map((key) => [
					key,
					merge(values.map((value) => (value as Record<string, unknown>)[key])),
				]),
			);
		}
		// URI-encoded so that no "}}" inside a value ends the expression early.
		return `={{ JSON.parse(decodeURIComponent("${encodeURIComponent(JSON.stringify(values))}"))[$itemIndex] }}`;
	};
	return merge(perItem) as IDataObject;
}

function nodeFor(nodeType: INodeType, options: HarnessOptions, parameters: IDataObject): INode {
	const credentials: Record<string, INodeCredentialsDetails> = {};
	for (const type of Object.keys(options.credentials ?? {}))
		credentials[type] = { id: type, name: type };
	return {
		id: 'harness-node',
		name: options.nodeName ?? nodeType.description.displayName,
		type: `${PACKAGE}.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials,
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? {})) as T;

function workflowFor(nodeType: INodeType, options: HarnessOptions, node: INode): Workflow {
	const info = options.workflow ?? { id: 'wf-harness', name: 'Harness workflow', active: false };
	const stored = options.staticData;
	// Loaded from the database at the start of a run: a copy, never the stored object itself.
	const staticData: IDataObject = stored
		? { global: clone(stored.global), [`node:${node.name}`]: clone(stored.node) }
		: {};
	return new Workflow({
		id: info.id,
		name: info.name,
		nodes: [node],
		connections: {},
		active: info.active,
		nodeTypes: nodeTypesOf(nodeType),
		staticData,
		settings: { timezone: 'UTC' },
	});
}

/** n8n's save hook: static data goes back whole when the run changed it, outside manual mode. */
function saveStaticData(
	options: HarnessOptions,
	mode: WorkflowExecuteMode,
	workflow: Workflow,
	node: INode,
	changed: IDataObject | undefined,
): void {
	const stored = options.staticData;
	if (
		!stored ||
		mode === 'manual' ||
		!changed ||
		!(typeof workflow.id === 'string' && workflow.id.length > 0)
	)
		return;
	const replace = (target: IDataObject, source: unknown) => {
		for (const key of Object.keys(target)) delete target[key];
		Object.assign(target, clone(source ?? {}));
	};
	replace(stored.global, changed.global);
	replace(stored.node, changed[`node:${node.name}`]);
}

function additionalDataFor(
	options: HarnessOptions,
	mode: WorkflowExecuteMode,
	workflow: Workflow,
	node: INode,
) {
	const executionId = options.executionId ?? 'exec-harness';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflow.id,
		name: workflow.name,
		active: workflow.active,
		nodes: [node],
		connections: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		isArchived: false,
		activeVersionId: null,
	} as never);
	const additionalData = {
		credentialsHelper: new HarnessCredentialsHelper(options.credentials ?? {}),
		hooks,
		executionId,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		currentNodeExecutionIndex: 0,
		executeWorkflow: async () => {
			throw new Error('not used by the harness');
		},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used by the harness');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
	return additionalData;
}

/** The error a run ended with, as n8n recorded it, with its class restored from its name. */
async function recordedError(error: IDataObject): Promise<Error> {
	const workflowModule = await import('n8n-workflow');
	const errorClass = (workflowModule as unknown as Record<string, unknown>)[String(error.name)];
	const prototype =
		typeof errorClass === 'function'
			? (errorClass as { prototype: object }).prototype
			: Error.prototype;
	return Object.assign(Object.create(prototype) as Error, error);
}

/** Runs execute() in a one-node workflow run and returns one item array per output. */
export async function runExecute(
	nodeType: INodeType,
	options: HarnessOptions,
): Promise<INodeExecutionData[][]> {
	installHttpLog();
	const items = options.items ?? [{ json: {} }];
	const mode = (options.mode ?? 'manual') as WorkflowExecuteMode;
	const node = nodeFor(nodeType, options, parametersFor(options, items.length));
	const workflow = workflowFor(nodeType, options, node);
	const additionalData = additionalDataFor(options, mode, workflow, node);
	let changedStaticData: IDataObject | undefined;
	additionalData.hooks!.addHandler(
		'workflowExecuteAfter',
		async (_run: IRun, newStaticData?: IDataObject) => {
			changedStaticData = newStaticData;
		},
	);
	const runNode = workflow.getNode(node.name)!;
	const executionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: runNode, data: { main: [items] }, source: null }],
		},
	});
	const engine = new WorkflowExecute(additionalData, mode, executionData);
	const run = await httpLogContext.run(options.httpLog, () =>
		engine.processRunExecutionData(workflow),
	);
	saveStaticData(options, mode, workflow, node, changedStaticData);

	const task = run.data.resultData.runData[node.name]?.[0];
	const error = task?.error ?? run.data.resultData.error;
	// A node that failed as a whole but continues on error: n8n records the error and passes what it got on
	// (n8n-core WorkflowExecute.handleNodeExecutionError: the input items, on the first output).
	const continued = options.continueOnFail && task?.data?.main !== undefined;
	if (error && !continued) throw await recordedError(error as unknown as IDataObject);
	const outputs = task?.data?.main ?? [];
	return outputs.map((output) => output ?? []);
}

// ------------------------------------------------------------------------------------------- webhook

export interface WebhookRequest {
	headers: Record<string, string>;
	body: string;
	query?: Record<string, string>;
}

export interface WebhookRun {
	result: IWebhookResponseData;
	/** What the node answered directly through the response object, when it did. */
	response: { status?: number; body?: unknown; headers: Record<string, string>; ended: boolean };
}

/**
 * Runs webhook() as n8n's webhook service does: a `WebhookContext` over the workflow, with the request and
 * response in the additional data; the workflow's static data is saved afterwards when it changed.
 */
export async function runWebhook(
	nodeType: INodeType,
	options: HarnessOptions,
	request: WebhookRequest,
): Promise<WebhookRun> {
	installHttpLog();
	const headers = Object.fromEntries(
		Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
	);
	let parsedBody: unknown = {};
	try {
		parsedBody = request.body ? JSON.parse(request.body) : {};
	} catch {
		parsedBody = {};
	}
	const response: WebhookRun['response'] = { headers: {}, ended: false };
	const res = {
		status(code: number) {
			response.status = code;
			return res;
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
			return res;
		},
		json(body: unknown) {
			response.body = body;
			response.ended = true;
			return res;
		},
		send(body?: unknown) {
			response.body = body;
			response.ended = true;
			return res;
		},
		end(body?: unknown) {
			if (body !== undefined) response.body = body;
			response.ended = true;
			return res;
		},
	};
	const req = {
		headers,
		body: parsedBody,
		rawBody: Buffer.from(request.body, 'utf8'),
		query: request.query ?? {},
		params: {},
		method: 'POST',
	};
	const mode = (options.mode ?? 'webhook') as WorkflowExecuteMode;
	const node = nodeFor(nodeType, options, parametersFor(options, 1));
	const workflow = workflowFor(nodeType, options, node);
	const additionalData = additionalDataFor(options, mode, workflow, node);
	Object.assign(additionalData, { httpRequest: req, httpResponse: res });
	const webhook = nodeType.description.webhooks?.[0];
	const webhookData = {
		httpMethod: webhook?.httpMethod ?? 'POST',
		node: node.name,
		path: String(webhook?.path ?? ''),
		webhookDescription: webhook,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as unknown as IWebhookData;
	if (!nodeType.webhook) throw new Error(`${nodeType.description.name} has no webhook()`);
	const context = new WebhookContext(
		workflow,
		workflow.getNode(node.name)!,
		additionalData,
		mode,
		webhookData,
		[],
		null,
	);
	const result = await httpLogContext.run(options.httpLog, () => nodeType.webhook!.call(context));
	const changed =
		(workflow.staticData as IDataObject).__dataChanged === true
			? (workflow.staticData as IDataObject)
			: undefined;
	saveStaticData(options, mode, workflow, node, changed);
	return { result, response };
}
