/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, runs outside n8n */
/**
 * Turns bench/results.json into bench/RESULTS.md and the latency chart: the summary table and the missed
 * goals first, then one section per phase (bench/lib/results*.ts), then how to reproduce.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mark } from './report';
import type { Report } from './report';
import { memoryRepsSection, memorySharedSection } from './resultsMemory';
import { busySection, flavoursSection, scalingSection } from './resultsScale';
import {
	callsSection,
	dropSection,
	earlySection,
	latencySection,
	overheadSection,
} from './resultsSend';
import { triggerProfileSection, triggerSection, triggerTunedSection } from './resultsTrigger';
import { fmt } from './stats';
import type { BenchResults } from './types';

export type { BenchResults } from './types';

export function renderResults(results: BenchResults, dir: string): void {
	const report: Report = { rows: [], sections: [], gaps: [], chartTool: null };
	overheadSection(results, report);
	latencySection(results, report, dir);
	callsSection(results, report);
	dropSection(results, report);
	earlySection(results, report);
	triggerSection(results, report);
	triggerTunedSection(results, report);
	triggerProfileSection(results, report);
	scalingSection(results, report);
	busySection(results, report);
	flavoursSection(results, report);
	memoryRepsSection(results, report);
	memorySharedSection(results, report);
	fs.writeFileSync(path.join(dir, 'RESULTS.md'), renderMarkdown(results, report).join('\n'));
}

/** The page: header and summary table, missed goals, the phases' sections, how to reproduce. */
function renderMarkdown(results: BenchResults, report: Report): string[] {
	const { rows, sections, gaps, chartTool } = report;
	const mc = results.machine;
	const md: string[] = [
		'# Benchmarks',
		'',
		`Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC${results.quick ? ' (**quick run**: few items, not for publication)' : ''}, ` +
			`in one run of \`npm run bench\` (${fmt((results.timings.totalMs ?? 0) / 60000)} min). Everything runs on one machine: ` +
			`the packed package installed into the real n8n ${mc.n8n} (SQLite, regular mode), the OneBot v11 simulator (NapCat flavour) ` +
			'in the benchmark process, every compared variant in the same n8n instance, interleaved.',
		'',
		`**Machine:** ${mc.cpu}, ${mc.memoryGb} GB RAM, ${mc.os}, Node ${mc.node}. Load average at start ${mc.loadAtStart.join(' / ')}, at end ` +
			`${mc.loadAtEnd.join(' / ')}: ${
				mc.loadAtStart[0] < 1
					? 'the machine was idle at the start (the load is the benchmark itself, n8n and the simulator on 2 cores)'
					: 'the machine was shared with other jobs'
			}, so absolute times carry noise; ratios of interleaved runs less so.`,
		'',
		...(results.phases && !results.phases.includes('all')
			? [
					`**Phases measured:** ${results.phases.join(', ')} (a subset of the benchmark; sizes at the end).`,
					'',
				]
			: []),
		...(results.note ? [`**Note:** ${results.note}`, ''] : []),
		'| measure | result | goal | |',
		'|---|---|---|---|',
		...rows.map((r) => `| ${r.measure} | ${r.result} | ${r.goal} | ${mark(r.verdict)} |`),
		'',
		'Spread: "median (min–max)" over repetitions; latency percentiles pool every message of every repetition.',
		'',
	];
	if (gaps.length)
		md.push(
			'## Missed goals: why, and what would close them',
			'',
			...gaps.map((g) => `- ${g}`),
			'',
		);
	md.push(...sections.flatMap((x) => [x, '']));
	md.push(
		'## Reproduce',
		'',
		'```bash',
		'npm ci',
		'npm run bench            # about 15 minutes on 2 cores; installs the pinned n8n and Node 24 into the cache on first use',
		'npm run bench -- --quick # a few items per figure, to check the machinery',
		'npm run bench -- --only=latency,calls   # phases: overhead, latency, calls, drop, early, scaling, busy, flavours, trigger, tuning, memory',
		'npm run bench -- --set=overheadItems=500,memoryReps=1 --scaling=100,1000 --tunings=0   # smaller sizes for a subset',
		'npx tsx bench/render.ts  # re-render RESULTS.md and the chart from bench/results.json',
		'```',
		'',
		`Settings: ${Object.entries(results.settings ?? {})
			.filter(([k]) => k !== 'reportSecret')
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}. Sizes: ${Object.entries(results.params ?? {})
			.map(([k, v]) => `${k} ${v}`)
			.join(
				', ',
			)}. Raw samples: [results.json](results.json). Chart: ${chartTool ? `[latency.png](latency.png) (SVG converted with ${chartTool})` : '[latency.svg](latency.svg) (no converter was available)'}.`,
		'',
	);
	return md;
}
