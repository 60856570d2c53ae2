/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The simulated QQ world: accounts, groups, friends, message delivery, local stores, restarts, events.
 * Long because it is one state machine: every OneBot action reads and changes the same accounts, stores and
 * fault table; wire shapes per implementation are in flavours.ts, the endpoints in account-server.ts.
 */
import { llonebotEmptyHistoryError } from './behaviours/llonebotHistory';
import { napcatPrivateRoute, privateReach } from './behaviours/napcatPrivate';
import { forgetShortIds, shortIdForgotten, shortIdSeen } from './behaviours/napcatShortIds';
import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { Clock } from './clock';
import {
	FaultSet,
	SEND_KINDS,
	curedByRestart,
	type ActiveFault,
	type FaultContext,
} from './faults';
import * as F from './flavours';
import type { FlavourInfo, Reply, Transport } from './flavours';
import { normalizeMessage, plainText, toCqString } from './message';
import {
	pushesSelfMessage,
	pushesSelfMessageOnAdd,
	statusPlan,
	withRawRecord,
	type StatusPlan,
} from './kernel';
import { hashSeed, mulberry32, type Rng } from './rng';
import type {
	AccountConfig,
	CallRecord,
	FaultKind,
	FaultSpec,
	FlavourName,
	GroupConfig,
	InboxEntry,
	LocalRecord,
	ReportRecord,
	StoredMessage,
	WorldConfig,
} from './types';

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

export interface ActionResult extends Reply {
	faults: string[];
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
	cfg: AccountConfig & { flavour: FlavourName; version: string };
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
		const flavour = cfg.flavour ?? 'napcat';
		this.cfg = { ...cfg, flavour, version: cfg.version ?? F.defaultVersion(flavour) };
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
	get flavour(): FlavourInfo {
		return { flavour: this.cfg.flavour, version: this.cfg.version };
	}
	get messageFormat(): 'array' | 'string' {
		return this.cfg.messageFormat ?? 'array';
	}
	get signingKey(): string | undefined {
		return this.cfg.flavour === 'llonebot' || this.cfg.flavour === 'napcat'
			? this.cfg.token || undefined
			: this.cfg.secret || undefined;
	}
}

interface SendOutcome {
	reply: ActionResult;
}

export class World {
	readonly clock: Clock;
	readonly config: WorldConfig;
	accounts = new Map<string, Account>();
	groups = new Map<number, GroupConfig>();
	friends = new Set<string>();
	faults: FaultSet;
	messages: Array<
		StoredMessage & { deliveredTo: string[]; droppedFor: string[]; pendingFor: string[] }
	> = [];
	calls: CallRecord[] = [];
	reports: ReportRecord[] = [];
	restarts: Array<{
		account: string;
		via: string;
		at: number;
		until: number;
		needsQrLogin: boolean;
	}> = [];
	private groupSeq = new Map<number, number>();
	private privateSeq = new Map<string, number>();
	private rng: Rng;
	private callCounter = 0;
	private msgCounter = 0;
	private timers = new Set<NodeJS.Timeout>();
	private closed = false;
	/** bumped by reset(): deliveries scheduled before a reset are dropped */
	private generation = 0;
	log: (line: string) => void = () => {};
	/** NapCat WebUI session state: issued credentials (expiry on the simulated clock) and recent logins */
	webui = {
		credentials: new Map<string, number>(),
		loginWindow: null as { startedAt: number; count: number } | null,
	};

	constructor(config: WorldConfig, clock: Clock) {
		this.config = config;
		this.clock = clock;
		const seed = config.seed ?? 1;
		this.rng = mulberry32(hashSeed('world', seed));
		this.faults = new FaultSet(seed, () => clock.now());
		this.build();
	}

	private build(): void {
		const now = this.clock.now();
		for (const [name, cfg] of Object.entries(this.config.accounts ?? {})) {
			if (typeof cfg.selfId !== 'number') throw new Error(`account ${name} needs a numeric selfId`);
			this.accounts.set(name, new Account(name, cfg, now));
		}
		for (const g of this.config.groups ?? []) {
			for (const m of g.members)
				if (!this.accounts.has(m)) throw new Error(`group ${g.groupId}: unknown member ${m}`);
			this.groups.set(Number(g.groupId), { ...g, groupId: Number(g.groupId) });
		}
		for (const [a, b] of this.config.friends ?? []) this.friends.add([a, b].sort().join('|'));
		for (const f of this.config.faults ?? []) this.faults.add(f);
	}

	// ------------------------------------------------------------ settings

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

	// ------------------------------------------------------------ timers

	later(ms: number, fn: () => void): NodeJS.Timeout {
		const t = this.clock.setTimeout(() => {
			this.timers.delete(t);
			if (!this.closed) fn();
		}, ms);
		this.timers.add(t);
		return t;
	}

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const t = this.clock.setTimeout(() => {
				this.timers.delete(t);
				resolve();
			}, ms);
			this.timers.add(t);
		});
	}

	cancel(t: NodeJS.Timeout | undefined): void {
		if (!t) return;
		clearTimeout(t);
		clearInterval(t);
		this.timers.delete(t);
	}

	close(): void {
		this.closed = true;
		for (const t of this.timers) {
			clearTimeout(t);
			clearInterval(t);
		}
		this.timers.clear();
		for (const a of this.accounts.values()) {
			this.cancel(a.heartbeatTimer);
			this.cancel(a.restartTimer);
			a.endRestartWaits();
		}
	}

	// ------------------------------------------------------------ calls log

	recordCall(c: Omit<CallRecord, 'n'>): CallRecord {
		const rec = { n: ++this.callCounter, ...c };
		this.calls.push(rec);
		if (this.calls.length > 20000) this.calls.splice(0, this.calls.length - 20000);
		return rec;
	}

	// ------------------------------------------------------------ actions

	async handleAction(
		accName: string,
		action: string,
		params: Record<string, unknown>,
		transport: Transport,
	): Promise<ActionResult> {
		const acc = this.account(accName);
		const f = acc.flavour;
		acc.stat.packet_received++;
		const ok = (data: unknown): ActionResult => ({
			httpStatus: 200,
			body: F.okBody(f, data),
			faults: [],
		});
		const err = (e: F.ErrorSpec, faults: string[] = []): ActionResult => ({
			httpStatus: 200,
			body: F.errorBody(f, e, transport),
			faults,
		});
		const unknown = (): ActionResult => ({ ...F.unknownAction(f, action, transport), faults: [] });
		try {
			switch (action) {
				case 'send_msg': {
					const type = params.message_type;
					const isGroup =
						type === 'group' ||
						(type !== 'private' &&
							params.group_id !== undefined &&
							params.group_id !== '' &&
							Number(params.group_id) !== 0);
					return await this.send(acc, isGroup ? 'group' : 'private', params, transport, action);
				}
				case 'send_group_msg':
					return await this.send(acc, 'group', params, transport, action);
				case 'send_private_msg':
					return await this.send(acc, 'private', params, transport, action);
				case 'get_msg': {
					const rec = acc.byMessageId.get(Number(params.message_id));
					if (!rec || params.message_id === undefined) return err(this.notFound(f));
					if (shortIdForgotten(acc, rec.messageId)) return err(this.notFound(f));
					return ok(withRawRecord(acc, rec, F.getMsgData(f, rec, this.shape(acc))));
				}
				case 'delete_msg': {
					const id = Number(params.message_id);
					const rec = acc.byMessageId.get(id);
					if (!rec) return err(this.notFound(f));
					acc.byMessageId.delete(id);
					acc.records = acc.records.filter((r) => r !== rec);
					return ok(null);
				}
				case 'get_group_msg_history':
					return this.history(acc, 'group', params, transport);
				case 'get_friend_msg_history':
					if (f.flavour === 'gocq') return unknown();
					return this.history(acc, 'private', params, transport);
				case 'get_status':
					return ok(F.statusData(f, this.reportedOnline(acc), { ...acc.stat }));
				case 'get_login_info':
					return ok({ user_id: acc.selfId, nickname: acc.nickname });
				case 'get_version_info':
					return ok(F.versionInfo(f));
				case 'set_restart':
					return this.setRestart(acc, params, transport);
				case 'get_group_list':
					return ok(
						[...this.groups.values()]
							.filter((g) => g.members.includes(acc.name))
							.map((g) => this.groupInfo(g)),
					);
				case 'get_group_info': {
					const g = this.joinedGroup(acc, params.group_id);
					if (!g) return err(F.actionError(f, '群不存在', 'GROUP_NOT_FOUND'));
					return ok(this.groupInfo(g));
				}
				case 'get_group_member_list': {
					const g = this.joinedGroup(acc, params.group_id);
					if (!g) return err(F.actionError(f, '群不存在', 'GROUP_NOT_FOUND'));
					return ok(g.members.map((m) => this.memberInfo(g, this.account(m))));
				}
				case 'get_group_member_info': {
					const g = this.groups.get(Number(params.group_id));
					const m = this.accountBySelfId(Number(params.user_id));
					if (!g || !m || !g.members.includes(m.name))
						return err(F.actionError(f, '群成员不存在', 'MEMBER_NOT_FOUND'));
					return ok(this.memberInfo(g, m));
				}
				case 'get_friend_list':
					return ok(
						[...this.accounts.values()]
							.filter((o) => o !== acc && this.areFriends(acc, o))
							.map((o) => ({ user_id: o.selfId, nickname: o.nickname, remark: '' })),
					);
				case 'can_send_image':
				case 'can_send_record':
					return ok({ yes: true });
				default:
					return unknown();
			}
		} catch (e) {
			return err(F.actionError(f, (e as Error).message ?? 'Error Handle'));
		}
	}

	/** The group `id` names, when `acc` is one of its members. */
	private joinedGroup(acc: Account, id: unknown): GroupConfig | undefined {
		const g = this.groups.get(Number(id));
		return g && g.members.includes(acc.name) ? g : undefined;
	}

	private groupInfo(g: GroupConfig): Record<string, unknown> {
		return {
			group_id: g.groupId,
			group_name: g.name ?? String(g.groupId),
			member_count: g.members.length,
			max_member_count: 200,
		};
	}

	private memberInfo(g: GroupConfig, m: Account): Record<string, unknown> {
		return {
			group_id: g.groupId,
			user_id: m.selfId,
			nickname: m.nickname,
			card: '',
			role: g.members[0] === m.name ? 'owner' : 'member',
		};
	}

	private notFound(f: FlavourInfo): F.ErrorSpec {
		if (f.flavour === 'gocq') return F.gocqFailed('MSG_NOT_FOUND', '消息不存在');
		return F.actionError(f, '消息不存在');
	}

	shape(acc: Account): F.ShapeContext {
		return { selfId: acc.selfId, messageFormat: acc.messageFormat };
	}

	/**
	 * `online` in get_status and heartbeats, per implementation (field notes §4): Lagrange hard-codes true;
	 * LLOneBot 4.x never sets it false (LLOneBot/LLOneBot: src/onebot11/connect/ws.ts `selfInfo.online`, v4.4.3);
	 * NapCat turns it false on a network drop (the `online_false` fault) or a kick; go-cqhttp tracks the login.
	 */
	reportedOnline(acc: Account): boolean {
		if (acc.cfg.flavour === 'lagrange') return true;
		if (acc.cfg.flavour === 'llonebot' && F.major(acc.cfg.version) < 5) return true;
		if (this.faults.fire(['online_false'], { account: acc.name })) return false;
		return acc.loggedIn;
	}

	/**
	 * Whether heartbeats go out over HTTP POST reporting (field notes §4): NapCat never (WebSocket only:
	 * NapNeko/NapCatQQ: packages/napcat-onebot/network); LLOneBot only with `enableHttpHeart`, off by default
	 * (LLOneBot/LLOneBot: src/onebot11/connect/http.ts, src/common/config.ts); go-cqhttp and Lagrange yes.
	 */
	httpHeartbeats(acc: Account): boolean {
		switch (acc.cfg.flavour) {
			case 'napcat':
				return false;
			case 'llonebot':
				return acc.cfg.reportHeartbeat === true;
			default:
				return acc.cfg.reportHeartbeat !== false;
		}
	}

	// ------------------------------------------------------------ sending

	private async send(
		acc: Account,
		type: 'group' | 'private',
		params: Record<string, unknown>,
		transport: Transport,
		action: string,
	): Promise<ActionResult> {
		const f = acc.flavour;
		const err = (e: F.ErrorSpec, faults: string[] = []): ActionResult => ({
			httpStatus: 200,
			body: F.errorBody(f, e, transport),
			faults,
		});
		const target = Number(type === 'group' ? params.group_id : params.user_id);
		if ((!Number.isFinite(target) || target <= 0) && F.llonebotAsksForTarget(f))
			return err({ retcode: 200, message: '请指定 group_id 或 user_id' });
		if (!Number.isFinite(target) || target <= 0)
			return err(
				F.validationError(
					f,
					type === 'group' ? '缺少参数 group_id' : '缺少参数 user_id',
					transport,
				),
			);
		const autoEscape =
			params.auto_escape === true ||
			params.auto_escape === 'true' ||
			params.auto_escape === 1 ||
			params.auto_escape === '1';
		const segments = normalizeMessage(params.message, autoEscape);
		if (!segments) {
			if (f.flavour === 'gocq') return err(F.gocqFailed('EMPTY_MSG_ERROR', '消息为空'));
			return err(F.actionError(f, '消息体无法解析, 请检查是否发送了不支持的消息类型'));
		}
		if (type === 'group') {
			const g = this.groups.get(target);
			if (!g || !g.members.includes(acc.name)) return err(F.notInGroupError(f));
		}
		const draft = this.draftMessage(
			acc,
			type,
			{
				groupId: type === 'group' ? target : undefined,
				userId: type === 'private' ? target : undefined,
			},
			segments,
		);
		const napcatTimeout =
			f.flavour === 'napcat' && params.timeout !== undefined ? Number(params.timeout) : undefined;
		const kernelTimeout =
			napcatTimeout && napcatTimeout > 0 ? napcatTimeout : this.kernelTimeoutFor(acc);
		if (type === 'private' && f.flavour === 'napcat') {
			// NapCatQQ #600: a private message to a stranger is never answered by the kernel; NapCat answers
			// `Timeout: NTEvent ... EventRet:\n{}` after the wait (napcat-core/apis/msg.ts). Nothing is sent. A temp
			// chat or a one-way friend gets the message (./behaviours/napcatPrivate.ts).
			const peer = this.accountBySelfId(target);
			const reach = { ...privateReach(this.config), friends: this.friends };
			if (
				napcatPrivateRoute(reach, acc.name, peer?.name, params.group_id !== undefined) ===
				'stranger'
			) {
				await this.sleep(kernelTimeout);
				return err(F.sendTimeoutError(f, draft));
			}
		}

		if (!acc.loggedIn) {
			await this.sleep(kernelTimeout);
			return err(F.sendTimeoutError(f, draft));
		}
		acc.sendsSinceStart++;
		const ctx: FaultContext = {
			account: acc.name,
			action,
			messageType: type,
			group: type === 'group' ? target : undefined,
			user: type === 'private' ? target : undefined,
			transport,
		};
		const picked = this.pickSendFault(acc, ctx);
		const outcome = await this.applySend(acc, draft, picked, kernelTimeout, transport);
		return outcome.reply;
	}

	private pickSendFault(
		acc: Account,
		ctx: FaultContext,
	): { kind: FaultKind; spec: FaultSpec; id: string } | undefined {
		// degradation first: once the threshold is passed, its `then` fault applies until a restart
		for (const d of this.faults.matching(['degrade_after'], ctx)) {
			const p = d.spec.params ?? {};
			const uptime = this.clock.now() - acc.startedAt;
			const hit =
				(typeof p.sends === 'number' && acc.sendsSinceStart > p.sends) ||
				(typeof p.uptimeMs === 'number' && uptime >= p.uptimeMs);
			if (!hit) continue;
			const then: FaultSpec =
				typeof d.spec.then === 'object' && d.spec.then
					? d.spec.then
					: { kind: (d.spec.then as FaultKind) ?? 'stuck_group' };
			if (then.kind === 'stuck_group' && ctx.messageType !== 'group') continue;
			if (then.scope?.messageType && then.scope.messageType !== ctx.messageType) continue;
			const prob = then.probability ?? 1;
			if (prob < 1 && d.rng() >= prob) continue;
			d.applied++;
			return { kind: then.kind, spec: { ...then, params: { ...(then.params ?? {}) } }, id: d.id };
		}
		for (const fa of this.faults.matching(SEND_KINDS, ctx)) {
			if (fa.spec.kind === 'stuck_group' && ctx.messageType !== 'group') continue;
			if (this.faults.tryFire(fa)) return { kind: fa.spec.kind, spec: fa.spec, id: fa.id };
		}
		return undefined;
	}

	private async applySend(
		acc: Account,
		draft: StoredMessage,
		picked: { kind: FaultKind; spec: FaultSpec; id: string } | undefined,
		kernelTimeout: number,
		transport: Transport,
	): Promise<SendOutcome> {
		const f = acc.flavour;
		const faults = picked ? [picked.id] : [];
		const p = picked?.spec.params ?? {};
		const ok = (data: unknown): SendOutcome => ({
			reply: { httpStatus: 200, body: F.okBody(f, data), faults },
		});
		const err = (e: F.ErrorSpec): SendOutcome => {
			if (typeof p.retcode === 'number') e = { ...e, retcode: p.retcode };
			if (typeof p.message === 'string')
				e = { ...e, message: p.message, wording: p.message, msg: e.msg };
			return { reply: { httpStatus: 200, body: F.errorBody(f, e, transport), faults } };
		};
		const afterMs = typeof p.afterMs === 'number' ? p.afterMs : kernelTimeout;
		const delivered = (def: boolean) => (typeof p.delivered === 'boolean' ? p.delivered : def);
		const storedForSender = (def: boolean) =>
			typeof p.storedForSender === 'boolean' ? p.storedForSender : def;
		const kind = picked?.kind;
		const note = (msg: StoredMessage) => {
			if (kind) msg.fault = kind;
		};

		switch (kind) {
			case undefined: {
				const msg = this.accept(draft, acc);
				const rec = this.storeLocal(acc, msg, false);
				this.deliver(msg);
				acc.lastSentMessageId = rec.messageId;
				acc.stat.message_sent++;
				this.selfReport(acc, rec);
				return ok({ message_id: rec.messageId });
			}
			case 'silent_drop': {
				const msg = this.accept(draft, acc, false);
				note(msg);
				const rec = this.storeLocal(acc, msg, false);
				acc.lastSentMessageId = rec.messageId;
				return ok({ message_id: rec.messageId });
			}
			case 'timeout_not_delivered':
			case 'stuck_group': {
				if (storedForSender(true)) {
					const msg = this.accept(draft, acc, false, false);
					note(msg);
					const rec = this.storeLocal(acc, msg, false);
					rec.sendStatus = 1;
					if (pushesSelfMessageOnAdd(acc)) this.selfReport(acc, rec, true);
					// Left at 1 unless params.lateStatus says otherwise; a late 2 reaches the members, a NOSEQ 3 only with params.delivered.
					const plan = statusPlan(p, undefined);
					this.settleLater(
						acc,
						rec,
						msg,
						plan,
						plan?.status === 3 ? delivered(false) : delivered(true),
					);
				} else this.trackUnaccepted(draft, kind);
				await this.sleep(afterMs);
				return err(F.sendTimeoutError(f, draft, p.eventRet === 'accepted' ? 'accepted' : 'none'));
			}
			case 'timeout_delivered': {
				const msg = this.accept(draft, acc);
				note(msg);
				const rec = this.storeLocal(acc, msg, false);
				this.deliver(msg);
				// The kernel confirms after the wait ran out: 1 -> 2 late (simulator/kernel.ts).
				rec.sendStatus = 1;
				if (pushesSelfMessageOnAdd(acc)) this.selfReport(acc, rec, true);
				this.settleLater(acc, rec, msg, statusPlan(p, { status: 2, afterMs: afterMs + 10 }), true);
				await this.sleep(afterMs);
				return err(F.sendTimeoutError(f, draft, p.eventRet === 'none' ? 'none' : 'accepted'));
			}
			case 'data_null': {
				if (delivered(false)) {
					const msg = this.accept(draft, acc);
					note(msg);
					this.storeLocal(acc, msg, false);
					this.deliver(msg);
				} else if (storedForSender(true)) {
					const msg = this.accept(draft, acc, false, false);
					note(msg);
					this.storeLocal(acc, msg, false);
				} else this.trackUnaccepted(draft, kind);
				return ok(null);
			}
			case 'message_id_zero': {
				if (delivered(false)) {
					const msg = this.accept(draft, acc);
					note(msg);
					this.storeLocal(acc, msg, false);
					this.deliver(msg);
				} else this.trackUnaccepted(draft, kind);
				return ok({ message_id: 0 });
			}
			case 'repeated_message_id': {
				let id = acc.lastSentMessageId;
				if (delivered(false)) {
					const msg = this.accept(draft, acc);
					note(msg);
					const rec = this.storeLocal(acc, msg, false);
					this.deliver(msg);
					if (id === undefined) id = rec.messageId;
				} else this.trackUnaccepted(draft, kind);
				if (id === undefined) id = typeof p.messageId === 'number' ? p.messageId : 1;
				acc.lastSentMessageId = id;
				return ok({ message_id: id });
			}
			case 'risk_control': {
				this.trackUnaccepted(draft, kind);
				const e = F.riskControlError(f, draft);
				if (f.flavour === 'llonebot' || f.flavour === 'napcat') await this.sleep(afterMs);
				return err(e);
			}
			case 'not_in_group':
				this.trackUnaccepted(draft, kind);
				return err(F.notInGroupError(f, draft));
			case 'muted':
				this.trackUnaccepted(draft, kind);
				return err(F.mutedError(f, draft));
			default:
				return ok(null);
		}
	}

	private trackUnaccepted(draft: StoredMessage, kind: string): void {
		draft.fault = kind;
		this.messages.push({ ...draft, deliveredTo: [], droppedFor: [], pendingFor: [] });
	}

	/** Give the message its server sequence (when the server accepted it) and list it in the ground truth. */
	private accept(
		draft: StoredMessage,
		_acc: Account,
		serverAccepted = true,
		countSeq = true,
	): StoredMessage & { deliveredTo: string[]; droppedFor: string[]; pendingFor: string[] } {
		const msg = {
			...draft,
			deliveredTo: [] as string[],
			droppedFor: [] as string[],
			pendingFor: [] as string[],
		};
		if (countSeq) this.numberMessage(msg);
		msg.accepted = serverAccepted;
		this.messages.push(msg);
		if (this.messages.length > 20000) this.messages.splice(0, this.messages.length - 20000);
		return msg;
	}

	/** The server's sequence number for a message it accepted (group: per group; private: per pair). */
	private numberMessage(msg: StoredMessage): void {
		if (msg.messageType === 'group') {
			const s = (this.groupSeq.get(msg.groupId!) ?? 1000) + 1;
			this.groupSeq.set(msg.groupId!, s);
			msg.seq = s;
		} else {
			const k = [msg.senderId, msg.targetUserId].sort().join('|');
			const s = (this.privateSeq.get(k) ?? 0) + 1;
			this.privateSeq.set(k, s);
			msg.seq = s;
		}
	}

	storeLocal(acc: Account, msg: StoredMessage, offline: boolean): LocalRecord {
		const localMsgId =
			'7' +
			String(Math.floor(this.rng() * 1e9)).padStart(9, '0') +
			String(Math.floor(this.rng() * 1e9)).padStart(9, '0');
		const messageId = F.messageIdFor(
			acc.flavour,
			msg,
			acc.selfId,
			localMsgId,
			++acc.localIdCounter,
		);
		const rec: LocalRecord = { msg, localMsgId, messageId, storedAt: this.clock.now(), offline };
		acc.records.push(rec);
		if (acc.records.length > 5000) acc.records.splice(0, acc.records.length - 5000);
		acc.byMessageId.set(messageId, rec);
		return rec;
	}

	private recipients(msg: StoredMessage): Account[] {
		if (msg.messageType === 'group') {
			const g = this.groups.get(msg.groupId!);
			return g ? g.members.filter((m) => m !== msg.senderAccount).map((m) => this.account(m)) : [];
		}
		const t = this.accountBySelfId(msg.targetUserId ?? -1);
		return t && t.name !== msg.senderAccount ? [t] : [];
	}

	deliver(
		msg: StoredMessage & { deliveredTo: string[]; droppedFor: string[]; pendingFor: string[] },
	): void {
		for (const r of this.recipients(msg)) {
			const base = this.config.deliveryDelayMs ?? 20;
			const jitter = this.config.deliveryJitterMs ?? 0;
			const delay = base + (jitter > 0 ? Math.floor(this.rng() * jitter) : 0);
			const gen = this.generation;
			this.later(delay, () => {
				if (gen === this.generation) this.receive(r, msg);
			});
		}
	}

	private receive(
		r: Account,
		msg: StoredMessage & { deliveredTo: string[]; droppedFor: string[]; pendingFor: string[] },
	): void {
		const ctx: FaultContext = {
			account: r.name,
			messageType: msg.messageType,
			group: msg.groupId,
			user: msg.messageType === 'private' ? msg.senderId : undefined,
		};
		if (this.faults.fire(['receive_drop'], ctx)) {
			msg.droppedFor.push(r.name);
			return;
		}
		if (r.process !== 'running' || !r.loggedIn) {
			msg.pendingFor.push(r.name);
			r.pendingOffline.push(msg);
			return;
		}
		this.land(r, msg, false);
	}

	private land(
		r: Account,
		msg: StoredMessage & { deliveredTo: string[]; pendingFor: string[] },
		offline: boolean,
	): void {
		const rec = this.storeLocal(r, msg, offline);
		msg.deliveredTo.push(r.name);
		msg.pendingFor = msg.pendingFor.filter((n) => n !== r.name);
		r.stat.message_received++;
		r.inbox.push({
			messageType: msg.messageType,
			groupId: msg.groupId,
			fromAccount: msg.senderAccount,
			fromUserId: msg.senderId,
			text: plainText(msg.segments),
			segments: msg.segments.map((s) => ({ type: s.type, data: { ...s.data } })),
			rawMessage: msg.raw,
			time: msg.time,
			receivedAt: this.clock.now(),
			seq: msg.seq,
			messageId: rec.messageId,
			whileOffline: offline,
		});
		if (!offline) this.emit(r, F.messageEvent(r.flavour, rec, this.shape(r)));
	}

	private flushPending(acc: Account): void {
		const pending = acc.pendingOffline;
		acc.pendingOffline = [];
		for (const m of pending)
			this.land(acc, m as StoredMessage & { deliveredTo: string[]; pendingFor: string[] }, true);
	}

	/**
	 * Moves the sender's record out of status 1 as `plan` says (simulator/kernel.ts): 2 means the server
	 * acknowledged it (numbered, delivered to the members when `deliverOnConfirm` and not yet, self message
	 * pushed where the implementation pushes it); 3 (NOSEQ) and 0 push nothing.
	 */
	private settleLater(
		acc: Account,
		rec: LocalRecord,
		msg: StoredMessage & { deliveredTo: string[]; droppedFor: string[]; pendingFor: string[] },
		plan: StatusPlan | undefined,
		deliverOnConfirm: boolean,
	): void {
		if (!plan || plan.status === 1) return;
		const sentAt = msg.timeMs;
		const gen = this.generation;
		this.later(Math.max(0, sentAt + plan.afterMs - this.clock.now()), () => {
			if (gen !== this.generation) return;
			rec.sendStatus = plan.status;
			if (plan.status !== 2 && plan.status !== 3) return;
			const undelivered =
				msg.deliveredTo.length === 0 && msg.droppedFor.length === 0 && msg.pendingFor.length === 0;
			if (plan.status === 2) {
				if (msg.seq === 0) this.numberMessage(msg);
				msg.accepted = true;
				if (deliverOnConfirm && undelivered) this.deliver(msg);
				if (pushesSelfMessage(acc, rec, sentAt, this.clock.now())) this.selfReport(acc, rec);
			} else if (deliverOnConfirm && undelivered) {
				msg.accepted = true;
				this.deliver(msg);
			}
		});
	}

	/** `anyStatus`: LLOneBot < 4.0.12 pushes it whatever the record's status (simulator/kernel.ts pushesSelfMessageOnAdd). */
	private selfReport(acc: Account, rec: LocalRecord, anyStatus = false): void {
		if (!acc.cfg.reportSelfMessage || (!anyStatus && (rec.sendStatus ?? 2) !== 2)) return;
		const post = acc.cfg.flavour === 'lagrange' ? 'message' : 'message_sent';
		this.emit(acc, F.messageEvent(acc.flavour, rec, this.shape(acc), post));
	}

	/** A message from `acc`, not yet accepted (no seq, no message_id), stamped with the world clock. */
	private draftMessage(
		acc: Account,
		type: 'group' | 'private',
		target: { groupId?: number; userId?: number },
		segments: StoredMessage['segments'],
	): StoredMessage {
		const now = this.clock.now();
		return {
			key: `m${++this.msgCounter}`,
			messageType: type,
			groupId: target.groupId,
			targetUserId: target.userId,
			senderAccount: acc.name,
			senderId: acc.selfId,
			senderNickname: acc.nickname,
			seq: 0,
			random: Math.floor(this.rng() * 0x7fffffff),
			time: Math.floor(now / 1000),
			timeMs: now,
			segments,
			raw: toCqString(segments),
			accepted: false,
		};
	}

	/** Inject a message from an account straight into the world (no API, no faults). */
	injectMessage(
		accName: string,
		target: { groupId?: number; userId?: number },
		message: unknown,
		autoEscape = false,
	): StoredMessage {
		const acc = this.account(accName);
		const segments = normalizeMessage(message, autoEscape);
		if (!segments) throw new Error('empty message');
		const draft = this.draftMessage(acc, target.groupId ? 'group' : 'private', target, segments);
		const msg = this.accept(draft, acc);
		this.storeLocal(acc, msg, false);
		this.deliver(msg);
		return msg;
	}

	// ------------------------------------------------------------ history

	private history(
		acc: Account,
		type: 'group' | 'private',
		params: Record<string, unknown>,
		transport: Transport,
	): ActionResult {
		const f = acc.flavour;
		const ok = (list: LocalRecord[]): ActionResult => ({
			httpStatus: 200,
			body: F.okBody(f, { messages: list.map((r) => this.historyItem(acc, r)) }),
			faults: [],
		});
		const err = (e: F.ErrorSpec): ActionResult => ({
			httpStatus: 200,
			body: F.errorBody(f, e, transport),
			faults: [],
		});
		const peer = Number(type === 'group' ? params.group_id : params.user_id);
		if (!Number.isFinite(peer) || peer <= 0)
			return err(F.actionError(f, type === 'group' ? '缺少参数 group_id' : '缺少参数 user_id'));
		if (type === 'group') {
			const g = this.groups.get(peer);
			if (!g || !g.members.includes(acc.name)) {
				if (f.flavour === 'gocq') return err(F.gocqFailed('GROUP_NOT_FOUND', '群聊不存在'));
				return err(F.actionError(f, '群不存在'));
			}
		}
		const chat = acc.records.filter((r) =>
			type === 'group'
				? r.msg.messageType === 'group' && r.msg.groupId === peer
				: r.msg.messageType === 'private' && F.peerOf(r.msg, acc.selfId) === peer,
		);
		const count =
			params.count === undefined || params.count === ''
				? 20
				: Math.max(0, Number(params.count) || 0);
		const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';
		let list: LocalRecord[];
		switch (f.flavour) {
			case 'llonebot': {
				// LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts. From v4.6.2 message_seq
				// is a server seq (getMsgsBySeqAndCount); before, it is a short id looked up in the store
				// (getMsgInfoByShortId), unknown → `消息X不存在`; an empty chat → `未找到消息`.
				const seq = numberOrZero(params.message_seq);
				let end = chat.length;
				let start: number | undefined;
				if (seq && F.llonebotHasServerSeq(f)) {
					let idx = -1;
					for (let i = 0; i < chat.length; i++)
						if (chat[i].msg.seq > 0 && chat[i].msg.seq <= seq) idx = i;
					end = idx + 1;
				} else if (seq) {
					const idx = chat.findIndex((r) => r.messageId === seq);
					if (idx < 0) return err(F.actionError(f, `消息${seq}不存在`));
					end = idx + 1;
					// v4.0.0–4.0.8 call getMsgHistory with queryOrder false: the anchor and newer messages
					// (LLOneBot/LLOneBot: src/onebot11/action/go-cqhttp/GetGroupMsgHistory.ts v4.0.5; `true` from v4.0.9).
					if (F.llonebotHistoryForward(f)) {
						start = idx;
						end = Math.min(chat.length, idx + count);
					}
				}
				list = chat.slice(start ?? Math.max(0, end - count), end);
				const empty = list.length === 0 ? llonebotEmptyHistoryError(f, type) : null;
				if (empty) return err({ retcode: 200, message: empty });
				if (truthy(params.reverseOrder)) list.reverse();
				break;
			}
			case 'napcat': {
				// NapNeko/NapCatQQ: packages/napcat-onebot/action/go-cqhttp/GetGroupMsgHistory.ts (v4.10.32;
				// src/onebot/action/go-cqhttp/GetGroupMsgHistory.ts v4.8.90): message_seq is a short message_id
				// (an unknown one reads from the latest message here); with it, getMsgHistory(..., reverseOrder)
				// returns the anchor and the `count - 1` NEWER messages unless reverseOrder (or reverse_order, read
				// from v4.9.74) is true (NapCatQQ #441, #987); without it, the latest `count`.
				const anchorId = numberOrZero(params.message_seq);
				const older =
					truthy(params.reverseOrder) ||
					(F.versionAtLeast(f.version, '4.9.74') && truthy(params.reverse_order));
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
				list = chat.slice(start, end);
				break;
			}
			case 'gocq': {
				let seq = numberOrZero(params.message_seq);
				if (!seq) seq = chat.reduce((m, r) => Math.max(m, r.msg.seq), 0);
				const from = Math.max(seq - 19, 1);
				list = chat.filter((r) => r.msg.seq >= from && r.msg.seq <= seq);
				break;
			}
			case 'lagrange': {
				// LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/Message/GetGroupMessageHistoryOperation.cs
				// (v1): `start = sequence - Count + 1`, so a page holds `count` messages up to the anchor.
				const id = numberOrZero(params.message_id);
				const anchor = id ? chat.find((r) => r.messageId === id) : chat[chat.length - 1];
				if (!anchor) return err({ retcode: 200, message: '' });
				const top = anchor.msg.seq;
				list = chat.filter((r) => r.msg.seq >= top - count + 1 && r.msg.seq <= top);
				break;
			}
		}
		return ok(list);
	}

	private historyItem(acc: Account, rec: LocalRecord): Record<string, unknown> {
		shortIdSeen(acc, rec.messageId);
		const item = F.historyItem(acc.flavour, rec, this.shape(acc));
		if (acc.cfg.flavour === 'gocq') {
			item.message_seq = rec.msg.seq;
			// Mrs4s/go-cqhttp: coolq/converter.go formatGroupMessage (v1.2.0): the bot's own messages are
			// `message_sent/group/normal` in history too.
			if (rec.msg.senderId === acc.selfId) item.post_type = 'message_sent';
		}
		return withRawRecord(acc, rec, item);
	}

	// ------------------------------------------------------------ restart

	private async setRestart(
		acc: Account,
		_params: Record<string, unknown>,
		transport: Transport,
	): Promise<ActionResult> {
		const f = acc.flavour;
		const unknown = (): ActionResult => ({
			...F.unknownAction(f, 'set_restart', transport),
			faults: [],
		});
		const fault = this.faults.fire(['set_restart_unsupported'], {
			account: acc.name,
			action: 'set_restart',
		});
		if (fault) return { ...unknown(), faults: [fault.id] };
		const ok: ActionResult = { httpStatus: 200, body: F.okBody(f, null), faults: [] };
		switch (f.flavour) {
			case 'llonebot':
				if (F.major(f.version) >= 5) return ok; // only toggles auto-login
				this.later(50, () => void this.quit(acc, 'set_restart'));
				return ok;
			case 'napcat':
				if (!F.versionAtLeast(f.version, '4.10.32')) return unknown();
				if (acc.cfg.napcatMultiProcess === false)
					return {
						httpStatus: 200,
						body: F.errorBody(f, { retcode: 200, message: '重启功能未初始化' }, transport),
						faults: [],
					};
				this.later(50, () => void this.restart(acc.name, { via: 'set_restart' }));
				return ok;
			case 'gocq':
				return unknown();
			case 'lagrange':
				// Lagrange stops and starts its host inside the action and answers only afterwards, on a connection
				// the stop has closed: the caller gets no answer (LagrangeDev/Lagrange.Core:
				// Lagrange.OneBot/Core/Operation/Generic/SetRestartOperation.cs).
				await this.restart(acc.name, { via: 'set_restart' });
				return ok;
		}
	}

	/** The client process exits and nothing relaunches it (LLOneBot 4.x set_restart). */
	async quit(acc: Account, via: string): Promise<void> {
		this.cancel(acc.restartTimer);
		acc.endRestartWaits();
		acc.process = 'stopped';
		acc.loggedIn = false;
		this.restarts.push({
			account: acc.name,
			via: `${via}:quit`,
			at: this.clock.now(),
			until: Infinity,
			needsQrLogin: false,
		});
		this.stopHeartbeat(acc);
		await acc.server?.stop();
	}

	async restart(
		name: string,
		opts: { via?: string; downtimeMs?: number; needsQrLogin?: boolean } = {},
	): Promise<{ until: number; needsQrLogin: boolean }> {
		const acc = this.account(name);
		const downtime = opts.downtimeMs ?? this.restartDowntimeFor(acc);
		// NapCat's own restart (WebUI Process/Restart, set_restart) drops the quick-login argument: without an
		// auto-login account it waits for a QR scan (see napcatQuickLogin in types.ts).
		const ownRestart =
			acc.cfg.flavour === 'napcat' && (opts.via === 'webui' || opts.via === 'set_restart');
		const needsQr =
			opts.needsQrLogin ??
			acc.cfg.needsQrLoginAfterRestart ??
			(ownRestart && acc.cfg.napcatQuickLogin !== true);
		// No bot_offline for a restart: NapCat emits it only when kicked (onKickedOffLine), the others never (field notes §4).
		this.cancel(acc.restartTimer);
		acc.process = 'restarting';
		acc.loggedIn = false;
		forgetShortIds(acc, acc.cfg.flavour, acc.byMessageId.keys());
		acc.stat.disconnect_times++;
		this.stopHeartbeat(acc);
		// restart-curable faults of this account go away; degradation counters restart from zero
		this.faults.removeWhere(
			(fa) =>
				fa.spec.scope?.account === name &&
				fa.spec.kind !== 'degrade_after' &&
				curedByRestart(fa.spec),
		);
		const until = this.clock.now() + downtime;
		this.restarts.push({
			account: name,
			via: opts.via ?? 'control',
			at: this.clock.now(),
			until,
			needsQrLogin: needsQr,
		});
		await acc.server?.stop();
		await new Promise<void>((resolve) => {
			acc.restartWaiters.push(resolve);
			acc.restartTimer = this.later(downtime, () => {
				void (async () => {
					acc.sendsSinceStart = 0;
					acc.startedAt = this.clock.now();
					acc.process = 'running';
					if (!this.isDown(acc)) await acc.server?.start();
					if (needsQr) {
						acc.loggedIn = false;
						acc.qrLoginPending = true;
					} else {
						acc.loggedIn = true;
						acc.qrLoginPending = false;
						this.flushPending(acc);
					}
					this.startHeartbeat(acc);
					acc.endRestartWaits();
				})();
			});
		});
		return { until, needsQrLogin: needsQr };
	}

	/** Start a stopped client (after a quit) without downtime beyond `downtimeMs`. */
	async startProcess(name: string, via: string): Promise<void> {
		const acc = this.account(name);
		if (acc.process === 'running') return;
		await this.restart(name, { via });
	}

	login(name: string): void {
		const acc = this.account(name);
		acc.loggedIn = true;
		acc.qrLoginPending = false;
		this.flushPending(acc);
	}

	kickOffline(name: string, message = '你的账号在其他地方登录'): void {
		const acc = this.account(name);
		// NapCat: bot_offline only here, when kicked (NapNeko/NapCatQQ: packages/napcat-onebot/index.ts onKickedOffLine).
		// LLOneBot, go-cqhttp and Lagrange emit no bot_offline in any version (field notes §4).
		if (acc.cfg.flavour === 'napcat') this.emit(acc, this.botOffline(acc, message));
		acc.loggedIn = false;
		acc.qrLoginPending = true;
	}

	private botOffline(acc: Account, message: string): Record<string, unknown> {
		return {
			time: Math.floor(this.clock.now() / 1000),
			self_id: acc.selfId,
			post_type: 'notice',
			notice_type: 'bot_offline',
			user_id: acc.selfId,
			tag: 'BotOfflineEvent',
			message,
		};
	}

	// ------------------------------------------------------------ events

	heartbeatEvent(acc: Account): Record<string, unknown> {
		const online = this.reportedOnline(acc);
		const interval = this.heartbeatIntervalFor(acc);
		const status: Record<string, unknown> =
			acc.cfg.flavour === 'gocq'
				? F.statusData(acc.flavour, online, { ...acc.stat })
				: { online, good: true };
		return {
			time: Math.floor(this.clock.now() / 1000),
			self_id: acc.selfId,
			post_type: 'meta_event',
			meta_event_type: 'heartbeat',
			status,
			interval,
		};
	}

	lifecycleEvent(
		acc: Account,
		sub: 'connect' | 'enable' | 'disable' = 'connect',
	): Record<string, unknown> {
		return {
			time: Math.floor(this.clock.now() / 1000),
			self_id: acc.selfId,
			post_type: 'meta_event',
			meta_event_type: 'lifecycle',
			sub_type: sub,
		};
	}

	heartbeatStopped(acc: Account): boolean {
		return !!this.faults.fire(['heartbeat_stop'], { account: acc.name });
	}

	startHeartbeat(acc: Account): void {
		this.stopHeartbeat(acc);
		if (this.closed) return;
		const t = this.clock.setInterval(() => {
			if (acc.process !== 'running') return;
			if (!(acc.cfg.reportUrls ?? []).length || !this.httpHeartbeats(acc)) return;
			if (this.heartbeatStopped(acc)) return;
			this.report(acc, this.heartbeatEvent(acc));
		}, this.heartbeatIntervalFor(acc));
		acc.heartbeatTimer = t;
		this.timers.add(t);
	}

	stopHeartbeat(acc: Account): void {
		this.cancel(acc.heartbeatTimer);
		acc.heartbeatTimer = undefined;
	}

	emit(acc: Account, ev: Record<string, unknown>): void {
		if (acc.process === 'running') for (const s of acc.sinks) s.send(ev);
		this.report(acc, ev);
	}

	/** HTTP POST event reporting, signed like the implementation does. */
	report(acc: Account, ev: Record<string, unknown>): void {
		const urls = acc.cfg.reportUrls ?? [];
		if (!urls.length || acc.process !== 'running') return;
		const body = JSON.stringify(ev);
		for (const url of urls) {
			const headers: Record<string, string> = {
				'Content-Type': 'application/json',
				'X-Self-ID': String(acc.selfId),
			};
			const key = acc.signingKey;
			if (key)
				headers['X-Signature'] = 'sha1=' + createHmac('sha1', key).update(body).digest('hex');
			if (acc.cfg.flavour === 'gocq') headers['User-Agent'] = 'CQHttp/4.15.0';
			const rec: ReportRecord = { account: acc.name, url, body, headers, at: this.clock.now() };
			this.reports.push(rec);
			if (this.reports.length > 20000) this.reports.splice(0, this.reports.length - 20000);
			postJson(url, body, headers).then(
				(status) => (rec.status = status),
				(e: Error) => (rec.error = e.message),
			);
		}
	}

	// ------------------------------------------------------------ ground truth / reset

	groundTruth(): Record<string, unknown> {
		const accounts: Record<string, unknown> = {};
		for (const a of this.accounts.values()) {
			accounts[a.name] = {
				selfId: a.selfId,
				flavour: a.cfg.flavour,
				version: a.cfg.version,
				process: a.process,
				online: a.loggedIn,
				qrLoginPending: a.qrLoginPending,
				uptimeMs: this.clock.now() - a.startedAt,
				sendsSinceStart: a.sendsSinceStart,
				reportUrls: a.cfg.reportUrls ?? [],
				inbox: a.inbox,
				pending: a.pendingOffline.map((m) => m.key),
			};
		}
		return {
			now: this.clock.now(),
			clockFactor: this.clock.factor,
			accounts,
			messages: this.messages.map((m) => ({ ...m, text: plainText(m.segments) })),
			restarts: this.restarts.map((r) => ({
				...r,
				until: Number.isFinite(r.until) ? r.until : null,
			})),
			faults: this.faults.describe(),
		};
	}

	/** Whether a `down` fault keeps this account's port closed (connections refused). */
	isDown(acc: Account): boolean {
		return this.faults
			.list()
			.some(
				(f) =>
					f.spec.kind === 'down' && (!f.spec.scope?.account || f.spec.scope.account === acc.name),
			);
	}

	/** Closes the ports of accounts a `down` fault covers and reopens the others' once it is gone. */
	async applyDownFaults(): Promise<void> {
		for (const acc of this.accounts.values()) {
			if (acc.process !== 'running') continue;
			if (this.isDown(acc)) await acc.server?.stop();
			else await acc.server?.start();
		}
	}

	async reset(): Promise<void> {
		this.generation++;
		this.webui = { credentials: new Map(), loginWindow: null };
		this.faults.clear();
		for (const f of this.config.faults ?? []) this.faults.add(f);
		this.messages = [];
		this.calls = [];
		this.reports = [];
		this.restarts = [];
		this.groupSeq.clear();
		this.privateSeq.clear();
		this.clock.reset();
		const seed = this.config.seed ?? 1;
		this.rng = mulberry32(hashSeed('world', seed));
		for (const a of this.accounts.values()) {
			this.cancel(a.restartTimer);
			a.endRestartWaits();
			a.records = [];
			a.byMessageId.clear();
			a.inbox = [];
			a.pendingOffline = [];
			a.sendsSinceStart = 0;
			a.startedAt = this.clock.now();
			a.loggedIn = true;
			a.qrLoginPending = false;
			a.lastSentMessageId = undefined;
			a.process = 'running';
			this.startHeartbeat(a);
		}
		await this.applyDownFaults();
	}
}

function postJson(url: string, body: string, headers: Record<string, string>): Promise<number> {
	return new Promise((resolve, reject) => {
		let u: URL;
		try {
			u = new URL(url);
		} catch (e) {
			reject(e as Error);
			return;
		}
		const req = http.request(
			u,
			{
				method: 'POST',
				headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
				agent: false,
				timeout: 5000,
			},
			(res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
			},
		);
		req.on('timeout', () => req.destroy(new Error('report timeout')));
		req.on('error', reject);
		req.end(body);
	});
}

export function isActiveFault(x: unknown): x is ActiveFault {
	return !!x && typeof (x as ActiveFault).id === 'string';
}

/** An optional numeric parameter: absent or empty reads as 0 (no anchor). */
function numberOrZero(v: unknown): number {
	return v === undefined || v === '' ? 0 : Number(v);
}
