/**
 * Per-implementation wire behaviour: envelopes, error texts and retcodes, message_id schemes,
 * get_msg / history shapes, auth answers. Sources: the implementations' public code, cited per answer
 * (`repo: path`), and the rows of docs/compatibility.md.
 * Long because it is a data table: one section per implementation and version, read side by side.
 * Long because it is a table: one function per answer, each with a case per implementation and its source.
 */
import type { FlavourName, LocalRecord, StoredMessage } from './types';
import { crc32, md5Int31, md5UInt32, toInt32 } from './rng';

export type Transport = 'http' | 'ws';

export interface FlavourInfo {
	flavour: FlavourName;
	version: string;
}

export interface Reply {
	httpStatus: number;
	/** JSON-able body; `undefined` = empty body */
	body?: Record<string, unknown>;
}

export function defaultVersion(f: FlavourName): string {
	switch (f) {
		case 'llonebot':
			return '4.4.3';
		case 'napcat':
			return '4.10.32';
		case 'gocq':
			return 'v1.2.0';
		case 'lagrange':
			return '0.0.3';
	}
}

/**
 * LLOneBot reports the server seq as `message_seq` from v4.6.2 on; v3.x and v4.0–4.6.1 put the short id
 * there (LLOneBot/LLOneBot: src/onebot11/entities.ts at v3.28.0, v4.4.3, v4.6.2).
 */
export function llonebotHasServerSeq(f: FlavourInfo): boolean {
	return f.flavour === 'llonebot' && versionAtLeast(f.version, '4.6.2');
}

/**
 * LLOneBot v4.0.0–4.0.8 read history forward from an anchor (queryOrder false); v3.28 and v4.0.9+ backward
 * (LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts v4.0.5, v4.0.9; src/ntqqapi/api/msg.ts v3.28.0).
 */
export function llonebotHistoryForward(f: FlavourInfo): boolean {
	return (
		f.flavour === 'llonebot' &&
		versionAtLeast(f.version, '4.0.0') &&
		!versionAtLeast(f.version, '4.0.9')
	);
}

/**
 * LLOneBot 4.x builds the peer before anything checks the target: a missing group_id / user_id is
 * `请指定 group_id 或 user_id`, retcode 200 (LLOneBot/LLOneBot: src/onebot11/helper/createMessage.ts createPeer,
 * src/onebot11/action/msg/SendMsg.ts at v4.0.5, v4.4.3, v4.6.2; 3.x checks in SendMsg.check, ≥ 7 has a schema).
 */
export function llonebotAsksForTarget(f: FlavourInfo): boolean {
	return (
		f.flavour === 'llonebot' &&
		versionAtLeast(f.version, '4.0.0') &&
		!versionAtLeast(f.version, '4.7.0')
	);
}

export function major(version: string): number {
	const m = /(\d+)/.exec(version);
	return m ? Number(m[1]) : 0;
}

export function versionAtLeast(version: string, min: string): boolean {
	const a = version
		.replace(/^v/, '')
		.split('.')
		.map((x) => parseInt(x, 10) || 0);
	const b = min.split('.').map((x) => parseInt(x, 10) || 0);
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const d = (a[i] ?? 0) - (b[i] ?? 0);
		if (d !== 0) return d > 0;
	}
	return true;
}

// ---------------------------------------------------------------- envelopes

/**
 * LLOneBot's `echo`: `null` up to v3.29, `undefined` from v3.30 (LLOneBot/LLOneBot: src/onebot11/action/OB11Response.ts
 * at v3.29.0 and v3.30.0), which JSON over HTTP omits.
 */
function llonebotEcho(f: FlavourInfo): { echo?: null } {
	return versionAtLeast(f.version, '3.30.0') ? {} : { echo: null };
}

/** NapCat's `stream` field exists from v4.8.115 (NapNeko/NapCatQQ: src/onebot/action/OneBotAction.ts v4.8.114 vs v4.8.115). */
function napcatHasStream(f: FlavourInfo): boolean {
	return versionAtLeast(f.version, '4.8.115');
}

export function okBody(f: FlavourInfo, data: unknown): Record<string, unknown> {
	switch (f.flavour) {
		case 'llonebot':
			return { status: 'ok', retcode: 0, data, message: '', wording: '', ...llonebotEcho(f) };
		case 'napcat': {
			const b: Record<string, unknown> = {
				status: 'ok',
				retcode: 0,
				data,
				message: '',
				wording: '',
				echo: null,
			};
			if (napcatHasStream(f)) b.stream = 'normal-action';
			return b;
		}
		case 'gocq':
			return { data, message: '', retcode: 0, status: 'ok' };
		case 'lagrange':
			return { status: 'ok', retcode: 0, data };
	}
}

export interface ErrorSpec {
	retcode: number;
	message: string;
	/** gocq: `msg` code, `wording` human text */
	msg?: string;
	wording?: string;
	status?: 'failed' | 'async' | 'ok';
	data?: unknown;
}

/** An exception inside an action: LLOneBot and NapCat answer retcode 200 over HTTP, 1200 over WS. */
export function errorBody(
	f: FlavourInfo,
	e: ErrorSpec,
	transport: Transport,
): Record<string, unknown> {
	let retcode = e.retcode;
	if ((f.flavour === 'llonebot' || f.flavour === 'napcat') && transport === 'ws' && retcode === 200)
		retcode = 1200;
	switch (f.flavour) {
		case 'llonebot':
			return {
				status: e.status ?? 'failed',
				retcode,
				data: e.data ?? null,
				message: e.message,
				wording: e.wording ?? e.message,
				...llonebotEcho(f),
			};
		case 'napcat': {
			const b: Record<string, unknown> = {
				status: e.status ?? 'failed',
				retcode,
				data: e.data ?? null,
				message: e.message,
				wording: e.wording ?? e.message,
				echo: null,
			};
			if (napcatHasStream(f)) b.stream = 'normal-action';
			return b;
		}
		case 'gocq':
			// Mrs4s/go-cqhttp: coolq/api.go `Failed(code, msg...)` (≥ 1.0.0-rc5): the code in `msg`, the text in
			// both `wording` and `message`.
			return {
				data: e.data ?? null,
				retcode,
				msg: e.msg ?? e.message,
				wording: e.wording ?? e.message,
				message: e.wording ?? e.message,
				status: e.status ?? 'failed',
			};
		case 'lagrange':
			return { status: e.status ?? 'failed', retcode, data: e.data ?? null };
	}
}

export function unknownAction(f: FlavourInfo, action: string, transport: Transport): Reply {
	switch (f.flavour) {
		case 'llonebot':
			// LLOneBot/LLOneBot: src/onebot11/connect/http.ts: `API 不存在` up to v6.1, `${actionName} API 不存在` from v6.2.
			return transport === 'http'
				? {
						httpStatus: 404,
						body: errorBody(
							f,
							{
								retcode: 404,
								message: versionAtLeast(f.version, '6.2.0') ? `${action} API 不存在` : 'API 不存在',
							},
							transport,
						),
					}
				: {
						httpStatus: 200,
						body: errorBody(f, { retcode: 1404, message: `${action} API 不存在` }, transport),
					};
		case 'napcat':
			return transport === 'http'
				? {
						httpStatus: 200,
						body: errorBody(f, { retcode: 200, message: `不支持的Api ${action}` }, 'http'),
					}
				: {
						httpStatus: 200,
						body: errorBody(f, { retcode: 1404, message: `不支持的API ${action}` }, transport),
					};
		case 'gocq':
			return {
				httpStatus: 200,
				body: errorBody(
					f,
					{ retcode: 404, msg: 'API_NOT_FOUND', wording: 'API不存在', message: 'API不存在' },
					transport,
				),
			};
		case 'lagrange':
			return { httpStatus: 200, body: errorBody(f, { retcode: 404, message: '' }, transport) };
	}
}

/** A generic failure thrown inside an action (bad params, message not found...). */
export function actionError(
	f: FlavourInfo,
	text: string,
	gocqMsg = 'PARAM_ERROR',
	gocqRetcode = 100,
): ErrorSpec {
	switch (f.flavour) {
		case 'gocq':
			return { retcode: gocqRetcode, msg: gocqMsg, wording: text, message: text };
		case 'lagrange':
			return { retcode: 200, message: text };
		default:
			return { retcode: 200, message: text };
	}
}

// ---------------------------------------------------------------- auth

export interface AuthInput {
	header?: string;
	query?: string | null;
}

export interface AuthResult {
	ok: boolean;
	reply?: Reply;
	/** WS (llonebot/napcat): accept the upgrade, send this frame and close */
	wsFrame?: Record<string, unknown>;
}

function bearer(h?: string): string | undefined {
	if (h === undefined) return undefined;
	const m = /^(?:Bearer|Token)\s+(.*)$/i.exec(h.trim());
	return m ? m[1] : h.trim();
}

export function checkAuth(f: FlavourInfo, token: string | undefined, input: AuthInput): AuthResult {
	if (!token) return { ok: true };
	const header = bearer(input.header);
	const query = input.query ?? undefined;
	let presented: string | undefined;
	if (f.flavour === 'napcat')
		presented = query ?? header; // query token wins over header
	else presented = header ?? query;
	if (presented === token) return { ok: true };
	switch (f.flavour) {
		case 'llonebot':
		case 'napcat':
			return {
				ok: false,
				// `token verify failed!` (NapNeko/NapCatQQ: packages/napcat-onebot/network/http-server.ts; LLOneBot/LLOneBot:
				// src/common/server/http.ts v3.28.0, src/onebot11/connect/http.ts v4.4.3, v6.0.0); LLOneBot from v6.5 `403`.
				reply: {
					httpStatus: 403,
					body: {
						message:
							f.flavour === 'llonebot' && versionAtLeast(f.version, '6.5.0')
								? '403'
								: 'token verify failed!',
					},
				},
				wsFrame: {
					status: 'failed',
					retcode: 1403,
					data: null,
					message: 'token验证失败',
					wording: 'token验证失败',
					echo: null,
				},
			};
		case 'gocq':
		case 'lagrange':
			return { ok: false, reply: { httpStatus: presented === undefined ? 401 : 403 } };
	}
}

// ---------------------------------------------------------------- send failures

/** A go-cqhttp failure: retcode 100, the code in `msg`, the text in `wording` and `message` (Mrs4s/go-cqhttp: coolq/api.go Failed()). */
export function gocqFailed(msg: string, text: string): ErrorSpec {
	return { retcode: 100, msg, wording: text, message: text };
}

/** go-cqhttp's generic send failure (Mrs4s/go-cqhttp: coolq/api.go). */
function gocqSendFailed(): ErrorSpec {
	return gocqFailed('SEND_MSG_API_ERROR', '请参考 go-cqhttp 端输出');
}

/**
 * What go-cqhttp answers when the server never echoed a send: a group send is `send group message failed:
 * blocked by server` (Mrs4s/go-cqhttp: coolq/bot.go SendGroupMessage, after MiraiGo's 5 s wait in
 * client/group_msg.go), a private one `请参考 go-cqhttp 端输出` (coolq/api.go CQSendPrivateMessage, v1.2.0).
 */
function gocqNoEcho(msg: StoredMessage): ErrorSpec {
	return msg.messageType === 'group'
		? gocqFailed('SEND_MSG_API_ERROR', 'send group message failed: blocked by server')
		: gocqSendFailed();
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
 * - Lagrange retcode 9000, `data: null`: the server returned no sequence (field notes §2). Its other ambiguous
 *   answer, 9057 (no answer packet), is classified (core/implementations/lagrange.ts) but not simulated.
 */
export function sendTimeoutError(
	f: FlavourInfo,
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
	switch (f.flavour) {
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
			return gocqNoEcho(msg);
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
	f: FlavourInfo,
	result: number,
	errMsg: string,
	msg?: StoredMessage,
): ErrorSpec {
	const payload = JSON.stringify({ result, errMsg });
	switch (f.flavour) {
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
			return msg ? gocqNoEcho(msg) : gocqSendFailed();
		case 'lagrange':
			return { retcode: result, message: '' };
	}
}

export function riskControlError(f: FlavourInfo, msg: StoredMessage): ErrorSpec {
	switch (f.flavour) {
		case 'gocq':
			// Mrs4s/go-cqhttp: coolq/bot.go SendGroupMessage `send group message failed: blocked by server` (logs
			// 账号可能被风控); SendPrivateMessage returns only an id, so a private failure is always
			// `请参考 go-cqhttp 端输出` (coolq/api.go CQSendPrivateMessage, v1.2.0).
			return gocqNoEcho(msg);
		case 'napcat':
			// Accepted by the kernel, never confirmed (NapCatQQ #788, #1410).
			return sendTimeoutError(f, msg, 'accepted');
		default:
			return sendTimeoutError(f, msg);
	}
}

/** Removed from the group: kernel result 110 / 你已被移出该群 (NapCatQQ #600); go-cqhttp `GROUP_NOT_FOUND` (coolq/api.go). */
export function notInGroupError(f: FlavourInfo, msg?: StoredMessage): ErrorSpec {
	if (f.flavour === 'gocq') return gocqFailed('GROUP_NOT_FOUND', '群聊不存在');
	return kernelRejected(f, 110, '你已被移出该群', msg);
}

/**
 * Muted in the group. LLOneBot ≥ 4.4 checks before sending and throws `当前处于被禁言状态` (LLOneBot/LLOneBot:
 * src/onebot11/helper/createMessage.ts v4.4.3, src/ntqqapi/core.ts HEAD): nothing is sent. Elsewhere
 * UNVERIFIED: no implementation's source shows the muted answer; the simulator uses kernel result 120
 * (found only in the legacy oicq/mirai libraries) for NapCat and Lagrange, and go-cqhttp's generic failure.
 */
export function mutedError(f: FlavourInfo, msg?: StoredMessage): ErrorSpec {
	if (f.flavour === 'llonebot' && versionAtLeast(f.version, '4.4.0'))
		return { retcode: 200, message: '当前处于被禁言状态' };
	return kernelRejected(f, 120, '发送失败，你已被禁言', msg);
}

/**
 * Parameter validation failed before anything was sent: NapCat and LLOneBot retcode 400 over HTTP, 1400
 * over WebSocket (NapNeko/NapCatQQ: packages/napcat-onebot/action/OneBotAction.ts; LLOneBot/LLOneBot:
 * src/onebot11/action/BaseAction.ts v4.4.3). go-cqhttp 100 with its code; Lagrange 200.
 */
export function validationError(
	f: FlavourInfo,
	text: string,
	transport: Transport,
	gocqMsg = 'PARAM_ERROR',
): ErrorSpec {
	switch (f.flavour) {
		case 'llonebot':
		case 'napcat':
			return { retcode: transport === 'ws' ? 1400 : 400, message: text };
		default:
			return actionError(f, text, gocqMsg);
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

export function peerUid(userId: number): string {
	return md5Int31(`uid:${userId}`).toString(36).padStart(8, '0') + (userId % 9973).toString(36);
}

// ---------------------------------------------------------------- message ids

/** The message_id the holder's implementation assigns to a stored message. */
export function messageIdFor(
	f: FlavourInfo,
	msg: StoredMessage,
	holderId: number,
	localMsgId: string,
	localCounter?: number,
): number {
	const chatType = msg.messageType === 'group' ? 2 : 1;
	const peer =
		msg.messageType === 'group' ? String(msg.groupId) : `u_${peerUid(peerOf(msg, holderId))}`;
	switch (f.flavour) {
		case 'napcat':
			return md5Int31(`${localMsgId}|${chatType}|${peer}`);
		// LLOneBot ≥ 6.6: md5(chatType-peerUid-msgSeq-msgRandom-msgTime) as a signed int32 (can be negative);
		// 4.0–6.5: md5(msgId|chatType|peerUid) masked positive (src/common/store.ts createMsgShortId).
		// 3.x: a local counter (src/common/db.ts addMsg); the world passes it as `localCounter`.
		case 'llonebot':
			if (versionAtLeast(f.version, '6.6.0'))
				return toInt32(md5UInt32(`${chatType}-${peer}-${msg.seq}-${msg.random}-${msg.time}`));
			if (major(f.version) <= 3 && localCounter !== undefined) return localCounter;
			return md5Int31(`${localMsgId}|${chatType}|${peer}`);
		case 'gocq':
			return toInt32(
				crc32(`${msg.messageType === 'group' ? msg.groupId : peerOf(msg, holderId)}-${msg.seq}`),
			);
		case 'lagrange':
			return toInt32(((msg.seq & 0xffff) << 16) | (msg.random & 0xffff));
	}
}

export function peerOf(msg: StoredMessage, holderId: number): number {
	if (msg.messageType === 'group') return msg.groupId ?? 0;
	return holderId === msg.senderId ? (msg.targetUserId ?? 0) : msg.senderId;
}

// ---------------------------------------------------------------- shapes

export interface ShapeContext {
	selfId: number;
	messageFormat: 'array' | 'string';
}

function senderOf(rec: LocalRecord): Record<string, unknown> {
	const m = rec.msg;
	return m.messageType === 'group'
		? { user_id: m.senderId, nickname: m.senderNickname, card: '', role: 'member' }
		: { user_id: m.senderId, nickname: m.senderNickname, card: '' };
}

function messageField(rec: LocalRecord, ctx: ShapeContext): unknown {
	return ctx.messageFormat === 'string'
		? rec.msg.raw
		: rec.msg.segments.map((s) => ({ type: s.type, data: { ...s.data } }));
}

/** A message's fields, in the order events and get_msg answers list them; `ids` are the flavour's seq fields. */
function messageFields(
	rec: LocalRecord,
	ctx: ShapeContext,
	ids: Record<string, unknown>,
): Record<string, unknown> {
	const m = rec.msg;
	return {
		self_id: ctx.selfId,
		user_id: m.senderId,
		time: m.time,
		message_id: rec.messageId,
		...ids,
		message_type: m.messageType,
		sender: senderOf(rec),
		raw_message: m.raw,
		font: 14,
		sub_type: m.messageType === 'group' ? 'normal' : 'friend',
		message: messageField(rec, ctx),
	};
}

/** A `message` event (or `message_sent` for the sender when self reporting is on). */
export function messageEvent(
	f: FlavourInfo,
	rec: LocalRecord,
	ctx: ShapeContext,
	postType: 'message' | 'message_sent' = 'message',
): Record<string, unknown> {
	const m = rec.msg;
	const ids: Record<string, unknown> = {};
	if (f.flavour === 'napcat') {
		ids.message_seq = rec.messageId;
		ids.real_id = rec.messageId;
		ids.real_seq = String(m.seq);
	} else if (f.flavour === 'llonebot') {
		// LLOneBot/LLOneBot: src/onebot11/entities.ts `message()`: v3.28 and v4.0–4.6.1 set
		// message_seq = real_id = the short id (3.x a local counter, 4.x md5(msgId|chatType|peerUid));
		// from v4.6.2 message_seq = Number(msg.msgSeq), the server seq, and no real_id in events.
		if (llonebotHasServerSeq(f)) ids.message_seq = m.seq;
		else {
			ids.message_seq = rec.messageId;
			ids.real_id = rec.messageId;
		}
	}
	const ev = messageFields(rec, ctx, ids);
	if (f.flavour === 'napcat' || f.flavour === 'llonebot') ev.message_format = ctx.messageFormat;
	ev.post_type = postType;
	if (m.messageType === 'group') ev.group_id = m.groupId;
	else if (f.flavour === 'napcat' || f.flavour === 'llonebot')
		ev.target_id = m.senderId === ctx.selfId ? m.targetUserId : ctx.selfId;
	if (f.flavour === 'gocq' && m.messageType === 'group') ev.anonymous = null;
	return ev;
}

/** get_msg data as the QQNT-based implementations (LLOneBot, NapCat) shape it; `ids` are their seq fields. */
function qqntGetMsg(
	rec: LocalRecord,
	ctx: ShapeContext,
	ids: Record<string, unknown>,
): Record<string, unknown> {
	const m = rec.msg;
	const d: Record<string, unknown> = {
		...messageFields(rec, ctx, ids),
		message_format: ctx.messageFormat,
		post_type: m.senderId === ctx.selfId ? 'message_sent' : 'message',
	};
	if (m.messageType === 'group') d.group_id = m.groupId;
	return d;
}

export function getMsgData(
	f: FlavourInfo,
	rec: LocalRecord,
	ctx: ShapeContext,
): Record<string, unknown> {
	const m = rec.msg;
	switch (f.flavour) {
		// LLOneBot/LLOneBot: src/onebot11/action/msg/GetMsg.ts sets real_id = message_seq; message_seq is the
		// server seq from v4.6.2 on, the short id before (entities.ts). NapCat: both are its local short id;
		// real_seq is the server seq.
		case 'llonebot':
			return llonebotHasServerSeq(f)
				? qqntGetMsg(rec, ctx, { real_id: m.seq, message_seq: m.seq })
				: qqntGetMsg(rec, ctx, { real_id: rec.messageId, message_seq: rec.messageId });
		case 'napcat':
			return qqntGetMsg(rec, ctx, {
				message_seq: rec.messageId,
				real_id: rec.messageId,
				real_seq: String(m.seq),
			});
		case 'gocq': {
			// Mrs4s/go-cqhttp: coolq/api.go CQGetMessage (v1.2.0): message_id_v2 (the database id), no raw_message.
			const d: Record<string, unknown> = {
				message_id: rec.messageId,
				message_id_v2: rec.localMsgId,
				message_type: m.messageType,
				real_id: m.seq,
				message_seq: m.seq,
				group: m.messageType === 'group',
				sender: { user_id: m.senderId, nickname: m.senderNickname },
				time: m.time,
				message: messageField(rec, ctx),
			};
			if (m.messageType === 'group') d.group_id = m.groupId;
			return d;
		}
		case 'lagrange':
			return {
				time: m.time,
				message_type: m.messageType,
				message_id: rec.messageId,
				real_id: rec.messageId,
				sender: senderOf(rec),
				message: messageField(rec, ctx),
			};
	}
}

export function historyItem(
	f: FlavourInfo,
	rec: LocalRecord,
	ctx: ShapeContext,
): Record<string, unknown> {
	if (f.flavour === 'lagrange' || f.flavour === 'gocq') return messageEvent(f, rec, ctx, 'message');
	return getMsgData(f, rec, ctx);
}

export function versionInfo(f: FlavourInfo): Record<string, unknown> {
	switch (f.flavour) {
		case 'llonebot':
			return { app_name: 'LLOneBot', app_version: f.version, protocol_version: 'v11' };
		case 'napcat':
			return { app_name: 'NapCat.Onebot', protocol_version: 'v11', app_version: f.version };
		case 'gocq':
			return {
				app_name: 'go-cqhttp',
				app_version: f.version,
				app_full_name: `go-cqhttp-${f.version}_linux_amd64-go1.20`,
				protocol_version: 'v11',
				coolq_edition: 'pro',
				coolq_directory: '',
				'go-cqhttp': true,
				plugin_version: '4.15.0',
				plugin_build_number: 99,
				plugin_build_configuration: 'release',
				runtime_version: 'go1.20',
				runtime_os: 'linux',
				version: f.version,
				protocol_name: 6,
			};
		case 'lagrange':
			return {
				app_name: 'Lagrange.OneBot',
				app_version: f.version,
				protocol_version: 'v11',
				nt_protocol: 'Linux | 3.2.10_25765',
			};
	}
}

export function statusData(
	f: FlavourInfo,
	online: boolean,
	stat: Record<string, number>,
): Record<string, unknown> {
	switch (f.flavour) {
		case 'llonebot':
			return { online, good: true, stat };
		case 'napcat':
			return { online, good: true, stat: {} };
		case 'gocq':
			return {
				app_initialized: true,
				app_enabled: true,
				plugins_good: null,
				app_good: true,
				online,
				good: online,
				stat,
			};
		case 'lagrange':
			return { online: true, good: true };
	}
}
