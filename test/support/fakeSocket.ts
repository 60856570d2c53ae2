import type { EventSocketLike } from '../../core/eventStream';

/** An in-memory forward WebSocket for core tests: the test opens it, pushes events and sees whether it was closed. */
export class FakeSocket implements EventSocketLike {
	readyState = 0;
	onopen: ((event: unknown) => void) | null = null;
	onmessage: ((event: { data: unknown }) => void) | null = null;
	onerror: ((event: unknown) => void) | null = null;
	onclose: ((event: unknown) => void) | null = null;
	closed = false;

	open(): void {
		this.readyState = 1;
		this.onopen?.({});
	}

	push(event: unknown): void {
		this.onmessage?.({ data: JSON.stringify(event) });
	}

	/** Like a real socket: closing fires the close event. */
	close(): void {
		this.closed = true;
		this.readyState = 3;
		this.onclose?.({});
	}
}
