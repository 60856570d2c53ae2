/**
 * Who is in the world: the accounts (each served by one implementation), the groups with their members,
 * and the friendships; plus the default world `npm start` and the tests run.
 */
import { defaultVersion, type ImplementationInfo, type ShapeContext } from '../implementations';
import type {
	AccountConfig,
	GroupConfig,
	ImplementationName,
	InboxEntry,
	LocalRecord,
	StoredMessage,
	WorldConfig,
} from '../types';

export const DEFAULT_GROUP_ID = 100200300;

export function defaultWorld(): WorldConfig {
	return {
		seed: 1,
		accounts: {
			// napcatQuickLogin: the demo bot has an auto-login account, so its own restarts log in again by themselves.
			bot: {
				selfId: 10001,
				nickname: 'Sentinel Bot',
				flavour: 'napcat',
				version: '4.10.32',
				token: 'bot-token',
				napcatMultiProcess: true,
				napcatQuickLogin: true,
			},
			witness: {
				selfId: 10002,
				nickname: 'Witness',
				flavour: 'napcat',
				version: '4.10.32',
				token: 'witness-token',
			},
			friend: {
				selfId: 10003,
				nickname: 'Friend',
				flavour: 'napcat',
				version: '4.10.32',
				token: 'friend-token',
			},
		},
		groups: [
			{
				groupId: DEFAULT_GROUP_ID,
				name: 'Sentinel Test Group',
				members: ['bot', 'witness', 'friend'],
			},
		],
		friends: [
			['bot', 'friend'],
			['bot', 'witness'],
		],
		containers: { 'napcat-bot': 'bot', 'napcat-witness': 'witness', 'napcat-friend': 'friend' },
	};
}

export interface EventSink {
	send(ev: Record<string, unknown>): void;
}

export interface ServerControl {
	start(): Promise<void>;
	stop(): Promise<void>;
}

type ProcessState = 'running' | 'restarting' | 'stopped';

export class Account {
	readonly name: string;
	cfg: AccountConfig & { flavour: ImplementationName; version: string };
	process: ProcessState = 'running';
	loggedIn = true;
	qrLoginPending = false;
	startedAt: number;
	sendsSinceStart = 0;
	/** LLOneBot 3.x short ids: a counter in the client's local database (src/common/db.ts addMsg). */
	localIdCounter = 0;
	records: LocalRecord[] = [];
	byMessageId = new Map<number, LocalRecord>();
	inbox: InboxEntry[] = [];
	pendingOffline: StoredMessage[] = [];
	sinks = new Set<EventSink>();
	server?: ServerControl;
	lastSentMessageId?: number;
	restartTimer?: NodeJS.Timeout;
	/**
	 * Callers waiting for the client to come back from a restart. A restart that comes in while another is
	 * under way replaces its timer; those waiting on the earlier one end with the later one (or when the
	 * process quits or the world resets), never left pending.
	 */
	restartWaiters: Array<() => void> = [];
	heartbeatTimer?: NodeJS.Timeout;
	stat = {
		packet_received: 0,
		packet_sent: 0,
		packet_lost: 0,
		message_received: 0,
		message_sent: 0,
		disconnect_times: 0,
		lost_times: 0,
	};

	constructor(name: string, cfg: AccountConfig, now: number) {
		this.name = name;
		const implementation = cfg.flavour ?? 'napcat';
		this.cfg = {
			...cfg,
			flavour: implementation,
			version: cfg.version ?? defaultVersion(implementation),
		};
		this.startedAt = now;
	}

	/** Ends every wait for a restart of this client (see restartWaiters). */
	endRestartWaits(): void {
		const waiters = this.restartWaiters;
		this.restartWaiters = [];
		for (const done of waiters) done();
	}

	get selfId(): number {
		return this.cfg.selfId;
	}
	get nickname(): string {
		return this.cfg.nickname ?? this.name;
	}
	get implementation(): ImplementationInfo {
		return { name: this.cfg.flavour, version: this.cfg.version };
	}
	get messageFormat(): 'array' | 'string' {
		return this.cfg.messageFormat ?? 'array';
	}
	/** What the message shapes (implementations/shapes.ts) read of the account holding a message. */
	get shape(): ShapeContext {
		return { selfId: this.selfId, messageFormat: this.messageFormat };
	}
	get signingKey(): string | undefined {
		return this.cfg.flavour === 'llonebot' || this.cfg.flavour === 'napcat'
			? this.cfg.token || undefined
			: this.cfg.secret || undefined;
	}
}

/** The accounts, groups and friendships of a world, and the per-account settings its config gives. */
export class Topology {
	readonly accounts = new Map<string, Account>();
	readonly groups = new Map<number, GroupConfig>();
	readonly friends = new Set<string>();

	constructor(
		private readonly config: WorldConfig,
		now: number,
	) {
		for (const [name, cfg] of Object.entries(config.accounts ?? {})) {
			if (typeof cfg.selfId !== 'number') throw new Error(`account ${name} needs a numeric selfId`);
			this.accounts.set(name, new Account(name, cfg, now));
		}
		for (const g of config.groups ?? []) {
			for (const m of g.members)
				if (!this.accounts.has(m)) throw new Error(`group ${g.groupId}: unknown member ${m}`);
			this.groups.set(Number(g.groupId), { ...g, groupId: Number(g.groupId) });
		}
		for (const [a, b] of config.friends ?? []) this.friends.add([a, b].sort().join('|'));
	}

	get kernelTimeoutMs(): number {
		return this.config.kernelTimeoutMs ?? 200;
	}
	kernelTimeoutFor(acc: Account): number {
		return acc.cfg.kernelTimeoutMs ?? this.kernelTimeoutMs;
	}
	heartbeatIntervalFor(acc: Account): number {
		return acc.cfg.heartbeatIntervalMs ?? this.config.heartbeatIntervalMs ?? 5000;
	}
	restartDowntimeFor(acc: Account): number {
		return acc.cfg.restartDowntimeMs ?? this.config.restartDowntimeMs ?? 500;
	}

	account(name: string): Account {
		const a = this.accounts.get(name);
		if (!a) throw new Error(`no such account: ${name}`);
		return a;
	}

	accountBySelfId(id: number): Account | undefined {
		for (const a of this.accounts.values()) if (a.selfId === id) return a;
		return undefined;
	}

	areFriends(a: Account, b: Account): boolean {
		return this.friends.has([a.name, b.name].sort().join('|'));
	}

	/** The group `id` names, when `acc` is one of its members. */
	joinedGroup(acc: Account, id: unknown): GroupConfig | undefined {
		const g = this.groups.get(Number(id));
		return g && g.members.includes(acc.name) ? g : undefined;
	}

	/** Who receives a message: the other members of its group, or the private peer. */
	recipients(msg: StoredMessage): Account[] {
		if (msg.messageType === 'group') {
			const g = this.groups.get(msg.groupId!);
			return g ? g.members.filter((m) => m !== msg.senderAccount).map((m) => this.account(m)) : [];
		}
		const t = this.accountBySelfId(msg.targetUserId ?? -1);
		return t && t.name !== msg.senderAccount ? [t] : [];
	}

	groupInfo(g: GroupConfig): Record<string, unknown> {
		return {
			group_id: g.groupId,
			group_name: g.name ?? String(g.groupId),
			member_count: g.members.length,
			max_member_count: 200,
		};
	}

	memberInfo(g: GroupConfig, m: Account): Record<string, unknown> {
		return {
			group_id: g.groupId,
			user_id: m.selfId,
			nickname: m.nickname,
			card: '',
			role: g.members[0] === m.name ? 'owner' : 'member',
		};
	}
}
