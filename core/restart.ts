/**
 * Restarting the QQ client and waiting until the account is really back (field notes §5, §7).
 *
 * Four ways to restart, because each implementation and deployment differs: OneBot `set_restart`
 * (only where it really restarts), the NapCat WebUI, the Docker Engine API (through a restart-only
 * socket proxy) and a custom HTTP request to any other supervisor. A guard refuses restart loops
 * (minimum interval, hourly cap). After a restart the account is polled with backoff until it is
 * logged in and online, up to a deadline; "needs a QR login" is told apart from "did not come back".
 *
 * No timers and no I/O of its own: requests, sleep, clock and randomness are injected.
 */
import { createHash } from 'node:crypto';
import { classifyCall, REASON_CLASS } from './classify';
import { runChecks } from './probe';
import type { ProbeChecks } from './probe';
import { backoffDelay } from './retry';
import type { RandomFn } from './retry';
import { TIMEOUT_CODES, TransportError, networkErrorCode } from './transport';
import type { CallFailure, HttpRequest, HttpResponse, OneBotClient, RequestFn } from './transport';
import type { Clock, RawError, ReasonClass, ReasonCode, Sleep } from './types';

export const RESTART_METHODS = ['onebot', 'napcatWebUi', 'docker', 'customHttp'] as const;
export type RestartMethod = (typeof RESTART_METHODS)[number];

export const RESTART_OUTCOMES = [
	'recovered',
	'needs_login',
	'not_recovered',
	'restart_failed',
	'skipped_cooldown',
	'unsupported',
	'dry_run',
] as const;
export type RestartOutcome = (typeof RESTART_OUTCOMES)[number];

/** What each outcome means and what to do, for the README and the node's output. */
export const RESTART_OUTCOME_DESCRIPTIONS: Record<RestartOutcome, { meaning: string; action: string }> = {
	recovered: {
		meaning: 'The client was restarted and the account is logged in and online again.',
		action: 'Nothing. Resend what failed before the restart (verify first: a timed-out message may have arrived).',
	},
	needs_login: {
		meaning: 'The client restarted but the account is not logged in: the NapCat WebUI offers a QR code or reports a login error.',
		action: 'Scan the QR code in the NapCat WebUI (or log in by hand). Persist the QQ data directory and the MAC address so restarts keep the login.',
	},
	not_recovered: {
		meaning: 'The restart was requested but the account was not back online by the deadline.',
		action: 'Look at the client by hand. Raise the recovery deadline if it is just slow to start.',
	},
	restart_failed: {
		meaning: 'The restart request itself failed (unreachable, refused, no such container, WebUI login refused, server error).',
		action: 'Read `explanation` and `restart.raw`; fix the credential, the container name or the proxy. Nothing was restarted.',
	},
	skipped_cooldown: {
		meaning: 'The guard refused to restart: the last restart of this account was too recent, or the hourly cap is reached.',
		action: 'Nothing was restarted. If restarts keep being needed, the client is not the cause: check the account (risk control) and the host.',
	},
	unsupported: {
		meaning: 'This method cannot restart this client (e.g. set_restart on LLOneBot, go-cqhttp, or NapCat in single-process mode).',
		action: 'Pick another method: the NapCat WebUI, Docker, or a custom HTTP request to the supervisor that runs the client.',
	},
	dry_run: {
		meaning: 'Dry run: the guard and the method allow a restart, but none was requested.',
		action: 'Switch Dry Run off to restart for real.',
	},
};

// ------------------------------------------------------------------ guard

export interface RestartGuardPolicy {
	/** Minimum time between two restarts of one account; 0 = none. */
	minIntervalMs: number;
	/** Most restarts of one account in any hour; 0 = no cap. */
	maxPerHour: number;
}

export interface GuardDecision {
	allowed: boolean;
	blockedBy: 'min_interval' | 'hourly_cap' | null;
	lastRestartAt: number | null;
	restartsInLastHour: number;
	/** When the next restart would be allowed; null when it is allowed now. */
	nextAllowedAt: number | null;
}

const HOUR_MS = 3600000;

function sortedTimes(history: readonly unknown[]): number[] {
	return history.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)).sort((a, b) => a - b);
}

/** Decides whether one more restart of an account is allowed, from the times of its earlier restarts. */
export function checkRestartGuard(history: readonly unknown[], now: number, policy: RestartGuardPolicy): GuardDecision {
	const times = sortedTimes(history);
	const lastRestartAt = times.length ? times[times.length - 1] : null;
	const lastHour = times.filter((t) => t > now - HOUR_MS && t <= now);
	const decision: GuardDecision = {
		allowed: true,
		blockedBy: null,
		lastRestartAt,
		restartsInLastHour: lastHour.length,
		nextAllowedAt: null,
	};
	if (policy.minIntervalMs > 0 && lastRestartAt !== null && now - lastRestartAt < policy.minIntervalMs) {
		return { ...decision, allowed: false, blockedBy: 'min_interval', nextAllowedAt: lastRestartAt + policy.minIntervalMs };
	}
	if (policy.maxPerHour > 0 && lastHour.length >= policy.maxPerHour) {
		// The oldest restart that counts must leave the hour before another one fits.
		const leaving = lastHour[lastHour.length - policy.maxPerHour];
		return { ...decision, allowed: false, blockedBy: 'hourly_cap', nextAllowedAt: leaving + HOUR_MS };
	}
	return decision;
}

/** Adds a restart to an account's history, keeping only what the guard can still need (the last hour). */
export function recordRestart(history: readonly unknown[], at: number, keepMs = HOUR_MS): number[] {
	const times = sortedTimes([...history, at]);
	const last = times[times.length - 1];
	return times.filter((t) => t > at - keepMs || t === last);
}

/** The guard's key for one account: its QQ number when known, else its OneBot base URL. */
export function restartAccountKey(selfId: number | null | undefined, baseUrl: string): string {
	if (typeof selfId === 'number' && Number.isFinite(selfId) && selfId > 0) return `qq:${selfId}`;
	return `url:${baseUrl.trim().replace(/\/+$/, '').toLowerCase()}`;
}

// ------------------------------------------------------------------ implementation detection

export type ImplementationFlavour = 'llonebot' | 'napcat' | 'gocq' | 'lagrange' | 'unknown';

export interface ImplementationInfo {
	appName: string | null;
	appVersion: string | null;
	flavour: ImplementationFlavour;
}

/** Reads the implementation from get_version_info's app_name (LLOneBot, NapCat.Onebot, go-cqhttp, Lagrange.OneBot). */
export function detectImplementation(appName: string | null, appVersion: string | null): ImplementationInfo {
	const name = appName ?? '';
	let flavour: ImplementationFlavour = 'unknown';
	if (/llonebot|lucky\s*lillia|llbot/i.test(name)) flavour = 'llonebot';
	else if (/napcat/i.test(name)) flavour = 'napcat';
	else if (/go-?cqhttp/i.test(name)) flavour = 'gocq';
	else if (/lagrange/i.test(name)) flavour = 'lagrange';
	return { appName, appVersion, flavour };
}

/** Compares dotted versions ("v4.10.32", "4.9.80-beta"); negative when a < b. */
export function compareVersions(a: string, b: string): number {
	const parts = (v: string) => (v.replace(/^v/i, '').match(/\d+/g) ?? []).map(Number);
	const x = parts(a);
	const y = parts(b);
	for (let i = 0; i < Math.max(x.length, y.length); i++) {
		const d = (x[i] ?? 0) - (y[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** NapCat routes set_restart from this version on (and then only in multi-process Shell mode). */
export const NAPCAT_SET_RESTART_SINCE = '4.10.32';

/**
 * Whether set_restart really restarts this implementation, from its version (field notes §5).
 * `null` when only the answer can tell (NapCat ≥ 4.10.32 in single-process mode fails; unknown apps).
 */
export function setRestartRefusal(info: ImplementationInfo): string | null {
	switch (info.flavour) {
		case 'llonebot': {
			const major = Number((info.appVersion ?? '').replace(/^v/i, '').split('.')[0]) || 0;
			const name = info.appVersion ? `LLOneBot ${info.appVersion}` : 'LLOneBot';
			return major >= 5
				? `${name}: set_restart only switches auto-login on and answers ok; it does not restart QQ.`
				: `${name}: set_restart quits QQ and nothing relaunches it, so the account would stay offline.`;
		}
		case 'gocq':
			return 'go-cqhttp documents set_restart but does not route it (API not found); it cannot restart itself.';
		case 'napcat':
			if (info.appVersion && compareVersions(info.appVersion, NAPCAT_SET_RESTART_SINCE) < 0) {
				return `NapCat ${info.appVersion}: set_restart exists only from v${NAPCAT_SET_RESTART_SINCE} on.`;
			}
			return null;
		default:
			return null;
	}
}

// ------------------------------------------------------------------ restart requests

export interface RestartAttempt {
	/**
	 * accepted: the target said it restarts. no_answer: the request went out but the connection
	 * dropped or timed out (a process that restarts may not answer), so recovery decides.
	 * failed: the target refused or could not be reached. unsupported: this method cannot restart it.
	 */
	answer: 'accepted' | 'no_answer' | 'failed' | 'unsupported';
	/** Whether a restart request was sent (counts against the guard). */
	sent: boolean;
	explanation: string;
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	raw: RawError | null;
	httpStatus: number | null;
	implementation?: ImplementationInfo | null;
	details: Record<string, unknown>;
}

interface Exchanged {
	response?: HttpResponse;
	failure?: CallFailure;
}

const MAX_TEXT = 300;

function clip(text: string): string {
	return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function bodyText(body: unknown): string {
	if (body === undefined || body === null || body === '') return '';
	return clip(typeof body === 'string' ? body : JSON.stringify(body) ?? '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/** One HTTP exchange; a request that got no response becomes a network or timeout failure. */
async function exchange(request: RequestFn, http: HttpRequest, action: string): Promise<Exchanged> {
	try {
		return { response: await request(http) };
	} catch (error) {
		const code = error instanceof TransportError ? error.code : networkErrorCode(error);
		const message = error instanceof Error ? error.message : String(error);
		return { failure: { kind: TIMEOUT_CODES.has(code) ? 'timeout' : 'network', action, raw: { code, message } } };
	}
}

function failedAttempt(
	failure: CallFailure,
	explanation: string,
	sent: boolean,
	overrides: { reason?: ReasonCode; reasonClass?: ReasonClass } = {},
	details: Record<string, unknown> = {},
): RestartAttempt {
	const classification = classifyCall(failure);
	const reason = overrides.reason ?? classification.reason;
	return {
		answer: 'failed',
		sent,
		explanation,
		reason,
		reasonClass: overrides.reasonClass ?? (overrides.reason ? REASON_CLASS[reason] : classification.reasonClass),
		raw: failure.raw,
		httpStatus: failure.raw.httpStatus ?? null,
		details,
	};
}

function networkExplanation(what: string, failure: CallFailure): string {
	return failure.kind === 'timeout'
		? `${what} did not answer in time (${failure.raw.code}).`
		: `${what} could not be reached (${failure.raw.code}).`;
}

function httpFailure(action: string, response: HttpResponse): CallFailure {
	return { kind: 'http', action, raw: { httpStatus: response.status, body: bodyText(response.body) } };
}

/** OneBot `set_restart`, refused where it does not really restart (from the version and from the answer). */
export async function restartViaOneBot(
	client: OneBotClient,
	options: { timeoutMs: number; dryRun?: boolean; version?: ProbeChecks['version'] },
): Promise<RestartAttempt> {
	const version = options.version ?? (await runChecks(client, { timeoutMs: options.timeoutMs, apiSlowMs: Infinity })).version;
	if (!version.ok && (version.reason === 'unreachable' || version.reason === 'client_timeout' || version.reason === 'auth_failed')) {
		const explanation =
			version.reason === 'auth_failed'
				? 'The OneBot API refused the access token, so set_restart cannot be sent.'
				: 'The OneBot API does not answer, so set_restart cannot reach the client. Use a restart method outside the client (Docker or a custom HTTP request).';
		return {
			answer: 'failed',
			sent: false,
			explanation,
			reason: version.reason,
			reasonClass: version.reasonClass,
			raw: version.raw,
			httpStatus: version.raw?.httpStatus ?? null,
			implementation: null,
			details: {},
		};
	}
	const implementation = detectImplementation(version.data?.appName ?? null, version.data?.appVersion ?? null);
	const refusal = setRestartRefusal(implementation);
	const unsupported = (explanation: string, raw: RawError | null = null): RestartAttempt => ({
		answer: 'unsupported',
		sent: false,
		explanation,
		reason: 'unsupported_action',
		reasonClass: 'terminal',
		raw,
		httpStatus: raw?.httpStatus ?? null,
		implementation,
		details: {},
	});
	if (refusal) return unsupported(`${refusal} Use the NapCat WebUI, Docker or a custom HTTP request instead.`);
	if (options.dryRun) return { ...dryRunAttempt('Dry run: set_restart would be sent.'), implementation };

	const result = await client.call('set_restart', {}, { timeoutMs: options.timeoutMs });
	if (result.ok) {
		return {
			answer: 'accepted',
			sent: true,
			explanation: `${implementation.appName ?? 'The implementation'} accepted set_restart.`,
			reason: null,
			reasonClass: null,
			raw: null,
			httpStatus: result.httpStatus,
			implementation,
			details: {},
		};
	}
	const failure = result.failure;
	if (failure.kind === 'network' || failure.kind === 'timeout') {
		// A process that restarts may drop the connection before it answers.
		return {
			answer: 'no_answer',
			sent: true,
			explanation: 'set_restart got no answer (the process may have gone down before answering); recovery decides.',
			reason: null,
			reasonClass: null,
			raw: failure.raw,
			httpStatus: null,
			implementation,
			details: {},
		};
	}
	const classification = classifyCall(failure);
	if (classification.reason === 'unsupported_action') {
		const explanation =
			classification.detail === 'napcat_restart_unavailable'
				? 'NapCat answered "重启功能未初始化": set_restart works only when NapCat runs in multi-process (Shell) mode. Use the NapCat WebUI in that mode, Docker or a custom HTTP request.'
				: `${implementation.appName ?? 'The implementation'} does not support set_restart. Use the NapCat WebUI, Docker or a custom HTTP request.`;
		return unsupported(explanation, failure.raw);
	}
	return {
		...failedAttempt(failure, `set_restart failed (${classification.reason}).`, true),
		implementation,
	};
}

// ---- NapCat WebUI

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
	| { ok: false; failure: CallFailure; message: string | null; unauthorized: boolean; rateLimited: boolean };

export class WebUiError extends Error {
	constructor(
		message: string,
		readonly attempt: RestartAttempt,
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

	private async post(path: string, body: unknown, withCredential: boolean): Promise<WebUiReply> {
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (withCredential && this.credential) headers.Authorization = `Bearer ${this.credential}`;
		const action = `webui${path.replace(/\//g, '_')}`;
		const { response, failure } = await exchange(
			this.options.request,
			{ method: 'POST', url: `${this.baseUrl}/api${path}`, headers, body, timeoutMs: this.options.timeoutMs },
			action,
		);
		if (failure || !response) {
			return { ok: false, failure: failure!, message: null, unauthorized: false, rateLimited: false };
		}
		const parsed = parseJson(response.body);
		const message = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : null;
		const unauthorized = response.status === 401 || (message !== null && /unauthori[sz]ed/i.test(message));
		const rateLimited = response.status === 429 || (message !== null && /rate limit/i.test(message));
		if (response.status >= 200 && response.status < 300 && isRecord(parsed) && parsed.code === 0) {
			return { ok: true, data: parsed.data, httpStatus: response.status };
		}
		const raw: RawError = { httpStatus: response.status };
		if (message !== null) raw.message = clip(message);
		if (isRecord(parsed) && typeof parsed.code === 'number') raw.retcode = parsed.code;
		if (!isRecord(parsed) || parsed.code === undefined) raw.body = bodyText(response.body);
		const kind = response.status >= 200 && response.status < 300 ? (isRecord(parsed) ? 'envelope' : 'malformed') : 'http';
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
					throw new WebUiError('two-factor', {
						...baseFailed('The NapCat WebUI asks for a two-factor (TOTP) code, which an unattended restart cannot give. Switch 2FA off for this WebUI or use Docker or a custom HTTP request.', 'auth_failed'),
						details: { webUiLogins: this.logins },
					});
				}
				if (typeof data.Credential !== 'string' || !data.Credential) {
					throw new WebUiError('no credential', {
						...baseFailed('The NapCat WebUI login answered without a credential. Is the base URL a NapCat WebUI (v4.10.32 or later)?', 'malformed_response'),
						raw: { httpStatus: reply.httpStatus, body: bodyText(reply.data) },
						details: { webUiLogins: this.logins },
					});
				}
				this.credential = data.Credential;
				this.logins++;
				return;
			}
			if (reply.rateLimited) {
				const waited = this.options.clock() - started;
				const delay = Math.max(1000, backoffDelay(round, { baseMs: 5000, capMs: 30000 }, this.options.random));
				if (waited + delay <= maxWaitMs) {
					this.rateLimitWaits++;
					await this.options.sleep(delay);
					continue;
				}
				throw new WebUiError('rate limit', {
					...failedAttempt(
						reply.failure,
						`The NapCat WebUI refuses logins for now (login rate limit) and did not allow one within ${Math.round(maxWaitMs / 1000)} s. Try again later; avoid testing the credential repeatedly.`,
						false,
						{ reason: 'http_error', reasonClass: 'transient' },
					),
					details: { webUiLogins: this.logins, rateLimitWaits: this.rateLimitWaits },
				});
			}
			if (reply.message && /token is invalid|token is empty/i.test(reply.message)) {
				throw new WebUiError('token', {
					...failedAttempt(reply.failure, 'The NapCat WebUI refused the token. Check the WebUI token in the credential (webui.json).', false, {
						reason: 'auth_failed',
					}),
					details: { webUiLogins: this.logins },
				});
			}
			throw new WebUiError('login', {
				...failedAttempt(
					reply.failure,
					reply.failure.kind === 'network' || reply.failure.kind === 'timeout'
						? networkExplanation('The NapCat WebUI', reply.failure)
						: `The NapCat WebUI login failed${reply.message ? `: ${clip(reply.message)}` : ''}.`,
					false,
				),
				details: { webUiLogins: this.logins },
			});
		}
	}

	/** Logs in; returns the failed attempt when the WebUI refused, null when logged in. */
	async tryLogin(maxWaitMs = this.options.rateLimitWaitMs): Promise<RestartAttempt | null> {
		try {
			await this.login(maxWaitMs);
			return null;
		} catch (error) {
			return attemptOf(error);
		}
	}

	/** Calls an authenticated WebUI endpoint, logging in first or again when the credential expired. */
	async call(path: string, body: unknown = {}, maxLoginWaitMs = this.options.rateLimitWaitMs): Promise<WebUiReply> {
		if (!this.credential) await this.login(maxLoginWaitMs);
		let reply = await this.post(path, body, true);
		if (!reply.ok && reply.unauthorized) {
			await this.login(maxLoginWaitMs);
			reply = await this.post(path, body, true);
		}
		return reply;
	}

	/** POST /api/Process/Restart. */
	async restart(): Promise<RestartAttempt> {
		let reply: WebUiReply;
		try {
			reply = await this.call('/Process/Restart');
		} catch (error) {
			return attemptOf(error);
		}
		const details = { webUiLogins: this.logins, rateLimitWaits: this.rateLimitWaits };
		if (reply.ok) {
			return {
				answer: 'accepted',
				sent: true,
				explanation: 'The NapCat WebUI accepted the process restart.',
				reason: null,
				reasonClass: null,
				raw: null,
				httpStatus: reply.httpStatus,
				details,
			};
		}
		if (reply.failure.kind === 'network' || reply.failure.kind === 'timeout') {
			return {
				answer: 'no_answer',
				sent: true,
				explanation: 'The NapCat WebUI did not answer the restart request (the process may be restarting); recovery decides.',
				reason: null,
				reasonClass: null,
				raw: reply.failure.raw,
				httpStatus: null,
				details,
			};
		}
		if (reply.message && /重启功能未初始化/.test(reply.message)) {
			return {
				answer: 'unsupported',
				sent: false,
				explanation:
					'NapCat answered "重启功能未初始化": it restarts only in multi-process (Shell) mode. Start NapCat in that mode, or use Docker or a custom HTTP request.',
				reason: 'unsupported_action',
				reasonClass: 'terminal',
				raw: reply.failure.raw,
				httpStatus: reply.failure.raw.httpStatus ?? null,
				details,
			};
		}
		if (reply.failure.kind === 'http' && reply.failure.raw.httpStatus === 404) {
			return {
				answer: 'unsupported',
				sent: false,
				explanation: 'The NapCat WebUI has no /api/Process/Restart: it needs NapCat v4.10.32 or later. Use Docker or a custom HTTP request.',
				reason: 'unsupported_action',
				reasonClass: 'terminal',
				raw: reply.failure.raw,
				httpStatus: 404,
				details,
			};
		}
		return failedAttempt(
			reply.failure,
			`The NapCat WebUI refused the restart${reply.message ? `: ${clip(reply.message)}` : ''}.`,
			true,
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
function attemptOf(error: unknown): RestartAttempt {
	if (error instanceof WebUiError) return error.attempt;
	const message = error instanceof Error ? error.message : String(error);
	return { ...baseFailed(`The NapCat WebUI login failed unexpectedly: ${clip(message)}`, 'api_error'), raw: { message: clip(message) } };
}

/** What a restart method returns in a dry run after its checks passed: nothing was sent. */
export function dryRunAttempt(explanation: string, details: Record<string, unknown> = {}): RestartAttempt {
	return {
		answer: 'accepted',
		sent: false,
		explanation,
		reason: null,
		reasonClass: null,
		raw: null,
		httpStatus: null,
		details,
	};
}

function baseFailed(explanation: string, reason: ReasonCode): RestartAttempt {
	return {
		answer: 'failed',
		sent: false,
		explanation,
		reason,
		reasonClass: REASON_CLASS[reason],
		raw: null,
		httpStatus: null,
		details: {},
	};
}

// ---- Docker Engine API

export interface DockerRestartOptions {
	baseUrl: string;
	container: string;
	/** Seconds Docker waits for the container to stop before killing it (`t`). */
	stopTimeoutSeconds: number;
	request: RequestFn;
	/** Added to the stop timeout: Docker answers only once the container is stopped and started again. */
	timeoutMs: number;
}

/** POST /containers/{id}/restart?t= (204 restarted, 404 no such container, 500 server error). */
export async function restartViaDocker(options: DockerRestartOptions): Promise<RestartAttempt> {
	const base = options.baseUrl.trim().replace(/\/+$/, '');
	const t = Math.max(0, Math.floor(options.stopTimeoutSeconds));
	const details = { container: options.container, stopTimeoutSeconds: t };
	const { response, failure } = await exchange(
		options.request,
		{
			method: 'POST',
			url: `${base}/containers/${encodeURIComponent(options.container)}/restart?t=${t}`,
			timeoutMs: options.timeoutMs + t * 1000,
		},
		'docker_restart',
	);
	if (failure || !response) {
		if (failure!.kind === 'timeout') {
			// The request reached Docker; it may still be restarting the container.
			return {
				answer: 'no_answer',
				sent: true,
				explanation: 'The Docker Engine API did not answer in time (a slow stop); recovery decides.',
				reason: null,
				reasonClass: null,
				raw: failure!.raw,
				httpStatus: null,
				details,
			};
		}
		return failedAttempt(failure!, networkExplanation('The Docker Engine API', failure!), false, {}, details);
	}
	if (response.status >= 200 && response.status < 300) {
		return {
			answer: 'accepted',
			sent: true,
			explanation: `Docker restarted container "${options.container}".`,
			reason: null,
			reasonClass: null,
			raw: null,
			httpStatus: response.status,
			details,
		};
	}
	const parsed = parseJson(response.body);
	const message = isRecord(parsed) && typeof parsed.message === 'string' ? clip(parsed.message) : null;
	const failed = httpFailure('docker_restart', response);
	if (message) failed.raw.message = message;
	switch (response.status) {
		case 404:
			return failedAttempt(
				failed,
				`Docker has no container "${options.container}"${message ? ` (${message})` : ''}. Check the container name or id.`,
				true,
				{ reason: 'bad_request' },
				details,
			);
		case 401:
		case 403:
			return failedAttempt(
				failed,
				`The Docker endpoint refused the restart (HTTP ${response.status}). With a socket proxy, allow restarts (POST=1 and ALLOW_RESTARTS=1 for Tecnativa docker-socket-proxy); check the access token.`,
				true,
				{ reason: 'auth_failed' },
				details,
			);
		default:
			return failedAttempt(
				failed,
				`Docker could not restart container "${options.container}" (HTTP ${response.status}${message ? `: ${message}` : ''}).`,
				true,
				{},
				details,
			);
	}
}

// ---- custom HTTP request

export interface CustomRestartOptions {
	url: string;
	method: 'GET' | 'POST';
	body?: unknown;
	request: RequestFn;
	timeoutMs: number;
}

/** Any supervisor with an HTTP endpoint (systemd via a small webhook, Portainer, a PaaS API...): 2xx means accepted. */
export async function restartViaHttp(options: CustomRestartOptions): Promise<RestartAttempt> {
	const { response, failure } = await exchange(
		options.request,
		{
			method: options.method,
			url: options.url,
			headers: options.body === undefined ? undefined : { 'Content-Type': 'application/json' },
			body: options.body,
			timeoutMs: options.timeoutMs,
		},
		'custom_restart',
	);
	if (failure || !response) {
		if (failure!.kind === 'timeout') {
			return {
				answer: 'no_answer',
				sent: true,
				explanation: 'The restart endpoint did not answer in time; recovery decides.',
				reason: null,
				reasonClass: null,
				raw: failure!.raw,
				httpStatus: null,
				details: {},
			};
		}
		return failedAttempt(failure!, networkExplanation('The restart endpoint', failure!), false);
	}
	if (response.status >= 200 && response.status < 300) {
		return {
			answer: 'accepted',
			sent: true,
			explanation: `The restart endpoint accepted the request (HTTP ${response.status}).`,
			reason: null,
			reasonClass: null,
			raw: null,
			httpStatus: response.status,
			details: {},
		};
	}
	const failed = httpFailure('custom_restart', response);
	const auth = response.status === 401 || response.status === 403;
	return failedAttempt(
		failed,
		`The restart endpoint answered HTTP ${response.status}${auth ? ': check the authorization in the credential' : ''}.`,
		true,
		response.status === 404 ? { reason: 'bad_request' } : {},
	);
}

// ------------------------------------------------------------------ recovery

export interface AccountState {
	at: number;
	/** The OneBot API answered get_login_info. */
	reachable: boolean;
	selfId: number | null;
	/** get_status online; null when unknown. */
	online: boolean | null;
	/** Why the OneBot side is not back, when it is not. */
	reason: ReasonCode | null;
	/** From the NapCat WebUI, when one is used. */
	webUi: WebUiLoginStatus | null;
	back: boolean;
}

export interface RecoveryOptions {
	client: OneBotClient;
	webUi?: NapCatWebUiSession | null;
	/** When set, the account must come back as this QQ number. */
	expectedSelfId?: number | null;
	clock: Clock;
	sleep: Sleep;
	random?: RandomFn;
	/** When the restart was requested (downtime is measured from here). */
	restartRequestedAt: number;
	/** Give up this long after the restart was requested. */
	deadlineMs: number;
	/** Wait before the first check, so an old process that has not gone down yet is not taken for a new one. */
	initialDelayMs: number;
	pollBaseMs: number;
	pollCapMs: number;
	/** Timeout of each check call. */
	checkTimeoutMs: number;
	/** How long the WebUI may say "not logged in" with a QR code before it counts as needs_login. */
	loginGraceMs: number;
}

export interface RecoveryResult {
	outcome: 'recovered' | 'needs_login' | 'not_recovered';
	checks: number;
	/** Whether any check saw the account down (unreachable, offline or not logged in). */
	sawDown: boolean;
	backOnlineAt: number | null;
	/** From the restart request to the first check that saw the account back. */
	downtimeMs: number | null;
	/** From the restart request to the end of the wait. */
	waitedMs: number;
	lastState: AccountState | null;
}

/** Checks once whether the account is back: logged in (and as the expected QQ number) and online. */
export async function checkAccountBack(
	client: OneBotClient,
	webUi: NapCatWebUiSession | null | undefined,
	options: { timeoutMs: number; expectedSelfId?: number | null; clock: Clock },
): Promise<AccountState> {
	const [checks, webUiStatus] = await Promise.all([
		runChecks(client, { timeoutMs: options.timeoutMs, apiSlowMs: Infinity }),
		webUi ? webUi.loginStatus() : Promise.resolve(null),
	]);
	const selfId = checks.login.data?.userId ?? null;
	const online = checks.status.ok ? (checks.status.data?.online ?? null) : checks.status.reason === 'client_offline' ? false : null;
	const rightAccount = !options.expectedSelfId || selfId === options.expectedSelfId;
	const back = checks.login.ok && selfId !== null && rightAccount && checks.status.ok && online !== false;
	let reason: ReasonCode | null = null;
	if (!back) {
		reason = !checks.login.ok
			? checks.login.reason
			: !checks.status.ok
				? checks.status.reason
				: selfId === null || !rightAccount
					? 'client_offline'
					: null;
	}
	return { at: options.clock(), reachable: checks.login.ok, selfId, online, reason, webUi: webUiStatus, back };
}

function webUiWantsLogin(state: AccountState): boolean {
	const status = state.webUi;
	return !!status && status.isLogin === false && (status.qrCodeUrl !== null || status.loginError !== null);
}

/** Polls with backoff (full jitter, never below half the base interval) until the account is back or the deadline passes. */
export async function waitForRecovery(options: RecoveryOptions): Promise<RecoveryResult> {
	const { clock, sleep } = options;
	const deadline = options.restartRequestedAt + options.deadlineMs;
	const sleepUntil = async (ms: number) => {
		const wait = Math.min(ms, deadline - clock());
		if (wait > 0) await sleep(wait);
	};
	await sleepUntil(options.initialDelayMs);
	let checks = 0;
	let sawDown = false;
	let lastState: AccountState | null = null;
	let wantsLoginSince: number | null = null;
	const finish = (outcome: RecoveryResult['outcome'], backOnlineAt: number | null): RecoveryResult => ({
		outcome,
		checks,
		sawDown,
		backOnlineAt,
		downtimeMs: backOnlineAt === null ? null : backOnlineAt - options.restartRequestedAt,
		waitedMs: clock() - options.restartRequestedAt,
		lastState,
	});
	for (;;) {
		const state = await checkAccountBack(options.client, options.webUi, {
			timeoutMs: options.checkTimeoutMs,
			expectedSelfId: options.expectedSelfId,
			clock,
		});
		checks++;
		lastState = state;
		if (state.back) return finish('recovered', state.at);
		sawDown = true;
		if (webUiWantsLogin(state)) {
			wantsLoginSince ??= state.at;
			if (state.at - wantsLoginSince >= options.loginGraceMs) return finish('needs_login', null);
		} else if (state.webUi) {
			// A WebUI that answers and no longer offers a login: the login is going on.
			wantsLoginSince = null;
		}
		if (clock() >= deadline) return finish(wantsLoginSince !== null ? 'needs_login' : 'not_recovered', null);
		const delay = Math.max(
			Math.floor(options.pollBaseMs / 2),
			backoffDelay(checks, { baseMs: options.pollBaseMs, capMs: options.pollCapMs }, options.random),
		);
		await sleepUntil(delay);
	}
}

// ------------------------------------------------------------------ the whole restart

export interface RestartPlan {
	method: RestartMethod;
	dryRun: boolean;
	/**
	 * Sends the restart request (already bound to its method and credential). In a dry run it must send
	 * nothing and return `dryRunAttempt(...)` (or unsupported/failed when its checks already say so).
	 */
	request: (options: { dryRun: boolean }) => Promise<RestartAttempt>;
	/** Used to wait for recovery. */
	client: OneBotClient;
	webUi?: NapCatWebUiSession | null;
	expectedSelfId?: number | null;
	guard: RestartGuardPolicy;
	/** Earlier restarts of this account (epoch ms). */
	history: readonly unknown[];
	recovery: Omit<RecoveryOptions, 'client' | 'webUi' | 'expectedSelfId' | 'clock' | 'sleep' | 'random' | 'restartRequestedAt'>;
	clock: Clock;
	sleep: Sleep;
	random?: RandomFn;
}

export interface RestartRunResult {
	outcome: RestartOutcome;
	recovered: boolean;
	explanation: string;
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	guard: GuardDecision;
	/** The account's restart history after this run, for the caller to keep. */
	history: number[];
	attempt: RestartAttempt | null;
	recovery: RecoveryResult | null;
	startedAt: number;
	restartRequestedAt: number | null;
	finishedAt: number;
}

function minutes(ms: number): string {
	const m = ms / 60000;
	return m >= 1 ? `${Math.round(m * 10) / 10} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Guard, restart, wait. A guarded skip, an unsupported method and a failed request are results, not
 * errors. Every request that was sent counts against the guard, whether or not it worked, so a
 * failing restart cannot loop either.
 */
export async function runRestart(plan: RestartPlan): Promise<RestartRunResult> {
	const startedAt = plan.clock();
	const guard = checkRestartGuard(plan.history, startedAt, plan.guard);
	const base = {
		guard,
		history: sortedTimes(plan.history),
		attempt: null,
		recovery: null,
		startedAt,
		restartRequestedAt: null,
	};
	if (!guard.allowed) {
		const why =
			guard.blockedBy === 'min_interval'
				? `the last restart was ${minutes(startedAt - (guard.lastRestartAt ?? startedAt))} ago and the minimum interval is ${minutes(plan.guard.minIntervalMs)}`
				: `${guard.restartsInLastHour} restarts in the last hour reach the cap of ${plan.guard.maxPerHour}`;
		return {
			...base,
			outcome: 'skipped_cooldown',
			recovered: false,
			explanation: `Not restarted: ${why}. Next restart allowed at ${new Date(guard.nextAllowedAt ?? startedAt).toISOString()}.`,
			reason: null,
			reasonClass: null,
			finishedAt: plan.clock(),
		};
	}

	const restartRequestedAt = plan.clock();
	const attempt = await plan.request({ dryRun: plan.dryRun });
	const history = attempt.sent ? recordRestart(plan.history, restartRequestedAt) : base.history;
	const after = { ...base, history, attempt, restartRequestedAt: attempt.sent ? restartRequestedAt : null };
	if (attempt.answer === 'unsupported') {
		return {
			...after,
			outcome: 'unsupported',
			recovered: false,
			explanation: attempt.explanation,
			reason: attempt.reason,
			reasonClass: attempt.reasonClass,
			finishedAt: plan.clock(),
		};
	}
	if (attempt.answer === 'failed') {
		return {
			...after,
			outcome: 'restart_failed',
			recovered: false,
			explanation: attempt.explanation,
			reason: attempt.reason,
			reasonClass: attempt.reasonClass,
			finishedAt: plan.clock(),
		};
	}
	if (plan.dryRun) {
		return {
			...after,
			outcome: 'dry_run',
			recovered: false,
			explanation: `Dry run: the guard allows a restart (${guard.restartsInLastHour} in the last hour) and the ${plan.method} method would be used. Nothing was restarted.`,
			reason: null,
			reasonClass: null,
			finishedAt: plan.clock(),
		};
	}

	const recovery = await waitForRecovery({
		...plan.recovery,
		client: plan.client,
		webUi: plan.webUi,
		expectedSelfId: plan.expectedSelfId,
		clock: plan.clock,
		sleep: plan.sleep,
		random: plan.random,
		restartRequestedAt,
	});
	const seconds = (ms: number | null) => (ms === null ? '?' : `${Math.round(ms / 100) / 10} s`);
	const last = recovery.lastState;
	switch (recovery.outcome) {
		case 'recovered':
			return {
				...after,
				recovery,
				outcome: 'recovered',
				recovered: true,
				explanation: `Restarted and back online after ${seconds(recovery.downtimeMs)}${recovery.sawDown ? '' : ' (no check saw it down: the restart may have been quicker than the first check, or not have happened)'}.`,
				reason: null,
				reasonClass: null,
				finishedAt: plan.clock(),
			};
		case 'needs_login':
			return {
				...after,
				recovery,
				outcome: 'needs_login',
				recovered: false,
				explanation: `Restarted, but the account is not logged in: the NapCat WebUI ${last?.webUi?.qrCodeUrl ? 'offers a QR code to scan' : `reports "${last?.webUi?.loginError ?? 'not logged in'}"`}.`,
				reason: 'client_offline',
				reasonClass: REASON_CLASS.client_offline,
				finishedAt: plan.clock(),
			};
		default:
			return {
				...after,
				recovery,
				outcome: 'not_recovered',
				recovered: false,
				explanation: `Restart requested, but the account was not back online within ${seconds(plan.recovery.deadlineMs)} (last check: ${describeState(last)}).`,
				reason: last?.reason ?? 'client_offline',
				reasonClass: REASON_CLASS[last?.reason ?? 'client_offline'],
				finishedAt: plan.clock(),
			};
	}
}

function describeState(state: AccountState | null): string {
	if (!state) return 'none';
	if (!state.reachable) return `OneBot API not answering (${state.reason ?? 'unknown'})`;
	if (state.online === false) return 'reachable but offline (get_status online:false)';
	if (state.reason) return state.reason;
	return 'not back';
}
