/**
 * LLOneBot's answer to a history read of a chat with no messages: an error, not an empty list.
 * - `get_group_msg_history`: `throw '未找到消息'` from v3.30.0 (a string; BaseAction answers `e.toString()`, so
 *   the text is `未找到消息`), `throw new Error('未找到消息')` from v3.33.0 (the text is `Error: 未找到消息`),
 *   until v4.6.5; from v4.6.6 an empty list (`if (!msgList?.length) return`, commit 17793145 "fix: #536").
 *   LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts at v3.30.0, v3.33.0, v4.6.5, v4.6.6.
 * - `get_friend_msg_history` (from v3.33.0): `throw new Error('未找到消息')` until v5.10.0; v6.0.0 answers an
 *   empty list (commit 6c51b8dd "fix: get_friend_msg_history").
 *   LLOneBot/LLOneBot: src/onebot11/action/llonebot/GetFriendMsgHistory.ts at v3.33.0, v5.10.0.
 * BaseAction (src/onebot11/action/BaseAction.ts, same tags) answers HTTP with retcode 200 and the text; over
 * WebSocket retcode 1200 (simulator/implementations/envelopes.ts).
 */
import { versionAtLeast, type ImplementationInfo } from '../implementations';

/** The error text LLOneBot answers for an empty chat's history at this version, or null for an empty list. */
export function llonebotEmptyHistoryError(
	f: ImplementationInfo,
	type: 'group' | 'private',
): string | null {
	if (f.name !== 'llonebot') return null;
	const thrownAsError = versionAtLeast(f.version, '3.33.0');
	if (type === 'group') {
		if (!versionAtLeast(f.version, '3.30.0') || versionAtLeast(f.version, '4.6.6')) return null;
		return thrownAsError ? 'Error: 未找到消息' : '未找到消息';
	}
	if (!thrownAsError || versionAtLeast(f.version, '6.0.0')) return null;
	return 'Error: 未找到消息';
}
