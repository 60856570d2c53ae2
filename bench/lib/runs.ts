/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- benchmark tooling, runs outside n8n */
/** Running workflows in n8n and reading their executions; the source measured (working tree, commit or tarball). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeOutput } from '../../scripts/lib/n8n';
import type { Execution, N8nHandle, WorkflowJson } from '../../scripts/lib/n8n';
import { childEnv, n8nVersion, repoRoot, tmpRoot } from '../../scripts/lib/paths';
import { run, sleep } from '../../scripts/lib/proc';
import type { BenchResults } from './types';
import { MEASURED } from './workflows';
import { FROM_HEAD, log } from './options';

export function ms(iso: unknown): number {
	return typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
}

export function measuredRun(exec: Execution): { startTime: number; executionTime: number } {
	const run = exec.data.resultData.runData[MEASURED]?.[0];
	if (!run)
		throw new Error(
			`the measured node did not run: ${JSON.stringify(exec.data.resultData.error ?? null)}`,
		);
	if (run.error) throw new Error(`the measured node failed: ${run.error.message}`);
	return { startTime: run.startTime, executionTime: run.executionTime };
}

/** The fields of an output item the benchmark reads (Send With Verification, or an HTTP Request answer). */
export interface Item {
	status?: string;
	retcode?: number;
	reason?: string | null;
	message?: Array<{ data?: { text?: string } }>;
	timing: {
		requestedAt?: string;
		answeredAt?: string | null;
		verifiedAt?: string | null;
		gaveUpAt?: string | null;
	};
	evidence?: { witness?: { via?: string } };
	attempts?: Array<{ startedAt?: string }>;
}

export function items(exec: Execution, output: number): Item[] {
	return nodeOutput(exec, MEASURED, output) as unknown as Item[];
}

export interface SendRun {
	executionId: string;
	executionTime: number;
	delivered: Item[];
	failed: Item[];
}

export async function runSend(
	n8n: N8nHandle,
	workflowId: string,
	timeoutMs = 300_000,
): Promise<SendRun> {
	let exec: Execution | undefined;
	// n8n answers 503 "Database is not ready" for a moment when its database health check is late (a loaded machine).
	for (let attempt = 1; !exec; attempt++) {
		try {
			exec = await n8n.runWorkflow(workflowId, { timeoutMs });
		} catch (error) {
			if (attempt >= 6 || !/HTTP 503/.test(String(error))) throw error;
			log(`  n8n answered 503 (${String(error).slice(0, 80)}...), retrying in 5 s`);
			await sleep(5000);
		}
	}
	const { executionTime } = measuredRun(exec);
	return {
		executionId: String(exec.id),
		executionTime,
		delivered: items(exec, 0),
		failed: items(exec, 1),
	};
}

export function machine(): BenchResults['machine'] {
	const cpus = os.cpus();
	return {
		cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
		memoryGb: Math.round(os.totalmem() / 1e9),
		os: `${os.type()} ${os.release()} (${os.arch()})`,
		node: process.version,
		n8n: n8nVersion,
		loadAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
		loadAtEnd: [],
	};
}

export async function git(args: string[]): Promise<string> {
	return (await run('git', args, { cwd: repoRoot, timeoutMs: 60_000 })).stdout.trim();
}

export async function describeSource(): Promise<{ commit: string; from: string; dirty: boolean }> {
	const commit = await git(['rev-parse', '--short', 'HEAD']).catch(() => 'unknown');
	const dirty = FROM_HEAD
		? false
		: (await git(['status', '--porcelain', '--untracked-files=no']).catch(() => '')) !== '';
	return { commit, from: FROM_HEAD ? 'head' : 'working tree', dirty };
}

/** Exports HEAD into a scratch folder (with this checkout's node_modules), builds and packs it there. */
export async function packHead(): Promise<{ tgz: string; ms: number }> {
	const t0 = Date.now();
	const dir = path.join(tmpRoot, `bench-src-${Date.now()}`);
	fs.mkdirSync(dir, { recursive: true });
	await run('bash', ['-c', `git archive HEAD | tar -x -C "${dir}"`], {
		cwd: repoRoot,
		timeoutMs: 120_000,
	});
	fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
	const env = childEnv();
	await run('npm', ['run', 'build', '--silent'], { cwd: dir, env, timeoutMs: 300_000 });
	const out = path.join(dir, 'pack');
	fs.mkdirSync(out);
	const res = await run('npm', ['pack', '--json', '--pack-destination', out], {
		cwd: dir,
		env,
		timeoutMs: 120_000,
	});
	const info = JSON.parse(res.stdout.slice(res.stdout.indexOf('['))) as Array<{ filename: string }>;
	return { tgz: path.join(out, path.basename(info[0].filename)), ms: Date.now() - t0 };
}

/** Creates a workflow through the REST API, as the editor does (much faster than `n8n import:workflow`). */
export async function createWorkflow(n8n: N8nHandle, workflow: WorkflowJson): Promise<string> {
	const created = await n8n.rest('POST', '/workflows', workflow);
	return String(created.id);
}

/** Finished executions of a workflow started at or after `since`, once at least `count` exist (all pages). */
export async function waitForCount(
	n8n: N8nHandle,
	workflowId: string,
	since: Date,
	count: number,
	timeoutMs = 120_000,
): Promise<Execution[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const all: Execution[] = [];
		let cursor: string | undefined;
		do {
			const q = new URLSearchParams({ limit: '250', workflowId });
			if (cursor) q.set('cursor', cursor);
			const page = await n8n.api('GET', `/executions?${q}`);
			const list = (page.data ?? []) as Execution[];
			all.push(...list);
			cursor = page.nextCursor ?? undefined;
			// Newest first: stop paging once older than the window.
			if (list.some((e) => e.startedAt && new Date(e.startedAt) < since)) break;
		} while (cursor);
		const done = all.filter((e) => e.startedAt && new Date(e.startedAt) >= since && e.stoppedAt);
		if (done.length >= count) return done;
		if (Date.now() > deadline)
			throw new Error(`only ${done.length} of ${count} executions finished`);
		await sleep(500);
	}
}

/** The variants in ABAB order: as given on odd reps, reversed on even ones, so none always runs first. */
export function ababOrder<T>(rep: number, variants: readonly T[]): T[] {
	return rep % 2 === 1 ? [...variants] : [...variants].reverse();
}
