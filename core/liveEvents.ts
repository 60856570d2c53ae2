/**
 * The live side of a watcher, shared by the chat watcher (a witness's chat, core/chatWatcher.ts) and the
 * kernel watcher (the sender's self messages, core/kernel.ts): one account's event stream and its lifecycle
 * (connect before the first send, "open since" for coverage, close), the bounded buffer of the events the
 * watcher keeps, the wake-up that ends a wait when an event arrives or the stream changes, and the
 * process-wide claims on the store the watcher proves things from (core/claims.ts), so an entry
 * serves one send of the whole process.
 */
import type { StoreClaims } from './claims';
import { EventStream } from './eventStream';
import type { EventSource } from './eventStream';
import type { Clock, Sleep } from './types';
import { Wake } from './wake';

/** Events one watcher keeps at most: the oldest go first (a wait looks at the recent ones). */
export const MAX_RETAINED_EVENTS = 2000;

export interface LiveEventsOptions<E> {
	/** The account's forward WebSocket; without one the stream stays `not_configured`. */
	source?: EventSource;
	clock: Clock;
	sleep: Sleep;
	/** The longest a wait goes without looking again; an event, or a stream change, ends it sooner. */
	checkIntervalMs: number;
	/** The event as the watcher keeps it, or undefined to drop it. */
	accept(event: Record<string, unknown>): E | undefined;
	/** The store whose entries this watcher takes as proof. */
	claims: StoreClaims;
}

export class LiveEvents<E> {
	/** Entries already taken as proof, by any run of the process. */
	readonly claimed: StoreClaims;

	private buffer: E[] = [];

	private readonly stream: EventStream;

	/** Ends waits when an event is kept, the stream opens or closes, or close() is called. */
	private readonly wake = new Wake();

	constructor(private readonly options: LiveEventsOptions<E>) {
		this.claimed = options.claims;
		this.stream = new EventStream({
			source: options.source,
			onEvent: (event) => this.onEvent(event),
			clock: options.clock,
			sleep: options.sleep,
			checkIntervalMs: options.checkIntervalMs,
			onStateChange: () => this.wake.notify(),
		});
	}

	/** The kept events, oldest first. */
	get events(): readonly E[] {
		return this.buffer;
	}

	/** What the stream did, for evidence. */
	get state(): string {
		return this.stream.state;
	}

	get isOpen(): boolean {
		return this.stream.isOpen;
	}

	/** Opens the stream (call before the first send, so it covers the send). */
	connect(): void {
		this.stream.connect();
	}

	awaitOpen(): Promise<void> {
		return this.stream.awaitOpen();
	}

	/** Whether the stream has been open since `sentAt`, so an absent event means an absent message. */
	covers(sentAt: number): boolean {
		return this.stream.openSince(sentAt);
	}

	/** Sleeps up to `ms` (at least 1); a kept event, a stream change or close() ends it sooner. */
	sleep(ms: number): Promise<void> {
		return this.wake.sleep(this.options.sleep, Math.max(1, ms));
	}

	/** Closes the stream and ends every wait; a stream closed while it connects leaves no socket open. */
	close(): void {
		this.stream.close();
		this.wake.notify();
	}

	private onEvent(event: Record<string, unknown>): void {
		const kept = this.options.accept(event);
		if (kept === undefined) return;
		this.buffer.push(kept);
		if (this.buffer.length > MAX_RETAINED_EVENTS)
			this.buffer.splice(0, this.buffer.length - MAX_RETAINED_EVENTS);
		this.wake.notify();
	}
}
