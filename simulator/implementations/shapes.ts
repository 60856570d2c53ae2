/**
 * The shapes of a message per implementation: events, get_msg data, history entries; and the
 * get_version_info and get_status data. Sources are cited per answer (`repo: path`).
 */
import type { LocalRecord } from '../types';
import { llonebotHasServerSeq, type ImplementationInfo } from './versions';

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

/** A message's fields, in the order events and get_msg answers list them; `ids` are the implementation's seq fields. */
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
	f: ImplementationInfo,
	rec: LocalRecord,
	ctx: ShapeContext,
	postType: 'message' | 'message_sent' = 'message',
): Record<string, unknown> {
	const m = rec.msg;
	const ids: Record<string, unknown> = {};
	if (f.name === 'napcat') {
		ids.message_seq = rec.messageId;
		ids.real_id = rec.messageId;
		ids.real_seq = String(m.seq);
	} else if (f.name === 'llonebot') {
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
	if (f.name === 'napcat' || f.name === 'llonebot') ev.message_format = ctx.messageFormat;
	ev.post_type = postType;
	if (m.messageType === 'group') ev.group_id = m.groupId;
	else if (f.name === 'napcat' || f.name === 'llonebot')
		ev.target_id = m.senderId === ctx.selfId ? m.targetUserId : ctx.selfId;
	if (f.name === 'gocq' && m.messageType === 'group') ev.anonymous = null;
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
	f: ImplementationInfo,
	rec: LocalRecord,
	ctx: ShapeContext,
): Record<string, unknown> {
	const m = rec.msg;
	switch (f.name) {
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
	f: ImplementationInfo,
	rec: LocalRecord,
	ctx: ShapeContext,
): Record<string, unknown> {
	if (f.name === 'lagrange' || f.name === 'gocq') return messageEvent(f, rec, ctx, 'message');
	return getMsgData(f, rec, ctx);
}

export function versionInfo(f: ImplementationInfo): Record<string, unknown> {
	switch (f.name) {
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
	f: ImplementationInfo,
	online: boolean,
	stat: Record<string, number>,
): Record<string, unknown> {
	switch (f.name) {
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
