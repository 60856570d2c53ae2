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

/** One control API request: what a route needs to answer it. */
interface ControlRequest {
	world: World;
	hooks: ControlHooks;
	method: string;
	res: http.ServerResponse;
	body: string;
	url: URL;
}

type ControlRoute = (c: ControlRequest) => void | Promise<void>;

/** The control API by "METHOD path"; "* path" answers every method. */
const CONTROL_ROUTES: Record<string, ControlRoute> = {
	'GET /': ({ res, hooks }) => sendJson(res, 200, hooks.urls()),
	'GET /faults': ({ res, world }) => sendJson(res, 200, world.faults.describe()),
	'POST /faults': addFaults,
	'DELETE /faults': async ({ res, world }) => {
		world.faults.clear();
		await world.applyDownFaults();
		return sendJson(res, 200, { ok: true });
	},
	'GET /ground-truth': ({ res, world }) => sendJson(res, 200, world.groundTruth()),
	'GET /calls': listCalls,
	'GET /reports': ({ res, world, url }) => {
		const acc = url.searchParams.get('account');
		return sendJson(res, 200, acc ? world.reports.filter((r) => r.account === acc) : world.reports);
	},
	'POST /reset': async ({ res, world }) => {
		await world.reset();
		return sendJson(res, 200, { ok: true });
	},
	'* /clock': ({ res, world, method, body }) => {
		if (method === 'POST') {
			const b = parse(body);
			if (typeof b.factor === 'number') world.clock.setFactor(b.factor);
			if (typeof b.advanceMs === 'number') world.clock.advance(b.advanceMs);
		}
		return sendJson(res, 200, { now: world.clock.now(), factor: world.clock.factor });
	},
	'POST /webui/expire-credentials': ({ res, world }) => {
		webuiState(world).credentials.clear();
		return sendJson(res, 200, { ok: true });
	},
};

export function controlHandler(world: World, hooks: ControlHooks): Handler {
	return async (req, res, body, url) => {
		const method = req.method ?? 'GET';
		const p = url.pathname.replace(/\/+$/, '') || '/';
		const c: ControlRequest = { world, hooks, method, res, body, url };
		let seg: RegExpExecArray | null;
		try {
			const route = CONTROL_ROUTES[`${method} ${p}`] ?? CONTROL_ROUTES[`* ${p}`];
			if (route) return await route(c);
			if ((seg = /^\/faults\/([^/]+)$/.exec(p)) && method === 'DELETE') {
				const removed = world.faults.remove(decodeURIComponent(seg[1]));
				await world.applyDownFaults();
				return sendJson(res, removed ? 200 : 404, { ok: removed });
			}
			if ((seg = /^\/accounts\/([^/]+)(?:\/([^/]+))?$/.exec(p))) {
				const name = decodeURIComponent(seg[1]);
				if (!world.accounts.has(name))
					return sendJson(res, 404, { error: `no such account: ${name}` });
				const b = method === 'GET' ? {} : parse(body);
				const accountRoute = ACCOUNT_ROUTES[`${method} ${seg[2] ?? ''}`];
				if (accountRoute) return await accountRoute(c, name, b);
			}
			return sendJson(res, 404, { error: `no route ${method} ${p}` });
		} catch (e) {
			return sendJson(res, 400, { error: (e as Error).message });
		}
	};
}

async function addFaults({ res, world, body }: ControlRequest): Promise<void> {
	const b = JSON.parse(body || '{}');
	const specs: FaultSpec[] = Array.isArray(b) ? b : [b];
	const ids = specs.map((s) => world.faults.add(s).id);
	await world.applyDownFaults();
	return sendJson(res, 201, { ids, id: ids[0] });
}

function listCalls({ res, world, url }: ControlRequest): void {
	let calls = world.calls;
	const acc = url.searchParams.get('account');
	const action = url.searchParams.get('action');
	const since = Number(url.searchParams.get('since') ?? 0);
	if (acc) calls = calls.filter((c) => c.account === acc);
	if (action) calls = calls.filter((c) => c.action === action);
	if (since) calls = calls.filter((c) => c.n > since);
	return sendJson(res, 200, calls);
}

// ------------------------------------------------ /accounts/:name[/:sub]

/** A route under /accounts/:name, given the account's name and the parsed body ({} for GET). */
type AccountRoute = (
	c: ControlRequest,
	name: string,
	b: Record<string, unknown>,
) => void | Promise<void>;

/** The account routes by "METHOD sub" (sub is empty for /accounts/:name itself). */
const ACCOUNT_ROUTES: Record<string, AccountRoute> = {
	'GET ': ({ res, world }, name) =>
		sendJson(res, 200, (world.groundTruth().accounts as Record<string, unknown>)[name]),
	'POST restart': restartAccount,
	'POST login': ({ res, world }, name) => {
		world.login(name);
		return sendJson(res, 200, { ok: true });
	},
	'POST offline': ({ res, world }, name, b) => {
		world.kickOffline(name, typeof b.message === 'string' ? b.message : undefined);
		return sendJson(res, 200, { ok: true });
	},
	'PUT flavour': setFlavour,
	'PUT report-urls': ({ res, world, body }, name) => {
		const acc = world.account(name);
		const raw = JSON.parse(body || '[]');
		const urls = Array.isArray(raw) ? raw : Array.isArray(raw.urls) ? raw.urls : [];
		acc.cfg.reportUrls = urls.map(String);
		if (typeof raw.secret === 'string') acc.cfg.secret = raw.secret;
		world.startHeartbeat(acc);
		return sendJson(res, 200, { ok: true, reportUrls: acc.cfg.reportUrls });
	},
	'POST send': ({ res, world }, name, b) => {
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
	},
};

async function restartAccount(
	{ res, world }: ControlRequest,
	name: string,
	b: Record<string, unknown>,
): Promise<void> {
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

function setFlavour(
	{ res, world }: ControlRequest,
	name: string,
	b: Record<string, unknown>,
): void {
	const acc = world.account(name);
	const fl = b.flavour as ImplementationName;
	if (!['llonebot', 'napcat', 'gocq', 'lagrange'].includes(fl))
		return sendJson(res, 400, { error: 'flavour must be llonebot|napcat|gocq|lagrange' });
	acc.cfg.flavour = fl;
	acc.cfg.version = typeof b.version === 'string' ? b.version : defaultVersion(fl);
	if (typeof b.napcatMultiProcess === 'boolean') acc.cfg.napcatMultiProcess = b.napcatMultiProcess;
	if (typeof b.secret === 'string') acc.cfg.secret = b.secret;
	if (b.messageFormat === 'array' || b.messageFormat === 'string')
		acc.cfg.messageFormat = b.messageFormat;
	// Self-reporting and LLOneBot's debug (raw records): simulator/kernel.ts.
	if (typeof b.reportSelfMessage === 'boolean') acc.cfg.reportSelfMessage = b.reportSelfMessage;
	if (typeof b.debug === 'boolean') acc.cfg.debug = b.debug;
	return sendJson(res, 200, { ok: true, flavour: acc.cfg.flavour, version: acc.cfg.version });
}
