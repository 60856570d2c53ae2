/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test tooling, runs outside n8n */
/** The OneBot simulator as a separate process (its CLI), as `npm start` runs it. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childEnv, repoRoot } from './paths';
import { stopProcess, track } from './proc';

export interface SimulatorAccount {
	selfId: number;
	http: string;
	ws: string;
	token: string;
	flavour?: string;
	version?: string;
	webui?: string;
	webuiToken?: string;
	[k: string]: unknown;
}

/** The JSON line the simulator CLI prints once it listens. */
export interface SimulatorReady {
	ready: true;
	control: string;
	webui: string;
	docker: string;
	accounts: Record<string, SimulatorAccount>;
	groups: Array<{ groupId: number; name: string; members: string[] }>;
	[k: string]: unknown;
}

export interface SimulatorProcess {
	ready: SimulatorReady;
	child: ChildProcess;
	logFile: string;
	stop(): Promise<void>;
}

/**
 * Starts `tsx simulator/cli.ts --port <port> [args]` in its own process group, waits for its ready line
 * (bounded by timeoutMs) and returns it. Its stderr goes to logFile.
 */
export async function spawnSimulator(opts: {
	port?: number;
	args?: string[];
	logFile: string;
	timeoutMs?: number;
}): Promise<SimulatorProcess> {
	const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
	const args = [
		path.join(repoRoot, 'simulator', 'cli.ts'),
		...(opts.port ? ['--port', String(opts.port)] : []),
		...(opts.args ?? []),
	];
	fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
	const log = fs.openSync(opts.logFile, 'a');
	const child = track(
		spawn(tsx, args, {
			cwd: repoRoot,
			env: childEnv(),
			detached: true,
			stdio: ['ignore', 'pipe', log],
		}),
	);
	fs.closeSync(log);
	const stop = () => stopProcess(child, 5000);
	try {
		const ready = await new Promise<SimulatorReady>((resolve, reject) => {
			let buf = '';
			const timer = setTimeout(
				() =>
					reject(
						new Error(
							`the simulator did not get ready in ${opts.timeoutMs ?? 60_000} ms (log: ${opts.logFile})`,
						),
					),
				opts.timeoutMs ?? 60_000,
			);
			child.stdout!.on('data', (d: Buffer) => {
				buf += d.toString();
				const nl = buf.indexOf('\n');
				if (nl < 0) return;
				clearTimeout(timer);
				try {
					const parsed = JSON.parse(buf.slice(0, nl));
					if (parsed.ready !== true) throw new Error('not ready');
					resolve(parsed);
				} catch {
					reject(new Error(`unexpected first line from the simulator: ${buf.slice(0, nl)}`));
				}
			});
			child.once('exit', (code, signal) => {
				clearTimeout(timer);
				reject(
					new Error(
						`the simulator exited (${code ?? signal}) before it was ready; log: ${opts.logFile}\n${safeRead(opts.logFile)}`,
					),
				);
			});
		});
		// Keep draining stdout so the simulator never blocks on a full pipe.
		child.stdout!.on('data', () => undefined);
		return { ready, child, logFile: opts.logFile, stop };
	} catch (err) {
		await stop();
		throw err;
	}
}

function safeRead(file: string): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
	} catch {
		return '';
	}
}
