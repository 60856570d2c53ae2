/**
 * Who an account is and which implementation serves it: the one place that reads `get_login_info`
 * and `get_version_info`. Send, probe and restart use it.
 */
import { classifyCall } from './classify';
import { identifyImplementation } from './implementations';
import type { ImplementationName, ImplementationProfile } from './implementations';
import type { OneBotClient } from './transport';
import type { Classification, RawError } from './types';
import { dataExcerpt, isRecord, toNumber } from './values';

/** A text field; a number (some builds send versions as numbers) as its decimal text. */
function text(value: unknown): string | null {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' && value !== '' ? value : null;
}

export interface LoginInfo {
	/** The account's QQ number, null when the answer has none (or not a positive number). */
	userId: number | null;
	nickname: string | null;
}

/** Reads `get_login_info` data. */
export function parseLoginInfo(data: unknown): LoginInfo {
	const record = isRecord(data) ? data : {};
	const id = toNumber(record.user_id);
	return { userId: id !== undefined && id > 0 ? id : null, nickname: text(record.nickname) };
}

export interface VersionInfo {
	appName: string | null;
	appVersion: string | null;
	protocolVersion: string | null;
	implementation: ImplementationProfile;
}

/** Reads `get_version_info` data (anything else, e.g. a failed call's null, gives the unknown profile). */
export function parseVersionInfo(data: unknown): VersionInfo {
	const record = isRecord(data) ? data : {};
	const implementation = identifyImplementation(record);
	return {
		appName: text(record.app_name),
		appVersion: text(record.app_version),
		protocolVersion: text(record.protocol_version),
		implementation,
	};
}

export interface AccountIdentity {
	selfId: number;
	/** Which implementation, by its one name (`llonebot`, `napcat`, `gocqhttp`, `lagrange`, `unknown`). */
	flavour: ImplementationName;
	appName: string | null;
	appVersion: string | null;
	/** What this implementation at this version does (seq field, error wordings, restart, offline signals). */
	implementation: ImplementationProfile;
}

export type IdentifyResult =
	| { ok: true; identity: AccountIdentity }
	| { ok: false; classification: Classification };

function malformedLogin(
	envelope: { status?: string; retcode?: number },
	data: unknown,
): Classification {
	const raw: RawError = {
		status: envelope.status,
		retcode: envelope.retcode,
		body: dataExcerpt(data),
	};
	return {
		reason: 'malformed_response',
		reasonClass: 'transient',
		raw,
		detail: 'login_info_without_user_id',
	};
}

/** Who an account is (`get_login_info`) and which implementation serves it (`get_version_info`, optional). */
export async function identifyAccount(
	client: OneBotClient,
	timeoutMs: number,
): Promise<IdentifyResult> {
	const [login, version] = await Promise.all([
		client.call('get_login_info', {}, { timeoutMs }),
		client.call('get_version_info', {}, { timeoutMs }),
	]);
	if (!login.ok) return { ok: false, classification: classifyCall(login.failure) };
	const { userId } = parseLoginInfo(login.data);
	if (userId === null)
		return { ok: false, classification: malformedLogin(login.envelope, login.data) };
	const info = parseVersionInfo(version.ok ? version.data : null);
	return {
		ok: true,
		identity: {
			selfId: userId,
			flavour: info.implementation.name,
			appName: info.appName,
			appVersion: info.appVersion,
			implementation: info.implementation,
		},
	};
}

export type VersionRead =
	| { ok: true; info: VersionInfo }
	| { ok: false; classification: Classification };

/** Which implementation and version serve the account (`get_version_info` alone). */
export async function readVersionInfo(
	client: OneBotClient,
	timeoutMs: number,
): Promise<VersionRead> {
	const result = await client.call('get_version_info', {}, { timeoutMs });
	if (!result.ok) return { ok: false, classification: classifyCall(result.failure) };
	return { ok: true, info: parseVersionInfo(result.data) };
}
