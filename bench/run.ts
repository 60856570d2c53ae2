/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, runs outside n8n */
/**
 * The benchmark behind `npm run bench`: the packed package in the pinned real n8n, the OneBot simulator in
 * this process, every variant in one n8n instance, compared variants interleaved (ABAB) so background load
 * hits them alike. Writes bench/results.json, bench/RESULTS.md and bench/latency.png.
 *
 * Options: --quick (few items and repetitions, to try the machinery), --only=overhead,latency,calls,drop,early,trigger,memory,
 * --source=head (measure the last commit, not the working tree), --tgz=FILE (measure a packed package), --profile (V8 CPU
 * profiles of n8n). Anything but a complete default run writes to .tmp/bench instead of bench/.
 * The phases are in bench/phases (run in the order of PHASES), shared pieces in bench/lib.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultWorld, startSimulator } from '../simulator';
import type { Simulator } from '../simulator';
import { renderResults } from './lib/render';
import type { BenchResults } from './lib/types';
import {
	P,
	QUICK,
	ONLY,
	SCALING_SIZES,
	SETTINGS,
	args,
	benchDir,
	log,
	started,
} from './lib/options';
import { machine } from './lib/runs';
import { benchHelpers, credentialsFor, packAndBoot } from './lib/context';
import type { Bench, Running } from './lib/context';
import { callsPhase, dropPhase, earlyPhase, latencyPhase, overheadPhase } from './phases/send';
import { busyPhase, flavoursPhase, scalingPhase } from './phases/scale';
import { triggerMainPhase, triggerProfilePhase, triggerTunedPhase } from './phases/trigger';
import { memoryPhase } from './phases/memory';

async function main(): Promise<void> {
	const results = newResults();
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
	const running: Running = { extra: [], cleanupPack: () => {} };
	// Ctrl-C or a kill stops n8n (its own process group) and the simulator too, so nothing is left running.
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			log(`${signal}: stopping n8n and the simulator`);
			void Promise.allSettled([
				running.n8n?.stop(),
				...running.extra.map((x) => x.stop()),
				sim.close(),
			]).then(() => process.exit(130));
		});
	}
	try {
		const booted = await packAndBoot(results, running);
		const helpers = await benchHelpers(booted.n8n, sim);
		const b: Bench = { results, save, sim, running, credentialsFor, ...booted, ...helpers };
		for (const phase of PHASES) await phase(b);
	} finally {
		results.machine.loadAtEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
		results.timings.totalMs = Date.now() - started;
		save();
		await running.n8n?.stop();
		for (const extra of running.extra) await extra.stop().catch(() => undefined);
		await sim.close();
		running.cleanupPack();
	}
	log('rendering bench/RESULTS.md and the chart');
	renderResults(results, benchDir);
	log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

/** The phases in the order they run; each checks --only itself. */
const PHASES: Array<(b: Bench) => Promise<void>> = [
	overheadPhase,
	latencyPhase,
	callsPhase,
	dropPhase,
	earlyPhase,
	scalingPhase,
	busyPhase,
	flavoursPhase,
	triggerMainPhase,
	triggerProfilePhase,
	triggerTunedPhase,
	memoryPhase,
];

function newResults(): BenchResults {
	const settings: Record<string, number | string> = { ...SETTINGS };
	delete settings.reportSecret;
	return {
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
}

main().catch((error) => {
	process.stderr.write(
		`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	// Missed goals never fail the run; a run that could not measure does (what it got is in results.json).
	process.exitCode = 1;
});
