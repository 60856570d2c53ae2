/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * One account's OneBot endpoints: HTTP API (`POST|GET /<action>`) and forward WebSocket (`/`, `/api`,
 * `/event`) on one port. Long because both transports apply the same auth, parsing and transport faults.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { TRANSPORT_KINDS, type ActiveFault, type FaultContext } from './faults';
import * as F from './implementations';
import type { Account, World } from './world';
import type { CallRecord } from './types';
import { recorder, type CallBase } from './calls';
import { closeTracked, listenTracked, sendJson } from './listen';

type Role = 'api' | 'event' | 'universal';

/** The transport faults that fire on one call: added latency, at most one other fault, and their ids. */
interface TransportFaults {
	latency: number;
	fault?: ActiveFault;
	applied: string[];
}

export class AccountServer {
	private server?: http.Server;
	private wss: WebSocketServer;
	private sockets = new Set<Socket>();
	private wsClients = new Set<WebSocket>();
	private hangTimers = new Set<NodeJS.Timeout>();
	port: number;

	constructor(
		private world: World,
		private acc: Account,
		private host: string,
		port: number,
	) {
		this.port = port;
		this.wss = new WebSocketServer({ noServer: true });
	}

	get httpUrl(): string {
		return `http://${this.host}:${this.port}`;
	}
	get wsUrl(): string {
		return `ws://${this.host}:${this.port}`;
	}

	async start(): Promise<void> {
		if (this.server) return;
		const server = http.createServer((req, res) => void this.onRequest(req, res));
		server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
		this.port = await listenTracked(server, this.host, this.port, this.sockets);
		this.server = server;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		for (const t of this.hangTimers) clearTimeout(t);
		this.hangTimers.clear();
		for (const c of this.wsClients) c.terminate();
		this.wsClients.clear();
		this.acc.sinks.clear();
		if (server) await closeTracked(server, this.sockets);
	}

	// ------------------------------------------------------------ transport faults

	private transportFaults(ctx: FaultContext): TransportFaults {
		const applied: string[] = [];
		let latency = 0;
		for (const f of this.world.faults.matching(['latency'], ctx)) {
			if (!this.world.faults.tryFire(f)) continue;
			const p = f.spec.params ?? {};
			const ms = Number(p.ms ?? 100);
			const jitter = Number(p.jitterMs ?? 0);
			latency += ms + (jitter > 0 ? Math.floor(f.rng() * jitter) : 0);
			applied.push(f.id);
		}
		const kinds = new Set([...TRANSPORT_KINDS].filter((k) => k !== 'latency'));
		const fault = this.world.faults.fire(kinds, ctx);
		if (fault) applied.push(fault.id);
		return { latency, fault, applied };
	}

	private faultContext(
		action: string,
		params: Record<string, unknown>,
		transport: 'http' | 'ws',
	): FaultContext {
		const ctx: FaultContext = { account: this.acc.name, action, transport };
		const isSend =
			action === 'send_msg' || action === 'send_group_msg' || action === 'send_private_msg';
		if (isSend || action.endsWith('_history')) {
			const group =
				params.group_id !== undefined &&
				params.group_id !== '' &&
				action !== 'send_private_msg' &&
				action !== 'get_friend_msg_history' &&
				params.message_type !== 'private';
			if (group) {
				ctx.messageType = 'group';
				ctx.group = Number(params.group_id);
			} else if (params.user_id !== undefined) {
				ctx.messageType = 'private';
				ctx.user = Number(params.user_id);
			}
		}
		return ctx;
	}

	// ------------------------------------------------------------ HTTP

	private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const started = Date.now();
		const url = new URL(req.url ?? '/', 'http://x');
		const action = url.pathname.replace(/^\/+|\/+$/g, '');
		const bodyText = await readBody(req);
		const base: CallBase = {
			at: this.world.clock.now(),
			account: this.acc.name,
			transport: 'http',
			method: req.method,
			path: url.pathname + url.search,
			action,
			params: null,
		};
		const record = recorder(this.world, base, started);
		const f = this.acc.implementation;
		const auth = F.checkAuth(f, this.acc.cfg.token, {
			header: req.headers.authorization,
			query: url.searchParams.get('access_token'),
		});
		if (!auth.ok) {
			const r = auth.reply!;
			sendJson(res, r.httpStatus, r.body);
			record({ httpStatus: r.httpStatus, response: r.body ?? null, outcome: 'auth_failed' });
			return;
		}
		const params = httpParams(req, url, bodyText, f);
		if (!params) {
			answerBodyNotJson(res, f, bodyText, record);
			return;
		}
		base.params = params;

		if (action === '' && f.name === 'napcat') {
			const hello = F.okBody(f, {});
			hello.message = 'NapCat4 Is Running';
			sendJson(res, 200, hello);
			record({ httpStatus: 200, response: hello, outcome: 'answered' });
			return;
		}

		const tf = this.transportFaults(this.faultContext(action, params, 'http'));
		if (tf.latency) await this.world.sleep(tf.latency);
		const kind = tf.fault?.spec.kind;
		if (this.answeredByHttpFault(req, res, tf, record)) return;
		const result = await this.world.handleAction(this.acc.name, action, params, 'http');
		const faults = [...tf.applied, ...result.faults];
		if (kind === 'malformed_json') {
			const full = result.body ? JSON.stringify(result.body) : '';
			const cut = Number(
				tf.fault?.spec.params?.truncateAt ?? Math.max(1, Math.floor(full.length / 2)),
			);
			const text = full.slice(0, cut);
			res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
			res.end(text);
			record({
				httpStatus: 200,
				response: text,
				rawResponse: text,
				faults,
				outcome: 'malformed_json',
			});
			return;
		}
		// a client that hung up is not written to (and the packet is not counted), but the call is logged
		if (!res.destroyed && !req.socket.destroyed) {
			this.acc.stat.packet_sent++;
			sendJson(res, result.httpStatus, result.body);
		}
		record({
			httpStatus: result.httpStatus,
			response: result.body ?? null,
			faults,
			outcome: 'answered',
		});
	}

	/** hang, connection_reset and http_500 answer (or do not answer) in place of the client; true when one did. */
	private answeredByHttpFault(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		tf: TransportFaults,
		record: ReturnType<typeof recorder>,
	): boolean {
		const kind = tf.fault?.spec.kind;
		if (kind === 'hang') {
			const ms = tf.fault?.spec.params?.closeAfterMs;
			if (typeof ms === 'number') {
				const t = setTimeout(() => {
					this.hangTimers.delete(t);
					req.socket.destroy();
				}, ms);
				this.hangTimers.add(t);
			}
			record({ response: null, faults: tf.applied, outcome: 'hang' });
			return true;
		}
		if (kind === 'connection_reset') {
			record({ response: null, faults: tf.applied, outcome: 'reset' });
			resetSocket(req.socket);
			return true;
		}
		if (kind === 'http_500') {
			const text = String(tf.fault?.spec.params?.body ?? 'Internal Server Error');
			res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
			res.end(text);
			record({ httpStatus: 500, response: text, faults: tf.applied, outcome: 'http_500' });
			return true;
		}
		return false;
	}

	// ------------------------------------------------------------ WebSocket

	private onUpgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://x');
		const path = url.pathname.replace(/\/+$/, '') || '/';
		const f = this.acc.implementation;
		let role: Role | undefined;
		if (f.name === 'napcat') role = path === '/api' ? 'api' : 'universal';
		else
			role =
				path === '/api'
					? 'api'
					: path === '/event'
						? 'event'
						: path === '/'
							? 'universal'
							: undefined;
		if (!role) {
			socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
			return;
		}
		const auth = F.checkAuth(f, this.acc.cfg.token, {
			header: req.headers.authorization,
			query: url.searchParams.get('access_token'),
		});
		const connect: CallBase = {
			account: this.acc.name,
			transport: 'ws',
			path,
			action: '(connect)',
			params: null,
		};
		const refused = recorder(this.world, connect, Date.now());
		if (!auth.ok && !auth.wsFrame) {
			const st = auth.reply?.httpStatus ?? 401;
			socket.end(
				`HTTP/1.1 ${st} ${st === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
			);
			refused({ httpStatus: st, response: null, outcome: 'auth_failed', durationMs: 0 });
			return;
		}
		this.wss.handleUpgrade(req, socket, head, (ws) => {
			this.wsClients.add(ws);
			ws.on('close', () => this.wsClients.delete(ws));
			ws.on('error', () => undefined);
			if (!auth.ok) {
				ws.send(JSON.stringify(auth.wsFrame));
				refused({ response: auth.wsFrame, outcome: 'auth_failed', durationMs: 0 });
				ws.close();
				return;
			}
			this.onConnection(ws, role!);
		});
	}

	private onConnection(ws: WebSocket, role: Role): void {
		const acc = this.acc;
		const world = this.world;
		if (role !== 'api') {
			const sink = {
				send: (ev: Record<string, unknown>) =>
					ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(ev)),
			};
			acc.sinks.add(sink);
			sink.send(world.lifecycleEvent(acc, 'connect'));
			const hb = world.clock.setInterval(() => {
				if (acc.process !== 'running' || world.heartbeatStopped(acc)) return;
				sink.send(world.heartbeatEvent(acc));
			}, world.heartbeatIntervalFor(acc));
			ws.on('close', () => {
				clearInterval(hb);
				acc.sinks.delete(sink);
			});
		}
		if (role !== 'event') ws.on('message', (data) => void this.onFrame(ws, data));
	}

	private async onFrame(ws: WebSocket, data: RawData): Promise<void> {
		const started = Date.now();
		const f = this.acc.implementation;
		const text = data.toString();
		let frame: { action?: unknown; params?: unknown; echo?: unknown };
		try {
			frame = JSON.parse(text);
			if (!frame || typeof frame !== 'object') throw new Error('not an object');
		} catch (e) {
			this.answerUnparsableFrame(ws, text, e as Error, started);
			return;
		}
		const action = typeof frame.action === 'string' ? frame.action : '';
		const params =
			frame.params && typeof frame.params === 'object'
				? (frame.params as Record<string, unknown>)
				: {};
		const base = {
			at: this.world.clock.now(),
			account: this.acc.name,
			transport: 'ws' as const,
			action,
			params,
			echo: frame.echo,
		};
		const record = recorder(this.world, base, started);
		const tf = this.transportFaults(this.faultContext(action, params, 'ws'));
		if (tf.latency) await this.world.sleep(tf.latency);
		const kind = tf.fault?.spec.kind;
		if (kind === 'hang') {
			record({ response: null, faults: tf.applied, outcome: 'hang' });
			return;
		}
		if (kind === 'connection_reset') {
			record({ response: null, faults: tf.applied, outcome: 'reset' });
			ws.terminate();
			return;
		}
		const result = await this.world.handleAction(this.acc.name, action, params, 'ws');
		const body: Record<string, unknown> = { ...(result.body ?? {}) };
		body.echo = frame.echo ?? null;
		if (f.name === 'gocq' && frame.echo === undefined) delete body.echo;
		const faults = [...tf.applied, ...result.faults];
		let out = JSON.stringify(body);
		let outcome: CallRecord['outcome'] = 'answered';
		if (kind === 'malformed_json') {
			out = out.slice(
				0,
				Number(tf.fault?.spec.params?.truncateAt ?? Math.max(1, Math.floor(out.length / 2))),
			);
			outcome = 'malformed_json';
		}
		if (ws.readyState === WebSocket.OPEN) ws.send(out);
		this.acc.stat.packet_sent++;
		record({
			response: outcome === 'answered' ? body : out,
			rawResponse: outcome === 'answered' ? undefined : out,
			faults,
			outcome,
		});
	}

	/** A frame that is not a JSON object: answered with the implementation's parse error. */
	private answerUnparsableFrame(ws: WebSocket, text: string, e: Error, started: number): void {
		const f = this.acc.implementation;
		const body =
			f.name === 'gocq'
				? {
						data: null,
						retcode: 1400,
						msg: 'JSON_PARSE_ERROR',
						wording: e.message,
						status: 'failed',
					}
				: F.errorBody(f, { retcode: 1400, message: `JSON 解析失败: ${e.message}` }, 'ws');
		if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(body));
		const base: CallBase = {
			at: this.world.clock.now(),
			account: this.acc.name,
			transport: 'ws',
			action: '',
			params: text,
		};
		recorder(this.world, base, started)({ response: body, outcome: 'answered' });
	}
}

/**
 * An HTTP call's parameters: the query for GET; the JSON or form body for POST (NapCat and LLOneBot merge the
 * query in). Undefined for a POST body that is not JSON.
 */
function httpParams(
	req: http.IncomingMessage,
	url: URL,
	bodyText: string,
	f: Account['implementation'],
): Record<string, unknown> | undefined {
	let params: Record<string, unknown> = {};
	const query: Record<string, unknown> = {};
	for (const [k, v] of url.searchParams) if (k !== 'access_token') query[k] = v;
	if (req.method !== 'POST' || bodyText.trim() === '') return query;
	const ct = String(req.headers['content-type'] ?? '');
	if (ct.includes('application/x-www-form-urlencoded')) {
		for (const [k, v] of new URLSearchParams(bodyText)) params[k] = v;
	} else {
		try {
			const parsed = JSON.parse(bodyText);
			params = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
		} catch {
			return undefined;
		}
	}
	if (f.name === 'napcat' || f.name === 'llonebot') params = { ...query, ...params };
	return params;
}

/** A POST body that is not JSON: HTTP 400, with a OneBot body except on go-cqhttp and Lagrange. */
function answerBodyNotJson(
	res: http.ServerResponse,
	f: Account['implementation'],
	bodyText: string,
	record: ReturnType<typeof recorder>,
): void {
	const reply = {
		status: 'failed',
		retcode: 1400,
		data: null,
		message: 'Bad Request',
		wording: 'Bad Request',
	};
	if (f.name === 'gocq' || f.name === 'lagrange') sendJson(res, 400, undefined);
	else sendJson(res, 400, reply);
	record({ params: bodyText, httpStatus: 400, response: null, outcome: 'answered' });
}

function readBody(req: http.IncomingMessage): Promise<string> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
	});
}

function resetSocket(s: Socket): void {
	const r = s as Socket & { resetAndDestroy?: () => void };
	if (typeof r.resetAndDestroy === 'function') r.resetAndDestroy();
	else s.destroy();
}
