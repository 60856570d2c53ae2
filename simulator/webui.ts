/** The NapCat WebUI the simulator serves for restarts: token login, process restart and QQ login status. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { versionAtLeast } from './flavours';
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
