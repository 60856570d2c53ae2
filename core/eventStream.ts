/**
 * An account's forward WebSocket as a stream of parsed events: connecting, open, failed or closed, and
 * since when it is open. Shared by the chat watcher (core/chatWatcher.ts) and the kernel watcher
 * (core/kernel.ts). Once closed it never connects again, so a watcher closed while (or before) its socket
 * connects leaves no socket behind.
 */
import type { Clock, Sleep } from './types';
import { isRecord } from './values';
import { Wake } from './wake';

/** The subset of the WebSocket API the watchers use (Node 22+'s global WebSocket has it). */
export interface EventSocketLike {
	readonly readyState: number;
	onopen: ((event: unknown) => void) | null;
	onmessage: ((event: { data: unknown }) => void) | null;
	onerror: ((event: unknown) => void) | null;
	onclose: ((event: unknown) => void) | null;
	close(): void;
}

export type EventSocketFactory = (url: string) => EventSocketLike;

/** Where an account's events come from, as its credential names it. */
export interface EventSource {
	url: string;
	connect: EventSocketFactory;
	connectTimeoutMs?: number;
}

export type EventStreamState = 'not_configured' | 'connecting' | 'open' | 'failed' | 'closed';

/** Adds the OneBot access token as the `access_token` query parameter every implementation accepts. */
export function withAccessToken(url: string, token?: string): string {
	if (!token) return url;
	const parsed = new URL(url);
	parsed.searchParams.set('access_token', token);
	return parsed.toString();
}

const OPEN = 1;
const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/** A text or binary frame as a JSON object, else undefined. */
function parseFrame(data: unknown): Record<string, unknown> | undefined {
	let event: unknown = data;
	try {
		if (typeof data === 'string') event = JSON.parse(data);
		else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data))
			event = JSON.parse(new TextDecoder().decode(data as ArrayBuffer));
	} catch {
		return undefined;
	}
	return isRecord(event) ? event : undefined;
}

export interface EventStreamOptions {
	/** The account's forward WebSocket; without one the stream stays `not_configured`. */
	source: EventSource | undefined;
	/** Each event that parsed as a JSON object. */
	onEvent: (event: Record<string, unknown>) => void;
	clock: Clock;
	sleep: Sleep;
	/** Longest pause between checks while waiting for the socket to open (opening, failing or closing ends it). */
	checkIntervalMs: number;
	/** Called when the stream opens, fails or closes, so waiters can look again at once. */
	onStateChange?: () => void;
}

export class EventStream {
	private socket: EventSocketLike | undefined;

	private currentState: EventStreamState = 'not_configured';

	/** When the stream (last) opened; null while it is not open. */
	private openedAt: number | null = null;

	private closed = false;

	private readonly wake = new Wake();

	constructor(private readonly options: EventStreamOptions) {}

	get state(): EventStreamState {
		return this.currentState;
	}

	get isOpen(): boolean {
		return this.currentState === 'open';
	}

	/** Whether the stream has been open since `at` (ms) or earlier, so its events cover what happened since. */
	openSince(at: number): boolean {
		return this.currentState === 'open' && this.openedAt !== null && this.openedAt <= at;
	}

	/** Starts connecting; does nothing without a source or once closed. */
	connect(): void {
		const source = this.options.source;
		if (!source || this.closed) return;
		this.currentState = 'connecting';
		try {
			const socket = source.connect(source.url);
			this.socket = socket;
			if (this.closed) {
				this.close();
				return;
			}
			socket.onopen = () => {
				if (this.closed) return;
				this.currentState = 'open';
				this.openedAt = this.options.clock();
				this.changed();
			};
			socket.onmessage = (event) => {
				const parsed = parseFrame(event.data);
				if (parsed) this.options.onEvent(parsed);
			};
			socket.onerror = () => {
				if (this.currentState === 'connecting') this.currentState = 'failed';
				this.changed();
			};
			socket.onclose = () => {
				if (this.currentState !== 'failed') this.currentState = 'closed';
				this.openedAt = null;
				this.changed();
			};
		} catch {
			this.currentState = 'failed';
		}
	}

	/** Waits until the socket opened, failed or was closed, at most the connect timeout; then it counts as failed. */
	async awaitOpen(): Promise<void> {
		const source = this.options.source;
		if (!source) return;
		const giveUpAt = this.options.clock() + (source.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
		while (this.currentState === 'connecting' && !this.closed && this.options.clock() < giveUpAt) {
			await this.wake.sleep(
				this.options.sleep,
				Math.max(1, Math.min(this.options.checkIntervalMs, giveUpAt - this.options.clock())),
			);
		}
		if (this.currentState === 'connecting') {
			this.currentState = 'failed';
			this.socket?.close();
		}
	}

	/** Closes the socket (open or still connecting) and never connects again. Idempotent. */
	close(): void {
		this.closed = true;
		if (this.socket) {
			const socket = this.socket;
			this.socket = undefined;
			socket.onmessage = null;
			socket.onopen = null;
			try {
				if (socket.readyState <= OPEN) socket.close();
			} catch {
				// Closing a socket that never opened may throw; nothing is left to release then.
			}
		}
		const live = this.currentState === 'open' || this.currentState === 'connecting';
		const neverStarted = this.currentState === 'not_configured' && this.options.source;
		if (live || neverStarted) this.currentState = 'closed';
		this.openedAt = null;
		this.changed();
	}

	private changed(): void {
		this.wake.notify();
		this.options.onStateChange?.();
	}
}
