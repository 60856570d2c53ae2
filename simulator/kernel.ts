/**
 * The QQ kernel's send status of a sender's own record, and what the OneBot layers make of it: the self
 * message they push (`message_sent`) and the raw record LLOneBot returns with `debug`.
 *
 * Status values: NapNeko/NapCatQQ: packages/napcat-core/types/msg.ts `SendStatusType`
 * (0 failed, 1 sending, 2 success, 3 success without a server seq, "NOSEQ").
 * - send_msg answers only once the record reaches 2 (NapNeko/NapCatQQ: packages/napcat-core/apis/msg.ts
 *   sendMsg; LLOneBot/LLOneBot: src/ntqqapi/api/msg.ts sendMsg); the world's timeout faults are that wait
 *   running out while the record is still 1.
 * - NapCat pushes the self message only when a record that was 1 turns 2 within 10 minutes
 *   (NapNeko/NapCatQQ: packages/napcat-onebot/index.ts onAddSendMsg, `10 * 60 * 1000`; its comment: NOSEQ
 *   means the server issued no seq and the message is not pushed), and only to adapters with
 *   `reportSelfMessage` (same file, handleMsg).
 * - LLOneBot pushes `nt/message-sent` when an update of a record it saw being sent has sendStatus 2, with no
 *   time limit (LLOneBot/LLOneBot: src/ntqqapi/core.ts, v4.4.3 and v7.0.1 UPDATE_MSG hook; ≥ 5 keeps the
 *   1000 latest ids), to connections with `reportSelfMessage` (src/onebot11/connect/ws.ts, http.ts).
 * - LLOneBot adds `raw` (the whole record) to get_msg and history entries when `debug` is on
 *   (src/onebot11/entities.ts `resMsg.raw = msg`: global `debug` from v3.27, per connection from v6.3).
 *   NapCat adds `raw` only to pushed events (index.ts handleMsg, adapter `debug`).
 * - What msgSeq a record holds before the server numbered it is not confirmed by any implementation's code;
 *   the simulator shows "0" (other projects treat real_seq "0" as invalid), a hint, never proof.
 */
import type { AccountProfile as Account, LocalRecord, StoredMessage } from './types';
import { major, peerUid, versionAtLeast } from './implementations';

export type SendStatus = 0 | 1 | 2 | 3;

/** NapCat waits this long for a sending record to settle (packages/napcat-onebot/index.ts onAddSendMsg). */
export const NAPCAT_SELF_MESSAGE_WAIT_MS = 10 * 60 * 1000;

/** A record without a status was confirmed at once (the ordinary send). */
export function sendStatusOf(rec: LocalRecord): SendStatus {
	return rec.sendStatus ?? 2;
}

/**
 * Whether the account's implementation pushes a self message for this record now that it turned 2.
 * `sentAt` is when the record entered status 1; `now` when it turned 2.
 */
export function pushesSelfMessage(
	acc: Account,
	rec: LocalRecord,
	sentAt: number,
	now: number,
): boolean {
	if (!acc.cfg.reportSelfMessage || sendStatusOf(rec) !== 2) return false;
	switch (acc.cfg.flavour) {
		case 'napcat':
			return now - sentAt <= NAPCAT_SELF_MESSAGE_WAIT_MS;
		case 'llonebot':
			// Before v4.0.12 the one self message went out when the record was added (pushesSelfMessageOnAdd).
			return !pushesSelfMessageOnAdd(acc);
		default:
			// go-cqhttp and Lagrange report self messages after the server answered; no late path is modelled.
			return now === sentAt;
	}
}

/**
 * LLOneBot before v4.0.12 pushes the self message whatever the record's status: v3.28.0 when the kernel adds
 * it (LLOneBot/LLOneBot: src/main/main.ts, SELF_SEND_MSG = onAddSendMsg → postReceiveMsg, status 1), v3.31–
 * v3.32.6 on the same hook (src/ntqqapi/core.ts `nt/message-sent`), v3.32.7–v4.0.11 on the record's first
 * update without reading sendStatus (src/ntqqapi/core.ts UPDATE_MSG; `if (msg.sendStatus === 2)` only from
 * v4.0.12). The simulator pushes it as soon as the send starts, so a stuck send shows one too.
 */
export function pushesSelfMessageOnAdd(acc: Account): boolean {
	return (
		acc.cfg.flavour === 'llonebot' &&
		acc.cfg.reportSelfMessage === true &&
		!versionAtLeast(acc.cfg.version, '4.0.12')
	);
}

/** The kernel record (a subset of NapCat's RawMessage, packages/napcat-core/types/msg.ts) of a stored message. */
export function kernelRecord(rec: LocalRecord, holderId: number): Record<string, unknown> {
	const m: StoredMessage = rec.msg;
	const status = sendStatusOf(rec);
	const numbered = m.seq > 0 && (status === 2 || m.senderId !== holderId);
	return {
		msgId: rec.localMsgId,
		msgRandom: String(m.random),
		msgSeq: numbered ? String(m.seq) : '0',
		msgTime: String(m.time),
		chatType: m.messageType === 'group' ? 2 : 1,
		peerUid:
			m.messageType === 'group'
				? String(m.groupId)
				: `u_${peerUid(m.senderId === holderId ? (m.targetUserId ?? 0) : m.senderId)}`,
		peerUin: String(
			m.messageType === 'group' ? m.groupId : m.senderId === holderId ? m.targetUserId : m.senderId,
		),
		senderUin: String(m.senderId),
		guildId: '',
		msgType: 2,
		sendStatus: m.senderId === holderId ? status : 2,
	};
}

/** Whether this LLOneBot version returns `raw` in get_msg / history with `debug` (entities.ts, from v3.27). */
export function exposesRawRecord(acc: Account): boolean {
	if (acc.cfg.flavour !== 'llonebot' || !acc.cfg.debug) return false;
	return major(acc.cfg.version) >= 4 || versionAtLeast(acc.cfg.version, '3.27.0');
}

/** get_msg and history data with LLOneBot's `raw` added when its `debug` is on. */
export function withRawRecord(
	acc: Account,
	rec: LocalRecord,
	data: Record<string, unknown>,
): Record<string, unknown> {
	if (!exposesRawRecord(acc)) return data;
	return { ...data, raw: kernelRecord(rec, acc.selfId) };
}

/** What a fault's params ask of the sender's record after the send was answered. */
export interface StatusPlan {
	/** The status the record ends in. */
	status: SendStatus;
	/** When, after the send started. */
	afterMs: number;
}

/** Reads `lateStatus` / `lateAfterMs` (or the older `confirmAfterMs`) from a fault's params. */
export function statusPlan(
	params: Record<string, unknown>,
	fallback: StatusPlan | undefined,
): StatusPlan | undefined {
	const status = params.lateStatus;
	const afterMs =
		typeof params.lateAfterMs === 'number'
			? params.lateAfterMs
			: typeof params.confirmAfterMs === 'number'
				? params.confirmAfterMs
				: undefined;
	if (status === 0 || status === 1 || status === 2 || status === 3) {
		return { status, afterMs: afterMs ?? fallback?.afterMs ?? 0 };
	}
	if (fallback && afterMs !== undefined) return { ...fallback, afterMs };
	return fallback;
}
