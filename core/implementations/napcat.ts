/**
 * NapCat (NapNeko/NapCatQQ): `app_name: "NapCat.Onebot"`.
 * Sources: NapNeko/NapCatQQ v4.8.90, v4.9.80, v4.10.32 and 2026 HEAD (docs/compatibility.md, the NapCat rows of every table).
 */
import type { ErrorWording, ImplementationProfile } from './types';
import { atLeast } from './version';

export const NAPCAT_APP_NAME = /napcat/i;

/** NapCat routes set_restart (and serves the WebUI restart) from this version on. */
export const NAPCAT_SET_RESTART_SINCE = '4.10.32';

const ERRORS: ErrorWording[] = [
	{
		detail: 'napcat_token',
		on: 'text',
		pattern: /token verify failed/i,
		reason: 'auth_failed',
		maySendAnyway: false,
		meaning: 'The access token was missing or wrong (HTTP 403).',
		versions: 'all',
		source: 'NapNeko/NapCatQQ: packages/napcat-onebot/network/http-server.ts',
		verified: true,
	},
	{
		detail: 'napcat_bad_params',
		on: 'retcode',
		retcode: 400,
		reason: 'bad_request',
		maySendAnyway: false,
		meaning: 'Parameter validation failed before anything was sent.',
		versions: 'all',
		source:
			'NapNeko/NapCatQQ: packages/napcat-onebot/action/OneBotAction.ts (LLOneBot: src/onebot11/action/BaseAction.ts)',
		verified: true,
	},
	{
		detail: 'napcat_unparsable_message',
		on: 'text',
		pattern: /消息体无法解析/,
		reason: 'bad_request',
		maySendAnyway: false,
		meaning: 'The message could not be built (unsupported segment type); nothing was sent.',
		versions: 'all',
		source: 'NapNeko/NapCatQQ: packages/napcat-onebot/api/msg.ts',
		verified: true,
	},
	{
		detail: 'napcat_timeout',
		on: 'text',
		pattern:
			/^\s*(?:Error:\s*)?Timeout:\s*NTEvent serviceAndMethod:NodeIKernelMsgService\/sendMsg/i,
		anchored: true,
		sendOnly: true,
		kernelResult: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning:
			'The kernel never confirmed. `EventRet: {}` = the kernel never answered (also a private message to a non-friend, #600); `{"result":0}` = accepted, never confirmed (risk control, #788 #1410).',
		versions: '≥ 3',
		source:
			'NapNeko/NapCatQQ: packages/napcat-core/apis/msg.ts, packages/napcat-core/helper/event.ts',
		verified: true,
	},
	{
		detail: 'napcat2_timeout',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?Timeout:\s*NTEvent EventName:/i,
		anchored: true,
		sendOnly: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning: 'Older wording of the same timeout.',
		versions: '2.x',
		source: 'NapNeko/NapCatQQ #262 (src/common/utils/EventTask.ts in 2.x)',
		verified: true,
	},
	{
		detail: 'napcat_rejected',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?EventChecker Failed/i,
		anchored: true,
		kernelResult: true,
		reason: 'api_error',
		maySendAnyway: true,
		meaning:
			'The kernel answered with a failure, e.g. `rich media transfer failed`; a rejected rich-media send was still stored once (#182).',
		versions: 'all',
		source: 'NapNeko/NapCatQQ: packages/napcat-core/helper/event.ts',
		verified: true,
	},
	{
		detail: 'napcat_send_failed',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?发送消息失败/,
		anchored: true,
		sendOnly: true,
		reason: 'api_error',
		maySendAnyway: true,
		meaning: 'The send failed after the message was built: unknown whether it went out.',
		versions: 'all',
		source: 'NapNeko/NapCatQQ: packages/napcat-onebot/api/msg.ts',
		verified: true,
	},
	{
		detail: 'napcat_unknown_action',
		on: 'text',
		pattern: /不支持的api/i,
		reason: 'unsupported_action',
		maySendAnyway: false,
		meaning: 'Unknown action: HTTP 200, retcode 200 (WS 1404).',
		versions: 'all',
		source: 'NapNeko/NapCatQQ: packages/napcat-onebot/network/http-server.ts',
		verified: true,
	},
	{
		detail: 'napcat_restart_unavailable',
		on: 'text',
		pattern: /重启功能未初始化/,
		reason: 'unsupported_action',
		maySendAnyway: false,
		meaning: 'set_restart outside multi-process Shell mode.',
		versions: '≥ 4.10.32',
		source: 'NapNeko/NapCatQQ: packages/napcat-onebot/action/system/SetRestart.ts',
		verified: true,
	},
];

export function napcatProfile(
	appName: string | null,
	version: string | null,
	protocolVersion: string | null,
): ImplementationProfile {
	const restartable = version === null || atLeast(version, NAPCAT_SET_RESTART_SINCE);
	return {
		name: 'napcat',
		label: version ? `NapCat ${version}` : 'NapCat',
		appName,
		version,
		protocolVersion,
		// message_id = message_seq = real_id = local short id; `real_seq` (string) is the server seq (since 2025-03).
		seqField: 'real_seq',
		historyAnchor: { param: 'message_seq', from: 'message_id' },
		negativeMessageIds: false,
		privateNonFriendTimeout: true,
		kernelProof: {
			// sendMsg waits for sendStatus 2; onAddSendMsg pushes the self message only when a record that was 1
			// turns 2 within 10 minutes (packages/napcat-core/apis/msg.ts, packages/napcat-onebot/index.ts).
			okAnswer: true,
			selfMessage: true,
			selfMessageSince: null,
			source:
				'NapNeko/NapCatQQ: packages/napcat-core/apis/msg.ts sendMsg, packages/napcat-onebot/index.ts onAddSendMsg',
		},
		// An anchored read returns the anchor and newer messages unless reverseOrder (every 4.x) or reverse_order
		// (since v4.9.74) is true: action/go-cqhttp/GetGroupMsgHistory.ts (v4.8.90, v4.10.32); NapCatQQ #441, #987.
		historyOlderParams: { reverseOrder: true, reverse_order: true },
		historyPagesForward: true,
		errors: ERRORS,
		restart: {
			setRestart: restartable ? 'restarts_multi_process_only' : 'not_routed',
			setRestartRefusal: restartable
				? null
				: `NapCat ${version}: set_restart exists only from v${NAPCAT_SET_RESTART_SINCE} on.`,
			webui: restartable,
			loginMayNeedQr: true,
			source:
				'NapNeko/NapCatQQ: packages/napcat-onebot/action/system/SetRestart.ts, packages/napcat-shell/napcat.ts (重启模式不传递快速登录参数)',
		},
		offline: {
			getStatusOnline: 'network_drop_only',
			heartbeatHttp: 'never',
			heartbeatWs: 'on',
			botOffline: 'kicked_only',
			source:
				'NapNeko/NapCatQQ: packages/napcat-onebot/network/websocket-server.ts, websocket-client.ts (heartbeats), packages/napcat-onebot/index.ts onKickedOffLine (bot_offline)',
		},
	};
}
