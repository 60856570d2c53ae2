/**
 * How NapCat routes a private send to a user: a friend gets a C2C message; a non-friend with whom the kernel
 * knows a temp chat (`getTempChatInfo` returns a `groupCode`, or the call names a `group_id`) gets it as a
 * temp chat (`KCHATTYPETEMPC2CFROMGROUP`); anyone else gets a C2C message all the same, which a one-way friend
 * (one who still has the bot as a friend) receives. Only a stranger's send is never answered by the kernel
 * (NapCatQQ #600: `Timeout ... EventRet: {}`).
 * Sources: NapNeko/NapCatQQ: src/onebot/action/msg/SendMsg.ts `createContext` (v4.8.90) and
 * packages/napcat-onebot/action/msg/SendMsg.ts `createContext` (v4.10.32), the same logic.
 */
export type NapcatPrivateRoute = 'friend' | 'temp_chat' | 'one_way_friend' | 'stranger';

export interface PrivateReach {
	/** Mutual friends (get_friend_list lists them). */
	friends: ReadonlySet<string>;
	/** Pairs with an open temp chat through a shared group. */
	tempChats: ReadonlySet<string>;
	/** `receiver|sender`: the receiver still has the sender as a friend; the sender's friend list lacks them. */
	oneWayFriends: ReadonlySet<string>;
}

export function pairKey(a: string, b: string): string {
	return [a, b].sort().join('|');
}

/** `sender` sends a private message to `receiver` (account names; receiver undefined = no such account). */
export function napcatPrivateRoute(
	reach: PrivateReach,
	sender: string,
	receiver: string | undefined,
	groupIdGiven: boolean,
): NapcatPrivateRoute {
	if (receiver === undefined) return 'stranger';
	if (reach.friends.has(pairKey(sender, receiver))) return 'friend';
	if (groupIdGiven || reach.tempChats.has(pairKey(sender, receiver))) return 'temp_chat';
	if (reach.oneWayFriends.has(`${receiver}|${sender}`)) return 'one_way_friend';
	return 'stranger';
}

/** Reads the world settings into the sets `napcatPrivateRoute` takes. */
export function privateReach(config: {
	friends?: Array<[string, string]>;
	tempChats?: Array<[string, string]>;
	oneWayFriends?: Array<[string, string]>;
}): PrivateReach {
	return {
		friends: new Set((config.friends ?? []).map(([a, b]) => pairKey(a, b))),
		tempChats: new Set((config.tempChats ?? []).map(([a, b]) => pairKey(a, b))),
		oneWayFriends: new Set((config.oneWayFriends ?? []).map(([r, s]) => `${r}|${s}`)),
	};
}
