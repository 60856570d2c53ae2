/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- runs outside n8n */
/**
 * n8n in queue mode for the end-to-end suite and `scripts/queue-mode.sh start`: a throwaway PostgreSQL and
 * Redis on loopback (Debian binaries, data in a temp dir, never the system services), then an n8n main, a
 * webhook process and N workers, each with its own user folder with the packed package installed, all
 * sharing the encryption key, the database and the queue.
 * Long because it starts, waits for and stops five kinds of processes, each with its own readiness check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { installPackage, n8nEnv, startN8n, type N8nHandle } from './n8n';
import { n8nBin, node24 } from './paths';
import { freePort, killTree, run, stopProcess, tailFile, waitFor } from './proc';

export interface QueueStackOptions {
	/** Tarball from packPackage(); installed into the user folder of every n8n process. */
	packageTgz?: string;
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** `--concurrency` of each worker (default 5). */
	concurrency?: number;
	/** Run an `n8n webhook` process and turn production webhooks off on the main (default true). */
	webhookProcess?: boolean;
	/** Where the databases, user folders and logs go; a fresh temp dir when omitted. */
	baseDir?: string;
	/** Extra environment for every n8n process. */
	env?: Record<string, string>;
	/** Keep baseDir after stop() (default: SENTINEL_E2E_KEEP=1). */
	keep?: boolean;
	/** Progress lines (default: stderr). */
	log?: (line: string) => void;
}

/** A background process of the stack with its log. */
export interface StackProcess {
	name: string;
	child: ChildProcess;
	logFile: string;
	userFolder?: string;
	port?: number;
}

export interface QueueStack {
	baseDir: string;
	postgres: { port: number; database: string; user: string };
	redis: { port: number };
	/** The main: editor, REST and public API, CLI (import, activate), triggers. */
	main: N8nHandle;
	/** Where production webhooks are served (the webhook process, or the main without one). */
	webhookBaseUrl: string;
	webhook?: StackProcess;
	workers: StackProcess[];
	/** The environment every n8n process shares (queue, database, encryption key). */
	sharedEnv: Record<string, string>;
	/** Which worker started each execution, read from the workers' logs ("Worker started execution N"). */
	executionWorkers(): Map<string, string[]>;
	/** Stops every process (n8n first, then Redis and PostgreSQL) and removes baseDir unless kept. */
	stop(): Promise<void>;
}

const ENCRYPTION_KEY = 'sentinel-queue-encryption-key-not-secret';
const DB_NAME = 'n8n';
const DB_USER = 'n8n';

/** PostgreSQL's server binaries from Debian's packages (newest major), or the PATH. */
export function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	if (fs.existsSync(root)) {
		const versions = fs
			.readdirSync(root)
			.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length > 0) return path.join(root, versions[0], 'bin');
	}
	const onPath = (process.env.PATH ?? '')
		.split(path.delimiter)
		.find((d) => fs.existsSync(path.join(d, 'postgres')));
	if (onPath) return onPath;
	throw new Error(
		'PostgreSQL is not installed: run `bash scripts/queue-mode.sh deps` (apt-get install postgresql)',
	);
}

export function redisServerBin(): string {
	const found = [
		'/usr/bin/redis-server',
		...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'redis-server')),
	].find((p) => fs.existsSync(p));
	if (!found)
		throw new Error(
			'Redis is not installed: run `bash scripts/queue-mode.sh deps` (apt-get install redis-server)',
		);
	return found;
}

/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` system user. */
function postgresIdentity(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((l) => l.startsWith('postgres:'));
	if (!line)
		throw new Error(
			'running as root but there is no postgres user: install the postgresql package',
		);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/** The process groups this stack started, one per line, so a shell trap can end them if jest is killed. */
function recordPid(baseDir: string, child: ChildProcess): void {
	if (child.pid !== undefined) fs.appendFileSync(path.join(baseDir, 'pids'), `${child.pid}\n`);
}

/** Every process spawned so far, so a failed start can still stop what did start. */
type Registry = StackProcess[];

function spawnLogged(
	registry: Registry,
	baseDir: string,
	name: string,
	cmd: string,
	args: string[],
	opts: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number },
): StackProcess {
	const logFile = path.join(baseDir, 'logs', `${name}.log`);
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const log = fs.openSync(logFile, 'a');
	const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', log, log] });
	fs.closeSync(log);
	recordPid(baseDir, child);
	const proc = { name, child, logFile };
	registry.push(proc);
	return proc;
}

function exitedError(proc: StackProcess): Error {
	return new Error(
		`${proc.name} exited during start-up (${proc.child.exitCode ?? proc.child.signalCode}):\n${tailFile(proc.logFile, 40)}`,
	);
}

function alive(proc: StackProcess): void {
	if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw exitedError(proc);
}

/** initdb into <baseDir>/postgres, start the server on a free loopback port, create the n8n database. */
async function startPostgres(
	registry: Registry,
	baseDir: string,
): Promise<{ proc: StackProcess; port: number }> {
	const bin = postgresBinDir();
	const who = postgresIdentity();
	const dataDir = path.join(baseDir, 'postgres');
	const socketDir = path.join(baseDir, 'postgres-socket');
	fs.mkdirSync(dataDir, { mode: 0o700 });
	fs.mkdirSync(socketDir);
	if (who) {
		fs.chownSync(dataDir, who.uid, who.gid);
		fs.chownSync(socketDir, who.uid, who.gid);
	}
	await run(
		path.join(bin, 'initdb'),
		['-D', dataDir, '-U', DB_USER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
		{ ...who, cwd: dataDir, timeoutMs: 120_000 },
	);
	const port = await freePort();
	const proc = spawnLogged(
		registry,
		baseDir,
		'postgres',
		path.join(bin, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=${socketDir}`,
			// Throwaway data: durability off, small footprint.
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'shared_buffers=32MB',
			'-c',
			'max_connections=100',
		],
		{ ...who, cwd: dataDir },
	);
	const createdb = path.join(bin, 'createdb');
	await waitFor(
		'PostgreSQL to accept connections',
		async () => {
			alive(proc);
			const res = await run(
				createdb,
				['-h', '127.0.0.1', '-p', String(port), '-U', DB_USER, DB_NAME],
				{
					timeoutMs: 15_000,
					check: false,
					env: { ...process.env, PGCONNECT_TIMEOUT: '3' },
				},
			);
			return res.code === 0;
		},
		{ timeoutMs: 60_000, intervalMs: 300, onTimeout: () => tailFile(proc.logFile, 30) },
	);
	return { proc, port };
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(2000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (d) => {
			answer += d.toString();
			if (answer.includes('\r\n')) socket.end();
		});
		socket.on('close', () => resolve(answer.startsWith('+PONG')));
		socket.on('error', () => resolve(false));
	});
}

async function startRedis(
	registry: Registry,
	baseDir: string,
): Promise<{ proc: StackProcess; port: number }> {
	const dir = path.join(baseDir, 'redis');
	fs.mkdirSync(dir);
	const port = await freePort();
	const proc = spawnLogged(
		registry,
		baseDir,
		'redis',
		redisServerBin(),
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
			'--dir',
			dir,
		],
		{ cwd: dir },
	);
	await waitFor(
		'Redis to answer PING',
		async () => {
			alive(proc);
			return redisPing(port);
		},
		{ timeoutMs: 30_000, intervalMs: 200, onTimeout: () => tailFile(proc.logFile, 30) },
	);
	return { proc, port };
}

/** Stops a process of the stack: `signal` to its group, SIGKILL after graceMs. */
async function stopStackProcess(
	proc: StackProcess,
	signal: NodeJS.Signals,
	graceMs: number,
): Promise<void> {
	const { child } = proc;
	if (child.exitCode !== null || child.signalCode !== null) return;
	if (signal === 'SIGTERM') return stopProcess(child, graceMs);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killTree(child, signal);
	// A cleared timer, so a stopped stack leaves nothing for jest to wait on.
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([
		exited,
		new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
	]);
	clearTimeout(timer);
	killTree(child, 'SIGKILL');
}

/** Starts `n8n worker` or `n8n webhook` with its own user folder and waits for its readiness endpoint. */
async function startN8nProcess(
	registry: Registry,
	baseDir: string,
	name: string,
	args: string[],
	opts: { env: Record<string, string>; port?: number },
): Promise<StackProcess> {
	const userFolder = path.join(baseDir, name);
	fs.mkdirSync(userFolder, { recursive: true });
	const port = opts.port ?? (await freePort());
	const brokerPort = await freePort();
	// A webhook process serves on N8N_PORT, a worker its health endpoint on QUEUE_HEALTH_CHECK_PORT.
	const env = n8nEnv(userFolder, port, brokerPort, {
		...opts.env,
		QUEUE_HEALTH_CHECK_PORT: String(port),
	});
	const proc = spawnLogged(registry, baseDir, name, node24(), [n8nBin(), ...args], {
		env,
		cwd: userFolder,
	});
	proc.userFolder = userFolder;
	proc.port = port;
	await waitFor(
		`${name} readiness`,
		async () => {
			alive(proc);
			const res = await fetch(`http://127.0.0.1:${port}/healthz/readiness`, {
				signal: AbortSignal.timeout(5000),
			});
			await res.arrayBuffer();
			return res.ok;
		},
		{ timeoutMs: 240_000, intervalMs: 500, onTimeout: () => tailFile(proc.logFile, 40) },
	);
	return proc;
}

/** Starts PostgreSQL, Redis, the n8n main, the webhook process and the workers, in that order. */
export async function startQueueStack(opts: QueueStackOptions = {}): Promise<QueueStack> {
	const log = opts.log ?? ((line: string) => process.stderr.write(`[sentinel] queue: ${line}\n`));
	const keep = opts.keep ?? process.env.SENTINEL_E2E_KEEP === '1';
	const baseDir =
		opts.baseDir ??
		fs.mkdtempSync(path.join(process.env.SENTINEL_QUEUE_DIR ?? os.tmpdir(), 'sentinel-queue-'));
	fs.mkdirSync(baseDir, { recursive: true });
	// PostgreSQL runs as another user when we are root: it must be able to reach its data dir.
	fs.chmodSync(baseDir, 0o755);
	const workerCount = opts.workers ?? 2;
	const concurrency = opts.concurrency ?? 5;
	const withWebhook = opts.webhookProcess ?? true;
	const started: Registry = [];
	let main: N8nHandle | undefined;

	const stopAll = async () => {
		await main?.stop().catch(() => undefined);
		const n8nProcs = started.filter((p) => p.name !== 'postgres' && p.name !== 'redis');
		await Promise.all(n8nProcs.map((p) => stopStackProcess(p, 'SIGTERM', 15_000)));
		const redis = started.find((p) => p.name === 'redis');
		const postgres = started.find((p) => p.name === 'postgres');
		if (redis) await stopStackProcess(redis, 'SIGTERM', 5000);
		// SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client).
		if (postgres) await stopStackProcess(postgres, 'SIGINT', 10_000);
		if (!keep) fs.rmSync(baseDir, { recursive: true, force: true });
	};

	try {
		const t0 = Date.now();
		const [pg, redis] = await Promise.all([
			startPostgres(started, baseDir),
			startRedis(started, baseDir),
		]);
		log(
			`PostgreSQL on 127.0.0.1:${pg.port}, Redis on 127.0.0.1:${redis.port} (${Date.now() - t0} ms)`,
		);

		const webhookPort = withWebhook ? await freePort() : undefined;
		const sharedEnv: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: DB_NAME,
			DB_POSTGRESDB_USER: DB_USER,
			DB_POSTGRESDB_PASSWORD: '',
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			// Manual runs from the editor go to the workers too, as n8n will do by default.
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			...(webhookPort ? { WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/` } : {}),
			...opts.env,
		};

		// The package goes into every process's own user folder ("on every worker").
		const names = [
			'main',
			...(withWebhook ? ['webhook'] : []),
			...Array.from({ length: workerCount }, (_, i) => `worker-${i + 1}`),
		];
		if (opts.packageTgz) {
			const t = Date.now();
			for (const name of names) await installPackage(path.join(baseDir, name), opts.packageTgz);
			log(`package installed into ${names.length} user folders (${Date.now() - t} ms)`);
		}

		// The main first: it runs the database migrations that the other processes expect.
		const t1 = Date.now();
		main = await startN8n({
			userFolder: path.join(baseDir, 'main'),
			logFile: path.join(baseDir, 'logs', 'main.log'),
			cleanup: false,
			env: {
				...sharedEnv,
				...(withWebhook ? { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } : {}),
			},
		});
		if (main.pid !== undefined) fs.appendFileSync(path.join(baseDir, 'pids'), `${main.pid}\n`);
		log(`main ready at ${main.baseUrl} (${Date.now() - t1} ms)`);

		const t2 = Date.now();
		const pending: Array<Promise<StackProcess>> = [];
		if (withWebhook) {
			pending.push(
				startN8nProcess(started, baseDir, 'webhook', ['webhook'], {
					env: sharedEnv,
					port: webhookPort,
				}),
			);
		}
		for (let i = 1; i <= workerCount; i++) {
			pending.push(
				startN8nProcess(
					started,
					baseDir,
					`worker-${i}`,
					['worker', `--concurrency=${concurrency}`],
					{ env: sharedEnv },
				),
			);
		}
		const procs = await Promise.all(pending);
		const webhook = procs.find((p) => p.name === 'webhook');
		const workers = procs.filter((p) => p.name.startsWith('worker-'));
		log(
			`${workers.length} workers (concurrency ${concurrency})${webhook ? ' and the webhook process' : ''} ready (${Date.now() - t2} ms)`,
		);

		const startedMain = main;
		return {
			baseDir,
			postgres: { port: pg.port, database: DB_NAME, user: DB_USER },
			redis: { port: redis.port },
			main: startedMain,
			webhookBaseUrl: webhook ? `http://127.0.0.1:${webhook.port}` : startedMain.baseUrl,
			webhook,
			workers,
			sharedEnv,
			executionWorkers: () => executionWorkers(workers),
			stop: stopAll,
		};
	} catch (err) {
		await stopAll();
		throw err;
	}
}

/** Execution id → the workers whose log says they started it (exactly one each, when all is well). */
export function executionWorkers(workers: StackProcess[]): Map<string, string[]> {
	const byExecution = new Map<string, string[]>();
	for (const worker of workers) {
		let text = '';
		try {
			text = fs.readFileSync(worker.logFile, 'utf8');
		} catch {
			continue;
		}
		for (const match of text.matchAll(/Worker started execution (\d+)/g)) {
			const list = byExecution.get(match[1]) ?? [];
			list.push(worker.name);
			byExecution.set(match[1], list);
		}
	}
	return byExecution;
}
