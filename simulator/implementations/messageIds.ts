/** The message_id each implementation assigns to a stored message, and the peer ids it is built from. */
import type { StoredMessage } from '../types';
import { crc32, md5Int31, md5UInt32, toInt32 } from '../rng';
import { major, versionAtLeast, type ImplementationInfo } from './versions';

export function peerUid(userId: number): string {
	return md5Int31(`uid:${userId}`).toString(36).padStart(8, '0') + (userId % 9973).toString(36);
}

/** The message_id the holder's implementation assigns to a stored message. */
export function messageIdFor(
	f: ImplementationInfo,
	msg: StoredMessage,
	holderId: number,
	localMsgId: string,
	localCounter?: number,
): number {
	const chatType = msg.messageType === 'group' ? 2 : 1;
	const peer =
		msg.messageType === 'group' ? String(msg.groupId) : `u_${peerUid(peerOf(msg, holderId))}`;
	switch (f.name) {
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
