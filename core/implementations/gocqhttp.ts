/**
 * go-cqhttp (Mrs4s/go-cqhttp, unmaintained since 2023-10): `app_name: "go-cqhttp"`.
 * From v1.0.0-rc5 every failure is `{retcode: 100, msg: "<CODE>", wording: "<text>", message: "<text>"}`
 * (coolq/api.go `Failed()`): the code is in `msg`, whatever else is present.
 */
import { noKernelProof } from './noKernel';
import type { ErrorWording, ImplementationProfile } from './types';

export const GOCQHTTP_APP_NAME = /go-?cqhttp/i;

const ERRORS: ErrorWording[] = [
	{
		detail: 'blocked_by_server',
		on: 'code',
		pattern: /^SEND_MSG_API_ERROR$/,
		textPattern: /blocked by server/i,
		sendOnly: true,
		reason: 'risk_control',
		// MiraiGo (client/group_msg.go sendGroupMessage at a8213e1, go-cqhttp v1.2.0's pin) gives up when no
		// self echo came within 5 s and the message is not among the last ~11 of the group: also a mute in
		// that one group or a slow echo of a message that arrived. Checked before a resend; one target's failure
		// does not open the account's breaker at once (core/pacing/breaker.ts).
		reasonClass: 'ambiguous',
		maySendAnyway: true,
		meaning:
			'The group send got no echo from the server within 5 s (go-cqhttp logs 账号可能被风控): risk control, a mute in this group, or a slow echo of a message that arrived.',
		versions: '1.x',
		source: 'Mrs4s/go-cqhttp: coolq/bot.go SendGroupMessage; Mrs4s/MiraiGo: client/group_msg.go',
		verified: true,
	},
	{
		detail: 'gocqhttp_send_failed',
		on: 'code',
		pattern: /^SEND_MSG_API_ERROR$/,
		sendOnly: true,
		reason: 'api_error',
		reasonClass: 'ambiguous',
		maySendAnyway: true,
		meaning:
			'`请参考 go-cqhttp 端输出`: a private send to a non-friend (nothing sent), with temp sessions switched off (nothing sent), a temp message that was sent (its id stays -1), a message too long for a friend, or a forward message the server did not echo. Not account-level; checked before any resend.',
		versions: '1.x',
		source:
			'Mrs4s/go-cqhttp: coolq/bot.go SendPrivateMessage, coolq/api.go CQSendPrivateMessage (v1.2.0)',
		verified: true,
	},
	{
		detail: 'gocqhttp_group_not_found',
		on: 'code',
		pattern: /^GROUP_NOT_FOUND$/,
		reason: 'not_in_group',
		maySendAnyway: false,
		meaning: '`群聊不存在`: the account is not in this group.',
		versions: '1.x',
		source: 'Mrs4s/go-cqhttp: coolq/api.go',
		verified: true,
	},
	{
		detail: 'empty_message',
		on: 'code',
		pattern: /^EMPTY_MSG_ERROR$/,
		reason: 'bad_request',
		maySendAnyway: false,
		meaning: '`消息为空`: nothing to send.',
		versions: '1.x',
		source: 'Mrs4s/go-cqhttp: coolq/api.go',
		verified: true,
	},
	{
		detail: 'gocqhttp_unknown_action',
		on: 'code',
		pattern: /^API_NOT_FOUND$/,
		reason: 'unsupported_action',
		maySendAnyway: false,
		meaning: 'Unknown action: HTTP 200, retcode 404, wording `API不存在`.',
		versions: '1.x',
		source: 'Mrs4s/go-cqhttp: modules/api/api.go',
		verified: true,
	},
];

export function gocqhttpProfile(
	appName: string | null,
	version: string | null,
	protocolVersion: string | null,
): ImplementationProfile {
	return {
		name: 'gocqhttp',
		label: version ? `go-cqhttp ${version}` : 'go-cqhttp',
		appName,
		version,
		protocolVersion,
		// real_id = message_seq = the group seq; message_id = crc32(groupCode-seq), signed.
		seqField: 'message_seq',
		historyAnchor: { param: 'message_seq', from: 'seq' },
		negativeMessageIds: true,
		privateNonFriendTimeout: false,
		kernelProof: noKernelProof(
			'Mrs4s/go-cqhttp: coolq/api.go CQSendGroupMessage (the message id is returned once the server echoed the message or MiraiGo gave up waiting)',
		),
		historyOlderParams: null,
		historyPagesForward: false,
		errors: ERRORS,
		restart: {
			setRestart: 'not_routed',
			setRestartRefusal:
				'go-cqhttp documents set_restart but does not route it (API not found); it cannot restart itself.',
			webui: false,
			loginMayNeedQr: false,
			source: 'Mrs4s/go-cqhttp: modules/api/api.go (no set_restart route in v1.x)',
		},
		offline: {
			getStatusOnline: 'tracks_login',
			heartbeatHttp: 'on',
			heartbeatWs: 'on',
			botOffline: 'never',
			source:
				'Mrs4s/go-cqhttp: coolq/api.go CQGetStatus, server/http.go, server/websocket.go (heartbeat carries the same status)',
		},
	};
}
