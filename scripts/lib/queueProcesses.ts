/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- runs outside n8n */
/**
 * The queue stack's background processes (scripts/lib/queue.ts): each spawned in its own process group
 * with its own log and stopped by signal, and the two stores, a throwaway PostgreSQL and Redis on loopback
 * (Debian binaries, data in the stack's temp dir, never the system services).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, killTree, run, stopProcess, tailFile, waitFor } from './proc';

/** A background process of the stack with its log. */
export interface StackProcess {
	name: string;
	child: ChildProcess;
	logFile: string;
	userFolder?: string;
	port?: number;
}

export const DB_NAME = 'n8n';
export const DB_USER = 'n8n';

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
export type Registry = StackProcess[];

export function spawnLogged(
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

export function alive(proc: StackProcess): void {
	if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw exitedError(proc);
}

/** initdb into <baseDir>/postgres, start the server on a free loopback port, create the n8n database. */
export async function startPostgres(
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

export async function startRedis(
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
export async function stopStackProcess(
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
