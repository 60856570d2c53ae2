import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, IHttpRequestOptions, IWebhookFunctions } from 'n8n-workflow';
import { OneBotClient, transportErrorFrom } from '../../core/transport';
import type { HttpRequest, RequestFn } from '../../core/transport';
import type { OneBotConnection } from '../../core/types';
import type { EventSocketFactory, EventSocketLike } from '../../core/eventStream';

type RequestContext = IExecuteFunctions | IWebhookFunctions;

export type OneBotCredentialType = 'oneBotApi' | 'oneBotWitnessApi';

export interface OneBotCredentialValues extends OneBotConnection {
	wsUrl?: string;
}

function toN8nOptions(request: HttpRequest): IHttpRequestOptions {
	return {
		method: request.method,
		url: request.url,
		headers: request.headers,
		body: request.body as IHttpRequestOptions['body'],
		json: true,
		timeout: request.timeoutMs,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
	};
}

async function perform(send: () => Promise<unknown>): Promise<{ status: number; body: unknown }> {
	try {
		const response = (await send()) as { statusCode: number; body: unknown };
		return { status: response.statusCode, body: response.body };
	} catch (error) {
		// n8n rejects only when no response came back; keep the network code, never the request (it holds the token).
		// An internal signal: OneBotClient.call catches it and turns it into a typed result, so it never reaches n8n.
		throw transportErrorFrom(error);
	}
}

/** Credential types whose own `authenticate` block signs requests: the OneBot ones and the restart targets. */
export type AuthenticatedCredentialType =
	| OneBotCredentialType
	| 'dockerEngineApi'
	| 'oneBotRestartEndpointApi';

/** n8n's request helper, authenticated with the given credential, as the core's RequestFn. */
export function authenticatedRequest(
	context: RequestContext,
	credentialType: AuthenticatedCredentialType,
): RequestFn {
	return (request) =>
		perform(() =>
			context.helpers.httpRequestWithAuthentication.call(
				context,
				credentialType,
				toN8nOptions(request),
			),
		);
}

/** n8n's plain request helper (no credential), for report posts and restart targets. */
export function plainRequest(context: RequestContext): RequestFn {
	return (request) => perform(() => context.helpers.httpRequest(toN8nOptions(request)));
}

export async function oneBotCredentials(
	context: RequestContext,
	credentialType: OneBotCredentialType,
	itemIndex = 0,
): Promise<OneBotCredentialValues> {
	const values = (await context.getCredentials(credentialType, itemIndex)) as Record<
		string,
		unknown
	>;
	const text = (key: string) =>
		typeof values[key] === 'string' ? (values[key] as string).trim() : '';
	return {
		baseUrl: text('baseUrl'),
		accessToken: text('accessToken') || undefined,
		wsUrl: text('wsUrl') || undefined,
		reportUrl: text('reportUrl') || undefined,
		reportSecret: text('reportSecret') || undefined,
	};
}

/**
 * A client for one OneBot account. The credentials are read once and the client adds the Bearer header
 * itself: n8n's authenticated helper would load, decrypt and evaluate the credential again for every call,
 * which costs about a millisecond per call (bench: overhead). The credential's authenticate block still
 * serves its test and n8n's HTTP Request node.
 */
export async function oneBotClient(
	context: RequestContext,
	credentialType: OneBotCredentialType,
	itemIndex = 0,
	defaultTimeoutMs?: number,
): Promise<{ client: OneBotClient; credentials: OneBotCredentialValues }> {
	const credentials = await oneBotCredentials(context, credentialType, itemIndex);
	const client = new OneBotClient({
		baseUrl: credentials.baseUrl,
		request: plainRequest(context),
		accessToken: credentials.accessToken,
		defaultTimeoutMs,
	});
	return { client, credentials };
}

/**
 * The account's forward WebSocket as the core's event stream, when its credential names one. The socket is
 * the global WebSocket client of Node 22+ (n8n's runtime, undici), which sends request headers: the token
 * goes in `Authorization: Bearer`, never in the URL, where it would reach logs and error texts. Every
 * implementation accepts the header (LLOneBot prefers it over the query, NapCat takes it when the query has
 * none, go-cqhttp and Lagrange accept it). An invalid URL is a NodeOperationError naming the field.
 */
export function eventStreamOf(
	credentials: OneBotCredentialValues,
	context: RequestContext,
	itemIndex = 0,
): { url: string; connect: EventSocketFactory } | undefined {
	if (!credentials.wsUrl) return undefined;
	const url = checkedWebSocketUrl(credentials.wsUrl);
	if (!url) {
		const message = `Item ${itemIndex}: the credential's Event WebSocket URL is not a valid ws:// or wss:// URL`;
		throw new NodeOperationError(context.getNode(), message, {
			itemIndex,
			description:
				'Set "Event WebSocket URL" in the OneBot credential to the forward WebSocket, e.g. ws://127.0.0.1:3001, or leave it empty.',
		});
	}
	const token = credentials.accessToken;
	const init = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
	return {
		url,
		connect: (target) =>
			// undici's WebSocket takes a WebSocketInit with headers as its second argument.
			new (WebSocket as unknown as new (url: string, init?: unknown) => EventSocketLike)(
				target,
				init,
			),
	};
}

/** The URL when it is a ws:// or wss:// URL (http(s) taken as its WebSocket twin), else undefined. */
function checkedWebSocketUrl(raw: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(raw);
	} catch {
		return undefined;
	}
	if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
	else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
	if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return undefined;
	return parsed.toString();
}
