/** The trigger phases of bench/RESULTS.md: latency and throughput, under the expression-engine settings, CPU per report. */
import { profileTable } from './profile';
import { against, byRep, verdict } from './report';
import type { Report } from './report';
import { fmt, median, spread, summarise } from './stats';
import type { BenchResults, TriggerVariant } from './types';

/** 5. trigger */
export function triggerSection(results: BenchResults, report: Report): void {
	const t = results.trigger;
	if (!t) return;
	const c = triggerContext(results, t);
	triggerRows(report.rows, ' (n8n defaults)', t, c.n8nReason);
	triggerGap(results, c, report.gaps);
	for (const tuned of results.triggerTuned ?? [])
		triggerRows(
			report.rows,
			` (${tuned.label}: ${Object.entries(tuned.env)
				.map(([k, v]) => `${k}=${v}`)
				.join(' ')})`,
			tuned.result,
			c.n8nReason,
		);

	report.sections.push(triggerText(t, c));
}

type TriggerResult = NonNullable<BenchResults['trigger']>;
type TriggerContext = ReturnType<typeof triggerContext>;

/** Per-variant latency and rates of the main instance, and why n8n itself costs what it does. */
function triggerContext(results: BenchResults, t: TriggerResult) {
	const lat = (variant: TriggerVariant, key: 'startMs' | 'finishMs' | 'answeredMs') =>
		summarise(t.latency.filter((x) => (x.variant ?? 'trigger') === variant).map((x) => x[key]));
	const rate = (variant: TriggerVariant, key: 'postRate' | 'execRate') =>
		t.sustained.filter((x) => (x.variant ?? 'trigger') === variant).map((x) => x[key]);
	const hasBaseline = t.latency.some((x) => x.variant === 'webhook');
	// What n8n itself spends on each report that our node cannot avoid, from this run's profile when it has one.
	const prof = results.triggerProfile;
	const isolateMs = (variant: string) =>
		prof?.[variant]?.categories.find((c) => c.name.startsWith('expression isolate'))?.msPerRequest;
	const n8nReason =
		`n8n ${results.machine.n8n} acquires an expression isolate for every request to a webhook node that is not its ` +
		'own Webhook node (`LiveWebhooks.webhookPhaseNeedsIsolate`), and its pool builds a new one after each use' +
		(prof && isolateMs('trigger') !== undefined
			? `: ${fmt(isolateMs('trigger'), 1)} CPU ms per report against ${fmt(isolateMs('webhook') ?? 0, 1)} for the Webhook node ` +
				`(profile, of ${fmt(prof.trigger.cpuMsPerRequest, 1)} vs ${fmt(prof.webhook?.cpuMsPerRequest, 1)} ms in all; section 5d)`
			: ' (run with --profile to measure its share)');
	return { lat, rate, hasBaseline, prof, n8nReason };
}

/** Rows 5a (start latency) and 5b (throughput) of one n8n configuration, against the Webhook node. */
function triggerRows(
	rows: Report['rows'],
	label: string,
	r: TriggerResult,
	n8nReason: string,
): void {
	const latOf = (variant: TriggerVariant, key: 'startMs' | 'finishMs') =>
		summarise(r.latency.filter((x) => x.variant === variant).map((x) => x[key]));
	const repStart = (variant: TriggerVariant) =>
		byRep(
			r.latency.filter((x) => x.variant === variant),
			(rs) => summarise(rs.map((x) => x.startMs)).p50,
		);
	const startRatios = byRep(
		r.latency,
		(rs) =>
			summarise(rs.filter((x) => x.variant === 'trigger').map((x) => x.startMs)).p50 /
			summarise(rs.filter((x) => x.variant === 'webhook').map((x) => x.startMs)).p50,
	).filter(Number.isFinite);
	const rateRatios = byRep(
		r.sustained,
		(rs) =>
			(rs.find((x) => x.variant === 'trigger')?.postRate ?? Number.NaN) /
			(rs.find((x) => x.variant === 'webhook')?.postRate ?? Number.NaN),
	).filter(Number.isFinite);
	const ts = latOf('trigger', 'startMs');
	const ws = latOf('webhook', 'startMs');
	const startRatio = ts.p50 / ws.p50;
	const rateOf = (variant: TriggerVariant) =>
		r.sustained.filter((x) => x.variant === variant).map((x) => x.postRate);
	const rateRatio = median(rateOf('trigger')) / median(rateOf('webhook'));
	rows.push({
		measure: `5a. Trigger${label}: signed report → execution started, ÷ n8n's Webhook node (same instance, interleaved)`,
		result:
			`${fmt(startRatio, 2)}×: trigger p50 ${fmt(ts.p50, 0)} ms (p95 ${fmt(ts.p95, 0)}, per-rep p50 ${spread(repStart('trigger'), 0)}), Webhook node p50 ${fmt(ws.p50, 0)} ms ` +
			`(per-rep ${spread(repStart('webhook'), 0)}); finished p50 ${fmt(latOf('trigger', 'finishMs').p50, 0)} vs ${fmt(latOf('webhook', 'finishMs').p50, 0)} ms; ` +
			`per-rep ratios ${startRatios.map((v) => fmt(v, 2)).join(', ')} (${against(startRatios, (v) => v <= 2)})` +
			(startRatio <= 2 ? '' : `. Why: ${n8nReason}`),
		goal: '≤ 2× the Webhook node',
		verdict: verdict(Number.isFinite(startRatio) ? startRatio <= 2 : undefined),
	});
	rows.push({
		measure: `5b. Trigger${label}: sustained reports per second (${r.concurrency} concurrent senders, ${r.sustainMs / 1000} s), ÷ the Webhook node`,
		result:
			`${fmt(rateRatio, 2)}×: trigger ${spread(rateOf('trigger'))} accepted/s (${spread(r.sustained.filter((x) => x.variant === 'trigger').map((x) => x.execRate))} executions finished/s), ` +
			`Webhook node ${spread(rateOf('webhook'))} accepted/s; per-rep ratios ${rateRatios.map((v) => fmt(v, 2)).join(', ')} (${against(rateRatios, (v) => v >= 0.5)})` +
			(rateRatio >= 0.5 ? '' : `. Why: ${n8nReason}`),
		goal: '≥ 0.5× the Webhook node',
		verdict: verdict(Number.isFinite(rateRatio) ? rateRatio >= 0.5 : undefined),
	});
}

function triggerGap(
	results: BenchResults,
	{ lat, rate, hasBaseline, prof, n8nReason }: TriggerContext,
	gaps: Report['gaps'],
): void {
	if (hasBaseline) {
		const startRatio = lat('trigger', 'startMs').p50 / lat('webhook', 'startMs').p50;
		const rateRatio = median(rate('trigger', 'postRate')) / median(rate('webhook', 'postRate'));
		if (!(startRatio <= 2 && rateRatio >= 0.5)) {
			const own = prof?.trigger?.categories.find((c) => c.name.startsWith('this package'));
			gaps.push(
				`**Trigger.** Start ${fmt(startRatio, 2)}× and throughput ${fmt(rateRatio, 2)}× the Webhook node in this run ` +
					`(load average ${results.machine.loadAtStart[0]} at the start). ${n8nReason}. ` +
					(own ? `The node's own work is ${fmt(own.msPerRequest, 2)} CPU ms per report. ` : '') +
					'A community node cannot skip that isolate in n8n 2.41. ' +
					(Number(results.settings?.triggerTypeVersion ?? 1) >= 1.1
						? 'The node measured (typeVersion 1.1) already avoids the per-request `binaryData` expression and reuses its credential for 10 s. '
						: 'The node measured here was typeVersion 1, for which n8n also evaluates a `binaryData` expression in the isolate per request; typeVersion 1.1 avoids it. ') +
					'See docs/benchmarks.md.',
			);
		}
	}
}

function triggerText(t: TriggerResult, { lat, rate, hasBaseline }: TriggerContext): string {
	const latencyRow = (
		variant: TriggerVariant,
		label: string,
		key: 'startMs' | 'finishMs' | 'answeredMs',
	) => {
		const x = lat(variant, key);
		return `| ${label} | ${x.n} | ${fmt(x.p50, 0)} | ${fmt(x.p95, 0)} | ${fmt(x.max, 0)} |`;
	};
	const names: Record<TriggerVariant, string> = {
		trigger: 'Delivery Failure Trigger',
		webhook: 'n8n Webhook node',
	};
	const variants = (hasBaseline ? ['trigger', 'webhook'] : ['trigger']) as TriggerVariant[];
	return [
		'## 5. Delivery Failure Trigger',
		'',
		'An active workflow holding only the trigger (production URL), and beside it, as the baseline, an active workflow holding ' +
			"only n8n's own Webhook node (POST, respond immediately). The benchmark posts the same signed `delivery_failed` report to " +
			'both (HMAC-SHA256 headers, unique correlation ids; the Webhook node ignores the signature). Latency: one report at a time, ' +
			'150 ms apart; "started"/"finished" are the stored execution\'s `startedAt`/`stoppedAt` minus the moment the POST was sent; ' +
			`"answered" is when the HTTP answer arrived. Throughput: ${t.concurrency} senders posting back to back for ${t.sustainMs / 1000} s, ` +
			'then waiting until every accepted report has a finished execution. Variants alternate.',
		'',
		'| variant and measure | n | p50 ms | p95 ms | max ms |',
		'|---|---|---|---|---|',
		...variants.flatMap((v) => [
			latencyRow(v, `${names[v]}: report → execution started`, 'startMs'),
			latencyRow(v, `${names[v]}: report → execution finished`, 'finishMs'),
			latencyRow(v, `${names[v]}: report → HTTP answer`, 'answeredMs'),
		]),
		'',
		'| rep | variant | accepted | refused | accepted/s | executions finished/s | drained after last post ms |',
		'|---|---|---|---|---|---|---|',
		...t.sustained.map(
			(x) =>
				`| ${x.rep} | ${names[x.variant ?? 'trigger']} | ${x.accepted} | ${x.refused} | ${fmt(x.postRate)} | ${fmt(x.execRate)} | ${x.drainMs} |`,
		),
		'',
		hasBaseline
			? `Under load the trigger takes ${fmt(median(rate('trigger', 'postRate')) / median(rate('webhook', 'postRate')), 2)}× the ` +
				"reports per second of n8n's bare Webhook node. It does more per request by design: it loads and decrypts the " +
				'credential, checks the HMAC signature and the replay window, and remembers the signature against replays ' +
				'(see docs/benchmarks.md).'
			: '',
	].join('\n');
}

/** 5c. trigger with n8n's expression-engine settings */
export function triggerTunedSection(results: BenchResults, report: Report): void {
	const { sections } = report;
	const t = results.trigger;
	if (results.triggerTuned?.length) {
		const tableRows = (label: string, r: NonNullable<BenchResults['trigger']>) => {
			const q = (variant: TriggerVariant, key: 'startMs' | 'finishMs') =>
				summarise(r.latency.filter((x) => x.variant === variant).map((x) => x[key]));
			const rate = (variant: TriggerVariant) =>
				median(r.sustained.filter((x) => x.variant === variant).map((x) => x.postRate));
			return `| ${label} | ${fmt(q('trigger', 'startMs').p50, 0)} | ${fmt(q('webhook', 'startMs').p50, 0)} | ${fmt(q('trigger', 'startMs').p50 / q('webhook', 'startMs').p50, 2)}× | ${fmt(rate('trigger'))} | ${fmt(rate('webhook'))} | ${fmt(rate('trigger') / rate('webhook'), 2)}× |`;
		};
		sections.push(
			[
				"### 5c. The trigger under n8n's expression-engine settings",
				'',
				'The same latency and throughput runs, each setting in its own fresh n8n instance (trigger and Webhook node interleaved ' +
					"in it, fewer repetitions). In n8n 2.41.1 a production webhook whose node is not n8n's own Webhook node makes n8n " +
					"acquire an expression isolate before the node's `webhook()` runs (`LiveWebhooks.webhookPhaseNeedsIsolate`, " +
					'`N8N_EXPRESSION_ENGINE_ALLOW_WEBHOOK_ISOLATE_SKIP` applies only to the Webhook node type); see docs/benchmarks.md.',
				'',
				'| n8n settings | trigger started p50 ms | Webhook node started p50 ms | ratio | trigger accepted/s | Webhook node accepted/s | ratio |',
				'|---|---|---|---|---|---|---|',
				tableRows('defaults (main instance)', t!),
				...(results.triggerTuned ?? []).map((x) =>
					tableRows(
						`${x.label}: ${Object.entries(x.env)
							.map(([k, v]) => `\`${k}=${v}\``)
							.join(' ')}`,
						x.result,
					),
				),
			].join('\n'),
		);
	}
}

/** 5d. where the CPU goes per report */
export function triggerProfileSection(results: BenchResults, report: Report): void {
	const { sections } = report;
	if (results.triggerProfile) {
		const pr = results.triggerProfile;
		sections.push(
			[
				'### 5d. Where n8n spends CPU per report (--profile)',
				'',
				"A V8 CPU profile of n8n's main process (a fresh instance, inspector attached) over sequential reports to each " +
					'workflow after a warm-up; each sample counts for the first category any frame of its stack matches ' +
					'(`bench/lib/profile.ts`). CPU ms per report, share of the profile in brackets; "(program)" is V8 and native ' +
					'work without a JavaScript frame. Profiling slows everything down, so compare the columns, not the absolute ms.',
				'',
				profileTable(pr),
			].join('\n'),
		);
	}
}
