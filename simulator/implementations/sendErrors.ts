/**
 * What each implementation answers when a send fails: the kernel's timeout, a kernel rejection, risk
 * control, removal from the group, muting, parameter validation. Sources are cited per answer (`repo: path`).
 */
import type { StoredMessage } from '../types';
import { actionError, type ErrorSpec, type Transport } from './envelopes';
import { peerUid } from './messageIds';
import { major, versionAtLeast, type ImplementationInfo } from './versions';

/** A go-cqhttp failure: retcode 100, the code in `msg`, the text in `wording` and `message` (Mrs4s/go-cqhttp: coolq/api.go Failed()). */
export function gocqhttpFailed(msg: string, text: string): ErrorSpec {
	return { retcode: 100, msg, wording: text, message: text };
}

/** go-cqhttp's generic send failure (Mrs4s/go-cqhttp: coolq/api.go). */
function gocqhttpSendFailed(): ErrorSpec {
	return gocqhttpFailed('SEND_MSG_API_ERROR', '请参考 go-cqhttp 端输出');
}

/**
 * What go-cqhttp answers when the server never echoed a send: a group send is `send group message failed:
 * blocked by server` (Mrs4s/go-cqhttp: coolq/bot.go SendGroupMessage, after MiraiGo's 5 s wait in
 * client/group_msg.go), a private one `请参考 go-cqhttp 端输出` (coolq/api.go CQSendPrivateMessage, v1.2.0).
 */
function gocqhttpNoEcho(msg: StoredMessage): ErrorSpec {
	return msg.messageType === 'group'
		? gocqhttpFailed('SEND_MSG_API_ERROR', 'send group message failed: blocked by server')
		: gocqhttpSendFailed();
}

/**
 * NapCat's failed NTEvent for sendMsg (NapNeko/NapCatQQ: packages/napcat-core/helper/event.ts); 2.x
 * names the call `EventName`, later versions `serviceAndMethod`.
 */
function napcatSendEvent(
	head: 'Timeout' | 'EventChecker Failed',
	key: 'EventName' | 'serviceAndMethod',
	eventRet: string,
): string {
	// The timeout text ends with a newline after the JSON (packages/napcat-core/helper/event.ts v4.10.32).
	const tail = head === 'Timeout' ? '\n' : '';
	return `${head}: NTEvent ${key}:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n${eventRet}${tail}`;
}

/**
 * The kernel never confirmed the send within the wait.
 * - LLOneBot 3.x `发送超时` (LLOneBot/LLOneBot: src/ntqqapi/api/msg.ts, v3.28.0); 4.x `ntqq api timeout IPC_UP_3, ...`
 *   (src/ntqqapi/ntcall.ts, v4.4.3); ≥ 5 `invoke timeout, <fn>, <args>` (src/ntqqapi/ntcall.ts, v5.0 / v7.0.1).
 * - NapCat `Timeout: NTEvent serviceAndMethod:... EventRet:\n{}` (NapNeko/NapCatQQ: packages/napcat-core/helper/event.ts);
 *   2.x `Timeout: NTEvent EventName: ...` (NapCatQQ #262).
 * - go-cqhttp `SEND_MSG_API_ERROR` / `请参考 go-cqhttp 端输出` (Mrs4s/go-cqhttp: coolq/api.go).
 * - Lagrange retcode 9000, `data: null`: the server returned no sequence (LagrangeDev/Lagrange.Core:
 *   Lagrange.OneBot/Core/Operation/Message/SendGroupMessageOperation.cs; docs/compatibility.md, Send
 *   classification). Its other ambiguous answer, 9057 (no answer packet), is classified
 *   (core/implementations/lagrange.ts) but not simulated.
 */
export function sendTimeoutError(
	f: ImplementationInfo,
	msg: StoredMessage,
	eventRet: 'none' | 'accepted' = 'none',
): ErrorSpec {
	const peer =
		msg.messageType === 'group'
			? { chatType: 2, peerUid: String(msg.groupId), guildId: '' }
			: { chatType: 1, peerUid: `u_${peerUid(msg.targetUserId ?? 0)}`, guildId: '' };
	const args = JSON.stringify([
		{ msgId: '0', peer, msgElements: elementsOf(msg), msgAttributeInfos: {} },
		null,
	]);
	switch (f.name) {
		case 'llonebot': {
			const m = major(f.version);
			if (m <= 3) return { retcode: 200, message: '发送超时' };
			if (m >= 5)
				return {
					retcode: 200,
					message: `invoke timeout, wrapperSession.getMsgService().sendMsg, ${args}`,
				};
			return {
				retcode: 200,
				message: `ntqq api timeout IPC_UP_3, ns-ntApi-3, nodeIKernelMsgService/sendMsg, ${args}`,
			};
		}
		case 'napcat': {
			const ret =
				eventRet === 'accepted' ? JSON.stringify({ result: 0, errMsg: '' }, null, 4) : '{}';
			const key = major(f.version) <= 2 ? 'EventName' : 'serviceAndMethod';
			return { retcode: 200, message: napcatSendEvent('Timeout', key, ret) };
		}
		case 'gocq':
			return gocqhttpNoEcho(msg);
		case 'lagrange':
			return { retcode: 9000, message: '' };
	}
}

/**
 * The kernel rejected the send with a result code (110 removed from the group...).
 * - LLOneBot 3.x: rejections are ignored and end as `发送超时` (src/ntqqapi/api/msg.ts, v3.28.0);
 *   4.0–4.0.11 `ntqq api call failed, <method>, <errMsg>` (no result code, v4.0.5), 4.0.12–4.7.3
 *   `ntqq api call failed, <method>, <JSON>` (src/ntqqapi/ntcall.ts, v4.4.3); 4.7.4–4.9.4 `call failed, ...`
 *   (DetailedError); 5.x never raises one: `pmhq.call(...).then(...)` waits out `invoke timeout`;
 *   ≥ 6 `invoke failed, <fn>, <req>, <res>` in util.inspect form (src/ntqqapi/ntcall.ts, v7.0.1).
 * - NapCat `EventChecker Failed: ...` (NapNeko/NapCatQQ: packages/napcat-core/helper/event.ts).
 * - go-cqhttp `SEND_MSG_API_ERROR` (coolq/api.go). Lagrange: the result code as retcode, no text.
 */
export function kernelRejected(
	f: ImplementationInfo,
	result: number,
	errMsg: string,
	msg?: StoredMessage,
): ErrorSpec {
	const payload = JSON.stringify({ result, errMsg });
	switch (f.name) {
		case 'llonebot': {
			const m = major(f.version);
			if (m <= 3) return { retcode: 200, message: '发送超时' };
			if (m === 5) {
				return msg
					? sendTimeoutError(f, msg)
					: { retcode: 200, message: 'invoke timeout, wrapperSession.getMsgService().sendMsg, []' };
			}
			if (m >= 6)
				return {
					retcode: 200,
					message: `invoke failed, sendMsg, [], { result: ${result}, errMsg: '${errMsg}' }`,
				};
			if (versionAtLeast(f.version, '4.7.4'))
				return { retcode: 200, message: `call failed, nodeIKernelMsgService/sendMsg, ${payload}` };
			// v4.0.0–4.0.11 quote only errMsg: `ntqq api call failed, ${method}, ${res?.errMsg}`
			// (src/ntqqapi/ntcall.ts v4.0.5); the JSON of the whole result from v4.0.12.
			if (!versionAtLeast(f.version, '4.0.12'))
				return {
					retcode: 200,
					message: `ntqq api call failed, nodeIKernelMsgService/sendMsg, ${errMsg}`,
				};
			return {
				retcode: 200,
				message: `ntqq api call failed, nodeIKernelMsgService/sendMsg, ${payload}`,
			};
		}
		case 'napcat':
			return {
				retcode: 200,
				message: napcatSendEvent(
					'EventChecker Failed',
					'serviceAndMethod',
					JSON.stringify({ result, errMsg }, null, 4),
				),
			};
		case 'gocq':
			return msg ? gocqhttpNoEcho(msg) : gocqhttpSendFailed();
		case 'lagrange':
			return { retcode: result, message: '' };
	}
}

export function riskControlError(f: ImplementationInfo, msg: StoredMessage): ErrorSpec {
	switch (f.name) {
		case 'gocq':
			// Mrs4s/go-cqhttp: coolq/bot.go SendGroupMessage `send group message failed: blocked by server` (logs
			// 账号可能被风控); SendPrivateMessage returns only an id, so a private failure is always
			// `请参考 go-cqhttp 端输出` (coolq/api.go CQSendPrivateMessage, v1.2.0).
			return gocqhttpNoEcho(msg);
		case 'napcat':
			// Accepted by the kernel, never confirmed (NapCatQQ #788, #1410).
			return sendTimeoutError(f, msg, 'accepted');
		default:
			return sendTimeoutError(f, msg);
	}
}

/** Removed from the group: kernel result 110 / 你已被移出该群 (NapCatQQ #600); go-cqhttp `GROUP_NOT_FOUND` (coolq/api.go). */
export function notInGroupError(f: ImplementationInfo, msg?: StoredMessage): ErrorSpec {
	if (f.name === 'gocq') return gocqhttpFailed('GROUP_NOT_FOUND', '群聊不存在');
	return kernelRejected(f, 110, '你已被移出该群', msg);
}

/**
 * Muted in the group. LLOneBot ≥ 4.4 checks before sending and throws `当前处于被禁言状态` (LLOneBot/LLOneBot:
 * src/onebot11/helper/createMessage.ts v4.4.3, src/ntqqapi/core.ts HEAD): nothing is sent. Elsewhere
 * UNVERIFIED: no implementation's source shows the muted answer; the simulator uses kernel result 120
 * (found only in the legacy oicq/mirai libraries) for NapCat and Lagrange, and go-cqhttp's generic failure.
 */
export function mutedError(f: ImplementationInfo, msg?: StoredMessage): ErrorSpec {
	if (f.name === 'llonebot' && versionAtLeast(f.version, '4.4.0'))
		return { retcode: 200, message: '当前处于被禁言状态' };
	return kernelRejected(f, 120, '发送失败，你已被禁言', msg);
}

/**
 * Parameter validation failed before anything was sent: NapCat and LLOneBot retcode 400 over HTTP, 1400
 * over WebSocket (NapNeko/NapCatQQ: packages/napcat-onebot/action/OneBotAction.ts; LLOneBot/LLOneBot:
 * src/onebot11/action/BaseAction.ts v4.4.3). go-cqhttp 100 with its code; Lagrange 200.
 */
export function validationError(
	f: ImplementationInfo,
	text: string,
	transport: Transport,
	gocqhttpMsg = 'PARAM_ERROR',
): ErrorSpec {
	switch (f.name) {
		case 'llonebot':
		case 'napcat':
			return { retcode: transport === 'ws' ? 1400 : 400, message: text };
		default:
			return actionError(f, text, gocqhttpMsg);
	}
}

function elementsOf(msg: StoredMessage): unknown[] {
	return msg.segments.map((s) =>
		s.type === 'text'
			? {
					elementType: 1,
					elementId: '',
					textElement: {
						content: s.data.text ?? '',
						atType: 0,
						atUid: '',
						atTinyId: '',
						atNtUid: '',
					},
				}
			: { elementType: 0, elementId: '', cq: s.type },
	);
}
