/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- benchmark tooling, runs outside n8n */
/**
 * A forced garbage collection and a memory reading of n8n's main process through the V8 inspector (n8n is started
 * with `--inspect=127.0.0.1:<port>`; n8n itself offers no way to collect garbage on request).
 */

interface Pending {
	resolve: (value: unknown) => void;
	reject: (error: Error) => void;
}

export interface MemoryReading {
	rssMb: number;
	heapUsedMb: number;
	heapTotalMb: number;
	externalMb: number;
}

export interface CpuProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

export interface CpuProfile {
	nodes: CpuProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export class Inspector {
	private next = 1;

	private readonly pending = new Map<number, Pending>();

	private constructor(private readonly socket: WebSocket) {
		socket.onmessage = (event) => {
			const message = JSON.parse(String(event.data)) as {
				id?: number;
				result?: unknown;
				error?: { message: string };
			};
			const waiter = message.id !== undefined ? this.pending.get(message.id) : undefined;
			if (!waiter) return;
			this.pending.delete(message.id!);
			if (message.error) waiter.reject(new Error(message.error.message));
			else waiter.resolve(message.result);
		};
	}

	/** Connects to the inspector on `port` (retrying while n8n starts). */
	static async connect(port: number, timeoutMs = 60_000): Promise<Inspector> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			try {
				const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
					webSocketDebuggerUrl: string;
				}>;
				const socket = new WebSocket(list[0].webSocketDebuggerUrl);
				await new Promise<void>((resolve, reject) => {
					socket.onopen = () => resolve();
					socket.onerror = () => reject(new Error('inspector socket failed'));
				});
				return new Inspector(socket);
			} catch (error) {
				if (Date.now() > deadline) throw error;
				await new Promise((r) => setTimeout(r, 500));
			}
		}
	}

	private send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
		const id = this.next++;
		this.socket.send(JSON.stringify({ id, method, params }));
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			setTimeout(() => {
				if (this.pending.delete(id)) reject(new Error(`inspector ${method} timed out`));
			}, 120_000);
		});
	}

	async evaluate(expression: string): Promise<unknown> {
		const result = (await this.send('Runtime.evaluate', { expression, returnByValue: true })) as {
			result: { value: unknown };
		};
		return result.result.value;
	}

	/** Collects garbage (twice: the first pass frees what finalizers release) and reads process.memoryUsage(). */
	async gcAndRead(): Promise<MemoryReading> {
		await this.send('HeapProfiler.collectGarbage');
		await this.send('HeapProfiler.collectGarbage');
		const usage = JSON.parse(
			String(await this.evaluate('JSON.stringify(process.memoryUsage())')),
		) as Record<string, number>;
		const mb = (bytes: number) => bytes / 1024 / 1024;
		return {
			rssMb: mb(usage.rss),
			heapUsedMb: mb(usage.heapUsed),
			heapTotalMb: mb(usage.heapTotal),
			externalMb: mb(usage.external),
		};
	}

	/** Starts V8's CPU profiler (sampling every `intervalUs`). */
	async startProfile(intervalUs = 200): Promise<void> {
		await this.send('Profiler.enable');
		await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
		await this.send('Profiler.start');
	}

	/** Stops the profiler and returns the profile (the .cpuprofile format). */
	async stopProfile(): Promise<CpuProfile> {
		const result = (await this.send('Profiler.stop')) as { profile: CpuProfile };
		return result.profile;
	}

	close(): void {
		this.socket.close();
	}
}
