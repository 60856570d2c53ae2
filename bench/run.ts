/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- benchmark tooling, runs outside n8n */
/**
 * The benchmark behind `npm run bench`: the packed package in the pinned real n8n, the OneBot simulator in
 * this process, every variant in one n8n instance, compared variants interleaved (ABAB) so background load
 * hits them alike. Writes bench/results.json, bench/RESULTS.md and bench/latency.png.
 *
 * Options: --quick (few items and repetitions, to try the machinery), --only=overhead,latency,calls,drop,early,trigger,memory,
 * --source=head (measure the last commit, not the working tree), --tgz=FILE (measure a packed package), --profile (V8 CPU
 * profiles of n8n). Anything but a complete default run writes to .tmp/bench instead of bench/.
 * Long because it holds every measured phase in order; shared pieces are in bench/lib.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFailureEvent } from '../core/report';
import { signReport } from '../core/signing';
import { nodeOutput, startN8n } from '../scripts/lib/n8n';
import type { Execution, N8nHandle, WorkflowJson } from '../scripts/lib/n8n';
import { packPackage } from '../scripts/lib/pack';
import { childEnv, n8nVersion, repoRoot, tmpRoot } from '../scripts/lib/paths';
import { freePort, run, sleep } from '../scripts/lib/proc';
import { defaultWorld, startSimulator } from '../simulator';
import type { FlavourName, Simulator } from '../simulator';
import type { FaultSpec } from '../simulator/types';
import { renderResults } from './lib/render';
import type {
	BenchResults,
	BusyRow,
	CallsRow,
	DropSample,
	EarlyRow,
	FlavourRow,
	LatencySample,
	MemoryRep,
	OverheadRow,
	ScalingRow,
	TriggerLatency,
	TriggerResult,
	TriggerSustained,
	TriggerVariant,
	Variant,
} from './lib/types';
import { Inspector } from './lib/inspector';
import { profileTable, summariseProfile } from './lib/profile';
import { processRss } from './lib/rss';
import {
	MEASURED,
	httpRequestWorkflow,
	sendWorkflow,
	triggerWorkflow,
	webhookWorkflow,
	TRIGGER_TYPE_VERSION,
} from './lib/workflows';
import type { CredentialRef, SendOptions } from './lib/workflows';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args
	.find((a) => a.startsWith('--only='))
	?.slice('--only='.length)
	.split(',');
const on = (phase: string) => !ONLY || ONLY.includes(phase);
/** --source=head measures the last commit (a clean export of it), not the working tree. */
const FROM_HEAD = args.includes('--source=head');
/** --tgz=FILE measures an already packed package (e.g. a candidate fix). */
const TGZ = args.find((a) => a.startsWith('--tgz='))?.slice('--tgz='.length);
/** --profile writes V8 CPU profiles of n8n (written when it stops) to .tmp/bench/profiles. */
const PROFILE = args.includes('--profile');
/** --set=key=value,... overrides sizes (e.g. --set=overheadItems=500,memoryReps=1) for a subset that fits the time at hand. */
const SET = Object.fromEntries(
	(
		args
			.find((a) => a.startsWith('--set='))
			?.slice('--set='.length)
			.split(',') ?? []
	)
		.filter(Boolean)
		.map((kv) => {
			const [k, v] = kv.split('=');
			return [k, Number(v)];
		}),
);
/** --scaling=100,1000 overrides the scaling phase's batch sizes. */
const SCALING_ARG = args
	.find((a) => a.startsWith('--scaling='))
	?.slice('--scaling='.length)
	.split(',')
	.map(Number);
/** --tunings=0,1 picks which expression-engine settings the trigger is measured with again (indexes of TRIGGER_TUNINGS). */
const TUNINGS_ARG = args
	.find((a) => a.startsWith('--tunings='))
	?.slice('--tunings='.length)
	.split(',')
	.filter(Boolean)
	.map(Number);
/**
 * Only a complete, default run replaces the published results, unless --publish says a subset is to be published
 * (RESULTS.md then lists the sizes and phases it ran).
 */
const PUBLISH =
	(!QUICK && !ONLY && !TGZ && !PROFILE && Object.keys(SET).length === 0) ||
	(args.includes('--publish') && !QUICK && !TGZ);

/** Sizes: the full run stays near 15 minutes on a shared 2-core machine. */
const P = QUICK
	? {
			overheadItems: 200,
			overheadReps: 2,
			latencyItems: 10,
			latencyReps: 1,
			callsItems: 20,
			callsReps: 1,
			dropItems: 3,
			dropReps: 1,
			earlyItems: 6,
			triggerLatency: 5,
			triggerReps: 1,
			triggerProfileReports: 30,
			sustainMs: 2000,
			tunedTriggerReps: 1,
			memoryReps: 1,
			memoryRuns: 2,
			memoryItems: 200,
			busyItems: 20,
			flavourItems: 10,
		}
	: {
			overheadItems: 2000,
			overheadReps: 8,
			latencyItems: 50,
			latencyReps: 3,
			callsItems: 100,
			callsReps: 3,
			dropItems: 10,
			dropReps: 3,
			earlyItems: 20,
			triggerLatency: 20,
			triggerReps: 3,
			triggerProfileReports: 200,
			sustainMs: 8000,
			tunedTriggerReps: 2,
			memoryReps: 3,
			memoryRuns: 10,
			memoryItems: 1000,
			busyItems: 100,
			flavourItems: 50,
		};
for (const [k, v] of Object.entries(SET)) {
	if (!(k in P) || !Number.isFinite(v))
		throw new Error(`--set: unknown size "${k}" or not a number`);
	(P as Record<string, number>)[k] = v;
}
/** Batch sizes of the scaling phase (Witness level, event stream and polling). */
const SCALING_SIZES = SCALING_ARG ?? (QUICK ? [20, 100] : [100, 1000, 10000]);
/** Other members' messages per second into the group during the busy-group phase. */
const BUSY_RATE = 50;
/** n8n expression-engine settings tried for the trigger (env names from @n8n/config's ExpressionEngineConfig, n8n 2.41.1). */
const TRIGGER_TUNINGS: Array<{ label: string; env: Record<string, string> }> = [
	{ label: 'lazy isolate acquire', env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } },
	{ label: 'isolate pool of 4', env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' } },
];

const SETTINGS = {
	deliveryDelayMs: 20,
	deliveryJitterMs: 10,
	kernelTimeoutMs: 200,
	latencyMinIntervalMs: 20,
	pollIntervalMs: 1000,
	callsMinIntervalMs: 100,
	dropDeadlineSeconds: 2,
	dropMinIntervalMs: 100,
	witnessDeadlineSeconds: 10,
	triggerConcurrency: 8,
	triggerTypeVersion: TRIGGER_TYPE_VERSION,
	/** How a wait on the witness's event stream ends: on the event itself (core/wake.ts). */
	streamWake: 'event',
	reportSecret: 'bench-report-secret',
};

/** Partial, quick and experimental runs write under .tmp/bench, so they never replace the published results. */
const TRIGGER_VARIANTS: TriggerVariant[] = ['trigger', 'webhook'];

const benchDir = PUBLISH ? __dirname : path.join(__dirname, '..', '.tmp', 'bench');
const profileDir = path.join(__dirname, '..', '.tmp', 'bench', 'profiles');
const started = Date.now();

function log(message: string): void {
	process.stderr.write(
		`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`,
	);
}

function ms(iso: unknown): number {
	return typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
}

function measuredRun(exec: Execution): { startTime: number; executionTime: number } {
	const run = exec.data.resultData.runData[MEASURED]?.[0];
	if (!run)
		throw new Error(
			`the measured node did not run: ${JSON.stringify(exec.data.resultData.error ?? null)}`,
		);
	if (run.error) throw new Error(`the measured node failed: ${run.error.message}`);
	return { startTime: run.startTime, executionTime: run.executionTime };
}

/** The fields of an output item the benchmark reads (Send With Verification, or an HTTP Request answer). */
interface Item {
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

function items(exec: Execution, output: number): Item[] {
	return nodeOutput(exec, MEASURED, output) as unknown as Item[];
}

interface SendRun {
	executionId: string;
	executionTime: number;
	delivered: Item[];
	failed: Item[];
}

async function runSend(n8n: N8nHandle, workflowId: string, timeoutMs = 300_000): Promise<SendRun> {
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

function machine(): BenchResults['machine'] {
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

async function main(): Promise<void> {
	const settings: Record<string, number | string> = { ...SETTINGS };
	delete settings.reportSecret;
	const results: BenchResults = {
		startedAt: new Date().toISOString(),
		quick: QUICK,
		phases: ONLY ?? ['all'],
		note: args.find((a) => a.startsWith('--note='))?.slice('--note='.length),
		params: {
			...P,
			...Object.fromEntries(SCALING_SIZES.map((n, i) => [`scalingSize${i + 1}`, n])),
		},
		settings,
		machine: machine(),
		timings: {},
	};
	fs.mkdirSync(benchDir, { recursive: true });
	const jsonPath = path.join(benchDir, 'results.json');
	const save = () => fs.writeFileSync(jsonPath, JSON.stringify(results, null, 1));

	log('starting the OneBot simulator');
	const sim: Simulator = await startSimulator({
		...defaultWorld(),
		deliveryDelayMs: SETTINGS.deliveryDelayMs,
		deliveryJitterMs: SETTINGS.deliveryJitterMs,
		kernelTimeoutMs: SETTINGS.kernelTimeoutMs,
	});
	let n8n: N8nHandle | undefined;
	let extraN8n: N8nHandle[] = [];
	let cleanupPack = () => {};
	// Ctrl-C or a kill stops n8n (its own process group) and the simulator too, so nothing is left running.
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			log(`${signal}: stopping n8n and the simulator`);
			void Promise.allSettled([n8n?.stop(), ...extraN8n.map((x) => x.stop()), sim.close()]).then(
				() => process.exit(130),
			);
		});
	}
	try {
		results.source = await describeSource();
		log(
			TGZ
				? `using ${TGZ}`
				: `building and packing the package (${FROM_HEAD ? `commit ${results.source.commit}` : 'working tree'})`,
		);
		const packed = TGZ
			? { tgz: path.resolve(TGZ), ms: 0 }
			: FROM_HEAD
				? await packHead()
				: await packPackage({ reuse: false });
		if (TGZ) results.source = { commit: path.basename(TGZ), from: 'tarball', dirty: false };
		results.timings.packMs = packed.ms;
		log('starting n8n with the package installed');
		if (PROFILE) fs.mkdirSync(profileDir, { recursive: true });
		const boot = (env: Record<string, string> = {}) =>
			startN8n({
				packageTgz: packed.tgz,
				env: {
					N8N_LOG_LEVEL: 'warn',
					// Prometheus metrics, for the V8 heap in use next to RSS (see heapUsedMb).
					N8N_METRICS: 'true',
					...(PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
					...env,
				},
			});
		/** A fresh n8n with the inspector on its main process (CPU profile, heap after GC), stopped afterwards. */
		const withInspectedN8n = async <T>(
			what: string,
			body: (fresh: N8nHandle, inspector: Inspector) => Promise<T>,
		): Promise<T> => {
			const port = await freePort();
			log(`${what}: fresh n8n (inspector on ${port})`);
			const fresh = await boot({ NODE_OPTIONS: `--inspect=127.0.0.1:${port}` });
			extraN8n.push(fresh);
			let inspector: Inspector | undefined;
			try {
				inspector = await Inspector.connect(port);
				const argv = String(await inspector.evaluate('process.argv.join(" ")'));
				if (!/\bstart\b/.test(argv))
					throw new Error(`the inspector is not n8n's main process: ${argv}`);
				return await body(fresh, inspector);
			} finally {
				inspector?.close();
				await fresh.stop();
				extraN8n = extraN8n.filter((x) => x !== fresh);
			}
		};
		cleanupPack = () => {
			if (!TGZ)
				fs.rmSync(FROM_HEAD ? path.dirname(path.dirname(packed.tgz)) : path.dirname(packed.tgz), {
					recursive: true,
					force: true,
				});
		};
		extraN8n = [];
		n8n = await boot();
		results.timings.n8nStartMs = n8n.timings.editorMs;

		const bot = sim.urls.accounts.bot;
		const groupId = sim.groups[0].groupId;
		const credentialsFor = async (
			target: N8nHandle,
			s: Simulator,
			suffix = '',
		): Promise<{ sender: CredentialRef; witness: CredentialRef }> => {
			const b = s.urls.accounts.bot;
			const w = s.urls.accounts.witness;
			const [senderId, witnessId] = await target.importCredentials([
				{
					name: `Bench bot${suffix}`,
					type: 'oneBotApi',
					data: {
						baseUrl: b.http,
						accessToken: b.token,
						wsUrl: '',
						reportUrl: '',
						reportSecret: SETTINGS.reportSecret,
					},
				},
				{
					name: `Bench witness${suffix}`,
					type: 'oneBotWitnessApi',
					data: {
						baseUrl: w.http,
						accessToken: w.token,
						wsUrl: w.ws,
						reportUrl: '',
						reportSecret: '',
					},
				},
			]);
			return {
				sender: { id: senderId, name: `Bench bot${suffix}` },
				witness: { id: witnessId, name: `Bench witness${suffix}` },
			};
		};
		const creds = await credentialsFor(n8n, sim);
		const sender: CredentialRef = creds.sender;
		const witnessRef: CredentialRef = creds.witness;
		const send = (
			name: string,
			o: Partial<SendOptions> & Pick<SendOptions, 'tag' | 'count' | 'verification'>,
		): WorkflowJson =>
			sendWorkflow(name, {
				groupId,
				deadlineSeconds: SETTINGS.witnessDeadlineSeconds,
				minIntervalMs: 0,
				pollIntervalMs: SETTINGS.pollIntervalMs,
				useEventStream: true,
				sender,
				witness: witnessRef,
				...o,
			});
		/** Texts of this run the witness received more than once (ground truth). */
		const duplicatesIn = (inbox: Array<{ text: string }>, tag: string) => {
			const counts = new Map<string, number>();
			for (const e of inbox)
				if (e.text.startsWith(`${tag}-`)) counts.set(e.text, (counts.get(e.text) ?? 0) + 1);
			return [...counts.values()].filter((n) => n > 1).length;
		};
		const itemText = (item: Item) => String(item.message?.[0]?.data?.text ?? '');
		const witnessInbox = () => sim.world.account('witness').inbox;

		// ------------------------------------------------------------------ 1. overhead
		if (on('overhead')) {
			log(
				`overhead: ${P.overheadItems} items, Send With Verification (API Accepted) vs HTTP Request, ABAB × ${P.overheadReps}`,
			);
			const sendId = await createWorkflow(
				n8n,
				send('Bench: overhead, Send With Verification', {
					tag: 'ovh-send',
					count: P.overheadItems,
					verification: 'api',
				}),
			);
			const httpId = await createWorkflow(
				n8n,
				httpRequestWorkflow('Bench: overhead, HTTP Request', {
					tag: 'ovh-http',
					count: P.overheadItems,
					groupId,
					baseUrl: bot.http,
					token: bot.token,
				}),
			);
			const rows: OverheadRow[] = [];
			// One warm-up pair (JIT, caches, first SQLite writes), not counted.
			for (let rep = 0; rep <= P.overheadReps; rep++) {
				await sim.control.reset();
				const order: Array<'send' | 'http'> = rep % 2 === 0 ? ['send', 'http'] : ['http', 'send'];
				for (const variant of order) {
					const exec = await n8n.runWorkflow(variant === 'send' ? sendId : httpId, {
						timeoutMs: 300_000,
					});
					const { executionTime } = measuredRun(exec);
					const out = items(exec, 0);
					const ok =
						variant === 'send'
							? out.filter((i) => i.status === 'delivered').length
							: out.filter((i) => i.status === 'ok' && i.retcode === 0).length;
					if (rep > 0)
						rows.push({
							rep,
							variant,
							perItemMs: executionTime / P.overheadItems,
							totalMs: executionTime,
							ok,
						});
					log(
						`  ${rep === 0 ? 'warm-up' : `rep ${rep}`} ${variant}: ${executionTime} ms (${ok}/${P.overheadItems} ok)`,
					);
				}
			}
			results.overhead = { items: P.overheadItems, rows };
			save();
		}

		// ------------------------------------------------------------------ 2. witness confirmation latency
		if (on('latency')) {
			log(
				`witness latency: ${P.latencyItems} messages per run, event stream vs history polling (${SETTINGS.pollIntervalMs} ms), ABAB × ${P.latencyReps}`,
			);
			const ids = {
				stream: await createWorkflow(
					n8n,
					send('Bench: latency, event stream', {
						tag: 'lat-ws',
						count: P.latencyItems,
						verification: 'witness',
						minIntervalMs: SETTINGS.latencyMinIntervalMs,
					}),
				),
				polling: await createWorkflow(
					n8n,
					send('Bench: latency, polling', {
						tag: 'lat-poll',
						count: P.latencyItems,
						verification: 'witness',
						minIntervalMs: SETTINGS.latencyMinIntervalMs,
						useEventStream: false,
					}),
				),
			};
			const samples: LatencySample[] = [];
			const missing: Record<Variant, number> = { stream: 0, polling: 0 };
			for (let rep = 1; rep <= P.latencyReps; rep++) {
				const order: Variant[] = rep % 2 === 1 ? ['stream', 'polling'] : ['polling', 'stream'];
				for (const variant of order) {
					await sim.control.reset();
					const run = await runSend(n8n, ids[variant]);
					const byText = new Map(witnessInbox().map((entry) => [entry.text, entry]));
					for (const item of run.delivered) {
						const text = item.message?.[0]?.data?.text as string;
						const truth = byText.get(text);
						if (!truth) {
							missing[variant]++;
							continue;
						}
						samples.push({
							rep,
							variant,
							latencyMs: ms(item.timing.verifiedAt) - truth.receivedAt,
							via: String(item.evidence?.witness?.via ?? ''),
							sendToVerifiedMs: ms(item.timing.verifiedAt) - ms(item.attempts?.[0]?.startedAt),
						});
					}
					missing[variant] += run.failed.length;
					log(
						`  rep ${rep} ${variant}: ${run.delivered.length} delivered, ${run.failed.length} not, ${run.executionTime} ms`,
					);
				}
			}
			results.latency = {
				items: P.latencyItems,
				pollIntervalMs: SETTINGS.pollIntervalMs,
				samples,
				missing,
			};
			save();
		}

		// ------------------------------------------------------------------ 3. API calls per verified message
		if (on('calls')) {
			log(
				`API calls: ${P.callsItems} messages to one group, witness verification, ABAB × ${P.callsReps}`,
			);
			const ids = {
				stream: await createWorkflow(
					n8n,
					send('Bench: calls, event stream', {
						tag: 'calls-ws',
						count: P.callsItems,
						verification: 'witness',
						minIntervalMs: SETTINGS.callsMinIntervalMs,
					}),
				),
				polling: await createWorkflow(
					n8n,
					send('Bench: calls, polling', {
						tag: 'calls-poll',
						count: P.callsItems,
						verification: 'witness',
						minIntervalMs: SETTINGS.callsMinIntervalMs,
						useEventStream: false,
					}),
				),
			};
			const rows: CallsRow[] = [];
			for (let rep = 1; rep <= P.callsReps; rep++) {
				const order: Variant[] = rep % 2 === 1 ? ['stream', 'polling'] : ['polling', 'stream'];
				for (const variant of order) {
					await sim.control.reset();
					const run = await runSend(n8n, ids[variant]);
					const calls = sim.world.calls.filter(
						(c) => c.account === 'bot' || c.account === 'witness',
					);
					const byAction: Record<string, number> = {};
					for (const c of calls) {
						const key = `${c.account}:${c.action}`;
						byAction[key] = (byAction[key] ?? 0) + 1;
					}
					rows.push({
						rep,
						variant,
						verified: run.delivered.length,
						calls: calls.length,
						byAction,
					});
					log(
						`  rep ${rep} ${variant}: ${calls.length} calls for ${run.delivered.length} verified (${JSON.stringify(byAction)})`,
					);
				}
			}
			results.calls = {
				items: P.callsItems,
				minIntervalMs: SETTINGS.callsMinIntervalMs,
				pollIntervalMs: SETTINGS.pollIntervalMs,
				rows,
			};
			save();
		}

		// ------------------------------------------------------------------ 4. silent-drop detection
		if (on('drop')) {
			log(
				`silent drop: every group send dropped, deadline ${SETTINGS.dropDeadlineSeconds} s, ${P.dropItems} messages per run, ABAB × ${P.dropReps}`,
			);
			const common = {
				count: P.dropItems,
				verification: 'witness' as const,
				deadlineSeconds: SETTINGS.dropDeadlineSeconds,
				minIntervalMs: SETTINGS.dropMinIntervalMs,
			};
			const ids = {
				stream: await createWorkflow(
					n8n,
					send('Bench: silent drop, event stream', { tag: 'drop-ws', ...common }),
				),
				polling: await createWorkflow(
					n8n,
					send('Bench: silent drop, polling', {
						tag: 'drop-poll',
						...common,
						useEventStream: false,
					}),
				),
			};
			const samples: DropSample[] = [];
			let wronglyDelivered = 0;
			for (let rep = 1; rep <= P.dropReps; rep++) {
				const order: Variant[] = rep % 2 === 1 ? ['stream', 'polling'] : ['polling', 'stream'];
				for (const variant of order) {
					await sim.control.reset();
					await sim.control.setFault({
						kind: 'silent_drop',
						scope: { account: 'bot', messageType: 'group' },
					});
					const run = await runSend(n8n, ids[variant]);
					wronglyDelivered += run.delivered.length;
					for (const item of run.failed) {
						const afterAnswer = ms(item.timing.gaveUpAt) - ms(item.timing.answeredAt);
						samples.push({
							rep,
							variant,
							afterAnswerMs: afterAnswer,
							overshootMs: afterAnswer - SETTINGS.dropDeadlineSeconds * 1000,
							reason: String(item.reason),
						});
					}
					log(
						`  rep ${rep} ${variant}: ${run.failed.length} not delivered, ${run.delivered.length} delivered`,
					);
				}
			}
			await sim.control.clearFaults();
			results.drop = {
				items: P.dropItems,
				deadlineMs: SETTINGS.dropDeadlineSeconds * 1000,
				samples,
				wronglyDelivered,
			};
			save();
		}

		// ------------------------------------------------------------------ 4b. early failure signals
		if (on('early')) {
			log('early failure signals: API errors and a later message seen while ours is missing');
			const wf = await createWorkflow(
				n8n,
				send('Bench: early signals', {
					tag: 'early',
					count: P.earlyItems,
					verification: 'witness',
					deadlineSeconds: SETTINGS.dropDeadlineSeconds,
					minIntervalMs: SETTINGS.dropMinIntervalMs,
				}),
			);
			const scenarios: Array<{ name: string; signal: string; fault: FaultSpec }> = [
				{
					name: 'half the sends silently dropped',
					signal: 'a later message seen while ours is missing',
					fault: {
						kind: 'silent_drop',
						probability: 0.5,
						seed: 7,
						scope: { account: 'bot', messageType: 'group' },
					},
				},
				{
					name: 'not in group (kernel result 110)',
					signal: 'API error, terminal',
					fault: { kind: 'not_in_group', scope: { account: 'bot' } },
				},
				{
					name: 'muted (kernel result 120)',
					signal: 'API error, terminal',
					fault: { kind: 'muted', scope: { account: 'bot' } },
				},
				{
					name: 'HTTP 500',
					signal: 'API error, transient',
					fault: { kind: 'http_500', scope: { account: 'bot', action: 'send_group_msg' } },
				},
				{
					name: 'risk control (NapCat: timeout with EventRet)',
					signal: 'API error, account or ambiguous',
					fault: { kind: 'risk_control', scope: { account: 'bot' } },
				},
				{
					name: 'kernel timeout, not delivered',
					signal: 'API error, ambiguous',
					fault: { kind: 'timeout_not_delivered', scope: { account: 'bot' } },
				},
			];
			const rows: EarlyRow[] = [];
			for (const s of scenarios) {
				await sim.control.reset();
				await sim.control.setFault(s.fault);
				const run = await runSend(n8n, wf, 600_000);
				await sim.control.clearFaults();
				const deadlineMs = SETTINGS.dropDeadlineSeconds * 1000;
				const reasons: Record<string, number> = {};
				const afterAnswerMs: number[] = [];
				let early = 0;
				let laterSeen = 0;
				const seenAt = witnessInbox().map((e) => ({ text: e.text, at: e.receivedAt }));
				for (const item of run.failed) {
					reasons[String(item.reason)] = (reasons[String(item.reason)] ?? 0) + 1;
					const answered = ms(item.timing.answeredAt);
					const gaveUp = ms(item.timing.gaveUpAt);
					const after = Number.isFinite(answered)
						? gaveUp - answered
						: gaveUp - ms(item.timing.requestedAt);
					afterAnswerMs.push(after);
					if (after < deadlineMs) early++;
					// Was a later message from the same sender at the witness before our deadline?
					const n = Number(
						String(item.message?.[0]?.data?.text ?? '')
							.split('-')
							.pop(),
					);
					if (
						Number.isFinite(answered) &&
						seenAt.some((e) => Number(e.text.split('-').pop()) > n && e.at < answered + deadlineMs)
					)
						laterSeen++;
				}
				rows.push({
					scenario: s.name,
					signal: s.signal,
					failed: run.failed.length,
					delivered: run.delivered.length,
					early,
					reasons,
					afterAnswerMs,
					laterSeen,
				});
				log(
					`  ${s.name}: ${run.failed.length} failed (${early} before the deadline), ${run.delivered.length} delivered, ${JSON.stringify(reasons)}`,
				);
			}
			results.early = {
				items: P.earlyItems,
				deadlineMs: SETTINGS.dropDeadlineSeconds * 1000,
				rows,
			};
			save();
		}

		// ------------------------------------------------------------------ 3b. scaling with the batch size
		if (on('scaling')) {
			log(`scaling: ${SCALING_SIZES.join(', ')} items, Witness level, event stream and polling`);
			const rows: ScalingRow[] = [];
			for (const items of SCALING_SIZES) {
				for (const variant of ['stream', 'polling'] as Variant[]) {
					const tag = `scale-${variant}-${items}`;
					const wf = await createWorkflow(
						n8n,
						send(`Bench: scaling ${items}, ${variant}`, {
							tag,
							count: items,
							verification: 'witness',
							useEventStream: variant === 'stream',
						}),
					);
					await sim.control.reset();
					const r = await runSend(n8n, wf, 1_800_000);
					const calls = sim.world.calls.filter(
						(c) => c.account === 'bot' || c.account === 'witness',
					);
					const byAction: Record<string, number> = {};
					for (const c of calls)
						byAction[`${c.account}:${c.action}`] = (byAction[`${c.account}:${c.action}`] ?? 0) + 1;
					rows.push({
						variant,
						items,
						executionTime: r.executionTime,
						perItemMs: r.executionTime / items,
						delivered: r.delivered.length,
						failed: r.failed.length,
						calls: calls.length,
						byAction,
						duplicates: duplicatesIn(witnessInbox(), tag),
					});
					log(
						`  ${items} ${variant}: ${r.executionTime} ms (${(r.executionTime / items).toFixed(2)} ms/item), ${r.delivered.length} delivered, ${r.failed.length} not, ${calls.length} calls`,
					);
					save();
				}
			}
			results.scaling = { rows, minIntervalMs: 0, pollIntervalMs: SETTINGS.pollIntervalMs };
			save();
		}

		// ------------------------------------------------------------------ 3c. a busy group
		if (on('busy')) {
			log(
				`busy group: ${P.busyItems} messages while other members post ${BUSY_RATE}/s, event stream and polling`,
			);
			const rows: BusyRow[] = [];
			const others = Object.keys(sim.urls.accounts).filter(
				(n) => n !== 'bot' && n !== 'witness' && sim.groups[0].members.includes(n),
			);
			const chatter = others[0] ?? 'witness';
			for (const variant of ['stream', 'polling'] as Variant[]) {
				const tag = `busy-${variant}`;
				const wf = await createWorkflow(
					n8n,
					send(`Bench: busy group, ${variant}`, {
						tag,
						count: P.busyItems,
						verification: 'witness',
						minIntervalMs: SETTINGS.latencyMinIntervalMs,
						useEventStream: variant === 'stream',
					}),
				);
				await sim.control.reset();
				let injected = 0;
				let stop = false;
				const injector = (async () => {
					const t0 = Date.now();
					while (!stop) {
						const due = Math.floor(((Date.now() - t0) / 1000) * BUSY_RATE);
						while (injected < due) {
							sim.world.injectMessage(chatter, { groupId }, `chatter ${injected}`);
							injected++;
						}
						await sleep(10);
					}
				})();
				await sleep(1000);
				let r: SendRun;
				try {
					r = await runSend(n8n, wf, 600_000);
				} finally {
					stop = true;
					await injector;
				}
				const inbox = witnessInbox();
				const arrived = new Set(inbox.map((e) => e.text));
				const historyReads = sim.world.calls.filter(
					(c) => c.account === 'witness' && c.action === 'get_group_msg_history',
				).length;
				rows.push({
					variant,
					items: P.busyItems,
					otherPerSecond: BUSY_RATE,
					otherInjected: injected,
					delivered: r.delivered.length,
					failed: r.failed.length,
					missedButArrived: r.failed.filter((i) => arrived.has(itemText(i))).length,
					duplicates: duplicatesIn(inbox, tag),
					historyReads,
					executionTime: r.executionTime,
				});
				log(
					`  ${variant} (chatter from ${chatter}, ${injected} other messages): ${r.delivered.length} delivered, ${r.failed.length} not, ${historyReads} history reads`,
				);
			}
			results.busy = {
				rows,
				pollIntervalMs: SETTINGS.pollIntervalMs,
				minIntervalMs: SETTINGS.latencyMinIntervalMs,
			};
			save();
		}

		// ------------------------------------------------------------------ 3d. other implementations and versions
		if (on('flavours')) {
			const flavours: Array<{ flavour: FlavourName; version: string }> = [
				{ flavour: 'llonebot', version: '4.4.3' },
				{ flavour: 'llonebot', version: '6.0.0' },
				{ flavour: 'lagrange', version: '0.0.3' },
			];
			const rows: FlavourRow[] = [];
			for (const f of flavours) {
				log(
					`simulator ${f.flavour} ${f.version}: ${P.flavourItems} messages, Witness level, event stream and polling`,
				);
				const base = defaultWorld();
				let sim2: Simulator;
				try {
					sim2 = await startSimulator({
						...base,
						accounts: Object.fromEntries(
							Object.entries(base.accounts!).map(([n, a]) => [
								n,
								{ ...a, flavour: f.flavour, version: f.version },
							]),
						),
						deliveryDelayMs: SETTINGS.deliveryDelayMs,
						deliveryJitterMs: SETTINGS.deliveryJitterMs,
						kernelTimeoutMs: SETTINGS.kernelTimeoutMs,
					});
				} catch (error) {
					log(`  skipped: ${(error as Error).message}`);
					continue;
				}
				try {
					const c2 = await credentialsFor(n8n, sim2, ` ${f.flavour} ${f.version}`);
					for (const variant of ['stream', 'polling'] as Variant[]) {
						const tag = `fl-${f.flavour}-${variant}`;
						const wf = await createWorkflow(
							n8n,
							sendWorkflow(`Bench: ${f.flavour} ${f.version}, ${variant}`, {
								groupId: sim2.groups[0].groupId,
								deadlineSeconds: SETTINGS.witnessDeadlineSeconds,
								minIntervalMs: SETTINGS.latencyMinIntervalMs,
								pollIntervalMs: SETTINGS.pollIntervalMs,
								useEventStream: variant === 'stream',
								sender: c2.sender,
								witness: c2.witness,
								tag,
								count: P.flavourItems,
								verification: 'witness',
							}),
						);
						await sim2.control.reset();
						const r = await runSend(n8n, wf, 600_000);
						const inbox = sim2.world.account('witness').inbox;
						const byText = new Map(inbox.map((e) => [e.text, e.receivedAt]));
						const lat = r.delivered
							.map((i) => ms(i.timing.verifiedAt) - (byText.get(itemText(i)) ?? Number.NaN))
							.filter(Number.isFinite);
						const reasons: Record<string, number> = {};
						for (const i of r.failed)
							reasons[String(i.reason)] = (reasons[String(i.reason)] ?? 0) + 1;
						rows.push({
							flavour: f.flavour,
							version: f.version,
							variant,
							items: P.flavourItems,
							delivered: r.delivered.length,
							failed: r.failed.length,
							reasons,
							calls: sim2.world.calls.filter((x) => x.account === 'bot' || x.account === 'witness')
								.length,
							duplicates: duplicatesIn(inbox, tag),
							p50LatencyMs: lat.length
								? lat.sort((a, b) => a - b)[Math.floor(lat.length / 2)]
								: Number.NaN,
						});
						log(
							`  ${variant}: ${r.delivered.length} delivered, ${r.failed.length} not ${JSON.stringify(reasons)}`,
						);
					}
				} finally {
					await sim2.close();
				}
			}
			results.flavours = { rows };
			save();
		}

		// ------------------------------------------------------------------ 5. trigger
		if (on('trigger')) {
			results.trigger = await triggerPhase(
				n8n,
				sender,
				groupId,
				bot.selfId,
				'',
				P.triggerReps,
				P.triggerLatency,
				P.sustainMs,
			);
			save();
		}

		// ------------------------------------------------------------------ 5b. --profile: CPU profile per report
		if (PROFILE && on('trigger')) {
			await withInspectedN8n(
				`trigger profile: ${P.triggerProfileReports} reports per variant`,
				async (fresh, inspector) => {
					const c = await credentialsFor(fresh, sim);
					results.triggerProfile = await profileTriggerPhase(
						fresh,
						inspector,
						c.sender,
						groupId,
						bot.selfId,
						P.triggerProfileReports,
					);
					const table = profileTable(results.triggerProfile);
					fs.writeFileSync(path.join(profileDir, 'trigger-profile.md'), `${table}\n`);
					log(`trigger profile (CPU ms per report):\n${table}`);
					save();
				},
			);
		}

		// ------------------------------------------------------------------ 5c. trigger under n8n's expression-engine settings
		if (on('trigger') || on('tuning')) {
			results.triggerTuned = [];
			for (const tuning of TUNINGS_ARG
				? TRIGGER_TUNINGS.filter((_, i) => TUNINGS_ARG.includes(i))
				: TRIGGER_TUNINGS) {
				log(
					`trigger in a fresh n8n with ${Object.entries(tuning.env)
						.map(([k, v]) => `${k}=${v}`)
						.join(' ')}`,
				);
				const tuned = await boot(tuning.env);
				extraN8n.push(tuned);
				try {
					const c = await credentialsFor(tuned, sim);
					const result = await triggerPhase(
						tuned,
						c.sender,
						groupId,
						bot.selfId,
						` (${tuning.label})`,
						P.tunedTriggerReps,
						P.triggerLatency,
						P.sustainMs,
					);
					results.triggerTuned.push({ label: tuning.label, env: tuning.env, result });
					save();
				} finally {
					await tuned.stop();
					extraN8n = extraN8n.filter((x) => x !== tuned);
				}
			}
		}

		// ------------------------------------------------------------------ 6b. memory, each repetition in its own fresh n8n
		if (on('memory')) {
			// The shared instance's own memory no longer matters: stop it so the fresh ones have the machine.
			await n8n.stop();
			const rowsMem: MemoryRep[] = [];
			for (let rep = 1; rep <= P.memoryReps; rep++) {
				await withInspectedN8n(
					`memory rep ${rep}: warm-up ${P.memoryItems} items, then ${P.memoryRuns} × ${P.memoryItems}`,
					async (fresh, inspector) => {
						const c = await credentialsFor(fresh, sim);
						const wf = await createWorkflow(
							fresh,
							sendWorkflow('Bench: memory', {
								groupId,
								deadlineSeconds: SETTINGS.witnessDeadlineSeconds,
								minIntervalMs: 0,
								pollIntervalMs: SETTINGS.pollIntervalMs,
								useEventStream: true,
								sender: c.sender,
								witness: c.witness,
								tag: 'mem',
								count: P.memoryItems,
								verification: 'witness',
							}),
						);
						await sim.control.reset();
						await runSend(fresh, wf, 600_000);
						await sleep(2000);
						const before = await inspector.gcAndRead();
						const samples: MemoryRep['samples'] = [];
						let peak = before.rssMb;
						let delivered = 0;
						for (let run = 1; run <= P.memoryRuns; run++) {
							await sim.control.reset();
							const r = await runSend(fresh, wf, 600_000);
							delivered += r.delivered.length;
							const rss = processRss(fresh.userFolder).mainMb;
							peak = Math.max(peak, rss);
							const reading = await inspector.gcAndRead();
							samples.push({
								items: run * P.memoryItems,
								rssMb: reading.rssMb,
								heapUsedMb: reading.heapUsedMb,
								executionTime: r.executionTime,
								delivered: r.delivered.length,
							});
							log(
								`  after ${run * P.memoryItems} items: RSS ${reading.rssMb.toFixed(1)} MB, heap after GC ${reading.heapUsedMb.toFixed(1)} MB (${r.delivered.length} delivered)`,
							);
						}
						await sleep(2000);
						const after = await inspector.gcAndRead();
						rowsMem.push({
							rep,
							before: { rssMb: before.rssMb, heapUsedMb: before.heapUsedMb },
							after: { rssMb: after.rssMb, heapUsedMb: after.heapUsedMb },
							peakRssMb: peak,
							items: P.memoryRuns * P.memoryItems,
							delivered,
							samples,
						});
						log(
							`  rep ${rep}: RSS ${before.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB, heap ${before.heapUsedMb.toFixed(1)} → ${after.heapUsedMb.toFixed(1)} MB`,
						);
					},
				);
				results.memoryReps = {
					reps: P.memoryReps,
					runs: P.memoryRuns,
					itemsPerRun: P.memoryItems,
					warmupItems: P.memoryItems,
					rows: rowsMem,
				};
				save();
			}
		}
	} finally {
		results.machine.loadAtEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
		results.timings.totalMs = Date.now() - started;
		save();
		await n8n?.stop();
		for (const extra of extraN8n) await extra.stop().catch(() => undefined);
		await sim.close();
		cleanupPack();
	}
	log('rendering bench/RESULTS.md and the chart');
	renderResults(results, benchDir);
	log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

/** Both variants' workflows (our trigger, n8n's Webhook node) created and active, and a poster of one signed report. */
async function setUpTriggerVariants(
	n8n: N8nHandle,
	sender: CredentialRef,
	groupId: number,
	botSelfId: number,
	label: string,
) {
	const bot = { selfId: botSelfId };
	// Our trigger side by side with n8n's own Webhook node (same body, same instance, interleaved).
	const hookId = randomUUID();
	const hookPath = randomUUID();
	const variants: Record<
		TriggerVariant,
		{ id: string; url: string; correlationId: (exec: Execution) => unknown }
	> = {
		trigger: {
			id: await createWorkflow(n8n, triggerWorkflow(`Bench: trigger${label}`, hookId, sender)),
			url: `${n8n.baseUrl}/webhook/${hookId}/onebot-failures`,
			correlationId: (exec) => nodeOutput(exec, 'Failures', 0)[0]?.correlationId,
		},
		webhook: {
			id: await createWorkflow(n8n, webhookWorkflow(`Bench: n8n Webhook${label}`, hookPath)),
			url: `${n8n.baseUrl}/webhook/${hookPath}`,
			correlationId: (exec) =>
				(nodeOutput(exec, 'Webhook', 0)[0]?.body as { correlationId?: string } | undefined)
					?.correlationId,
		},
	};
	const post = async (
		variant: TriggerVariant,
	): Promise<{ correlationId: string; sentAt: number; status: number; answeredMs: number }> => {
		const correlationId = randomUUID();
		const sentAt = Date.now();
		const event = buildFailureEvent({
			event: 'delivery_failed',
			source: 'send',
			reportedAt: sentAt,
			status: 'failed',
			reason: 'not_observed',
			reasonClass: 'ambiguous',
			verification: 'witness',
			target: { type: 'group', id: groupId },
			message: [{ type: 'text', data: { text: 'bench report' } }],
			correlationId,
			selfId: bot.selfId,
		});
		const body = JSON.stringify(event);
		const res = await fetch(variants[variant].url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				...signReport(body, SETTINGS.reportSecret, Math.floor(sentAt / 1000)),
			},
			body,
			signal: AbortSignal.timeout(30_000),
		});
		await res.arrayBuffer();
		return { correlationId, sentAt, status: res.status, answeredMs: Date.now() - sentAt };
	};
	for (const variant of TRIGGER_VARIANTS) {
		await n8n.activate(variants[variant].id);
		// Activation registers the webhook a moment after the API call returns.
		for (let tries = 0; ; tries++) {
			const first = await post(variant);
			if (first.status === 200) break;
			if (first.status !== 404 || tries > 60)
				throw new Error(`${variant} answered HTTP ${first.status}`);
			await sleep(500);
		}
	}
	return { variants, post };
}

/**
 * --profile: a V8 CPU profile of n8n's main process over `reports` sequential reports to each variant (after a
 * warm-up), each summarised per report (bench/lib/profile.ts); the raw profiles go to .tmp/bench/profiles.
 */
async function profileTriggerPhase(
	n8n: N8nHandle,
	inspector: Inspector,
	sender: CredentialRef,
	groupId: number,
	botSelfId: number,
	reports: number,
): Promise<Record<string, ReturnType<typeof summariseProfile>>> {
	const { variants, post } = await setUpTriggerVariants(
		n8n,
		sender,
		groupId,
		botSelfId,
		' (profile)',
	);
	const out: Record<string, ReturnType<typeof summariseProfile>> = {};
	for (const variant of TRIGGER_VARIANTS) {
		for (let i = 0; i < 10; i++) await post(variant);
		await sleep(2000);
		const since = new Date(Date.now() - 1000);
		await inspector.startProfile();
		let accepted = 0;
		for (let i = 0; i < reports; i++) if ((await post(variant)).status === 200) accepted++;
		await waitForCount(n8n, variants[variant].id, since, accepted);
		const profile = await inspector.stopProfile();
		fs.writeFileSync(
			path.join(profileDir, `trigger-${variant}.cpuprofile`),
			JSON.stringify(profile),
		);
		out[variant] = summariseProfile(profile, accepted);
		log(
			`  ${variant}: ${accepted} reports profiled, ${out[variant].cpuMsPerRequest.toFixed(2)} CPU ms each`,
		);
	}
	for (const variant of TRIGGER_VARIANTS) await n8n.deactivate(variants[variant].id);
	return out;
}

/** The trigger beside n8n's Webhook node in one n8n instance (interleaved), with its settings named by `label`. */
async function triggerPhase(
	n8n: N8nHandle,
	sender: CredentialRef,
	groupId: number,
	botSelfId: number,
	label: string,
	reps: number,
	perRep: number,
	sustainMs: number,
): Promise<TriggerResult> {
	const { variants, post } = await setUpTriggerVariants(n8n, sender, groupId, botSelfId, label);
	await sleep(1000);

	log(
		`trigger latency: ${perRep} reports one at a time, Delivery Failure Trigger vs n8n Webhook, ABAB × ${reps}`,
	);
	const latency: TriggerLatency[] = [];
	for (let rep = 1; rep <= reps; rep++) {
		for (const variant of rep % 2 === 1 ? TRIGGER_VARIANTS : [...TRIGGER_VARIANTS].reverse()) {
			const since = new Date(Date.now() - 1000);
			const sent: Array<{ correlationId: string; sentAt: number; answeredMs: number }> = [];
			for (let i = 0; i < perRep; i++) {
				const r = await post(variant);
				if (r.status === 200) sent.push(r);
				await sleep(150);
			}
			const execs = await waitForCount(n8n, variants[variant].id, since, sent.length);
			const bySent = new Map(sent.map((x) => [x.correlationId, x]));
			for (const e of execs) {
				const full = await n8n.getExecution(e.id!);
				const x = bySent.get(String(variants[variant].correlationId(full)));
				if (!x) continue;
				latency.push({
					rep,
					variant,
					answeredMs: x.answeredMs,
					startMs: ms(full.startedAt) - x.sentAt,
					finishMs: ms(full.stoppedAt) - x.sentAt,
				});
			}
			log(`  rep ${rep} ${variant}: ${sent.length} reports, ${execs.length} executions`);
		}
	}

	log(
		`trigger throughput: ${SETTINGS.triggerConcurrency} concurrent senders for ${sustainMs} ms, ABAB × ${reps}`,
	);
	const sustained: TriggerSustained[] = [];
	for (let rep = 1; rep <= reps; rep++) {
		for (const variant of rep % 2 === 1 ? TRIGGER_VARIANTS : [...TRIGGER_VARIANTS].reverse()) {
			const t0 = Date.now();
			const since = new Date(t0);
			let accepted = 0;
			let refused = 0;
			await Promise.all(
				Array.from({ length: SETTINGS.triggerConcurrency }, async () => {
					while (Date.now() - t0 < sustainMs) {
						try {
							const r = await post(variant);
							if (r.status === 200) accepted++;
							else refused++;
						} catch {
							refused++;
						}
					}
				}),
			);
			const postsDone = Date.now();
			const execs = await waitForCount(n8n, variants[variant].id, since, accepted, 600_000);
			const lastStop = Math.max(...execs.map((e) => ms(e.stoppedAt)));
			sustained.push({
				rep,
				variant,
				accepted,
				refused,
				postRate: accepted / ((postsDone - t0) / 1000),
				execRate: execs.length / ((lastStop - t0) / 1000),
				drainMs: lastStop - postsDone,
			});
			log(
				`  rep ${rep} ${variant}: ${accepted} accepted, ${refused} refused, ${execs.length} executions, drained ${lastStop - postsDone} ms after the last post`,
			);
			await sleep(2000);
		}
	}
	for (const variant of TRIGGER_VARIANTS) await n8n.deactivate(variants[variant].id);
	return { concurrency: SETTINGS.triggerConcurrency, sustainMs, latency, sustained };
}

async function git(args: string[]): Promise<string> {
	return (await run('git', args, { cwd: repoRoot, timeoutMs: 60_000 })).stdout.trim();
}

async function describeSource(): Promise<{ commit: string; from: string; dirty: boolean }> {
	const commit = await git(['rev-parse', '--short', 'HEAD']).catch(() => 'unknown');
	const dirty = FROM_HEAD
		? false
		: (await git(['status', '--porcelain', '--untracked-files=no']).catch(() => '')) !== '';
	return { commit, from: FROM_HEAD ? 'head' : 'working tree', dirty };
}

/** Exports HEAD into a scratch folder (with this checkout's node_modules), builds and packs it there. */
async function packHead(): Promise<{ tgz: string; ms: number }> {
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
async function createWorkflow(n8n: N8nHandle, workflow: WorkflowJson): Promise<string> {
	const created = await n8n.rest('POST', '/workflows', workflow);
	return String(created.id);
}

/** Finished executions of a workflow started at or after `since`, once at least `count` exist (all pages). */
async function waitForCount(
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

main().catch((error) => {
	process.stderr.write(
		`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	// Missed goals never fail the run; a run that could not measure does (what it got is in results.json).
	process.exitCode = 1;
});
