/**
 * Reading an account's own message store: `get_msg`, `delete_msg`, and the history actions, paged the way
 * each implementation pages them (sources cited per implementation).
 */
import {
	actionError,
	getMsgData,
	gocqhttpFailed,
	historyItem,
	llonebotHasServerSeq,
	llonebotHistoryForward,
	peerOf,
	versionAtLeast,
	type ErrorSpec,
	type ImplementationInfo,
	type Transport,
} from '../implementations';
import { withRawRecord } from '../kernel';
import type { LocalRecord } from '../types';
import { answerError, answerOk, type ActionResult } from './answers';
import type { Account, Topology } from './topology';

/** One page of a chat, or the error the implementation answers instead. */
type Page = { list: LocalRecord[] } | { error: ErrorSpec };

/** An optional numeric parameter: absent or empty reads as 0 (no anchor). */
function numberOrZero(v: unknown): number {
	return v === undefined || v === '' ? 0 : Number(v);
}

function truthy(v: unknown): boolean {
	return v === true || v === 'true' || v === 1 || v === '1';
}

function notFound(f: ImplementationInfo): ErrorSpec {
	if (f.name === 'gocq') return gocqhttpFailed('MSG_NOT_FOUND', '消息不存在');
	return actionError(f, '消息不存在');
}

/** `get_msg` and `delete_msg`: the account's own stored message `params.message_id`, else not found. */
export function storedMessageAction(
	acc: Account,
	action: 'get_msg' | 'delete_msg',
	params: Record<string, unknown>,
	transport: Transport,
): ActionResult {
	const f = acc.implementation;
	const id = Number(params.message_id);
	const rec = params.message_id === undefined ? undefined : acc.byMessageId.get(id);
	if (!rec) return answerError(f, notFound(f), transport);
	if (action === 'get_msg')
		return answerOk(f, withRawRecord(acc, rec, getMsgData(f, rec, acc.shape)));
	acc.byMessageId.delete(id);
	acc.records = acc.records.filter((r) => r !== rec);
	return answerOk(f, null);
}

/** `get_group_msg_history` (`type` group) and `get_friend_msg_history` (`type` private). */
export function history(
	topology: Topology,
	acc: Account,
	type: 'group' | 'private',
	params: Record<string, unknown>,
	transport: Transport,
): ActionResult {
	const f = acc.implementation;
	const err = (e: ErrorSpec): ActionResult => answerError(f, e, transport);
	const peer = Number(type === 'group' ? params.group_id : params.user_id);
	if (!Number.isFinite(peer) || peer <= 0)
		return err(actionError(f, type === 'group' ? '缺少参数 group_id' : '缺少参数 user_id'));
	if (type === 'group' && !topology.joinedGroup(acc, peer)) {
		if (f.name === 'gocq') return err(gocqhttpFailed('GROUP_NOT_FOUND', '群聊不存在'));
		return err(actionError(f, '群不存在'));
	}
	const chat = acc.records.filter((r) =>
		type === 'group'
			? r.msg.messageType === 'group' && r.msg.groupId === peer
			: r.msg.messageType === 'private' && peerOf(r.msg, acc.selfId) === peer,
	);
	const count =
		params.count === undefined || params.count === '' ? 20 : Math.max(0, Number(params.count) || 0);
	const page = pageOf(f, chat, params, count);
	if ('error' in page) return err(page.error);
	return answerOk(f, { messages: page.list.map((r) => historyEntry(acc, r)) });
}

function pageOf(
	f: ImplementationInfo,
	chat: LocalRecord[],
	params: Record<string, unknown>,
	count: number,
): Page {
	switch (f.name) {
		case 'llonebot':
			return llonebotPage(f, chat, params, count);
		case 'napcat':
			return napcatPage(f, chat, params, count);
		case 'gocq':
			return gocqhttpPage(chat, params);
		case 'lagrange':
			return lagrangePage(chat, params, count);
	}
}

/**
 * LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts. From v4.6.2 message_seq
 * is a server seq (getMsgsBySeqAndCount); before, it is a short id looked up in the store
 * (getMsgInfoByShortId), unknown → `消息X不存在`; an empty chat → `未找到消息`.
 */
function llonebotPage(
	f: ImplementationInfo,
	chat: LocalRecord[],
	params: Record<string, unknown>,
	count: number,
): Page {
	const seq = numberOrZero(params.message_seq);
	let end = chat.length;
	let start: number | undefined;
	if (seq && llonebotHasServerSeq(f)) {
		let idx = -1;
		for (let i = 0; i < chat.length; i++)
			if (chat[i].msg.seq > 0 && chat[i].msg.seq <= seq) idx = i;
		end = idx + 1;
	} else if (seq) {
		const idx = chat.findIndex((r) => r.messageId === seq);
		if (idx < 0) return { error: actionError(f, `消息${seq}不存在`) };
		end = idx + 1;
		// v4.0.0–4.0.8 call getMsgHistory with queryOrder false: the anchor and newer messages
		// (LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts v4.0.5; `true` from v4.0.9).
		if (llonebotHistoryForward(f)) {
			start = idx;
			end = Math.min(chat.length, idx + count);
		}
	}
	const list = chat.slice(start ?? Math.max(0, end - count), end);
	if (truthy(params.reverseOrder)) list.reverse();
	return { list };
}

/**
 * NapNeko/NapCatQQ: packages/napcat-onebot/action/go-cqhttp/GetGroupMsgHistory.ts (v4.10.32;
 * src/onebot/action/go-cqhttp/GetGroupMsgHistory.ts v4.8.90): message_seq is a short message_id
 * (an unknown one reads from the latest message here); with it, getMsgHistory(..., reverseOrder)
 * returns the anchor and the `count - 1` NEWER messages unless reverseOrder (or reverse_order, read
 * from v4.9.74) is true (NapCatQQ #441, #987); without it, the latest `count`.
 */
function napcatPage(
	f: ImplementationInfo,
	chat: LocalRecord[],
	params: Record<string, unknown>,
	count: number,
): Page {
	const anchorId = numberOrZero(params.message_seq);
	const older =
		truthy(params.reverseOrder) ||
		(versionAtLeast(f.version, '4.9.74') && truthy(params.reverse_order));
	let end = chat.length;
	let start = Math.max(0, end - count);
	if (anchorId) {
		const idx = chat.findIndex((r) => r.messageId === anchorId);
		if (idx >= 0 && older) {
			end = idx + 1;
			start = Math.max(0, end - count);
		} else if (idx >= 0) {
			start = idx;
			end = Math.min(chat.length, idx + count);
		}
	}
	return { list: chat.slice(start, end) };
}

/**
 * go-cqhttp asks the server for seq−19 … seq, the group's latest seq when `message_seq` is absent; it
 * takes no `count` (Mrs4s/go-cqhttp: coolq/api.go CQGetGroupMessageHistory, `GetGroupMessages(groupID,
 * max(seq-19, 1), seq)`).
 */
function gocqhttpPage(chat: LocalRecord[], params: Record<string, unknown>): Page {
	let seq = numberOrZero(params.message_seq);
	if (!seq) seq = chat.reduce((m, r) => Math.max(m, r.msg.seq), 0);
	const from = Math.max(seq - 19, 1);
	return { list: chat.filter((r) => r.msg.seq >= from && r.msg.seq <= seq) };
}

/**
 * LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/Message/GetGroupMessageHistoryOperation.cs
 * (v1): `start = sequence - Count + 1`, so a page holds `count` messages up to the anchor.
 */
function lagrangePage(chat: LocalRecord[], params: Record<string, unknown>, count: number): Page {
	const id = numberOrZero(params.message_id);
	const anchor = id ? chat.find((r) => r.messageId === id) : chat[chat.length - 1];
	if (!anchor) return { error: { retcode: 200, message: '' } };
	const top = anchor.msg.seq;
	return { list: chat.filter((r) => r.msg.seq >= top - count + 1 && r.msg.seq <= top) };
}

function historyEntry(acc: Account, rec: LocalRecord): Record<string, unknown> {
	const item = historyItem(acc.implementation, rec, acc.shape);
	if (acc.cfg.flavour === 'gocq') {
		item.message_seq = rec.msg.seq;
		// Mrs4s/go-cqhttp: coolq/converter.go formatGroupMessage (v1.2.0): the bot's own messages are
		// `message_sent/group/normal` in history too.
		if (rec.msg.senderId === acc.selfId) item.post_type = 'message_sent';
	}
	return withRawRecord(acc, rec, item);
}
