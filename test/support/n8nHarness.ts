/**
 * Runs a node's execute() or webhook() outside n8n with n8n's contracts: parameters per item, credentials
 * with the credential type's own `authenticate` block applied, HTTP through axios as n8n-core does
 * (timeouts, ignoreHttpStatusErrors, returnFullResponse), static data, continueOnFail.
 * The real-n8n suite (test/e2e) covers what this cannot: expressions, the engine, the editor.
 */
import axios from 'axios';
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
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
	staticData?: { node: IDataObject; global: IDataObject };
	mode?: 'manual' | 'trigger' | 'webhook' | 'internal';
	workflow?: { id: string; name: string; active: boolean };
	executionId?: string;
	nodeName?: string;
	/** Every HTTP request the node made, for assertions that secrets never leak and calls are shared. */
	httpLog?: HttpLogEntry[];
}

function readPath(source: unknown, path: string): unknown {
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

function resolveCredentialExpression(template: string, credentials: IDataObject): string {
	const body = template.startsWith('=') ? template.slice(1) : template;
	return body.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) => String(credentials[key] ?? ''));
}

async function performHttpRequest(options: IHttpRequestOptions, log?: HttpLogEntry[]): Promise<unknown> {
	const headers = { ...(options.headers ?? {}) } as Record<string, string>;
	log?.push({
		method: options.method ?? 'GET',
		url: `${options.baseURL ?? ''}${options.url}`,
		headers,
		body: options.body,
	});
	const response = await axios.request({
		method: options.method ?? 'GET',
		url: options.url,
		baseURL: options.baseURL,
		headers,
		data: options.body,
		params: options.qs,
		timeout: options.timeout,
		responseType: options.encoding === 'text' ? 'text' : 'json',
		validateStatus: options.ignoreHttpStatusErrors ? () => true : (status) => status >= 200 && status < 300,
		signal: options.abortSignal as AbortSignal | undefined,
	});
	if (options.returnFullResponse) {
		return {
			body: response.data,
			headers: response.headers,
			statusCode: response.status,
			statusMessage: response.statusText,
		};
	}
	return response.data;
}

function nodeFor(nodeType: INodeType, options: HarnessOptions): INode {
	return {
		id: 'harness-node',
		name: options.nodeName ?? nodeType.description.displayName,
		type: `n8n-nodes-onebot-sentinel.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: (typeof options.parameters === 'function' ? options.parameters(0) : options.parameters) as never,
	};
}

function commonContext(nodeType: INodeType, options: HarnessOptions) {
	const staticData = options.staticData ?? { node: {}, global: {} };
	const node = nodeFor(nodeType, options);
	const parametersFor = (itemIndex: number) =>
		typeof options.parameters === 'function' ? options.parameters(itemIndex) : options.parameters;
	const getCredentials = async (type: string) => {
		const values = options.credentials?.[type];
		if (!values) throw new Error(`Node does not have any credentials set for "${type}"`);
		return values;
	};
	const helpers = {
		httpRequest: (requestOptions: IHttpRequestOptions) => performHttpRequest(requestOptions, options.httpLog),
		async httpRequestWithAuthentication(credentialType: string, requestOptions: IHttpRequestOptions) {
			const values = await getCredentials(credentialType);
			const type = credentialTypes[credentialType];
			const headers = { ...(requestOptions.headers ?? {}) } as IDataObject;
			const authenticate = type?.authenticate;
			if (authenticate && typeof authenticate === 'object' && authenticate.properties.headers) {
				for (const [key, template] of Object.entries(authenticate.properties.headers)) {
					headers[key] = resolveCredentialExpression(String(template), values);
				}
			}
			return performHttpRequest({ ...requestOptions, headers }, options.httpLog);
		},
		returnJsonArray: (data: IDataObject | IDataObject[]) =>
			(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
	};
	return {
		getNode: () => node,
		getNodeParameter(name: string, itemIndex = 0, fallback?: unknown) {
			const value = readPath(parametersFor(itemIndex), name);
			if (value !== undefined) return value;
			const described = nodeType.description.properties.find((p) => p.name === name.split('.')[0]);
			if (fallback !== undefined) return fallback;
			if (described && !name.includes('.')) return described.default;
			throw new Error(`Could not get parameter "${name}"`);
		},
		getCredentials,
		continueOnFail: () => options.continueOnFail ?? false,
		getWorkflowStaticData: (type: string) => (type === 'node' ? staticData.node : staticData.global),
		getWorkflow: () => options.workflow ?? { id: 'wf-harness', name: 'Harness workflow', active: false },
		getExecutionId: () => options.executionId ?? 'exec-harness',
		getMode: () => options.mode ?? 'manual',
		getTimezone: () => 'UTC',
		getInstanceId: () => 'harness-instance',
		logger: { debug() {}, info() {}, warn() {}, error() {}, verbose() {} },
		helpers,
	};
}

/** Runs execute() and returns one item array per output. */
export async function runExecute(nodeType: INodeType, options: HarnessOptions): Promise<INodeExecutionData[][]> {
	const items = options.items ?? [{ json: {} }];
	const context = {
		...commonContext(nodeType, options),
		getInputData: () => items,
	} as unknown as IExecuteFunctions;
	if (!nodeType.execute) throw new Error(`${nodeType.description.name} has no execute()`);
	const result = await nodeType.execute.call(context);
	return (result ?? []) as INodeExecutionData[][];
}

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

/** Runs webhook() with a raw request, as n8n's webhook server would hand it over. */
export async function runWebhook(nodeType: INodeType, options: HarnessOptions, request: WebhookRequest): Promise<WebhookRun> {
	const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
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
		method: 'POST',
	};
	const context = {
		...commonContext(nodeType, { mode: 'webhook', ...options }),
		getRequestObject: () => req,
		getResponseObject: () => res,
		getHeaderData: () => headers,
		getBodyData: () => parsedBody,
		getQueryData: () => req.query,
		getWebhookName: () => 'default',
		getNodeWebhookUrl: () => 'http://127.0.0.1:5678/webhook/harness',
	} as unknown as IWebhookFunctions;
	if (!nodeType.webhook) throw new Error(`${nodeType.description.name} has no webhook()`);
	const result = await nodeType.webhook.call(context);
	return { result, response };
}
