/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test tooling, runs outside n8n */
/** Child-process helpers for the end-to-end suite: bounded waits, process-group cleanup, captured output. */
import { spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { killTree } from '../../shared/process';

// The process lifecycle helpers moved to shared/process.ts (the simulator's CLI uses them too).
export {
	killTrackedSync,
	killTree,
	stopOnSignals,
	stopProcess,
	track,
	trackedChildren,
} from '../../shared/process';

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
}

export interface RunOptions extends SpawnOptions {
	/** Kill the command (whole process group) after this many ms. */
	timeoutMs: number;
	/** Throw when the exit code is not 0 (default true). */
	check?: boolean;
	input?: string;
}

/** Runs a command to completion with a hard timeout; output is captured. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', (d) => (stdout += d));
		child.stderr!.on('data', (d) => (stderr += d));
		if (opts.input !== undefined) child.stdin!.end(opts.input);
		else child.stdin!.end();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			killTree(child, 'SIGKILL');
		}, opts.timeoutMs);
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const result = { code, signal, stdout, stderr, ms: Date.now() - started };
			const cmdline = [cmd, ...args].join(' ');
			if (timedOut) {
				reject(
					new Error(
						`timed out after ${opts.timeoutMs} ms: ${cmdline}\n${tail(stdout)}\n${tail(stderr)}`,
					),
				);
			} else if (opts.check !== false && code !== 0) {
				reject(new Error(`exit ${code ?? signal}: ${cmdline}\n${tail(stdout)}\n${tail(stderr)}`));
			} else {
				resolve(result);
			}
		});
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown inside a waitFor callback to stop waiting at once (e.g. the process being waited for died). */
export class FatalWaitError extends Error {}

/** Polls fn until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
	what: string,
	fn: () => Promise<T | undefined | null | false>,
	opts: { timeoutMs: number; intervalMs?: number; onTimeout?: () => string },
): Promise<T> {
	const deadline = Date.now() + opts.timeoutMs;
	let lastError: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await fn();
			if (value) return value;
		} catch (err) {
			if (err instanceof FatalWaitError) throw err;
			lastError = err;
		}
		await sleep(opts.intervalMs ?? 250);
	}
	const extra = opts.onTimeout ? `\n${opts.onTimeout()}` : '';
	const cause = lastError
		? ` (last error: ${(lastError as Error).message ?? String(lastError)})`
		: '';
	throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${cause}${extra}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

export function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

export function tailFile(file: string, lines = 60): string {
	try {
		return tail(fs.readFileSync(file, 'utf8'), lines);
	} catch {
		return `(no log at ${file})`;
	}
}
