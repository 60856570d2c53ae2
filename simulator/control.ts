/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** Control API, NapCat WebUI and Docker Engine API endpoints of the simulator. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { FaultSpec, FlavourName } from './types';
import { defaultVersion, versionAtLeast } from './flavours';
import type { World } from './world';
import { closeTracked, listenTracked, sendJson } from './listen';
import { recorder, type CallBase } from './calls';

export type Handler = (
	req: http.IncomingMessage,
	res: http.ServerResponse,
	body: string,
	url: URL,
) => Promise<void> | void;

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
					const fl = b.flavour as FlavourName;
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

// ================================================================ NapCat WebUI

export function webuiState(world: World): World['webui'] {
	return world.webui;
}

export function webuiDefaultAccount(world: World): string {
	const cfg = world.config.webui?.account;
	if (cfg && world.accounts.has(cfg)) return cfg;
	for (const a of world.accounts.values()) if (a.cfg.flavour === 'napcat') return a.name;
	return world.accounts.has('bot') ? 'bot' : [...world.accounts.keys()][0];
}

export function webuiToken(world: World, name: string): string {
	const acc = world.account(name);
	if (name === webuiDefaultAccount(world) && world.config.webui?.token)
		return world.config.webui.token;
	return `webui-${acc.cfg.token || acc.name}`;
}

export function webuiHandler(world: World): Handler {
	return async (req, res, body, url) => {
		const st = webuiState(world);
		let p = url.pathname.replace(/\/+$/, '');
		let name = webuiDefaultAccount(world);
		const pre = /^\/accounts\/([^/]+)(\/.*)$/.exec(p);
		if (pre) {
			name = decodeURIComponent(pre[1]);
			p = pre[2];
			if (!world.accounts.has(name)) return sendJson(res, 404, { code: -1, message: 'Not Found' });
		}
		const acc = world.account(name);
		const started = Date.now();
		const base: CallBase = {
			account: `webui:${name}`,
			transport: 'http',
			method: req.method,
			path: url.pathname,
			action: p,
			params: safeParse(body),
		};
		const record = recorder(world, base, started);
		const reply = (status: number, b: Record<string, unknown>) => {
			sendJson(res, status, b);
			record({ httpStatus: status, response: b, outcome: 'answered' });
		};
		const down = world.faults.fire(['webui_down'], { account: name, action: p });
		if (down) {
			record({ params: null, response: null, faults: [down.id], outcome: 'reset', durationMs: 0 });
			req.socket.destroy();
			return;
		}
		if (req.method === 'GET' && (p === '' || p === '/webui')) {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<!doctype html><title>NapCat WebUI</title>');
			return;
		}
		const token = webuiToken(world, name);
		const ttl = world.config.webui?.credentialTtlMs ?? 3600_000;
		const now = world.clock.now();
		if (req.method === 'POST' && p === '/api/auth/login') {
			const b = safeParse(body) as Record<string, unknown>;
			const given =
				typeof b.hash === 'string' ? b.hash : typeof b.token === 'string' ? b.token : '';
			if (!given)
				return reply(200, {
					code: -1,
					message: typeof b.token === 'string' ? 'token is empty' : 'hash is empty',
				});
			const limit = world.config.webui?.loginRateLimitPerMinute ?? 10;
			st.logins = st.logins.filter((t) => now - t < 60_000);
			world.webui.logins = st.logins;
			if (st.logins.length >= limit) return reply(200, { code: -1, message: 'login rate limit' });
			st.logins.push(now);
			const wantHash = createHash('sha256')
				.update(token + '.napcat')
				.digest('hex');
			if (given !== wantHash && given !== token)
				return reply(200, { code: -1, message: 'token is invalid' });
			const cred = Buffer.from(
				JSON.stringify({
					Data: { CreatedTime: now, HashEncoded: wantHash },
					Hmac: createHmac('sha256', token)
						.update(String(now) + randomBytes(8).toString('hex'))
						.digest('hex'),
				}),
			).toString('base64');
			st.credentials.set(cred, now + ttl);
			return reply(200, { code: 0, message: 'success', data: { Credential: cred } });
		}
		if (p.startsWith('/api/')) {
			const auth = req.headers.authorization ?? '';
			const cred = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
			const exp = cred ? st.credentials.get(cred) : undefined;
			if (!cred || exp === undefined || exp <= now) {
				if (cred && exp !== undefined) st.credentials.delete(cred);
				// A missing, malformed or expired credential is answered HTTP 200 with code -1 (NapNeko/NapCatQQ:
				// packages/napcat-webui-backend/src/middleware/auth.ts → sendError in src/utils/response.ts).
				return reply(200, { code: -1, message: 'Unauthorized' });
			}
			if (p === '/api/auth/check') return reply(200, { code: 0, message: 'success' });
			if (p === '/api/Process/Restart' && req.method === 'POST') {
				void world.restart(name, { via: 'webui' });
				return reply(200, {
					code: 0,
					message: 'success',
					data: { message: 'Process restart initiated' },
				});
			}
			if (p === '/api/QQLogin/CheckLoginStatus') {
				const qr = acc.qrLoginPending
					? `https://txz.qq.com/p?k=${createHash('md5')
							.update(name + now)
							.digest('hex')
							.slice(0, 32)}&f=537234702`
					: '';
				// isOffline exists only from v4.14.9 on (NapNeko/NapCatQQ: packages/napcat-webui-backend/src/api/QQLogin.ts,
				// QQCheckLoginStatusHandler, commit 39a2a402); v4.10.32 answers isLogin, qrcodeurl and loginError.
				const data: Record<string, unknown> = {
					isLogin: acc.loggedIn,
					qrcodeurl: qr,
					loginError: '',
				};
				if (acc.cfg.flavour === 'napcat' && versionAtLeast(acc.cfg.version, '4.14.9')) {
					data.isOffline = acc.process === 'running' && !acc.loggedIn && !acc.qrLoginPending;
				}
				return reply(200, { code: 0, message: 'success', data });
			}
			if (p === '/api/QQLogin/GetQQLoginQrcode') {
				if (acc.loggedIn) return reply(200, { code: -1, message: 'QQ Is Logined' });
				if (!acc.qrLoginPending) return reply(200, { code: -1, message: 'QRCode Get Error' });
				return reply(200, {
					code: 0,
					message: 'success',
					data: { qrcode: `https://txz.qq.com/p?k=${name}&f=537234702` },
				});
			}
			if (p === '/api/QQLogin/GetQQLoginInfo')
				return reply(200, {
					code: 0,
					message: 'success',
					data: { uin: String(acc.selfId), nick: acc.nickname, online: acc.loggedIn },
				});
		}
		return reply(404, { code: -1, message: 'Not Found' });
	};
}

function safeParse(body: string): unknown {
	try {
		return body ? JSON.parse(body) : {};
	} catch {
		return body;
	}
}

// ================================================================ Docker Engine API

export function containerId(name: string): string {
	return createHash('sha256').update(`container:${name}`).digest('hex');
}

export function dockerHandler(world: World): Handler {
	const find = (ref: string): { name: string; account: string } | undefined => {
		const map = world.config.containers ?? {};
		const clean = ref.replace(/^\//, '');
		if (map[clean]) return { name: clean, account: map[clean] };
		if (clean.length >= 3) {
			const hits = Object.entries(map).filter(([n]) => containerId(n).startsWith(clean));
			if (hits.length === 1) return { name: hits[0][0], account: hits[0][1] };
		}
		return undefined;
	};
	return async (req, res, body, url) => {
		const started = Date.now();
		const p = url.pathname.replace(/^\/v\d+(\.\d+)?/, '').replace(/\/+$/, '') || '/';
		const base: CallBase = {
			account: 'docker',
			transport: 'http',
			method: req.method,
			path: url.pathname + url.search,
			action: p,
			params: safeParse(body),
		};
		const record = recorder(world, base, started);
		const reply = (status: number, b: unknown, faults: string[] = []) => {
			sendJson(res, status, b);
			const outcome = status === 500 ? 'http_500' : 'answered';
			record({ httpStatus: status, response: b ?? null, faults, outcome });
		};
		if (p === '/_ping') {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end('OK');
			return;
		}
		if (p === '/version')
			return reply(200, {
				Version: '27.3.1',
				ApiVersion: '1.47',
				MinAPIVersion: '1.24',
				Os: 'linux',
				Arch: 'amd64',
			});
		if (p === '/containers/json' && req.method === 'GET') {
			return reply(
				200,
				Object.entries(world.config.containers ?? {}).map(([n, a]) => {
					const acc = world.accounts.get(a);
					const running = acc?.process === 'running';
					return {
						Id: containerId(n),
						Names: [`/${n}`],
						Image: 'mlikiowa/napcat-docker:latest',
						State: running ? 'running' : 'exited',
						Status: running ? 'Up' : 'Exited (0)',
					};
				}),
			);
		}
		let m: RegExpExecArray | null;
		if ((m = /^\/containers\/([^/]+)\/json$/.exec(p)) && req.method === 'GET') {
			const c = find(decodeURIComponent(m[1]));
			if (!c) return reply(404, { message: `No such container: ${decodeURIComponent(m[1])}` });
			const acc = world.account(c.account);
			const running = acc.process === 'running';
			// ContainerInspect (Docker Engine API): State.StartedAt is when the container's process last started
			// (RFC 3339 with nanoseconds); a restart sets it anew. Before its first restart in this world the
			// container has been up for a day, so a first restart is never refused as "started recently".
			const now = world.clock.now();
			const restarted = world.restarts.some((r) => r.account === c.account && r.until <= now);
			const startedAt = restarted ? acc.startedAt : acc.startedAt - 86_400_000;
			return reply(200, {
				Id: containerId(c.name),
				Name: `/${c.name}`,
				State: {
					Status: running ? 'running' : acc.process === 'restarting' ? 'restarting' : 'exited',
					Running: running,
					Restarting: acc.process === 'restarting',
					StartedAt: new Date(startedAt).toISOString().replace(/Z$/, '000000Z'),
				},
			});
		}
		if ((m = /^\/containers\/([^/]+)\/(restart|start|stop)$/.exec(p)) && req.method === 'POST') {
			const ref = decodeURIComponent(m[1]);
			const c = find(ref);
			if (!c) return reply(404, { message: `No such container: ${ref}` });
			const fault = world.faults.fire(['docker_500'], { account: c.account, action: m[2] });
			if (fault)
				return reply(
					500,
					{
						message: String(
							fault.spec.params?.message ??
								`Cannot restart container ${ref}: tried to kill container, but did not receive an exit event`,
						),
					},
					[fault.id],
				);
			const acc = world.account(c.account);
			if (m[2] === 'stop') {
				await world.quit(acc, 'docker');
				return reply(204, undefined);
			}
			if (m[2] === 'start' && acc.process === 'running') {
				res.writeHead(304);
				res.end();
				return;
			}
			void world.restart(c.account, { via: 'docker' });
			return reply(204, undefined);
		}
		return reply(404, { message: 'page not found' });
	};
}
