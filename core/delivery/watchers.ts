/**
 * The watchers of one run, and their one owner: a chat watcher per chat (the witness's when it can see the
 * target, else the sender's own history), shared by every item to that chat, and the sender's kernel
 * watcher. `close()` (the engine's, once every item has settled) closes each with its event socket; after
 * it nothing opens a watcher any more.
 */
import type { AccountIdentity } from '../account';
import { ChatWatcher } from '../chatWatcher';
import { KernelWatcher } from '../kernel';
import type { Target } from '../types';
import { DeliveryStopped, targetKey } from './types';
import type { DeliveryEnvironment, DeliverySettings, Identities } from './types';

/** Who checks whether a message landed in a chat. */
export interface ChatChecker {
	watcher: ChatWatcher;
	by: 'witness' | 'sender_history';
}

/**
 * Why the witness cannot prove delivery to this target, or null. A private message reaches only its
 * recipient, so only a witness that is the recipient can see it.
 */
export function witnessProblem(target: Target, witness: AccountIdentity): string | null {
	if (target.type === 'private' && target.id !== witness.selfId) {
		return (
			`A private message can be witnessed only by its recipient: the witness account is ${witness.selfId}, ` +
			`the target is ${target.id}. Send to a group, make the witness the recipient, or choose "API Accepted" ` +
			`or "Sender Lookup" verification for this target.`
		);
	}
	return null;
}

export class RunWatchers {
	private readonly chats = new Map<string, ChatWatcher>();

	/** The sender's own confirmations (self messages, raw records); see `kernelFor`. */
	private kernelWatcher: KernelWatcher | undefined;

	private closed = false;

	constructor(
		private readonly settings: DeliverySettings,
		private readonly env: DeliveryEnvironment,
		/** Why nothing may start any more (engine closed, run cancelled), or null. */
		private readonly stopReason: () => string | null,
	) {}

	/** The kernel watcher, once an item started it (and until the run closes). */
	get kernel(): KernelWatcher | undefined {
		return this.kernelWatcher;
	}

	get isClosed(): boolean {
		return this.closed;
	}

	/**
	 * Who checks whether a message landed: the witness when there is one that can see the target, else
	 * the sender's own history. One watcher per chat, shared by every item to it.
	 */
	chatFor(target: Target, ids: Identities, sender: AccountIdentity): ChatChecker {
		const witness = ids.witness?.ok ? ids.witness.identity : undefined;
		const useWitness =
			witness !== undefined &&
			this.env.witness !== undefined &&
			witnessProblem(target, witness) === null;
		const by = useWitness ? 'witness' : 'sender_history';
		const key = `${by}|${targetKey(target)}`;
		const stop = this.stopReason();
		if (stop) throw new DeliveryStopped(stop);
		let watcher = this.chats.get(key);
		if (!watcher) {
			const access = useWitness ? this.env.witness! : this.env.sender;
			watcher = new ChatWatcher({
				client: access.client,
				identity: useWitness ? witness! : sender,
				chat:
					target.type === 'group'
						? { type: 'group', groupId: target.id }
						: { type: 'private', peerId: useWitness ? sender.selfId : target.id },
				sleep: this.env.sleep,
				clock: this.env.clock,
				pollIntervalMs: this.settings.pollIntervalMs,
				requestTimeoutMs: this.settings.requestTimeoutMs,
				events: useWitness ? access.events : undefined,
			});
			this.chats.set(key, watcher);
		}
		return { watcher, by };
	}

	/**
	 * The watcher of the sender's own confirmations: at the Kernel Confirmed level always (its history may show
	 * LLOneBot's raw records), at the other levels when the sender's credential has an event stream.
	 */
	kernelFor(sender: AccountIdentity): KernelWatcher | undefined {
		if (this.settings.verification !== 'kernel' && !this.env.sender.events) return undefined;
		// Once the run closed, nothing opens a stream any more (close() has already run and would miss it).
		if (this.closed) return undefined;
		// Self messages confirm only where the version pushes them on sendStatus 2 (docs/compatibility.md, table 'Kernel confirmation').
		const proof = sender.implementation.kernelProof;
		this.kernelWatcher ??= new KernelWatcher({
			client: this.env.sender.client,
			selfId: sender.selfId,
			events: this.env.sender.events,
			sleep: this.env.sleep,
			clock: this.env.clock,
			pollIntervalMs: this.settings.pollIntervalMs,
			requestTimeoutMs: this.settings.requestTimeoutMs,
			selfMessagesConfirm: proof.selfMessage,
			selfMessageProof: { label: sender.implementation.label, since: proof.selfMessageSince },
		});
		return this.kernelWatcher;
	}

	/** Closes every watcher (and its event socket). Idempotent. */
	close(): void {
		this.closed = true;
		for (const watcher of this.chats.values()) watcher.close();
		this.chats.clear();
		this.kernelWatcher?.close();
		this.kernelWatcher = undefined;
	}
}
