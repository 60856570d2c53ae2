/**
 * Health checks of one OneBot account: get_login_info, get_status and get_version_info, each with its
 * latency and, when it failed, its classification. The Health Probe diagnoses them (core/probe) and a
 * restart waits on them (core/restart/recovery.ts), so neither depends on the other nor on delivery.
 * `good` in get_status is hard-coded true in LLOneBot, NapCat and Lagrange, so only `online` is read.
 */
import { parseLoginInfo, parseVersionInfo } from '../account';
import { checkOnline, classifyCall } from '../classify';
import type { CallResult, OneBotClient } from '../transport';
import type { RawError, ReasonClass, ReasonCode } from '../types';

export type CheckName = 'login' | 'status' | 'version';

export interface HealthCheck<T = Record<string, unknown>> {
	action: string;
	ok: boolean;
	latencyMs: number;
	/** Longer than the API latency threshold. */
	slow: boolean;
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	detail?: string;
	raw: RawError | null;
	data: T | null;
}

export interface LoginData {
	userId: number | null;
	nickname: string | null;
}
export interface StatusData {
	online: boolean | null;
	/** Reported for completeness only: hard-coded true in LLOneBot, NapCat and Lagrange. */
	good: boolean | null;
}
export interface VersionData {
	appName: string | null;
	appVersion: string | null;
	protocolVersion: string | null;
}

export interface HealthChecks {
	login: HealthCheck<LoginData>;
	status: HealthCheck<StatusData>;
	version: HealthCheck<VersionData>;
}

function record(data: unknown): Record<string, unknown> {
	return data && typeof data === 'object' && !Array.isArray(data)
		? (data as Record<string, unknown>)
		: {};
}

function toCheck<T>(
	result: CallResult,
	apiSlowMs: number,
	read: (data: Record<string, unknown>) => T,
): HealthCheck<T> {
	const slow = result.latencyMs > apiSlowMs;
	if (!result.ok) {
		const classification = classifyCall(result.failure);
		const check: HealthCheck<T> = {
			action: result.action,
			ok: false,
			latencyMs: result.latencyMs,
			slow,
			reason: classification.reason,
			reasonClass: classification.reasonClass,
			raw: classification.raw,
			data: null,
		};
		if (classification.detail) check.detail = classification.detail;
		return check;
	}
	return {
		action: result.action,
		ok: true,
		latencyMs: result.latencyMs,
		slow,
		reason: null,
		reasonClass: null,
		raw: null,
		data: read(record(result.data)),
	};
}

/** Runs get_login_info, get_status and get_version_info in parallel, each with its latency. */
export async function runHealthChecks(
	client: OneBotClient,
	options: { timeoutMs: number; apiSlowMs: number },
): Promise<HealthChecks> {
	const call = (action: string) => client.call(action, {}, { timeoutMs: options.timeoutMs });
	const [login, status, version] = await Promise.all([
		call('get_login_info'),
		call('get_status'),
		call('get_version_info'),
	]);
	const statusCheck = toCheck<StatusData>(status, options.apiSlowMs, (data) => ({
		online: typeof data.online === 'boolean' ? data.online : null,
		good: typeof data.good === 'boolean' ? data.good : null,
	}));
	const offline = status.ok ? checkOnline(status.data) : null;
	if (offline) {
		Object.assign(statusCheck, {
			ok: false,
			reason: offline.reason,
			reasonClass: offline.reasonClass,
			detail: offline.detail,
			raw: offline.raw,
		});
	}
	return {
		// Account identification is read in one place (core/account.ts).
		login: toCheck<LoginData>(login, options.apiSlowMs, parseLoginInfo),
		status: statusCheck,
		version: toCheck<VersionData>(version, options.apiSlowMs, (data) => {
			const { appName, appVersion, protocolVersion } = parseVersionInfo(data);
			return { appName, appVersion, protocolVersion };
		}),
	};
}
