/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- runs outside n8n */
/**
 * n8n in queue mode for the end-to-end suite and `scripts/queue-mode.sh start`: a throwaway PostgreSQL and
 * Redis on loopback (Debian binaries, data in a temp dir, never the system services), then an n8n main, a
 * webhook process and N workers, each with its own user folder with the packed package installed, all
 * sharing the encryption key, the database and the queue. The stores and the process plumbing are in
 * queueProcesses.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installPackage, n8nEnv, startN8n, type N8nHandle } from './n8n';
import { n8nBin, node24 } from './paths';
import { freePort, tailFile, waitFor } from './proc';
import {
	DB_NAME,
	DB_USER,
	alive,
	spawnLogged,
	startPostgres,
	startRedis,
	stopStackProcess,
	type Registry,
	type StackProcess,
} from './queueProcesses';

export type { StackProcess } from './queueProcesses';

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

/** The environment every n8n process of the stack shares: queue mode on Redis, PostgreSQL, one key. */
function queueEnv(
	pgPort: number,
	redisPort: number,
	webhookPort: number | undefined,
	extra: Record<string, string> | undefined,
): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: DB_NAME,
		DB_POSTGRESDB_USER: DB_USER,
		DB_POSTGRESDB_PASSWORD: '',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		// Manual runs from the editor go to the workers too, as n8n will do by default.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...(webhookPort ? { WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/` } : {}),
		...extra,
	};
}

/** Stops the n8n processes first, then Redis, then PostgreSQL; removes `removeDir` when given. */
async function stopStack(
	started: Registry,
	main: N8nHandle | undefined,
	removeDir: string | undefined,
): Promise<void> {
	await main?.stop().catch(() => undefined);
	const n8nProcs = started.filter((p) => p.name !== 'postgres' && p.name !== 'redis');
	await Promise.all(n8nProcs.map((p) => stopStackProcess(p, 'SIGTERM', 15_000)));
	const redis = started.find((p) => p.name === 'redis');
	const postgres = started.find((p) => p.name === 'postgres');
	if (redis) await stopStackProcess(redis, 'SIGTERM', 5000);
	// SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client).
	if (postgres) await stopStackProcess(postgres, 'SIGINT', 10_000);
	if (removeDir) fs.rmSync(removeDir, { recursive: true, force: true });
}

/** The main first: it runs the database migrations that the other processes expect. */
async function startMain(
	baseDir: string,
	sharedEnv: Record<string, string>,
	withWebhook: boolean,
): Promise<N8nHandle> {
	const main = await startN8n({
		userFolder: path.join(baseDir, 'main'),
		logFile: path.join(baseDir, 'logs', 'main.log'),
		cleanup: false,
		env: {
			...sharedEnv,
			...(withWebhook ? { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } : {}),
		},
	});
	if (main.pid !== undefined) fs.appendFileSync(path.join(baseDir, 'pids'), `${main.pid}\n`);
	return main;
}

/** The webhook process (when it has a port) and the workers, started side by side. */
function startWebhookAndWorkers(
	started: Registry,
	baseDir: string,
	sharedEnv: Record<string, string>,
	webhookPort: number | undefined,
	{ workerCount, concurrency }: { workerCount: number; concurrency: number },
): Promise<StackProcess[]> {
	return Promise.all([
		...(webhookPort !== undefined
			? [
					startN8nProcess(started, baseDir, 'webhook', ['webhook'], {
						env: sharedEnv,
						port: webhookPort,
					}),
				]
			: []),
		...Array.from({ length: workerCount }, (_, i) =>
			startN8nProcess(
				started,
				baseDir,
				`worker-${i + 1}`,
				['worker', `--concurrency=${concurrency}`],
				{ env: sharedEnv },
			),
		),
	]);
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

	const stopAll = () => stopStack(started, main, keep ? undefined : baseDir);

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
		const sharedEnv = queueEnv(pg.port, redis.port, webhookPort, opts.env);

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

		const t1 = Date.now();
		main = await startMain(baseDir, sharedEnv, withWebhook);
		log(`main ready at ${main.baseUrl} (${Date.now() - t1} ms)`);

		const t2 = Date.now();
		const procs = await startWebhookAndWorkers(started, baseDir, sharedEnv, webhookPort, {
			workerCount,
			concurrency,
		});
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
