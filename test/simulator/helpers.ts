/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/** Plain HTTP and WebSocket clients for the simulator tests (no package code involved). */
import * as http from 'node:http';
import WebSocket from 'ws';

export { sharedSimulator } from '../support/worlds';

export interface HttpResult {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	json: any;
}

export function request(
	url: string,
	opts: {
		method?: string;
		body?: unknown;
		rawBody?: string;
		headers?: Record<string, string>;
		timeoutMs?: number;
	} = {},
): Promise<HttpResult> {
	return new Promise((resolve, reject) => {
		const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
		const headers: Record<string, string> = { ...(opts.headers ?? {}) };
		if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
			headers['Content-Type'] = 'application/json';
		const req = http.request(
			url,
			{ method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json: any;
					try {
						json = text ? JSON.parse(text) : undefined;
					} catch {
						json = undefined;
					}
					resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
				});
				res.on('error', reject);
			},
		);
		if (opts.timeoutMs)
			req.setTimeout(opts.timeoutMs, () =>
				req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })),
			);
		req.on('error', reject);
		req.end(body);
	});
}

/** Call an action the way a OneBot HTTP client does. */
export function call(
	base: string,
	token: string | undefined,
	action: string,
	params: Record<string, unknown> = {},
	timeoutMs?: number,
): Promise<HttpResult> {
	return request(`${base}/${action}`, {
		body: params,
		headers: token ? { Authorization: `Bearer ${token}` } : {},
		timeoutMs,
	});
}

export class WsClient {
	frames: any[] = [];
	raw: string[] = [];
	private waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void }> = [];
	closed: Promise<number>;
	private echo = 0;

	constructor(public ws: WebSocket) {
		ws.on('message', (d) => {
			const text = d.toString();
			this.raw.push(text);
			let f: any;
			try {
				f = JSON.parse(text);
			} catch {
				f = { __raw: text };
			}
			this.frames.push(f);
			for (const w of [...this.waiters]) {
				if (w.pred(f)) {
					this.waiters.splice(this.waiters.indexOf(w), 1);
					w.resolve(f);
				}
			}
		});
		this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
		ws.on('error', () => undefined);
	}

	static connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(url, { headers });
			const c = new WsClient(ws);
			ws.once('open', () => resolve(c));
			ws.once('unexpected-response', (_req, res) =>
				reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
			);
			ws.once('error', reject);
		});
	}

	next(pred: (f: any) => boolean, timeoutMs = 3000): Promise<any> {
		const have = this.frames.find(pred);
		if (have) return Promise.resolve(have);
		return new Promise((resolve, reject) => {
			const w = { pred, resolve: (f: any) => (clearTimeout(t), resolve(f)) };
			const t = setTimeout(() => {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				reject(
					new Error(
						`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 800)}`,
					),
				);
			}, timeoutMs);
			this.waiters.push(w);
		});
	}

	async call(action: string, params: Record<string, unknown> = {}, timeoutMs = 3000): Promise<any> {
		const echo = `e${++this.echo}-${Math.random().toString(36).slice(2, 8)}`;
		this.ws.send(JSON.stringify({ action, params, echo }));
		return this.next((f) => f.echo === echo, timeoutMs);
	}

	close(): Promise<number> {
		if (this.ws.readyState === WebSocket.CLOSED) return this.closed;
		this.ws.close();
		return this.closed;
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

export async function until<T>(
	fn: () => Promise<T | undefined | false> | T | undefined | false,
	timeoutMs = 3000,
	stepMs = 20,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v as T;
		if (Date.now() > end) throw new Error('condition not met in time');
		await sleep(stepMs);
	}
}

/** A tiny HTTP receiver for event reports. */
export async function reportReceiver(): Promise<{
	url: string;
	got: Array<{ headers: http.IncomingHttpHeaders; body: string }>;
	close(): Promise<void>;
}> {
	const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(204);
			res.end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}/onebot`,
		got,
		close: () => new Promise<void>((r) => server.close(() => r())),
	};
}
