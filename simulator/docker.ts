/**
 * The Docker Engine API the simulator serves for restarts: ping, version, containers, inspect,
 * restart/start/stop; and a generic supervisor webhook for the Custom HTTP restart method.
 */
import { createHash } from 'node:crypto';
import type { World } from './world';
import type { Handler } from './listen';
import { sendJson } from './listen';
import { recorder, safeParse, type CallBase } from './calls';

export function containerId(name: string): string {
	return createHash('sha256').update(`container:${name}`).digest('hex');
}

/** One Docker API request, its path without the /vN.NN prefix. */
interface DockerRequest {
	world: World;
	req: Parameters<Handler>[0];
	res: Parameters<Handler>[1];
	url: URL;
	record: ReturnType<typeof recorder>;
	reply: (status: number, b: unknown, faults?: string[]) => void;
}

/** A route of the Docker API: its method ("*" for any), its path pattern and what answers it. */
interface DockerRoute {
	method: string;
	path: RegExp;
	answer: (d: DockerRequest, match: RegExpExecArray) => void | Promise<void>;
}

const DOCKER_ROUTES: DockerRoute[] = [
	{
		method: '*',
		path: /^\/_ping$/,
		answer: ({ res }) => {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end('OK');
		},
	},
	{
		method: '*',
		path: /^\/version$/,
		answer: ({ reply }) =>
			reply(200, {
				Version: '27.3.1',
				ApiVersion: '1.47',
				MinAPIVersion: '1.24',
				Os: 'linux',
				Arch: 'amd64',
			}),
	},
	{ method: 'GET', path: /^\/containers\/json$/, answer: listContainers },
	{ method: 'GET', path: /^\/containers\/([^/]+)\/json$/, answer: inspectContainer },
	{
		method: 'POST',
		path: /^\/containers\/([^/]+)\/(restart|start|stop)$/,
		answer: containerAction,
	},
	{ method: 'POST', path: /^\/supervisor\/restart\/([^/]+)$/, answer: supervisorRestart },
];

export function dockerHandler(world: World): Handler {
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
		for (const route of DOCKER_ROUTES) {
			if (route.method !== '*' && route.method !== req.method) continue;
			const match = route.path.exec(p);
			if (match) return await route.answer({ world, req, res, url, record, reply }, match);
		}
		return reply(404, { message: 'page not found' });
	};
}

/** A container by name, or by an unambiguous prefix of its id (at least 3 characters), as Docker resolves it. */
function findContainer(world: World, ref: string): { name: string; account: string } | undefined {
	const map = world.config.containers ?? {};
	const clean = ref.replace(/^\//, '');
	if (map[clean]) return { name: clean, account: map[clean] };
	if (clean.length >= 3) {
		const hits = Object.entries(map).filter(([n]) => containerId(n).startsWith(clean));
		if (hits.length === 1) return { name: hits[0][0], account: hits[0][1] };
	}
	return undefined;
}

function listContainers({ world, reply }: DockerRequest): void {
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

function inspectContainer({ world, reply }: DockerRequest, m: RegExpExecArray): void {
	const c = findContainer(world, decodeURIComponent(m[1]));
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

/** POST /containers/{id}/(restart|start|stop). */
async function containerAction(d: DockerRequest, m: RegExpExecArray): Promise<void> {
	const { world, res, url, record, reply } = d;
	const ref = decodeURIComponent(m[1]);
	const c = findContainer(world, ref);
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
	if (m[2] === 'restart') return restartContainer(world, acc, c.account, url, res, record);
	if (m[2] === 'stop') {
		await world.quit(acc, 'docker');
		return reply(204, undefined);
	}
	if (m[2] === 'start' && acc.process === 'running') {
		res.writeHead(304);
		res.end();
		return;
	}
	// start of a stopped container (after stop): it comes up with the usual boot time.
	void world.restart(c.account, { via: 'docker' });
	return reply(204, undefined);
}

function supervisorRestart({ world, req, record, reply }: DockerRequest, m: RegExpExecArray): void {
	const name = decodeURIComponent(m[1]);
	if (!world.accounts.has(name)) return reply(404, { message: `no such client: ${name}` });
	// A supervisor webhook (systemd behind a small HTTP hook, a PaaS API): no upstream, the contract
	// of the Custom HTTP method (docs/nodes/restart-client.md): a 2xx means the restart is under way.
	// With restart_reset it restarts the client and drops the connection unanswered, as a hook that
	// runs inside the restarted process (or behind a proxy that restarts with it) does.
	const reset = world.faults.fire(['restart_reset'], { account: name, action: 'supervisor' });
	void world.restart(name, { via: 'supervisor' });
	if (reset) {
		record({ response: null, faults: [reset.id], outcome: 'reset' });
		req.socket.destroy();
		return;
	}
	return reply(202, { restarting: name });
}

/**
 * POST /containers/{id}/restart?t=N. Docker stops the container (SIGTERM, then a kill after `t`
 * seconds; t defaults to the container's StopTimeout, 10 s) and starts it again, and answers 204 only
 * then (moby/moby: daemon/restart.go, containerRestart = containerStop then containerStart;
 * api/server/router/container/container_routes.go, postContainersRestart writes 204 after
 * ContainerRestart returns). The client is down from the SIGTERM; after the start it still boots and
 * logs in (restartDowntimeMs). With restart_reset the restart happens and the connection drops
 * unanswered (a socket proxy or a tunnel that closes idle or restarting connections).
 */
async function restartContainer(
	world: World,
	acc: ReturnType<World['account']>,
	name: string,
	url: URL,
	res: Parameters<Handler>[1],
	record: ReturnType<typeof recorder>,
): Promise<void> {
	const t = Number(url.searchParams.get('t') ?? 10);
	const stopMs =
		Number.isFinite(t) && t >= 0
			? Math.min(acc.cfg.dockerStopMs ?? 0, t * 1000)
			: (acc.cfg.dockerStopMs ?? 0);
	const reset = world.faults.fire(['restart_reset'], { account: name, action: 'restart' });
	void world.restart(name, {
		via: 'docker',
		downtimeMs: stopMs + world.restartDowntimeFor(acc),
	});
	if (stopMs > 0) await new Promise<void>((resolve) => world.later(stopMs, resolve));
	if (reset) {
		record({ response: null, faults: [reset.id], outcome: 'reset' });
		res.socket?.destroy();
		return;
	}
	sendJson(res, 204, undefined);
	record({ httpStatus: 204, response: null, faults: [], outcome: 'answered' });
}
