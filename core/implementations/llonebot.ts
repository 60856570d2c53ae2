/**
 * LLOneBot (LiteLoaderQQNT-OneBotApi, now LuckyLilliaBot / LLBot): `app_name: "LLOneBot"`.
 * Sources: LLOneBot/LLOneBot at tags v3.28.0, v4.4.3, v4.6.2, v4.7.4, v5.0, v6.x, v7.0.1 (docs/compatibility.md, the LLOneBot rows of every table).
 */
import type { ErrorWording, ImplementationProfile } from './types';
import { atLeast, majorOf } from './version';

export const LLONEBOT_APP_NAME = /llonebot|lucky\s*lillia|llbot/i;

/** From this version `message_seq` is the server seq; before it is the short id (src/onebot11/entities.ts). */
export const LLONEBOT_SERVER_SEQ_SINCE = '4.6.2';

/**
 * From this version the self message is pushed only when an update of the sent record has sendStatus 2
 * (src/ntqqapi/core.ts UPDATE_MSG hook, `if (msg.sendStatus === 2)`, v4.0.12). Before it, it is pushed when
 * the record is added (≤ v3.31: src/main/main.ts / src/ntqqapi/core.ts on SELF_SEND_MSG = onAddSendMsg) or on
 * the first update whatever its status (v3.32.7–v4.0.11: src/ntqqapi/core.ts): a stuck send pushes one too.
 */
export const LLONEBOT_SELF_MESSAGE_PROOF_SINCE = '4.0.12';

/**
 * Kernel rejections quote the whole result as JSON from this version on; v4.0.0–v4.0.11 reject with
 * `ntqq api call failed, ${method}, ${res?.errMsg}` (src/ntqqapi/ntcall.ts at v4.0.5 and v4.0.12).
 */
export const LLONEBOT_REJECTION_JSON_SINCE = '4.0.12';

/**
 * Anchored history reads page backward from this version (`getMsgHistory(peer, startMsgId, +count, true)`,
 * src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts v4.0.9); v4.0.0–v4.0.8 pass queryOrder false and read the
 * anchor and newer messages (`reverseOrder` only reverses the list). v3.28.0 passes `queryOrder: true`
 * (src/ntqqapi/api/msg.ts getMsgHistory).
 */
export const LLONEBOT_HISTORY_BACKWARD_SINCE = '4.0.9';

/**
 * An empty chat's history is an error: `get_group_msg_history` throws `未找到消息` from v3.30.0 to v4.6.5
 * (src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts; a string before v3.33.0, `Error: 未找到消息` after),
 * `get_friend_msg_history` from v3.33.0 to v5.10.0 (src/onebot11/action/llonebot/GetFriendMsgHistory.ts).
 * Over WebSocket the text is the error's stack, which starts the same way (src/onebot11/action/BaseAction.ts).
 */
export const LLONEBOT_EMPTY_HISTORY = /^\s*(?:Error:\s*)?未找到消息(?:\s|$)/;

const ERRORS: ErrorWording[] = [
	{
		detail: 'llonebot_muted_precheck',
		on: 'text',
		pattern: /当前处于被禁言状态/,
		sendOnly: true,
		reason: 'muted',
		maySendAnyway: false,
		meaning: 'Checked before sending: the account is muted in the group; nothing was sent.',
		versions: '≥ 4.4',
		source:
			'LLOneBot/LLOneBot: src/onebot11/helper/createMessage.ts (v4.4.3), src/ntqqapi/core.ts (HEAD)',
		verified: true,
	},
	{
		detail: 'llonebot3_timeout',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?发送超时/,
		anchored: true,
		sendOnly: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning:
			'3.x: thrown after sending and also while waiting for an earlier send to the same peer (nothing sent); kernel rejections also end here. Ambiguous.',
		versions: '3.x',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/api/msg.ts (v3.28.0)',
		verified: true,
	},
	{
		detail: 'llonebot4_timeout',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?ntqq api timeout\b[^\n]*?sendMsg/i,
		anchored: true,
		sendOnly: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning: 'The kernel never confirmed the send within the wait (the reported stuck-group case).',
		versions: '4.x',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/ntcall.ts (v4.4.3)',
		verified: true,
	},
	{
		detail: 'llonebot4_removed_from_group',
		on: 'text',
		// v4.0.0–4.0.11 quote only errMsg: `ntqq api call failed, <method>, 你已被移出该群` (the errMsg of
		// kernel result 110, NapCatQQ #600); no result code to read.
		pattern: /^\s*(?:Error:\s*)?ntqq api call failed,[^{]*,\s*你已被移出该群\s*$/i,
		anchored: true,
		sendOnly: true,
		reason: 'not_in_group',
		maySendAnyway: false,
		meaning:
			'v4.0.0–4.0.11: the kernel refused the send because the account was removed from the group (errMsg only, no result code).',
		versions: '4.0.0–4.0.11',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/ntcall.ts (v4.0.5: `${res?.errMsg}`)',
		verified: true,
	},
	{
		detail: 'llonebot4_rejected',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?ntqq api call failed,/i,
		anchored: true,
		kernelResult: true,
		reason: 'api_error',
		maySendAnyway: true,
		meaning: 'The kernel answered the call with a failure (its result code is quoted).',
		versions: '4.0–4.7.3',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/ntcall.ts (v4.4.3)',
		verified: true,
	},
	{
		detail: 'llonebot4_rejected',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?call failed,/i,
		anchored: true,
		kernelResult: true,
		reason: 'api_error',
		maySendAnyway: true,
		meaning:
			'The kernel answered the call with a failure (DetailedError; its result code is quoted).',
		versions: '4.7.4–4.9.4',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/ntcall.ts (v4.7.4)',
		verified: true,
	},
	{
		detail: 'llonebot7_timeout',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?invoke timeout,[^\n]*?sendMsg/i,
		anchored: true,
		sendOnly: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning:
			'No answer from the kernel within the wait. On 5.x also every kernel rejection (removed from the group included) ends this way.',
		versions: '≥ 5.0',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/ntcall.ts (v5.0, v7.0.1)',
		verified: true,
	},
	{
		detail: 'llonebot7_rejected',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?invoke failed,/i,
		anchored: true,
		kernelResult: true,
		reason: 'api_error',
		maySendAnyway: true,
		meaning: 'The kernel answered the call with a failure (util.inspect form of the result).',
		versions: '≥ 6.0',
		source: 'LLOneBot/LLOneBot: src/ntqqapi/ntcall.ts (v7.0.1)',
		verified: true,
	},
	{
		detail: 'llonebot_no_record',
		on: 'text',
		pattern: /^\s*(?:Error:\s*)?消息发送失败\s*$/,
		anchored: true,
		sendOnly: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning: 'sendMessage returned no record: unconfirmed.',
		versions: 'all',
		source: 'LLOneBot/LLOneBot: src/onebot11/action/msg/SendMsg.ts',
		verified: true,
	},
	{
		detail: 'llonebot_unknown_action',
		on: 'text',
		pattern: /API 不存在|不支持的api /,
		reason: 'unsupported_action',
		maySendAnyway: false,
		meaning: 'Unknown action (HTTP 404, WS retcode 1404).',
		versions: 'all',
		source: 'LLOneBot/LLOneBot: src/onebot11/connect/http.ts, ws.ts',
		verified: true,
	},
];

export function llonebotProfile(
	appName: string | null,
	version: string | null,
	protocolVersion: string | null,
): ImplementationProfile {
	const major = majorOf(version);
	const serverSeq = atLeast(version, LLONEBOT_SERVER_SEQ_SINCE);
	const name = version ? `LLOneBot ${version}` : 'LLOneBot';
	const restartsNothing = major !== null && major >= 5;
	return {
		name: 'llonebot',
		label: name,
		appName,
		version,
		protocolVersion,
		// v3.x: a local counter; v4.0–4.6.1: md5(msgId|chatType|peerUid), not ordered; v4.6.2+: Number(msg.msgSeq).
		seqField: serverSeq ? 'message_seq' : 'none',
		historyAnchor: serverSeq
			? { param: 'message_seq', from: 'seq' }
			: { param: 'message_seq', from: 'message_id' },
		negativeMessageIds: atLeast(version, '6.6.0'),
		privateNonFriendTimeout: false,
		kernelProof: {
			// send_msg answers once the record's sendStatus is 2 (src/ntqqapi/api/msg.ts sendMsg, v3.28.0 and v4.4.3).
			okAnswer: true,
			// An unknown version is taken as a current one (≥ 4.0.12).
			selfMessage: version === null || atLeast(version, LLONEBOT_SELF_MESSAGE_PROOF_SINCE),
			selfMessageSince: `LLOneBot ${LLONEBOT_SELF_MESSAGE_PROOF_SINCE}`,
			source:
				'LLOneBot/LLOneBot: src/ntqqapi/core.ts UPDATE_MSG hook (v4.0.11 vs v4.0.12), src/main/main.ts SELF_SEND_MSG (v3.28.0)',
		},
		historyOlderParams: null,
		historyPagesForward:
			version !== null &&
			atLeast(version, '4.0.0') &&
			!atLeast(version, LLONEBOT_HISTORY_BACKWARD_SINCE),
		emptyHistoryAnswer: LLONEBOT_EMPTY_HISTORY,
		errors: ERRORS,
		restart: {
			setRestart: restartsNothing ? 'toggles_auto_login' : 'quits',
			setRestartRefusal: restartsNothing
				? `${name}: set_restart only switches auto-login on and answers ok; it does not restart QQ.`
				: `${name}: set_restart quits QQ and nothing relaunches it, so the account would stay offline.`,
			webui: false,
			loginMayNeedQr: false,
			source:
				'LLOneBot/LLOneBot: src/onebot11/action/system/SetRestart.ts (docs/compatibility.md, table "Restart methods", LLOneBot rows)',
		},
		offline: {
			getStatusOnline: major !== null && major >= 5 ? 'pmhq_closed_only' : 'never_false',
			heartbeatHttp: 'off_by_default',
			heartbeatWs: 'on',
			botOffline: 'never',
			source:
				'LLOneBot/LLOneBot: src/onebot11/connect/http.ts (enableHttpHeart, default false in src/common/config.ts), src/onebot11/connect/ws.ts (v4.4.3); docs/compatibility.md, table "Offline signals", row "LLOneBot 4.x"',
		},
	};
}
