/** Phase 6b: memory, each repetition in its own fresh n8n. */
import { sleep } from '../../scripts/lib/proc';
import type { MemoryRep } from '../lib/types';
import { processRss } from '../lib/rss';
import { sendWorkflow } from '../lib/workflows';
import { P, SETTINGS, log, on } from '../lib/options';
import { createWorkflow, runSend } from '../lib/runs';
import type { Bench } from '../lib/context';

/** 6b. memory, each repetition in its own fresh n8n */
export async function memoryPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n, withInspectedN8n, groupId, credentialsFor } = b;
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
}
