/** The memory phases of bench/RESULTS.md: fresh instances per repetition, and the older shared-instance method. */
import { against, verdict } from './report';
import type { Report } from './report';
import { fmt, median } from './stats';
import type { BenchResults } from './types';

/** 6b. memory in fresh instances */
export function memoryRepsSection(results: BenchResults, report: Report): void {
	const { rows, sections, gaps } = report;
	const mr = results.memoryReps;
	if (mr && mr.rows.length) {
		const rss = mr.rows.map((r) => r.after.rssMb - r.before.rssMb);
		const heap = mr.rows.map((r) => r.after.heapUsedMb - r.before.heapUsedMb);
		const signed = (v: number) => `${v >= 0 ? '+' : ''}${fmt(v)}`;
		const ok = median(rss) <= 50 && median(heap) <= 25;
		rows.push({
			measure: `6. Memory: growth over ${mr.runs * mr.itemsPerRun} items (Witness level, event stream), each repetition in a fresh n8n after a ${mr.warmupItems}-item warm-up, after a forced GC`,
			result:
				`RSS median ${signed(median(rss))} MB (${rss.map(signed).join(', ')}; ${against(rss, (v) => v <= 50)}); ` +
				`V8 heap median ${signed(median(heap))} MB (${heap.map(signed).join(', ')}; ${against(heap, (v) => v <= 25)})`,
			goal: 'RSS ≤ 50 MB, heap ≤ 25 MB',
			verdict: verdict(ok),
		});
		sections.push(
			[
				'## 6. Memory',
				'',
				`Each repetition starts its own n8n (same package, SQLite, executions saved as by default) with the V8 inspector on a ` +
					`loopback port, runs one uncounted warm-up execution of ${mr.warmupItems} items, collects garbage through the ` +
					"inspector (`HeapProfiler.collectGarbage`, twice) and reads `process.memoryUsage()` of n8n's main process (where " +
					`nodes run); then ${mr.runs} executions of ${mr.itemsPerRun} items through Send With Verification (*Witness* level, ` +
					'event stream, *Minimum Interval* 0), each followed by the same GC and reading. Growth = last reading − the reading after ' +
					'the warm-up. "Peak" is the highest RSS seen before a collection (from `/proc`).',
				'',
				'| rep | RSS after warm-up MB | RSS at end MB | RSS growth MB | heap after warm-up MB | heap at end MB | heap growth MB | peak RSS MB | delivered |',
				'|---|---|---|---|---|---|---|---|---|',
				...mr.rows.map(
					(r) =>
						`| ${r.rep} | ${fmt(r.before.rssMb)} | ${fmt(r.after.rssMb)} | ${signed(r.after.rssMb - r.before.rssMb)} | ${fmt(r.before.heapUsedMb)} | ${fmt(r.after.heapUsedMb)} | ${signed(r.after.heapUsedMb - r.before.heapUsedMb)} | ${fmt(r.peakRssMb)} | ${r.delivered}/${r.items} |`,
				),
				'',
				'Per execution (heap after GC, MB): ' +
					mr.rows
						.map((r) => `rep ${r.rep}: ${r.samples.map((x) => fmt(x.heapUsedMb, 0)).join(' / ')}`)
						.join('; ') +
					'.',
			].join('\n'),
		);
		if (!ok) {
			gaps.push(
				`**Memory.** Median growth RSS ${signed(median(rss))} MB, heap ${signed(median(heap))} MB after forced collections; ` +
					'a heap that keeps rising execution after execution (section 6) is retained; an RSS rise with a flat heap is V8 ' +
					"keeping pages it grew for the executions' peak.",
			);
		}
	}
}

/** 6. memory (the old method: one shared instance) */
export function memorySharedSection(results: BenchResults, report: Report): void {
	const { rows, sections, gaps } = report;
	const m = results.memory;
	if (m) {
		const base = m.samples[0];
		const last = m.samples[m.samples.length - 1];
		const peak = Math.max(...m.samples.map((x) => x.mainRssMb));
		const growth = last.mainRssMb - base.mainRssMb;
		const heapGrowth = (last.heapUsedMb ?? Number.NaN) - (base.heapUsedMb ?? Number.NaN);
		const signed = (v: number) => `${v >= 0 ? '+' : ''}${fmt(v)}`;
		// A leak keeps rising: compare the second half of the runs with the first, not the last sample with the first.
		const half = Math.max(1, Math.floor(m.samples.length / 2));
		const secondHalf = m.samples.slice(half);
		const rssSecondHalf = last.mainRssMb - secondHalf[0].mainRssMb;
		const heaps = (list: typeof m.samples) =>
			list.map((x) => x.heapUsedMb ?? Number.NaN).filter(Number.isFinite);
		const heapFloorFirst = Math.min(...heaps(m.samples.slice(0, half)));
		const heapFloorSecond = Math.min(...heaps(secondHalf));
		const heapRange = heaps(m.samples.slice(1));
		const keepsRising = rssSecondHalf > 25 || heapFloorSecond > heapFloorFirst + 50;
		rows.push({
			measure: `6. Memory: n8n main-process RSS growth over ${m.runs * m.itemsPerRun} items (Witness level, event stream)`,
			result:
				`${signed(growth)} MB (${fmt(base.mainRssMb)} → ${fmt(last.mainRssMb)} MB, peak ${fmt(peak)} MB); ` +
				`V8 heap in use ${signed(heapGrowth)} MB (${fmt(base.heapUsedMb)} → ${fmt(last.heapUsedMb)} MB)`,
			goal: '≤ 50 MB',
			verdict: verdict(growth <= 50),
		});
		sections.push(
			[
				'## 6. Memory',
				'',
				`${m.runs} executions of ${m.itemsPerRun} items each through Send With Verification (*Witness* level, event stream, ` +
					'*Minimum Interval* 0), after one uncounted warm-up execution. RSS of the n8n main process (where nodes run) from ' +
					'`/proc/<pid>/status` two seconds after each execution ("tree" adds its task runner), and the V8 heap in use from ' +
					"n8n's own `/metrics` (`nodejs_heap_size_used_bytes`, lowest of six samples over three seconds, so it follows a " +
					'collection). RSS also holds heap V8 has grown and not yet returned, so it swings; a leak shows as a heap that ' +
					'keeps rising run after run. n8n stores every execution with its data (SQLite), as it does by default.',
				'',
				'| items so far | main RSS MB | tree RSS MB | V8 heap in use MB | execution ms | delivered |',
				'|---|---|---|---|---|---|',
				...m.samples.map(
					(x) =>
						`| ${x.items === 0 ? 'warm-up' : x.items} | ${fmt(x.mainRssMb)} | ${fmt(x.groupRssMb)} | ${fmt(x.heapUsedMb)} | ${x.executionTime} | ${x.delivered} |`,
				),
			].join('\n'),
		);
		if (!(growth <= 50)) {
			gaps.push(
				`**Memory.** RSS grew ${fmt(growth)} MB, ${signed(rssSecondHalf)} MB of it over the second half of the runs; ` +
					`the V8 heap in use swung between ${fmt(Math.min(...heapRange))} and ${fmt(Math.max(...heapRange))} MB. ` +
					(keepsRising
						? 'It keeps rising run after run, so something is retained across executions: profile the heap (bench --profile). '
						: 'Neither keeps rising: V8 grew its heap for the first 1000-item executions (each holds its full result, every ' +
							"item's evidence, attempts and input, until n8n has saved it) and keeps it, so this is heap sizing, not a leak. ") +
					'Users can cap V8 with `NODE_OPTIONS=--max-old-space-size`.',
			);
		}
	}
}
