/**
 * Implementation knowledge, one module per implementation. `identifyImplementation` reads
 * `get_version_info` data and returns what the rest of the package needs to know about that
 * implementation at that version: its ordered seq field (if any), its error wordings, its restart
 * capabilities and which offline signals it can produce. Classifier, witness matching, probe and
 * restart read from here.
 */
import { GOCQHTTP_APP_NAME, gocqhttpProfile } from './gocqhttp';
import { LAGRANGE_APP_NAME, lagrangeProfile } from './lagrange';
import { LLONEBOT_APP_NAME, llonebotProfile } from './llonebot';
import { NAPCAT_APP_NAME, napcatProfile } from './napcat';
import { noKernelProof } from './noKernel';
import type { CallFailure } from '../transport';
import type { ErrorWording, ImplementationName, ImplementationProfile } from './types';

export type {
	ErrorWording,
	KernelProof,
	ImplementationName,
	ImplementationProfile,
	OfflineSignals,
	RestartCapabilities,
	SeqField,
	SetRestartBehaviour,
} from './types';
export { compareVersions, atLeast as versionAtLeast } from './version';
export {
	LLONEBOT_HISTORY_BACKWARD_SINCE,
	LLONEBOT_REJECTION_JSON_SINCE,
	LLONEBOT_SELF_MESSAGE_PROOF_SINCE,
	LLONEBOT_SERVER_SEQ_SINCE,
} from './llonebot';
export { NAPCAT_SET_RESTART_SINCE } from './napcat';

function text(value: unknown): string | null {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** Which implementation an `app_name` names (LLOneBot, NapCat.Onebot, go-cqhttp, Lagrange.OneBot). */
export function implementationNameOf(appName: unknown): ImplementationName {
	const name = text(appName) ?? '';
	if (NAPCAT_APP_NAME.test(name)) return 'napcat';
	if (LLONEBOT_APP_NAME.test(name)) return 'llonebot';
	if (GOCQHTTP_APP_NAME.test(name)) return 'gocqhttp';
	if (LAGRANGE_APP_NAME.test(name)) return 'lagrange';
	return 'unknown';
}

/**
 * Fallbacks no implementation's send path produces (docs/compatibility.md, table 'Send classification', rows
 * marked unverified: found in none of the four implementations' send paths). Kept so a fork or a future version with such wording is still named, never as the
 * only rule for a known implementation. All `verified: false`.
 */
export const UNVERIFIED_FALLBACKS: readonly ErrorWording[] = [
	{
		detail: 'text',
		on: 'text',
		pattern: /风控/,
		reason: 'risk_control',
		maySendAnyway: false,
		meaning:
			'Unverified: risk-control wording seen only in logs (go-cqhttp 账号可能被风控), never in an answer.',
		versions: 'none',
		source:
			"docs/compatibility.md, 'Send classification' rows marked unverified (found in no send path)",
		verified: false,
	},
	{
		detail: 'text',
		on: 'text',
		pattern: /你已被移出该群|已被移出|不在该群|不是群成员|not in (?:the )?group|群聊不存在/i,
		reason: 'not_in_group',
		maySendAnyway: false,
		meaning:
			'`你已被移出该群` is the kernel errMsg of result 110 (NapCatQQ #600, read via the result code); `不在该群`, `不是群成员`, `not in group` are unverified.',
		versions: 'none',
		source: "docs/compatibility.md, 'Send classification' rows marked unverified",
		verified: false,
	},
	{
		detail: 'text',
		on: 'text',
		pattern: /禁言|\bmuted\b/i,
		sendOnly: true,
		reason: 'muted',
		maySendAnyway: false,
		meaning:
			'Unverified: any other muted wording (the LLOneBot pre-check `当前处于被禁言状态` is matched first).',
		versions: 'none',
		source: "docs/compatibility.md, 'Send classification' rows marked unverified",
		verified: false,
	},
	{
		detail: 'text',
		on: 'text',
		pattern: /未登录|not logged in|not online|账号已离线|已掉线|\boffline\b/i,
		reason: 'client_offline',
		maySendAnyway: false,
		meaning: 'Unverified: no implementation answers a send with these words.',
		versions: 'none',
		source:
			"docs/compatibility.md, 'Send classification' rows marked unverified (found in no send path)",
		verified: false,
	},
];

/**
 * Kernel result codes quoted in a rejection (NapCat `EventChecker Failed`, LLOneBot `call failed`) or
 * passed through as Lagrange's retcode. 110: removed from the group (NapCatQQ #600, verified).
 * 120 = muted is UNVERIFIED: found only in the legacy oicq/mirai libraries, in none of the four
 * implementations; kept as a plausible reading for Lagrange.
 */
export const KERNEL_RESULT_REASONS: Readonly<
	Record<number, { reason: 'not_in_group' | 'muted'; verified: boolean }>
> = {
	110: { reason: 'not_in_group', verified: true },
	120: { reason: 'muted', verified: false },
};

const PROFILES = {
	llonebot: llonebotProfile,
	napcat: napcatProfile,
	gocqhttp: gocqhttpProfile,
	lagrange: lagrangeProfile,
} as const;

function unknownProfile(
	appName: string | null,
	version: string | null,
	protocolVersion: string | null,
): ImplementationProfile {
	return {
		name: 'unknown',
		label: appName ? `${appName}${version ? ` ${version}` : ''}` : 'unknown implementation',
		appName,
		version,
		protocolVersion,
		seqField: 'none',
		historyAnchor: { param: 'message_seq', from: 'message_id' },
		negativeMessageIds: true,
		privateNonFriendTimeout: false,
		// Nothing known: an ok answer is only "API accepted", a self message proves nothing about the kernel.
		kernelProof: noKernelProof(''),
		historyOlderParams: null,
		historyPagesForward: false,
		errors: [],
		restart: {
			setRestart: 'unknown',
			setRestartRefusal: null,
			webui: false,
			loginMayNeedQr: false,
			source: '',
		},
		offline: {
			getStatusOnline: 'unknown',
			heartbeatHttp: 'unknown',
			heartbeatWs: 'unknown',
			botOffline: 'unknown',
			source: '',
		},
	};
}

/**
 * The implementation and version behind an account, from `get_version_info` data
 * (`{app_name, app_version, protocol_version, ...}`). Anything else (a failed call, null) gives the
 * `unknown` profile, which trusts no field's order.
 */
export function identifyImplementation(versionInfo: unknown): ImplementationProfile {
	const data =
		typeof versionInfo === 'object' && versionInfo !== null
			? (versionInfo as Record<string, unknown>)
			: {};
	const appName = text(data.app_name);
	// go-cqhttp also reports `version`; app_version wins where both exist.
	const version = text(data.app_version) ?? text(data.version);
	const protocolVersion = text(data.protocol_version);
	const name = implementationNameOf(appName);
	return name === 'unknown'
		? unknownProfile(appName, version, protocolVersion)
		: PROFILES[name](appName, version, protocolVersion);
}

/** The profile of a known implementation at an unknown version (for tables and defaults). */
export function profileOf(
	name: ImplementationName,
	version: string | null = null,
): ImplementationProfile {
	return name === 'unknown'
		? unknownProfile(null, version, null)
		: PROFILES[name](null, version, null);
}

/**
 * Every known error wording, in the order the classifier tries them: each implementation's own
 * (they never overlap), then the unverified fallbacks.
 */
export const ALL_ERROR_WORDINGS: readonly ErrorWording[] = [
	...profileOf('llonebot').errors,
	...profileOf('napcat').errors,
	...profileOf('gocqhttp').errors,
	...profileOf('lagrange').errors,
	...UNVERIFIED_FALLBACKS,
];

/**
 * Whether a failed history read is how this implementation says the chat has no messages
 * (`ImplementationProfile.emptyHistoryAnswer`: LLOneBot's `未找到消息`): an empty page, not a failure.
 */
export function answersEmptyHistory(
	failure: CallFailure,
	profile: Pick<ImplementationProfile, 'emptyHistoryAnswer'>,
): boolean {
	const pattern = profile.emptyHistoryAnswer;
	if (failure.kind !== 'envelope' || !pattern) return false;
	return [failure.raw.message, failure.raw.wording].some(
		(text) => typeof text === 'string' && pattern.test(text),
	);
}
