/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** The simulator's small HTTP servers and its control API; the NapCat WebUI and Docker API are in webui.ts and docker.ts. */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { FaultSpec, ImplementationName } from './types';
import { defaultVersion } from './implementations';
import type { World } from './world';
import { closeTracked, listenTracked, sendJson } from './listen';
import type { Handler } from './listen';
import { webuiState } from './webui';

export class SmallServer {
	private server?: http.Server;
	private sockets = new Set<Socket>();
	port: number;
	constructor(
		private host: string,
		port: number,
		private handler: Handler,
	) {
		this.port = port;
	}
	get url(): string {
		return `http://${this.host}:${this.port}`;
	}
	async start(): Promise<void> {
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const url = new URL(req.url ?? '/', 'http://x');
				Promise.resolve(this.handler(req, res, Buffer.concat(chunks).toString('utf8'), url)).catch(
					(e: Error) => {
						if (!res.headersSent) sendJson(res, 500, { error: e.message });
					},
				);
			});
		});
		this.port = await listenTracked(server, this.host, this.port, this.sockets);
		this.server = server;
	}
	async stop(): Promise<void> {
		const s = this.server;
		this.server = undefined;
		if (s) await closeTracked(s, this.sockets);
	}
}

function parse(body: string): Record<string, unknown> {
	if (!body.trim()) return {};
	const v = JSON.parse(body);
	return v && typeof v === 'object' ? v : {};
}

// ================================================================ control API

export interface ControlHooks {
	urls(): unknown;
}

export function controlHandler(world: World, hooks: ControlHooks): Handler {
	return async (req, res, body, url) => {
		const m = req.method ?? 'GET';
		const p = url.pathname.replace(/\/+$/, '') || '/';
		let seg: RegExpExecArray | null;
		try {
			if (m === 'GET' && p === '/') return sendJson(res, 200, hooks.urls());
			if (p === '/faults') {
				if (m === 'GET') return sendJson(res, 200, world.faults.describe());
				if (m === 'POST') {
					const b = JSON.parse(body || '{}');
					const specs: FaultSpec[] = Array.isArray(b) ? b : [b];
					const ids = specs.map((s) => world.faults.add(s).id);
					await world.applyDownFaults();
					return sendJson(res, 201, { ids, id: ids[0] });
				}
				if (m === 'DELETE') {
					world.faults.clear();
					await world.applyDownFaults();
					return sendJson(res, 200, { ok: true });
				}
			}
			if ((seg = /^\/faults\/([^/]+)$/.exec(p)) && m === 'DELETE') {
				const removed = world.faults.remove(decodeURIComponent(seg[1]));
				await world.applyDownFaults();
				return sendJson(res, removed ? 200 : 404, { ok: removed });
			}
			if (m === 'GET' && p === '/ground-truth') return sendJson(res, 200, world.groundTruth());
			if (m === 'GET' && p === '/calls') {
				let calls = world.calls;
				const acc = url.searchParams.get('account');
				const action = url.searchParams.get('action');
				const since = Number(url.searchParams.get('since') ?? 0);
				if (acc) calls = calls.filter((c) => c.account === acc);
				if (action) calls = calls.filter((c) => c.action === action);
				if (since) calls = calls.filter((c) => c.n > since);
				return sendJson(res, 200, calls);
			}
			if (m === 'GET' && p === '/reports') {
				const acc = url.searchParams.get('account');
				return sendJson(
					res,
					200,
					acc ? world.reports.filter((r) => r.account === acc) : world.reports,
				);
			}
			if (m === 'POST' && p === '/reset') {
				await world.reset();
				return sendJson(res, 200, { ok: true });
			}
			if (p === '/clock') {
				if (m === 'POST') {
					const b = parse(body);
					if (typeof b.factor === 'number') world.clock.setFactor(b.factor);
					if (typeof b.advanceMs === 'number') world.clock.advance(b.advanceMs);
				}
				return sendJson(res, 200, { now: world.clock.now(), factor: world.clock.factor });
			}
			if (m === 'POST' && p === '/webui/expire-credentials') {
				webuiState(world).credentials.clear();
				return sendJson(res, 200, { ok: true });
			}
			if ((seg = /^\/accounts\/([^/]+)(?:\/([^/]+))?$/.exec(p))) {
				const name = decodeURIComponent(seg[1]);
				const sub = seg[2];
				if (!world.accounts.has(name))
					return sendJson(res, 404, { error: `no such account: ${name}` });
				const acc = world.account(name);
				const b = m === 'GET' ? {} : parse(body);
				if (!sub && m === 'GET')
					return sendJson(
						res,
						200,
						(world.groundTruth().accounts as Record<string, unknown>)[name],
					);
				if (sub === 'restart' && m === 'POST') {
					const opts = {
						via: 'control',
						downtimeMs: typeof b.downtimeMs === 'number' ? b.downtimeMs : undefined,
						needsQrLogin: typeof b.needsQrLogin === 'boolean' ? b.needsQrLogin : undefined,
					};
					const done = world.restart(name, opts);
					if (b.wait === true) {
						const r = await done;
						return sendJson(res, 200, { ok: true, ...r });
					}
					void done;
					return sendJson(res, 202, { ok: true });
				}
				if (sub === 'login' && m === 'POST') {
					world.login(name);
					return sendJson(res, 200, { ok: true });
				}
				if (sub === 'offline' && m === 'POST') {
					world.kickOffline(name, typeof b.message === 'string' ? b.message : undefined);
					return sendJson(res, 200, { ok: true });
				}
				if (sub === 'flavour' && m === 'PUT') {
					const fl = b.flavour as ImplementationName;
					if (!['llonebot', 'napcat', 'gocq', 'lagrange'].includes(fl))
						return sendJson(res, 400, { error: 'flavour must be llonebot|napcat|gocq|lagrange' });
					acc.cfg.flavour = fl;
					acc.cfg.version = typeof b.version === 'string' ? b.version : defaultVersion(fl);
					if (typeof b.napcatMultiProcess === 'boolean')
						acc.cfg.napcatMultiProcess = b.napcatMultiProcess;
					if (typeof b.secret === 'string') acc.cfg.secret = b.secret;
					if (b.messageFormat === 'array' || b.messageFormat === 'string')
						acc.cfg.messageFormat = b.messageFormat;
					// Self-reporting and LLOneBot's debug (raw records): simulator/kernel.ts.
					if (typeof b.reportSelfMessage === 'boolean')
						acc.cfg.reportSelfMessage = b.reportSelfMessage;
					if (typeof b.debug === 'boolean') acc.cfg.debug = b.debug;
					return sendJson(res, 200, {
						ok: true,
						flavour: acc.cfg.flavour,
						version: acc.cfg.version,
					});
				}
				if (sub === 'report-urls' && m === 'PUT') {
					const raw = JSON.parse(body || '[]');
					const urls = Array.isArray(raw) ? raw : Array.isArray(raw.urls) ? raw.urls : [];
					acc.cfg.reportUrls = urls.map(String);
					if (typeof raw.secret === 'string') acc.cfg.secret = raw.secret;
					world.startHeartbeat(acc);
					return sendJson(res, 200, { ok: true, reportUrls: acc.cfg.reportUrls });
				}
				if (sub === 'send' && m === 'POST') {
					const msg = world.injectMessage(
						name,
						{
							groupId: b.group_id !== undefined ? Number(b.group_id) : undefined,
							userId: b.user_id !== undefined ? Number(b.user_id) : undefined,
						},
						b.message,
						b.auto_escape === true,
					);
					return sendJson(res, 200, { ok: true, key: msg.key, seq: msg.seq });
				}
			}
			return sendJson(res, 404, { error: `no route ${m} ${p}` });
		} catch (e) {
			return sendJson(res, 400, { error: (e as Error).message });
		}
	};
}
