/** The NapCat WebUI (v4.10.32+): token login, process restart and the QQ login status. */
import { createHash } from 'node:crypto';
import { backoffDelay } from '../../retry';
import type { RandomFn } from '../../retry';
import type { CallFailure, RequestFn } from '../../transport';
import type { Clock, RawError, Sleep } from '../../types';
import {
	acceptedRequest,
	dryRunRequest,
	failedRequest,
	noAnswerRequest,
	RestartCancelled,
	refusedRequest,
	throwIfCancelled,
	unsupportedRequest,
} from '../request';
import type { RestartRequest } from '../request';
import {
	bodyText,
	exchange,
	mayHaveReached,
	networkExplanation,
	parseJson,
	serverError,
} from '../http';
import { clip, isRecord } from '../../values';
import type { RestartMethod } from '../method';

export interface NapCatWebUiOptions {
	baseUrl: string;
	token: string;
	request: RequestFn;
	sleep: Sleep;
	clock: Clock;
	timeoutMs: number;
	/** How long to wait in total for the login rate limit to clear before giving up. */
	rateLimitWaitMs: number;
	random?: RandomFn;
	/**
	 * The run's cancel signal. The session's waits should take it too (`sleep`); it is checked again right
	 * before every Process/Restart request, so a Stop during a login wait restarts nothing.
	 */
	signal?: AbortSignal;
}

/**
 * How long a WebUI restart may take: the login rate-limit wait, a login, the restart request, and a
 * second login and request when the credential expired in between.
 */
export function webUiRequestBudgetMs(options: { rateLimitWaitMs: number; timeoutMs: number }) {
	return options.rateLimitWaitMs + 4 * options.timeoutMs;
}

/** The WebUI's login hash: sha256 hex of the token + ".napcat" (napcat-webui-backend helper/SignToken.ts). */
export function napCatWebUiLoginHash(token: string): string {
	return createHash('sha256').update(`${token}.napcat`).digest('hex');
}

export interface WebUiLoginStatus {
	isLogin: boolean | null;
	isOffline: boolean | null;
	qrCodeUrl: string | null;
	loginError: string | null;
}

type WebUiReply =
	| { ok: true; data: unknown; httpStatus: number }
	| {
			ok: false;
			failure: CallFailure;
			message: string | null;
			unauthorized: boolean;
			rateLimited: boolean;
	  };

export class WebUiError extends Error {
	constructor(
		message: string,
		readonly request: RestartRequest,
	) {
		super(message);
		this.name = 'WebUiError';
	}
}

/**
 * A session with the NapCat WebUI (v4.10.32+): logs in with the token's hash, keeps the credential
 * (valid about an hour) for later calls, and logs in again when a call says it expired. Logins are
 * rate-limited by the WebUI per client address, so one session serves every item of a run.
 */
export class NapCatWebUiSession {
	readonly baseUrl: string;

	/** Logins done by this session (a second one means the credential expired or was refused). */
	logins = 0;

	rateLimitWaits = 0;

	private credential: string | null = null;

	constructor(private readonly options: NapCatWebUiOptions) {
		this.baseUrl = options.baseUrl.trim().replace(/\/+$/, '');
	}

	/** How long a restart through this session may take (see webUiRequestBudgetMs). */
	get requestBudgetMs(): number {
		return webUiRequestBudgetMs(this.options);
	}

	private async post(
		path: string,
		body: unknown,
		withCredential: boolean,
		restarts = false,
	): Promise<WebUiReply> {
		if (restarts) throwIfCancelled(this.options.signal);
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (withCredential && this.credential) headers.Authorization = `Bearer ${this.credential}`;
		const action = `webui${path.replace(/\//g, '_')}`;
		const { response, failure } = await exchange(
			this.options.request,
			{
				method: 'POST',
				url: `${this.baseUrl}/api${path}`,
				headers,
				body,
				timeoutMs: this.options.timeoutMs,
			},
			action,
		);
		if (failure || !response) {
			return {
				ok: false,
				failure: failure!,
				message: null,
				unauthorized: false,
				rateLimited: false,
			};
		}
		const parsed = parseJson(response.body);
		const message = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : null;
		const unauthorized =
			response.status === 401 || (message !== null && /unauthori[sz]ed/i.test(message));
		const rateLimited =
			response.status === 429 || (message !== null && /rate limit/i.test(message));
		if (response.status >= 200 && response.status < 300 && isRecord(parsed) && parsed.code === 0) {
			return { ok: true, data: parsed.data, httpStatus: response.status };
		}
		const raw: RawError = { httpStatus: response.status };
		if (message !== null) raw.message = clip(message);
		if (isRecord(parsed) && typeof parsed.code === 'number') raw.retcode = parsed.code;
		if (!isRecord(parsed) || parsed.code === undefined) raw.body = bodyText(response.body);
		const kind =
			response.status >= 200 && response.status < 300
				? isRecord(parsed)
					? 'envelope'
					: 'malformed'
				: 'http';
		return { ok: false, failure: { kind, action, raw }, message, unauthorized, rateLimited };
	}

	/** Logs in (again). Waits out the login rate limit up to `maxWaitMs`; throws WebUiError when it cannot. */
	async login(maxWaitMs = this.options.rateLimitWaitMs): Promise<void> {
		this.credential = null;
		const hash = napCatWebUiLoginHash(this.options.token);
		const started = this.options.clock();
		for (let round = 1; ; round++) {
			const reply = await this.post('/auth/login', { hash }, false);
			if (reply.ok) {
				const data = isRecord(reply.data) ? reply.data : {};
				if (data.require2FA === true) {
					throw new WebUiError(
						'two-factor',
						refusedRequest(
							'The NapCat WebUI asks for a two-factor (TOTP) code, which an unattended restart cannot give. Switch 2FA off for this WebUI or use Docker or a custom HTTP request.',
							'auth_failed',
							{ details: { webUiLogins: this.logins } },
						),
					);
				}
				if (typeof data.Credential !== 'string' || !data.Credential) {
					throw new WebUiError(
						'no credential',
						refusedRequest(
							'The NapCat WebUI login answered without a credential. Is the base URL a NapCat WebUI (v4.10.32 or later)?',
							'malformed_response',
							{
								raw: { httpStatus: reply.httpStatus, body: bodyText(reply.data) },
								details: { webUiLogins: this.logins },
							},
						),
					);
				}
				this.credential = data.Credential;
				this.logins++;
				return;
			}
			if (reply.rateLimited) {
				const waited = this.options.clock() - started;
				const delay = Math.max(
					1000,
					backoffDelay(round, { baseMs: 5000, capMs: 30000 }, this.options.random),
				);
				if (waited + delay <= maxWaitMs) {
					this.rateLimitWaits++;
					await this.options.sleep(delay);
					continue;
				}
				throw new WebUiError(
					'rate limit',
					failedRequest(
						reply.failure,
						`The NapCat WebUI refuses logins for now (login rate limit) and did not allow one within ${Math.round(maxWaitMs / 1000)} s. Try again later; avoid testing the credential repeatedly.`,
						false,
						{ reason: 'http_error', reasonClass: 'transient' },
						{ webUiLogins: this.logins, rateLimitWaits: this.rateLimitWaits },
					),
				);
			}
			if (reply.message && /token is invalid|token is empty/i.test(reply.message)) {
				throw new WebUiError(
					'token',
					failedRequest(
						reply.failure,
						'The NapCat WebUI refused the token. Check the WebUI token in the credential (webui.json).',
						false,
						{ reason: 'auth_failed' },
						{ webUiLogins: this.logins },
					),
				);
			}
			throw new WebUiError(
				'login',
				failedRequest(
					reply.failure,
					reply.failure.kind === 'network' || reply.failure.kind === 'timeout'
						? networkExplanation('The NapCat WebUI', reply.failure)
						: `The NapCat WebUI login failed${reply.message ? `: ${clip(reply.message)}` : ''}.`,
					false,
					{},
					{ webUiLogins: this.logins },
				),
			);
		}
	}

	/** Logs in; returns the failed request when the WebUI refused, null when logged in. */
	async tryLogin(maxWaitMs = this.options.rateLimitWaitMs): Promise<RestartRequest | null> {
		try {
			await this.login(maxWaitMs);
			return null;
		} catch (error) {
			return requestOf(error);
		}
	}

	/** Calls an authenticated WebUI endpoint, logging in first or again when the credential expired. */
	async call(
		path: string,
		body: unknown = {},
		maxLoginWaitMs = this.options.rateLimitWaitMs,
		restarts = false,
	): Promise<WebUiReply> {
		if (!this.credential) await this.login(maxLoginWaitMs);
		let reply = await this.post(path, body, true, restarts);
		if (!reply.ok && reply.unauthorized) {
			await this.login(maxLoginWaitMs);
			reply = await this.post(path, body, true, restarts);
		}
		return reply;
	}

	/** POST /api/Process/Restart. */
	async restart(): Promise<RestartRequest> {
		let reply: WebUiReply | null = null;
		try {
			reply = await this.call('/Process/Restart', {}, this.options.rateLimitWaitMs, true);
		} catch (error) {
			if (!(error instanceof RestartCancelled) && !this.options.signal?.aborted)
				return requestOf(error);
		}
		// A Stop (in a login wait, or right before the request) ends the run: nothing was restarted.
		if (!reply) throw new RestartCancelled();
		const details = { webUiLogins: this.logins, rateLimitWaits: this.rateLimitWaits };
		if (reply.ok)
			return acceptedRequest('The NapCat WebUI accepted the process restart.', reply.httpStatus, {
				details,
			});
		if (
			(reply.failure.kind === 'network' || reply.failure.kind === 'timeout') &&
			mayHaveReached(reply.failure)
		) {
			return noAnswerRequest(
				'The NapCat WebUI did not answer the restart request (the process may be restarting); recovery decides.',
				reply.failure.raw,
				{ details },
			);
		}
		if (reply.message && /重启功能未初始化/.test(reply.message)) {
			return unsupportedRequest(
				'NapCat answered "重启功能未初始化": it restarts only in multi-process (Shell) mode. Start NapCat in that mode, or use Docker or a custom HTTP request.',
				reply.failure.raw,
				{ details },
			);
		}
		if (reply.failure.kind === 'http' && reply.failure.raw.httpStatus === 404) {
			return unsupportedRequest(
				'The NapCat WebUI has no /api/Process/Restart: it needs NapCat v4.10.32 or later. Use Docker or a custom HTTP request.',
				reply.failure.raw,
				{ details },
			);
		}
		const status = reply.failure.raw.httpStatus ?? 0;
		return failedRequest(
			reply.failure,
			reply.failure.kind === 'network'
				? networkExplanation('The NapCat WebUI', reply.failure)
				: `The NapCat WebUI refused the restart${reply.message ? `: ${clip(reply.message)}` : ''}.`,
			reply.failure.kind === 'network' ? false : serverError(status) ? 'maybe_sent' : true,
			{},
			details,
		);
	}

	/** POST /api/QQLogin/CheckLoginStatus; null when the WebUI cannot be read right now. */
	async loginStatus(): Promise<WebUiLoginStatus | null> {
		let reply: WebUiReply;
		try {
			// While waiting for recovery, a rate-limited login is not waited out: the next check tries again.
			reply = await this.call('/QQLogin/CheckLoginStatus', {}, 0);
		} catch {
			return null;
		}
		if (!reply.ok || !isRecord(reply.data)) return null;
		const data = reply.data;
		const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : null);
		return {
			isLogin: typeof data.isLogin === 'boolean' ? data.isLogin : null,
			isOffline: typeof data.isOffline === 'boolean' ? data.isOffline : null,
			qrCodeUrl: text(data.qrcodeurl),
			loginError: text(data.loginError),
		};
	}
}

/** A login that threw: the WebUI's refusal as it was, anything else kept as an unrecognised error. */
function requestOf(error: unknown): RestartRequest {
	if (error instanceof WebUiError) return error.request;
	const message = error instanceof Error ? error.message : String(error);
	return refusedRequest(
		`The NapCat WebUI login failed unexpectedly: ${clip(message)}`,
		'api_error',
		{ raw: { message: clip(message) } },
	);
}

/** The WebUI's process restart as a RestartMethod; a dry run only checks that the login works. */
export function webUiRestartMethod(session: NapCatWebUiSession): RestartMethod {
	return {
		name: 'napcatWebUi',
		requestBudgetMs: session.requestBudgetMs,
		restart: async ({ dryRun }) => {
			if (!dryRun) return session.restart();
			const refused = await session.tryLogin();
			return (
				refused ??
				dryRunRequest('Dry run: the NapCat WebUI login works; Process/Restart would be called.', {
					webUiLogins: session.logins,
				})
			);
		},
	};
}
