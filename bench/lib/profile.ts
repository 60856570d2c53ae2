/**
 * Where n8n's main process spends its CPU time per webhook request: a V8 CPU profile taken over a run of
 * requests, each sample counted for the first category (in the priority order of CATEGORIES) that any frame of
 * its stack matches.
 */
import type { CpuProfile, CpuProfileNode } from './inspector';

export interface ProfileCategory {
	name: string;
	/** CPU ms per request. */
	msPerRequest: number;
	/** Share of the CPU time of the whole profile. */
	share: number;
}

export interface ProfileSummary {
	requests: number;
	wallMs: number;
	/** CPU ms per request (samples not idle). */
	cpuMsPerRequest: number;
	categories: ProfileCategory[];
}

/**
 * Categories in priority order: a sample counts for the first category any frame of its stack matches, so
 * e.g. the credential decryption called from our node counts as credentials, and SQLite work while an execution
 * is saved counts as database.
 */
const CATEGORIES: Array<{ name: string; test: (frame: CpuProfileNode['callFrame']) => boolean }> = [
	{
		name: 'expression evaluation of parameters (in the isolate)',
		test: (f) =>
			/^(getParameterValue|getSimpleParameterValue|renderExpression)$/.test(f.functionName),
	},
	{
		name: 'expression isolate: acquire, create, release, dispose',
		test: (f) =>
			/^(acquireIsolate|releaseIsolate|replenish|createBridge|ExpressionEvaluator\.createBridge|dispose)$/.test(
				f.functionName,
			) || /isolated-vm\/|isolate-pool/.test(f.url),
	},
	{
		name: 'credential read and decryption',
		test: (f) =>
			/^(getCredentials|getDecrypted|decrypt)$/.test(f.functionName) ||
			/credentials-helper|\/cipher/.test(f.url),
	},
	{ name: 'database (TypeORM, SQLite)', test: (f) => /typeorm|sqlite|@n8n\/db\//.test(f.url) },
	// The package is installed under ~/.n8n/nodes/node_modules; n8n itself may sit under a path with the same name.
	{
		name: 'this package (the node)',
		test: (f) => /node_modules\/n8n-nodes-onebot-sentinel\//.test(f.url),
	},
	{
		name: 'request body parsing',
		test: (f) =>
			/^(parseBody|readRawBody|parseRequestBody)$/.test(f.functionName) ||
			/body-parser|raw-body|iconv/.test(f.url),
	},
	{
		name: 'run start, execution and its hooks (n8n)',
		test: (f) =>
			/workflow-runner|active-executions|workflow-execute|execution-lifecycle|node-execution-context/.test(
				f.url,
			),
	},
	{
		name: 'webhook handling (n8n)',
		test: (f) => /webhooks\/|webhook-helpers|live-webhooks|webhook\.service/.test(f.url),
	},
	{
		name: 'HTTP server (express, node:http)',
		test: (f) => /express|router|_http_|node:net/.test(f.url),
	},
	{ name: 'garbage collection', test: (f) => f.functionName === '(garbage collector)' },
];

const OTHER = 'other (n8n, Node.js, (program))';
const IDLE = new Set(['(idle)']);

export function summariseProfile(profile: CpuProfile, requests: number): ProfileSummary {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	// The best (lowest) category index matched anywhere from the root down to each node.
	const best = new Map<number, number>();
	const bestOf = (id: number): number => {
		const known = best.get(id);
		if (known !== undefined) return known;
		const chain: number[] = [];
		let at: number | undefined = id;
		let inherited = CATEGORIES.length;
		while (at !== undefined) {
			const cached = best.get(at);
			if (cached !== undefined) {
				inherited = cached;
				break;
			}
			chain.push(at);
			at = parent.get(at);
		}
		for (const node of chain.reverse()) {
			const own = CATEGORIES.findIndex((category) => category.test(byId.get(node)!.callFrame));
			inherited = own >= 0 ? Math.min(own, inherited) : inherited;
			best.set(node, inherited);
		}
		return best.get(id)!;
	};
	const totals = new Map<string, number>();
	let cpuUs = 0;
	profile.samples.forEach((id, index) => {
		const node = byId.get(id)!;
		if (IDLE.has(node.callFrame.functionName)) return;
		const us = profile.timeDeltas[index] ?? 0;
		cpuUs += us;
		const name = CATEGORIES[bestOf(id)]?.name ?? OTHER;
		totals.set(name, (totals.get(name) ?? 0) + us);
	});
	const n = Math.max(1, requests);
	return {
		requests,
		wallMs: (profile.endTime - profile.startTime) / 1000,
		cpuMsPerRequest: cpuUs / 1000 / n,
		categories: [...totals.entries()]
			.map(([name, us]) => ({ name, msPerRequest: us / 1000 / n, share: cpuUs ? us / cpuUs : 0 }))
			.sort((a, b) => b.msPerRequest - a.msPerRequest),
	};
}

export function profileTable(summaries: Record<string, ProfileSummary>): string {
	const names = [
		...new Set(Object.values(summaries).flatMap((s) => s.categories.map((c) => c.name))),
	];
	const variants = Object.keys(summaries);
	const cell = (s: ProfileSummary, name: string) => {
		const c = s.categories.find((x) => x.name === name);
		return c ? `${c.msPerRequest.toFixed(2)} (${(c.share * 100).toFixed(0)} %)` : '0';
	};
	const lines = [
		`| CPU ms per request | ${variants.join(' | ')} |`,
		`|---|${variants.map(() => '---:').join('|')}|`,
		...names.map(
			(name) => `| ${name} | ${variants.map((v) => cell(summaries[v], name)).join(' | ')} |`,
		),
		`| **total CPU** | ${variants.map((v) => summaries[v].cpuMsPerRequest.toFixed(2)).join(' | ')} |`,
		`| requests profiled | ${variants.map((v) => summaries[v].requests).join(' | ')} |`,
	];
	return lines.join('\n');
}
