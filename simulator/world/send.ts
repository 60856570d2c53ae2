/**
 * The send path: what `send_msg`, `send_group_msg` and `send_private_msg` do, and how a send fault
 * (simulator/faults.ts) changes it: what is stored, delivered and answered. Answers per implementation
 * come from simulator/implementations/, each with its source.
 */
import type { Clock } from '../clock';
import { SEND_KINDS, type FaultContext, type FaultSet } from '../faults';
import {
	actionError,
	gocqhttpFailed,
	llonebotAsksForTarget,
	mutedError,
	notInGroupError,
	riskControlError,
	sendTimeoutError,
	validationError,
	type ErrorSpec,
	type Transport,
} from '../implementations';
import { pushesSelfMessageOnAdd, statusPlan } from '../kernel';
import { normalizeMessage, type Segment } from '../message';
import type { FaultKind, FaultSpec, LocalRecord, StoredMessage } from '../types';
import { answerError, answerOk, type ActionResult } from './answers';
import type { Delivery } from './delivery';
import type { GroundTruth } from './groundTruth';
import type { Timers } from './timers';
import type { Account, Topology } from './topology';

type PickedFault = { kind: FaultKind; spec: FaultSpec; id: string };

/** One send under a fault: its draft, the fault's params, and the answers it gives. */
interface FaultedSend {
	acc: Account;
	draft: StoredMessage;
	kind: FaultKind;
	params: Record<string, unknown>;
	/** How long the kernel wait runs before a timeout answer (`params.afterMs`, else the kernel timeout). */
	afterMs: number;
	ok(data: unknown): ActionResult;
	err(e: ErrorSpec): ActionResult;
}

function truthy(v: unknown): boolean {
	return v === true || v === 'true' || v === 1 || v === '1';
}

export class SendPath {
	constructor(
		private readonly clock: Clock,
		private readonly topology: Topology,
		private readonly faults: FaultSet,
		private readonly timers: Timers,
		private readonly delivery: Delivery,
		private readonly truth: GroundTruth,
	) {}

	async send(
		acc: Account,
		type: 'group' | 'private',
		params: Record<string, unknown>,
		transport: Transport,
		action: string,
	): Promise<ActionResult> {
		const f = acc.implementation;
		const checked = this.checkRequest(acc, type, params, transport);
		if ('refused' in checked) return checked.refused;
		const { target, segments } = checked;
		const draft = this.delivery.draftMessage(
			acc,
			type,
			{
				groupId: type === 'group' ? target : undefined,
				userId: type === 'private' ? target : undefined,
			},
			segments,
		);
		const napcatTimeout =
			f.name === 'napcat' && params.timeout !== undefined ? Number(params.timeout) : undefined;
		const kernelTimeout =
			napcatTimeout && napcatTimeout > 0 ? napcatTimeout : this.topology.kernelTimeoutFor(acc);
		if (type === 'private' && f.name === 'napcat') {
			// NapCatQQ #600 (docs/compatibility.md, Send classification): a private message to a non-friend is never answered by the kernel;
			// NapCat answers `Timeout: NTEvent ... EventRet:\n{}` after the wait (napcat-core/apis/msg.ts). Nothing is sent.
			const peer = this.topology.accountBySelfId(target);
			if (!peer || !this.topology.areFriends(acc, peer)) {
				await this.timers.sleep(kernelTimeout);
				return answerError(f, sendTimeoutError(f, draft), transport);
			}
		}

		if (!acc.loggedIn) {
			await this.timers.sleep(kernelTimeout);
			return answerError(f, sendTimeoutError(f, draft), transport);
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
		if (!picked) return this.sendNormally(acc, draft);
		return this.applySendFault(acc, draft, picked, kernelTimeout, transport);
	}

	/** The checks before anything is sent: a target, a message that parses, membership of the group. */
	private checkRequest(
		acc: Account,
		type: 'group' | 'private',
		params: Record<string, unknown>,
		transport: Transport,
	): { refused: ActionResult } | { target: number; segments: Segment[] } {
		const f = acc.implementation;
		const refuse = (e: ErrorSpec) => ({ refused: answerError(f, e, transport) });
		const target = Number(type === 'group' ? params.group_id : params.user_id);
		if ((!Number.isFinite(target) || target <= 0) && llonebotAsksForTarget(f))
			return refuse({ retcode: 200, message: '请指定 group_id 或 user_id' });
		if (!Number.isFinite(target) || target <= 0)
			return refuse(
				validationError(f, type === 'group' ? '缺少参数 group_id' : '缺少参数 user_id', transport),
			);
		const segments = normalizeMessage(params.message, truthy(params.auto_escape));
		if (!segments) {
			if (f.name === 'gocq') return refuse(gocqhttpFailed('EMPTY_MSG_ERROR', '消息为空'));
			return refuse(actionError(f, '消息体无法解析, 请检查是否发送了不支持的消息类型'));
		}
		if (type === 'group' && !this.topology.joinedGroup(acc, target))
			return refuse(notInGroupError(f));
		return { target, segments };
	}

	private pickSendFault(acc: Account, ctx: FaultContext): PickedFault | undefined {
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

	/** No fault: accepted, stored, delivered, answered with its message_id. */
	private sendNormally(acc: Account, draft: StoredMessage): ActionResult {
		const { rec } = this.delivery.acceptStoreDeliver(draft, acc);
		acc.lastSentMessageId = rec.messageId;
		acc.stat.message_sent++;
		this.delivery.selfReport(acc, rec);
		return answerOk(acc.implementation, { message_id: rec.messageId });
	}

	private async applySendFault(
		acc: Account,
		draft: StoredMessage,
		picked: PickedFault,
		kernelTimeout: number,
		transport: Transport,
	): Promise<ActionResult> {
		const f = acc.implementation;
		const faults = [picked.id];
		const p = picked.spec.params ?? {};
		const c: FaultedSend = {
			acc,
			draft,
			kind: picked.kind,
			params: p,
			afterMs: typeof p.afterMs === 'number' ? p.afterMs : kernelTimeout,
			ok: (data) => answerOk(f, data, faults),
			err: (e) => {
				if (typeof p.retcode === 'number') e = { ...e, retcode: p.retcode };
				if (typeof p.message === 'string')
					e = { ...e, message: p.message, wording: p.message, msg: e.msg };
				return answerError(f, e, transport, faults);
			},
		};
		switch (picked.kind) {
			case 'silent_drop':
				return this.silentDrop(c);
			case 'timeout_not_delivered':
			case 'stuck_group':
				return this.timeoutNotDelivered(c);
			case 'timeout_delivered':
				return this.timeoutDelivered(c);
			case 'data_null':
				this.landOrTrack(c, true);
				return c.ok(null);
			case 'message_id_zero':
				this.landOrTrack(c, false);
				return c.ok({ message_id: 0 });
			case 'repeated_message_id':
				return this.repeatedMessageId(c);
			case 'risk_control':
				this.truth.recordUnaccepted(draft, picked.kind);
				if (f.name === 'llonebot' || f.name === 'napcat') await this.timers.sleep(c.afterMs);
				return c.err(riskControlError(f, draft));
			case 'not_in_group':
				this.truth.recordUnaccepted(draft, picked.kind);
				return c.err(notInGroupError(f, draft));
			case 'muted':
				this.truth.recordUnaccepted(draft, picked.kind);
				return c.err(mutedError(f, draft));
			default:
				return c.ok(null);
		}
	}

	/** Answered with a message_id, but the server never took it: only the sender's store has it. */
	private silentDrop(c: FaultedSend): ActionResult {
		const msg = this.delivery.accept(c.draft, false);
		msg.fault = c.kind;
		const rec = this.delivery.storeLocal(c.acc, msg, false);
		c.acc.lastSentMessageId = rec.messageId;
		return c.ok({ message_id: rec.messageId });
	}

	/**
	 * The kernel never confirms within the wait: the sender's record stays at 1 (or settles late as
	 * `params.lateStatus` says), the members get it only with a late 2 (or a NOSEQ 3 with `params.delivered`).
	 */
	private async timeoutNotDelivered(c: FaultedSend): Promise<ActionResult> {
		const { acc, draft, params: p } = c;
		if (typeof p.storedForSender === 'boolean' ? p.storedForSender : true) {
			const msg = this.delivery.accept(draft, false, false);
			msg.fault = c.kind;
			const rec = this.delivery.storeLocal(acc, msg, false);
			rec.sendStatus = 1;
			if (pushesSelfMessageOnAdd(acc)) this.delivery.selfReport(acc, rec, true);
			// Left at 1 unless params.lateStatus says otherwise; a late 2 reaches the members, a NOSEQ 3 only with params.delivered.
			const plan = statusPlan(p, undefined);
			const deliveredByDefault = plan?.status !== 3;
			const deliver = typeof p.delivered === 'boolean' ? p.delivered : deliveredByDefault;
			this.delivery.settleLater(acc, rec, msg, plan, deliver);
		} else this.truth.recordUnaccepted(draft, c.kind);
		await this.timers.sleep(c.afterMs);
		return c.err(
			sendTimeoutError(acc.implementation, draft, p.eventRet === 'accepted' ? 'accepted' : 'none'),
		);
	}

	/** Delivered, but the kernel's confirmation comes after the wait ran out: 1 -> 2 late (simulator/kernel.ts). */
	private async timeoutDelivered(c: FaultedSend): Promise<ActionResult> {
		const { acc, draft, params: p } = c;
		const { msg, rec } = this.delivery.acceptStoreDeliver(draft, acc);
		msg.fault = c.kind;
		rec.sendStatus = 1;
		if (pushesSelfMessageOnAdd(acc)) this.delivery.selfReport(acc, rec, true);
		const plan = statusPlan(p, { status: 2, afterMs: c.afterMs + 10 });
		this.delivery.settleLater(acc, rec, msg, plan, true);
		await this.timers.sleep(c.afterMs);
		return c.err(
			sendTimeoutError(acc.implementation, draft, p.eventRet === 'none' ? 'none' : 'accepted'),
		);
	}

	/** Answered with the message_id of the previous send; delivered only with `params.delivered`. */
	private repeatedMessageId(c: FaultedSend): ActionResult {
		let id = c.acc.lastSentMessageId;
		const rec = this.landOrTrack(c, false);
		if (id === undefined && rec) id = rec.messageId;
		if (id === undefined) id = typeof c.params.messageId === 'number' ? c.params.messageId : 1;
		c.acc.lastSentMessageId = id;
		return c.ok({ message_id: id });
	}

	/**
	 * A send whose answer is wrong (data null, message_id 0, a repeated id): delivered when
	 * `params.delivered` is true; else, when `senderCopy` and `params.storedForSender` is not false, a copy
	 * only the sender stores; else only the ground truth lists it. The delivered record, if any.
	 */
	private landOrTrack(c: FaultedSend, senderCopy: boolean): LocalRecord | undefined {
		const p = c.params;
		if (p.delivered === true) {
			const { msg, rec } = this.delivery.acceptStoreDeliver(c.draft, c.acc);
			msg.fault = c.kind;
			return rec;
		}
		if (senderCopy && p.storedForSender !== false) {
			const msg = this.delivery.accept(c.draft, false, false);
			msg.fault = c.kind;
			this.delivery.storeLocal(c.acc, msg, false);
		} else this.truth.recordUnaccepted(c.draft, c.kind);
		return undefined;
	}
}
