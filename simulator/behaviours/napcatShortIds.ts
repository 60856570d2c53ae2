/**
 * NapCat's short message ids live in memory only: `MessageUnique` keeps them in two `LimitedHashTable` maps
 * (5000 entries), filled when a message is sent, received or read (NapNeko/NapCatQQ: src/common/message-unique.ts
 * `createUniqueMsgId`, v4.8.90). `get_msg` looks the id up there first and answers `消息不存在` when it is not
 * there (src/onebot/action/msg/GetMsg.ts, v4.8.90). After a NapCat restart the maps are empty, so an id handed
 * out before the restart stops resolving until the message is seen again: the id is an md5 of
 * `msgId|chatType|peerUid`, so a history read or an event gives the same id back and it resolves once more.
 * LLOneBot and go-cqhttp keep their ids in a database (a restart does not forget them).
 */

/** Per account: ids the running NapCat process has not seen since its last restart. */
const forgotten = new WeakMap<object, Set<number>>();

/** A NapCat restart: every id the account knows is forgotten by the new process. */
export function forgetShortIds(account: object, flavour: string, ids: Iterable<number>): void {
	if (flavour !== 'napcat') return;
	forgotten.set(account, new Set(ids));
}

/** Whether `get_msg` of this id answers `消息不存在` although the message exists. */
export function shortIdForgotten(account: object, id: number): boolean {
	return forgotten.get(account)?.has(id) ?? false;
}

/** The process saw the message again (a history read, an event): its id resolves from now on. */
export function shortIdSeen(account: object, id: number): void {
	forgotten.get(account)?.delete(id);
}
