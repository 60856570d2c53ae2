/* eslint-disable @n8n/community-nodes/require-node-api-error, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * OneBot v11 simulator: a world of QQ accounts served the way LLOneBot, NapCat, go-cqhttp and Lagrange
 * serve them, with a fault catalogue and a control API. Independent of the package's core.
 */
import { AccountServer } from './account-server';
import { createClock, isClock, type Clock, type ClockOptions } from './clock';
import { SmallServer, controlHandler } from './control';
import { webuiHandler, webuiToken, webuiDefaultAccount, webuiState } from './webui';
import { containerId, dockerHandler } from './docker';
import type { FaultSpec, ImplementationName, WorldConfig } from './types';
import { World, defaultWorld } from './world';
import { defaultVersion } from './implementations';

export * from './types';
export { defaultWorld, DEFAULT_GROUP_ID, World } from './world';
export { createClock } from './clock';
export type { Clock } from './clock';
export { toCqString, parseCqString, escapeText, escapeParam } from './message';

export interface AccountUrls {
	selfId: number;
	http: string;
	ws: string;
	token: string;
	flavour: ImplementationName;
	version: string;
	webui: string;
}

/** `accounts.<name>` is typed; every account is also reachable as `urls.<name>` (same object). */
export type SimulatorUrls = {
	control: string;
	webui: string;
	docker: string;
	accounts: Record<string, AccountUrls>;
} & { [name: string]: any };

export interface StartOptions {
	host?: string;
	/** control on `port`, WebUI on port+1, Docker on port+2, accounts on port+3... in world order. 0/absent = ephemeral ports. */
	port?: number;
	clock?: Clock | ClockOptions;
	log?: (line: string) => void;
}

export interface SimulatorControl {
	setFault(spec: FaultSpec): Promise<string>;
	clearFaults(id?: string): Promise<void>;
	faults(): Promise<Array<Record<string, unknown>>>;
	restart(
		account: string,
		opts?: { downtimeMs?: number; needsQrLogin?: boolean },
	): Promise<{ until: number; needsQrLogin: boolean }>;
	login(account: string): Promise<void>;
	offline(account: string, message?: string): Promise<void>;
	groundTruth(): Promise<any>;
	calls(filter?: { account?: string; action?: string }): Promise<any[]>;
	reports(account?: string): Promise<any[]>;
	reset(): Promise<void>;
	setFlavour(
		account: string,
		flavour: ImplementationName,
		version?: string,
		extra?: {
			napcatMultiProcess?: boolean;
			secret?: string;
			messageFormat?: 'array' | 'string';
			reportSelfMessage?: boolean;
			debug?: boolean;
		},
	): Promise<void>;
	setReportUrls(account: string, urls: string[]): Promise<void>;
	inject(
		account: string,
		target: { groupId?: number; userId?: number },
		message: unknown,
	): Promise<void>;
	expireWebuiCredentials(): Promise<void>;
	clock: { now(): number; advance(ms: number): void; setFactor(f: number): void };
}

export interface Simulator {
	urls: SimulatorUrls;
	groups: Array<{ groupId: number; name?: string; members: string[] }>;
	world: World;
	control: SimulatorControl;
	/** WebUI token for an account (the default WebUI account when omitted) */
	webuiToken(account?: string): string;
	containers: Record<string, { id: string; account: string }>;
	close(): Promise<void>;
}

function fillDefaults(world: WorldConfig | undefined): WorldConfig {
	return world ? { ...world } : defaultWorld();
}

export async function startSimulator(
	worldConfig?: WorldConfig,
	opts: StartOptions = {},
): Promise<Simulator> {
	const host = opts.host ?? '127.0.0.1';
	const cfg = fillDefaults(worldConfig);
	const clock = isClock(opts.clock)
		? opts.clock
		: createClock({ factor: (opts.clock as ClockOptions | undefined)?.factor ?? cfg.clockFactor });
	const world = new World(cfg, clock);
	if (opts.log) world.log = opts.log;
	const basePort = opts.port ?? 0;
	const at = (i: number) => (basePort ? basePort + i : 0);

	const urls = {} as SimulatorUrls;
	const describe = () => describeSimulator(world, cfg, urls);
	const control = new SmallServer(host, at(0), controlHandler(world, { urls: describe }));
	const webui = new SmallServer(host, at(1), webuiHandler(world));
	const docker = new SmallServer(host, at(2), dockerHandler(world));
	const { servers, accountServers } = await startServers(world, host, at, [control, webui, docker]);

	const accountsUrls = accountUrls(world, accountServers, webui.url);
	Object.assign(urls, {
		control: control.url,
		webui: webui.url,
		docker: docker.url,
		accounts: accountsUrls,
	});
	for (const [n, a] of Object.entries(accountsUrls)) if (!(n in urls)) urls[n] = a;

	const sim: Simulator = {
		urls,
		groups: [...world.groups.values()].map((g) => ({
			groupId: g.groupId,
			name: g.name,
			members: [...g.members],
		})),
		world,
		webuiToken: (account?: string) => webuiToken(world, account ?? webuiDefaultAccount(world)),
		containers: describe().containers,
		control: simulatorControl(world, urls),
		close: async () => {
			world.close();
			for (const s of [...servers].reverse()) await s.stop();
		},
	};
	return sim;
}

/** What the control API answers at GET /: the URLs, tokens, groups and containers as they are now. */
function describeSimulator(world: World, cfg: WorldConfig, urls: SimulatorUrls) {
	return {
		ready: true,
		control: urls.control,
		webui: urls.webui,
		docker: urls.docker,
		accounts: Object.fromEntries(
			Object.entries(urls.accounts).map(([n, a]) => [
				n,
				{
					...a,
					token: world.account(n).cfg.token ?? '',
					flavour: world.account(n).cfg.flavour,
					version: world.account(n).cfg.version,
				},
			]),
		),
		groups: [...world.groups.values()].map((g) => ({
			groupId: g.groupId,
			name: g.name,
			members: g.members,
		})),
		containers: Object.fromEntries(
			Object.entries(cfg.containers ?? {}).map(([n, a]) => [n, { id: containerId(n), account: a }]),
		),
		webuiAccount: webuiDefaultAccount(world),
	};
}

/**
 * Starts the small servers in order, then one server per account (on port+3... in world order); if one
 * fails to start, those already started are stopped again.
 */
async function startServers(
	world: World,
	host: string,
	at: (i: number) => number,
	small: SmallServer[],
): Promise<{
	servers: Array<{ stop(): Promise<void> }>;
	accountServers: Map<string, AccountServer>;
}> {
	const servers: Array<{ stop(): Promise<void> }> = [];
	const accountServers = new Map<string, AccountServer>();
	try {
		for (const server of small) {
			await server.start();
			servers.push(server);
		}
		let i = 3;
		for (const acc of world.accounts.values()) {
			const s = new AccountServer(world, acc, host, acc.cfg.port ?? at(i++));
			acc.server = s;
			await s.start();
			servers.push(s);
			accountServers.set(acc.name, s);
			world.startHeartbeat(acc);
		}
		await world.applyDownFaults();
	} catch (e) {
		world.close();
		for (const s of servers) await s.stop();
		throw e;
	}
	return { servers, accountServers };
}

function accountUrls(
	world: World,
	accountServers: Map<string, AccountServer>,
	webuiUrl: string,
): Record<string, AccountUrls> {
	const out: Record<string, AccountUrls> = {};
	for (const [name, s] of accountServers) {
		const acc = world.account(name);
		out[name] = {
			selfId: acc.selfId,
			http: s.httpUrl,
			ws: s.wsUrl,
			token: acc.cfg.token ?? '',
			flavour: acc.cfg.flavour,
			version: acc.cfg.version,
			webui:
				name === webuiDefaultAccount(world)
					? webuiUrl
					: `${webuiUrl}/accounts/${encodeURIComponent(name)}`,
		};
	}
	return out;
}

/** The control API in-process: the same operations as the HTTP control API, without HTTP. */
function simulatorControl(world: World, urls: SimulatorUrls): SimulatorControl {
	return {
		setFault: async (spec) => {
			const id = world.faults.add(spec).id;
			await world.applyDownFaults();
			return id;
		},
		clearFaults: async (id) => {
			if (id) world.faults.remove(id);
			else world.faults.clear();
			await world.applyDownFaults();
		},
		faults: async () => world.faults.describe(),
		restart: (account, o) => world.restart(account, { via: 'control', ...o }),
		login: async (account) => world.login(account),
		offline: async (account, message) => world.kickOffline(account, message),
		groundTruth: async () => JSON.parse(JSON.stringify(world.groundTruth())),
		calls: async (filter) =>
			JSON.parse(
				JSON.stringify(
					world.calls.filter(
						(c) =>
							(!filter?.account || c.account === filter.account) &&
							(!filter?.action || c.action === filter.action),
					),
				),
			),
		reports: async (account) =>
			JSON.parse(JSON.stringify(world.reports.filter((r) => !account || r.account === account))),
		reset: () => world.reset(),
		setFlavour: async (account, flavour, version, extra) => {
			const acc = world.account(account);
			acc.cfg.flavour = flavour;
			acc.cfg.version = version ?? defaultVersion(flavour);
			if (extra?.napcatMultiProcess !== undefined)
				acc.cfg.napcatMultiProcess = extra.napcatMultiProcess;
			if (extra?.secret !== undefined) acc.cfg.secret = extra.secret;
			if (extra?.messageFormat !== undefined) acc.cfg.messageFormat = extra.messageFormat;
			if (extra?.reportSelfMessage !== undefined)
				acc.cfg.reportSelfMessage = extra.reportSelfMessage;
			if (extra?.debug !== undefined) acc.cfg.debug = extra.debug;
			urls.accounts[account].flavour = flavour;
			urls.accounts[account].version = acc.cfg.version;
		},
		setReportUrls: async (account, list) => {
			const acc = world.account(account);
			acc.cfg.reportUrls = [...list];
			world.startHeartbeat(acc);
		},
		inject: async (account, target, message) => {
			world.injectMessage(account, target, message);
		},
		expireWebuiCredentials: async () => {
			webuiState(world).credentials.clear();
		},
		clock: {
			now: () => world.clock.now(),
			advance: (ms) => world.clock.advance(ms),
			setFactor: (f) => world.clock.setFactor(f),
		},
	};
}

export function readyLine(sim: Simulator): string {
	const w = sim.world;
	return JSON.stringify({
		ready: true,
		control: sim.urls.control,
		webui: sim.urls.webui,
		docker: sim.urls.docker,
		accounts: Object.fromEntries(
			Object.entries(sim.urls.accounts).map(([n, a]) => [
				n,
				{
					selfId: a.selfId,
					http: a.http,
					ws: a.ws,
					token: a.token,
					flavour: a.flavour,
					version: a.version,
					webui: a.webui,
					webuiToken: sim.webuiToken(n),
				},
			]),
		),
		groups: sim.groups,
		containers: sim.containers,
		kernelTimeoutMs: w.kernelTimeoutMs,
	});
}
