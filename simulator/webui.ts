/** The NapCat WebUI the simulator serves for restarts: token login, process restart and QQ login status. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { versionAtLeast } from './implementations';
import type { World } from './world';
import type { Handler } from './listen';
import { sendJson } from './listen';
import { recorder, safeParse, type CallBase } from './calls';

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

/** One WebUI request, after the account prefix is taken off its path. */
interface WebuiRequest {
	world: World;
	req: Parameters<Handler>[0];
	res: Parameters<Handler>[1];
	body: string;
	url: URL;
	/** The path below /accounts/:name (or the whole path for the default account). */
	path: string;
	name: string;
	acc: ReturnType<World['account']>;
	now: number;
	record: ReturnType<typeof recorder>;
	reply: (status: number, b: Record<string, unknown>) => void;
}

type WebuiRoute = (w: WebuiRequest) => void;

export function webuiHandler(world: World): Handler {
	return async (req, res, body, url) => {
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
		const now = world.clock.now();
		const w: WebuiRequest = { world, req, res, body, url, path: p, name, acc, now, record, reply };
		if (req.method === 'POST' && p === '/api/auth/login') return login(w);
		if (p.startsWith('/api/')) {
			if (!authorized(w)) {
				// A missing, malformed or expired credential is answered HTTP 200 with code -1 (NapNeko/NapCatQQ:
				// packages/napcat-webui-backend/src/middleware/auth.ts → sendError in src/utils/response.ts).
				return reply(200, { code: -1, message: 'Unauthorized' });
			}
			const route = API_ROUTES[`${req.method} ${p}`] ?? API_ROUTES[`* ${p}`];
			if (route) return route(w);
		}
		return reply(404, { code: -1, message: 'Not Found' });
	};
}

/** The WebUI's API behind its auth middleware, by "METHOD path"; "* path" answers every method. */
const API_ROUTES: Record<string, WebuiRoute> = {
	'* /api/auth/check': ({ reply }) => reply(200, { code: 0, message: 'success' }),
	'POST /api/Process/Restart': processRestart,
	'* /api/QQLogin/CheckLoginStatus': checkLoginStatus,
	'* /api/QQLogin/GetQQLoginQrcode': ({ acc, name, reply }) => {
		if (acc.loggedIn) return reply(200, { code: -1, message: 'QQ Is Logined' });
		if (!acc.qrLoginPending) return reply(200, { code: -1, message: 'QRCode Get Error' });
		return reply(200, {
			code: 0,
			message: 'success',
			data: { qrcode: `https://txz.qq.com/p?k=${name}&f=537234702` },
		});
	},
	'* /api/QQLogin/GetQQLoginInfo': ({ acc, reply }) =>
		reply(200, {
			code: 0,
			message: 'success',
			data: { uin: String(acc.selfId), nick: acc.nickname, online: acc.loggedIn },
		}),
};

function login({ world, body, name, acc, now, reply }: WebuiRequest): void {
	// LoginHandler (NapNeko/NapCatQQ: packages/napcat-webui-backend/src/api/Auth.ts at v4.10.32;
	// src/webui/src/api/Auth.ts at v4.8.90): only `hash` is read; an empty one is "token is empty";
	// the rate limit is checked before the hash, so a wrong hash uses up a login too.
	const st = webuiState(world);
	const token = webuiToken(world, name);
	const ttl = world.config.webui?.credentialTtlMs ?? credentialTtlFor(acc.cfg.version);
	const b = safeParse(body) as Record<string, unknown>;
	const given = typeof b.hash === 'string' ? b.hash : '';
	if (!given) return reply(200, { code: -1, message: 'token is empty' });
	if (!takeLoginSlot(st, now, world.config.webui?.loginRateLimitPerMinute ?? 10))
		return reply(200, { code: -1, message: 'login rate limit' });
	const wantHash = createHash('sha256')
		.update(token + '.napcat')
		.digest('hex');
	if (given !== wantHash) return reply(200, { code: -1, message: 'token is invalid' });
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

/** The auth middleware: a live Bearer credential; an expired one is forgotten. */
function authorized({ world, req, now }: WebuiRequest): boolean {
	const st = webuiState(world);
	const auth = req.headers.authorization ?? '';
	const cred = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
	const exp = cred ? st.credentials.get(cred) : undefined;
	if (!cred || exp === undefined || exp <= now) {
		if (cred && exp !== undefined) st.credentials.delete(cred);
		return false;
	}
	return true;
}

function checkLoginStatus({ acc, name, now, reply }: WebuiRequest): void {
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

/**
 * POST /api/Process/Restart (after the auth middleware, as every /api route).
 * - Before v4.10.32 there is no such route: Express answers its default HTML 404 (NapNeko/NapCatQQ:
 *   src/webui/src/router/index.ts at v4.8.90 has no Process router; router/Process.ts is new in v4.10.32).
 * - Single-process mode: the default restart callback answers {result:false, "重启功能未初始化"}, sent
 *   as HTTP 200 code -1 (packages/napcat-webui-backend/src/helper/Data.ts onRestartProcessRequested,
 *   api/Process.ts RestartProcessHandler → sendError, utils/response.ts: always HTTP 200, at v4.10.32).
 * - Multi-process (Shell) mode: the worker asks its parent to restart it and answers
 *   {message: "进程重启请求已发送"} (packages/napcat-shell/napcat.ts setRestartProcessCall, v4.10.32).
 */
function processRestart({
	world,
	req,
	res,
	url,
	path: p,
	name,
	acc,
	record,
	reply,
}: WebuiRequest): void {
	const version = acc.cfg.flavour === 'napcat' ? acc.cfg.version : undefined;
	if (version && !versionAtLeast(version, '4.10.32')) {
		const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot POST ${url.pathname}</pre>\n</body>\n</html>\n`;
		res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(html);
		record({ httpStatus: 404, response: html, outcome: 'answered' });
		return;
	}
	if (acc.cfg.napcatMultiProcess === false)
		return reply(200, { code: -1, message: '重启功能未初始化' });
	const reset = world.faults.fire(['restart_reset'], { account: name, action: p });
	void world.restart(name, { via: 'webui' });
	if (reset) {
		record({ response: null, faults: [reset.id], outcome: 'reset' });
		req.socket.destroy();
		return;
	}
	return reply(200, { code: 0, message: 'success', data: { message: '进程重启请求已发送' } });
}

/**
 * WebUI credentials: CreatedTime was written in milliseconds and compared with seconds before v4.17.30,
 * so a credential never expired; from v4.17.30 both are seconds and it lasts one hour (NapNeko/NapCatQQ:
 * packages/napcat-webui-backend/src/helper/SignToken.ts, validateCredentialWithinOneHour, at v4.17.29 and
 * v4.17.30; commit cf80c787 "credential timestamp validation").
 */
export function credentialTtlFor(version: string | undefined): number {
	return version && versionAtLeast(version, '4.17.30') ? 3600_000 : Infinity;
}

/**
 * The login rate limit: a counter per client address that starts at the first login and is deleted 60 s
 * later whatever happens in between, so the window is fixed from the first try, not sliding; a refused
 * login does not count (NapNeko/NapCatQQ: packages/napcat-webui-backend/src/helper/Data.ts checkLoginRate
 * and packages/napcat-common/src/store.ts set(key, value, ttl), at v4.10.32; src/webui/src/helper/Data.ts
 * at v4.8.90). The simulator serves one client address.
 */
function takeLoginSlot(st: World['webui'], now: number, limit: number): boolean {
	if (st.loginWindow && now - st.loginWindow.startedAt >= 60_000) st.loginWindow = null;
	if (!st.loginWindow) {
		st.loginWindow = { startedAt: now, count: 1 };
		return true;
	}
	if (st.loginWindow.count >= limit) return false;
	st.loginWindow.count++;
	return true;
}
