/**
 * The OneBot actions an account answers, routed to the part of the world that owns them: the send path,
 * the message store and history, the lifecycle, or the account's and groups' information.
 */
import {
	actionError,
	statusData,
	unknownAction,
	versionInfo,
	type ImplementationInfo,
	type Transport,
} from '../implementations';
import { answerError, answerOk, type ActionResult } from './answers';
import type { Events } from './events';
import { history, storedMessageAction } from './history';
import type { Lifecycle } from './lifecycle';
import type { SendPath } from './send';
import type { Account, Topology } from './topology';

export class Actions {
	constructor(
		private readonly topology: Topology,
		private readonly events: Events,
		private readonly sendPath: SendPath,
		private readonly lifecycle: Lifecycle,
	) {}

	async handleAction(
		accName: string,
		action: string,
		params: Record<string, unknown>,
		transport: Transport,
	): Promise<ActionResult> {
		const acc = this.topology.account(accName);
		const f = acc.implementation;
		acc.stat.packet_received++;
		// set_restart answers by itself: a restart that throws reaches the endpoint, not an action error
		if (action === 'set_restart') return this.lifecycle.setRestart(acc, transport);
		try {
			const answer = await this.messageAction(acc, action, params, transport);
			return answer ?? this.infoAction(acc, action, params, transport);
		} catch (e) {
			return answerError(f, actionError(f, (e as Error).message ?? 'Error Handle'), transport);
		}
	}

	private unknown(f: ImplementationInfo, action: string, transport: Transport): ActionResult {
		return { ...unknownAction(f, action, transport), faults: [] };
	}

	/** Sending, reading and deleting messages; `undefined` for any other action. */
	private async messageAction(
		acc: Account,
		action: string,
		params: Record<string, unknown>,
		transport: Transport,
	): Promise<ActionResult | undefined> {
		switch (action) {
			case 'send_msg': {
				const type = params.message_type;
				const isGroup =
					type === 'group' ||
					(type !== 'private' &&
						params.group_id !== undefined &&
						params.group_id !== '' &&
						Number(params.group_id) !== 0);
				return await this.sendPath.send(
					acc,
					isGroup ? 'group' : 'private',
					params,
					transport,
					action,
				);
			}
			case 'send_group_msg':
				return await this.sendPath.send(acc, 'group', params, transport, action);
			case 'send_private_msg':
				return await this.sendPath.send(acc, 'private', params, transport, action);
			case 'get_msg':
			case 'delete_msg':
				return storedMessageAction(acc, action, params, transport);
			case 'get_group_msg_history':
				return history(this.topology, acc, 'group', params, transport);
			case 'get_friend_msg_history':
				if (acc.cfg.flavour === 'gocq') return this.unknown(acc.implementation, action, transport);
				return history(this.topology, acc, 'private', params, transport);
			default:
				return undefined;
		}
	}

	/** The account's status and identity, its groups, members and friends. */
	private infoAction(
		acc: Account,
		action: string,
		params: Record<string, unknown>,
		transport: Transport,
	): ActionResult {
		const f = acc.implementation;
		const ok = (data: unknown): ActionResult => answerOk(f, data);
		const err = (text: string, code: string) =>
			answerError(f, actionError(f, text, code), transport);
		const t = this.topology;
		switch (action) {
			case 'get_status':
				return ok(statusData(f, this.events.reportedOnline(acc), { ...acc.stat }));
			case 'get_login_info':
				return ok({ user_id: acc.selfId, nickname: acc.nickname });
			case 'get_version_info':
				return ok(versionInfo(f));
			case 'get_group_list':
				return ok(
					[...t.groups.values()]
						.filter((g) => g.members.includes(acc.name))
						.map((g) => t.groupInfo(g)),
				);
			case 'get_group_info': {
				const g = t.joinedGroup(acc, params.group_id);
				return g ? ok(t.groupInfo(g)) : err('群不存在', 'GROUP_NOT_FOUND');
			}
			case 'get_group_member_list': {
				const g = t.joinedGroup(acc, params.group_id);
				if (!g) return err('群不存在', 'GROUP_NOT_FOUND');
				return ok(g.members.map((m) => t.memberInfo(g, t.account(m))));
			}
			case 'get_group_member_info': {
				const g = t.groups.get(Number(params.group_id));
				const m = t.accountBySelfId(Number(params.user_id));
				if (!g || !m || !g.members.includes(m.name)) return err('群成员不存在', 'MEMBER_NOT_FOUND');
				return ok(t.memberInfo(g, m));
			}
			case 'get_friend_list':
				return ok(
					[...t.accounts.values()]
						.filter((o) => o !== acc && t.areFriends(acc, o))
						.map((o) => ({ user_id: o.selfId, nickname: o.nickname, remark: '' })),
				);
			case 'can_send_image':
			case 'can_send_record':
				return ok({ yes: true });
			default:
				return this.unknown(f, action, transport);
		}
	}
}
