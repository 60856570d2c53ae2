import type { Clock, RawError } from './types';
import { bodyText } from './values';

/** One HTTP exchange. The core never does I/O itself: nodes pass n8n's request helper, tests pass fetch. */
export interface HttpRequest {
	method: 'GET' | 'POST';
	url: string;
	headers?: Record<string, string>;
	body?: unknown;
	timeoutMs: number;
}

export interface HttpResponse {
	status: number;
	/** Parsed JSON when the body was JSON, else the raw text. */
	body: unknown;
}

/**
 * Performs a request and resolves with any HTTP status (4xx/5xx included). Rejects only when no
 * response arrived, with a TransportError whose code tells why.
 */
export type RequestFn = (request: HttpRequest) => Promise<HttpResponse>;

export const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'ABORT_ERR']);

export class TransportError extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
		this.name = 'TransportError';
	}
}

/** Finds a network error code on anything a request library may throw (axios, fetch, n8n wrappers). */
export function networkErrorCode(error: unknown): string {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const candidate = current as {
			code?: unknown;
			name?: unknown;
			message?: unknown;
			cause?: unknown;
		};
		if (typeof candidate.code === 'string' && /^E[A-Z_]+$|^ABORT_ERR$/.test(candidate.code)) {
			return candidate.code;
		}
		if (candidate.name === 'TimeoutError' || candidate.name === 'AbortError') return 'ETIMEDOUT';
		if (
			typeof candidate.message === 'string' &&
			/timeout of \d+ms exceeded|timed out/i.test(candidate.message)
		) {
			return 'ETIMEDOUT';
		}
		current = candidate.cause;
	}
	return 'ENETWORK';
}

/**
 * The TransportError for a request that got no response: the network code found on whatever the request
 * library threw, and a message without the request (it may hold a token).
 */
export function transportErrorFrom(error: unknown): TransportError {
	const code = networkErrorCode(error);
	return new TransportError(
		code === 'ETIMEDOUT' ? 'request timed out' : `request failed (${code})`,
		code,
	);
}

/** The OneBot v11 reply envelope. */
export interface OneBotEnvelope {
	status: string;
	retcode: number;
	data: unknown;
	message?: string;
	wording?: string;
	msg?: string;
	echo?: unknown;
}

export type FailureKind = 'network' | 'timeout' | 'http' | 'malformed' | 'envelope';

export interface CallFailure {
	kind: FailureKind;
	action: string;
	raw: RawError;
	envelope?: OneBotEnvelope;
}

export type CallResult<T = unknown> =
	| {
			ok: true;
			action: string;
			data: T;
			envelope: OneBotEnvelope;
			httpStatus: number;
			latencyMs: number;
	  }
	| { ok: false; action: string; failure: CallFailure; latencyMs: number };

export interface OneBotClientOptions {
	baseUrl: string;
	request: RequestFn;
	/** Added as a Bearer header when given. n8n's authenticated request helper adds it itself. */
	accessToken?: string;
	defaultTimeoutMs?: number;
	clock?: Clock;
}

export function parseEnvelope(body: unknown): OneBotEnvelope | undefined {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const candidate = value as Record<string, unknown>;
	if (typeof candidate.status !== 'string' || typeof candidate.retcode !== 'number')
		return undefined;
	return candidate as unknown as OneBotEnvelope;
}

function envelopeRaw(envelope: OneBotEnvelope, httpStatus: number): RawError {
	const raw: RawError = { httpStatus, status: envelope.status, retcode: envelope.retcode };
	const message = envelope.message ?? envelope.msg;
	if (message !== undefined) raw.message = String(message);
	if (envelope.wording !== undefined) raw.wording = String(envelope.wording);
	// go-cqhttp ≥ 1.0.0-rc5 puts its error code in `msg` and the text in `wording` and `message`
	// (Mrs4s/go-cqhttp: coolq/api.go Failed()): keep the code whatever else is present.
	if (typeof envelope.msg === 'string' && envelope.msg !== '') raw.msg = envelope.msg;
	return raw;
}

/** Calls OneBot v11 actions over HTTP and turns every way a call can end into a typed result. */
export class OneBotClient {
	readonly baseUrl: string;

	private readonly request: RequestFn;

	private readonly accessToken?: string;

	private readonly defaultTimeoutMs: number;

	private readonly clock: Clock;

	constructor(options: OneBotClientOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.request = options.request;
		this.accessToken = options.accessToken || undefined;
		this.defaultTimeoutMs = options.defaultTimeoutMs ?? 15000;
		this.clock = options.clock ?? Date.now;
	}

	async call<T = unknown>(
		action: string,
		params: Record<string, unknown> = {},
		options: { timeoutMs?: number } = {},
	): Promise<CallResult<T>> {
		const started = this.clock();
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
		const fail = (failure: Omit<CallFailure, 'action'>): CallResult<T> => ({
			ok: false,
			action,
			failure: { ...failure, action },
			latencyMs: this.clock() - started,
		});

		let response: HttpResponse;
		try {
			response = await this.request({
				method: 'POST',
				url: `${this.baseUrl}/${action}`,
				headers,
				body: params,
				timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs,
			});
		} catch (error) {
			const code = error instanceof TransportError ? error.code : networkErrorCode(error);
			const message = error instanceof Error ? error.message : String(error);
			return fail({
				kind: TIMEOUT_CODES.has(code) ? 'timeout' : 'network',
				raw: { code, message },
			});
		}

		const envelope = parseEnvelope(response.body);
		if (response.status < 200 || response.status >= 300) {
			const raw: RawError = envelope
				? envelopeRaw(envelope, response.status)
				: { httpStatus: response.status, body: bodyText(response.body) };
			return fail({ kind: 'http', raw, envelope });
		}
		if (!envelope) {
			return fail({
				kind: 'malformed',
				raw: { httpStatus: response.status, body: bodyText(response.body) },
			});
		}
		const accepted =
			(envelope.status === 'ok' || envelope.status === 'async') &&
			(envelope.retcode === 0 || envelope.retcode === 1);
		if (!accepted) {
			return fail({ kind: 'envelope', raw: envelopeRaw(envelope, response.status), envelope });
		}
		return {
			ok: true,
			action,
			data: envelope.data as T,
			envelope,
			httpStatus: response.status,
			latencyMs: this.clock() - started,
		};
	}
}
