/** The scaling phases of bench/RESULTS.md: batch sizes, a busy group, every flavour. */
import { verdict } from './report';
import type { Report } from './report';
import { fmt } from './stats';
import type { BenchResults, Variant } from './types';

/** 3b. scaling */
export function scalingSection(results: BenchResults, report: Report): void {
	const { rows, sections, gaps } = report;
	const s = results.settings;
	const sc = results.scaling;
	if (sc) {
		const sizes = [...new Set(sc.rows.map((r) => r.items))].sort((a, b) => a - b);
		const variants = ['stream', 'polling'] as Variant[];
		const growth = (variant: Variant) => {
			const rs = sc.rows.filter((r) => r.variant === variant).sort((a, b) => a.items - b.items);
			if (rs.length < 2) return Number.NaN;
			return rs[rs.length - 1].perItemMs / rs[rs.length - 2].perItemMs;
		};
		const missed = sc.rows.reduce((a, r) => a + r.failed + r.duplicates, 0);
		const linear = variants.every((v) => !(growth(v) > 1.5));
		rows.push({
			measure: `7. Scaling: per-item time and API calls per message at ${sizes.join(' / ')} items (Witness level)`,
			result:
				variants
					.map((v) => {
						const rs = sc.rows.filter((r) => r.variant === v).sort((a, b) => a.items - b.items);
						return `${v === 'stream' ? 'event stream' : 'polling'} ${rs.map((r) => fmt(r.perItemMs, 2)).join(' / ')} ms/item, ${rs.map((r) => fmt(r.calls / Math.max(1, r.delivered), 2)).join(' / ')} calls/message (largest ÷ next size ${fmt(growth(v), 2)}×)`;
					})
					.join('; ') + `; not delivered or duplicated: ${missed}`,
			goal: 'linear or better (per-item time at the largest size ≤ 1.5× the next size), nothing missed',
			verdict: verdict(linear && missed === 0),
		});
		sections.push(
			[
				'## 7. How cost grows with the batch',
				'',
				`One execution per size and variant: Send With Verification, *Witness* level, *Minimum Interval* ${sc.minIntervalMs}, one attempt, ` +
					`deadline ${s.witnessDeadlineSeconds} s, all items to one group; polling every ${sc.pollIntervalMs} ms. Per-item time is the node's ` +
					'`executionTime` ÷ items; calls are every OneBot call of both accounts (simulator call log) ÷ messages delivered; ' +
					'"duplicated" counts messages the witness received more than once (ground truth).',
				'',
				'| variant | items | execution ms | ms/item | delivered | not delivered | calls | calls/message | duplicated | calls by action |',
				'|---|---|---|---|---|---|---|---|---|---|',
				...sc.rows.map(
					(r) =>
						`| ${r.variant} | ${r.items} | ${r.executionTime} | ${fmt(r.perItemMs, 2)} | ${r.delivered} | ${r.failed} | ${r.calls} | ${fmt(r.calls / Math.max(1, r.delivered), 2)} | ${r.duplicates} | ${Object.entries(
							r.byAction,
						)
							.map(([k, v]) => `${k} ${v}`)
							.join(', ')} |`,
				),
			].join('\n'),
		);
		if (!(linear && missed === 0)) {
			gaps.push(
				'**Scaling.** See section 7: where per-item time grows faster than the batch, or items are Not Delivered at large ' +
					'batches, the table names the variant and size.',
			);
		}
	}
}

/** 3c. busy group */
export function busySection(results: BenchResults, report: Report): void {
	const { rows, sections } = report;
	const bz = results.busy;
	if (bz) {
		const bad = bz.rows.reduce((a, r) => a + r.missedButArrived + r.duplicates, 0);
		const failed = bz.rows.reduce((a, r) => a + r.failed, 0);
		rows.push({
			measure: `8. Busy group: ${bz.rows[0]?.items ?? 'n/a'} verified messages while other members post ${bz.rows[0]?.otherPerSecond ?? 'n/a'}/s`,
			result: bz.rows
				.map(
					(r) =>
						`${r.variant === 'stream' ? 'event stream' : 'polling'} ${r.delivered}/${r.items} delivered, ${r.missedButArrived} missed although they arrived, ${r.duplicates} duplicated, ${r.historyReads} history reads (${r.otherInjected} other messages)`,
				)
				.join('; '),
			goal: 'no verified message missed because a history read was too shallow',
			verdict: verdict(bad === 0 && failed === 0),
		});
		sections.push(
			[
				'## 8. Verification in a busy group',
				'',
				`Another member of the group posts ${bz.rows[0]?.otherPerSecond}/s (the simulator injects them into the group) from one second before ` +
					`until the end of the run; Send With Verification sends ${bz.rows[0]?.items} messages, *Witness* level, *Minimum Interval* ${bz.minIntervalMs} ms, ` +
					`polling every ${bz.pollIntervalMs} ms (20 entries per page, older pages while the oldest entry is newer than what is awaited). ` +
					'"Missed although they arrived" = Not Delivered while the witness\'s inbox holds the message (ground truth).',
				'',
				'| variant | items | delivered | not delivered | missed although they arrived | duplicated | history reads | other messages | execution ms |',
				'|---|---|---|---|---|---|---|---|---|',
				...bz.rows.map(
					(r) =>
						`| ${r.variant} | ${r.items} | ${r.delivered} | ${r.failed} | ${r.missedButArrived} | ${r.duplicates} | ${r.historyReads} | ${r.otherInjected} | ${r.executionTime} |`,
				),
			].join('\n'),
		);
	}
}

/** 3d. flavours */
export function flavoursSection(results: BenchResults, report: Report): void {
	const { rows, sections, gaps } = report;
	const fl = results.flavours;
	if (fl && fl.rows.length) {
		const bad = fl.rows.filter((r) => r.failed > 0 || r.duplicates > 0);
		rows.push({
			measure: `9. Other implementations on the versioned simulator (${[...new Set(fl.rows.map((r) => `${r.flavour} ${r.version}`))].join(', ')}), Witness level`,
			result: fl.rows
				.map((r) => `${r.flavour} ${r.version} ${r.variant} ${r.delivered}/${r.items}`)
				.join(', '),
			goal: 'every message verified, none duplicated',
			verdict: verdict(bad.length === 0),
		});
		sections.push(
			[
				'## 9. Other implementations and versions',
				'',
				'The same simulator world served as the named implementation and version (LLOneBot 4.4.3 gives hashed message ids and ' +
					'no ordered seq; see docs/compatibility.md), in the same n8n. Latency as in section 2.',
				'',
				'| implementation | variant | items | delivered | not delivered (reasons) | calls | duplicated | p50 latency ms |',
				'|---|---|---|---|---|---|---|---|',
				...fl.rows.map(
					(r) =>
						`| ${r.flavour} ${r.version} | ${r.variant} | ${r.items} | ${r.delivered} | ${r.failed}${
							r.failed
								? ` (${Object.entries(r.reasons)
										.map(([k, v]) => `${k} ${v}`)
										.join(', ')})`
								: ''
						} | ${r.calls} | ${r.duplicates} | ${fmt(r.p50LatencyMs, 0)} |`,
				),
			].join('\n'),
		);
		if (bad.length) {
			gaps.push(
				`**Other implementations.** ${bad.map((r) => `${r.flavour} ${r.version} (${r.variant}): ${r.failed} not delivered, ${r.duplicates} duplicated`).join('; ')}. ` +
					'See section 9 and docs/compatibility.md.',
			);
		}
	}
}
