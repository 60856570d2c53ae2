/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, runs outside n8n */
/** The benchmark's command-line options, sizes and settings (see bench/run.ts for the options). */
import * as path from 'node:path';
import type { TriggerVariant } from './types';
import { TRIGGER_TYPE_VERSION } from './workflows';

export const args = process.argv.slice(2);
export const QUICK = args.includes('--quick');
export const ONLY = args
	.find((a) => a.startsWith('--only='))
	?.slice('--only='.length)
	.split(',');
export const on = (phase: string) => !ONLY || ONLY.includes(phase);
/** --source=head measures the last commit (a clean export of it), not the working tree. */
export const FROM_HEAD = args.includes('--source=head');
/** --tgz=FILE measures an already packed package (e.g. a candidate fix). */
export const TGZ = args.find((a) => a.startsWith('--tgz='))?.slice('--tgz='.length);
/** --profile writes V8 CPU profiles of n8n (written when it stops) to .tmp/bench/profiles. */
export const PROFILE = args.includes('--profile');
/** --set=key=value,... overrides sizes (e.g. --set=overheadItems=500,memoryReps=1) for a subset that fits the time at hand. */
export const SET = Object.fromEntries(
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
export const SCALING_ARG = args
	.find((a) => a.startsWith('--scaling='))
	?.slice('--scaling='.length)
	.split(',')
	.map(Number);
/** --tunings=0,1 picks which expression-engine settings the trigger is measured with again (indexes of TRIGGER_TUNINGS). */
export const TUNINGS_ARG = args
	.find((a) => a.startsWith('--tunings='))
	?.slice('--tunings='.length)
	.split(',')
	.filter(Boolean)
	.map(Number);
/**
 * Only a complete, default run replaces the published results, unless --publish says a subset is to be published
 * (RESULTS.md then lists the sizes and phases it ran).
 */
export const PUBLISH =
	(!QUICK && !ONLY && !TGZ && !PROFILE && Object.keys(SET).length === 0) ||
	(args.includes('--publish') && !QUICK && !TGZ);

/** Sizes: the full run stays near 15 minutes on a shared 2-core machine. */
export const P = QUICK
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
export const SCALING_SIZES = SCALING_ARG ?? (QUICK ? [20, 100] : [100, 1000, 10000]);
/** Other members' messages per second into the group during the busy-group phase. */
export const BUSY_RATE = 50;
/** n8n expression-engine settings tried for the trigger (env names from @n8n/config's ExpressionEngineConfig, n8n 2.41.1). */
export const TRIGGER_TUNINGS: Array<{ label: string; env: Record<string, string> }> = [
	{ label: 'lazy isolate acquire', env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } },
	{ label: 'isolate pool of 4', env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' } },
];

export const SETTINGS = {
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
export const TRIGGER_VARIANTS: TriggerVariant[] = ['trigger', 'webhook'];

export const benchDir = PUBLISH ? __dirname : path.join(__dirname, '..', '.tmp', 'bench');
export const profileDir = path.join(__dirname, '..', '.tmp', 'bench', 'profiles');
export const started = Date.now();

export function log(message: string): void {
	process.stderr.write(
		`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`,
	);
}
