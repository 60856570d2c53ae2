/**
 * What the server and the clients do with a message: the server numbers what it accepts, each client
 * stores its copy under its own message_id, members receive it after the delivery delay (or when they
 * are back online), and the kernel settles a sender's record late (simulator/kernel.ts).
 */
import type { Clock } from '../clock';
import type { FaultContext, FaultSet } from '../faults';
import { messageEvent, messageIdFor } from '../implementations';
import { pushesSelfMessage, type StatusPlan } from '../kernel';
import { normalizeMessage, plainText, toCqString } from '../message';
import { hashSeed, mulberry32, type Rng } from '../rng';
import type { LocalRecord, StoredMessage, WorldConfig } from '../types';
import type { Events } from './events';
import type { GroundTruth, TrackedMessage } from './groundTruth';
import type { Timers } from './timers';
import type { Account, Topology } from './topology';

export class Delivery {
	private groupSeq = new Map<number, number>();
	private privateSeq = new Map<string, number>();
	private msgCounter = 0;
	private rng: Rng;

	constructor(
		private readonly config: WorldConfig,
		private readonly clock: Clock,
		private readonly topology: Topology,
		private readonly faults: FaultSet,
		private readonly timers: Timers,
		private readonly events: Events,
		private readonly truth: GroundTruth,
	) {
		this.rng = this.seededRng();
	}

	private seededRng(): Rng {
		return mulberry32(hashSeed('world', this.config.seed ?? 1));
	}

	/** Server numbering starts again and the random stream from the seed (the world's reset). */
	reset(): void {
		this.groupSeq.clear();
		this.privateSeq.clear();
		this.rng = this.seededRng();
	}

	/** A message from `acc`, not yet accepted (no seq, no message_id), stamped with the world clock. */
	draftMessage(
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

	/** Give the message its server sequence (when the server accepted it) and list it in the ground truth. */
	accept(draft: StoredMessage, serverAccepted = true, countSeq = true): TrackedMessage {
		const msg = {
			...draft,
			deliveredTo: [] as string[],
			droppedFor: [] as string[],
			pendingFor: [] as string[],
		};
		if (countSeq) this.numberMessage(msg);
		msg.accepted = serverAccepted;
		this.truth.recordMessage(msg);
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
		const messageId = messageIdFor(
			acc.implementation,
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

	/** Accepted by the server, stored by the sender and delivered to the members. */
	acceptStoreDeliver(
		draft: StoredMessage,
		acc: Account,
	): { msg: TrackedMessage; rec: LocalRecord } {
		const msg = this.accept(draft);
		const rec = this.storeLocal(acc, msg, false);
		this.deliver(msg);
		return { msg, rec };
	}

	deliver(msg: TrackedMessage): void {
		for (const r of this.topology.recipients(msg)) {
			const base = this.config.deliveryDelayMs ?? 20;
			const jitter = this.config.deliveryJitterMs ?? 0;
			const delay = base + (jitter > 0 ? Math.floor(this.rng() * jitter) : 0);
			const gen = this.timers.generation;
			this.timers.later(delay, () => {
				if (gen === this.timers.generation) this.receive(r, msg);
			});
		}
	}

	private receive(r: Account, msg: TrackedMessage): void {
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
		if (!offline) this.events.emit(r, messageEvent(r.implementation, rec, r.shape));
	}

	/** What arrived while the account was down or logged out lands in its history now (no event). */
	flushPending(acc: Account): void {
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
	settleLater(
		acc: Account,
		rec: LocalRecord,
		msg: TrackedMessage,
		plan: StatusPlan | undefined,
		deliverOnConfirm: boolean,
	): void {
		if (!plan || plan.status === 1) return;
		const sentAt = msg.timeMs;
		const gen = this.timers.generation;
		this.timers.later(Math.max(0, sentAt + plan.afterMs - this.clock.now()), () => {
			if (gen !== this.timers.generation) return;
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
	selfReport(acc: Account, rec: LocalRecord, anyStatus = false): void {
		if (!acc.cfg.reportSelfMessage || (!anyStatus && (rec.sendStatus ?? 2) !== 2)) return;
		const post = acc.cfg.flavour === 'lagrange' ? 'message' : 'message_sent';
		this.events.emit(acc, messageEvent(acc.implementation, rec, acc.shape, post));
	}

	/** Inject a message from an account straight into the world (no API, no faults). */
	injectMessage(
		accName: string,
		target: { groupId?: number; userId?: number },
		message: unknown,
		autoEscape = false,
	): StoredMessage {
		const acc = this.topology.account(accName);
		const segments = normalizeMessage(message, autoEscape);
		if (!segments) throw new Error('empty message');
		const draft = this.draftMessage(acc, target.groupId ? 'group' : 'private', target, segments);
		return this.acceptStoreDeliver(draft, acc).msg;
	}
}
