/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, runs outside n8n */
/**
 * Turns bench/results.json into bench/RESULTS.md and the latency chart.
 * Long because it writes one table and its explanation per benchmark phase.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cdfSvg, writeChart } from './chart';
import { profileTable } from './profile';
import { fmt, median, spread, summarise } from './stats';

import type { BenchResults, TriggerVariant, Variant } from './types';

export type { BenchResults } from './types';

type Verdict = 'met' | 'missed' | 'n/a';

interface Row {
	measure: string;
	result: string;
	goal: string;
	verdict: Verdict;
}

const mark = (v: Verdict) => (v === 'met' ? '✅ met' : v === 'missed' ? '❌ missed' : '—');
const verdict = (ok: boolean | undefined): Verdict =>
	ok === undefined ? 'n/a' : ok ? 'met' : 'missed';

/**
 * Where the spread of repetitions lies against a goal: "within" (every repetition meets it), "straddles" (some do,
 * some don't: the verdict rests on the median), "outside" (none does).
 */
function against(values: number[], meets: (v: number) => boolean): string {
	const finite = values.filter(Number.isFinite);
	if (finite.length < 2) return 'one repetition: spread unknown';
	const ok = finite.filter(meets).length;
	if (ok === finite.length) return 'spread within the goal';
	if (ok === 0) return 'spread entirely outside the goal';
	return `spread straddles the goal (${ok} of ${finite.length} reps meet it)`;
}

function byRep<T extends { rep: number }>(rows: T[], value: (rows: T[]) => number): number[] {
	const reps = [...new Set(rows.map((r) => r.rep))].sort((a, b) => a - b);
	return reps.map((rep) => value(rows.filter((r) => r.rep === rep)));
}

export function renderResults(results: BenchResults, dir: string): void {
	const rows: Row[] = [];
	const sections: string[] = [];
	const gaps: string[] = [];
	const s = results.settings;

	// 1. overhead
	const o = results.overhead;
	if (o) {
		const send = o.rows.filter((r) => r.variant === 'send');
		const http = o.rows.filter((r) => r.variant === 'http');
		const ratios = byRep(
			o.rows as Array<{ rep: number; variant: string; perItemMs: number }>,
			(rs) => {
				const a = rs.find((r) => r.variant === 'send');
				const b = rs.find((r) => r.variant === 'http');
				return a && b ? a.perItemMs / b.perItemMs : Number.NaN;
			},
		).filter(Number.isFinite);
		const ratio = median(ratios);
		rows.push({
			measure: `1. Overhead: per-item time, Send With Verification (API Accepted) ÷ HTTP Request, ${o.items} items`,
			result: `median ${fmt(ratio, 2)}× (min–max ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)} over ${ratios.length} reps; ${against(ratios, (v) => v <= 1.1)}); ${fmt(median(send.map((r) => r.perItemMs)), 2)} vs ${fmt(median(http.map((r) => r.perItemMs)), 2)} ms/item`,
			goal: '≤ 1.10×',
			verdict: verdict(ratio <= 1.1),
		});
		sections.push(
			[
				'## 1. Overhead at the API level',
				'',
				`One workflow each: Manual Trigger → Set (an array of ${o.items} numbers) → Split Out → the measured node, all items to group ` +
					`${'`'}send_group_msg${'`'} on the same simulated NapCat account. Send With Verification runs with *API Accepted*, one attempt, ` +
					'*Minimum Interval* 0 (the default 1000 ms spacing would dominate); the HTTP Request node (v4.2) posts the same segments with a ' +
					"Bearer header. Time is the node's own `executionTime` from the stored run, divided by the item count. Runs alternate " +
					'(send, http, http, send, ...) after one uncounted warm-up pair.',
				'',
				'| rep | Send With Verification ms/item | HTTP Request ms/item | ratio | items OK (send / http) |',
				'|---|---|---|---|---|',
				...[...new Set(o.rows.map((r) => r.rep))].map((rep) => {
					const a = send.find((r) => r.rep === rep);
					const b = http.find((r) => r.rep === rep);
					return `| ${rep} | ${fmt(a?.perItemMs, 2)} | ${fmt(b?.perItemMs, 2)} | ${fmt(a && b ? a.perItemMs / b.perItemMs : undefined, 2)} | ${a?.ok ?? 'n/a'} / ${b?.ok ?? 'n/a'} |`;
				}),
				'',
				`Median per item: Send With Verification ${spread(
					send.map((r) => r.perItemMs),
					2,
				)} ms, HTTP Request ${spread(
					http.map((r) => r.perItemMs),
					2,
				)} ms (median (min–max) of repetitions).`,
			].join('\n'),
		);
		if (!(ratio <= 1.1)) {
			gaps.push(
				`**Overhead.** Measured ${fmt(ratio, 2)}× (repetitions ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}; ` +
					`${against(ratios, (v) => v <= 1.1)}): ${fmt(median(send.map((r) => r.perItemMs)) - median(http.map((r) => r.perItemMs)), 2)} ms more per item ` +
					'than the HTTP Request node. ' +
					(Math.min(...ratios) <= 1.1
						? results.machine.loadAtStart[0] < 1
							? `Only ${ratios.filter((v) => v <= 1.1).length} of ${ratios.length} repetitions meet the goal on an idle machine: the gap is real but small. `
							: 'Some repetitions meet the goal, so the miss is within the spread of this machine; measure again on a quiet one. '
						: 'Every repetition misses it. ') +
					'The node reads the credential once per run and sends with a plain request (`nodes/shared/transport.ts` ' +
					'`oneBotClient()`); what is left is by design: items are sent one after the other (input order, per-target ' +
					'spacing) while HTTP Request sends them all at once. `npm run bench -- --only=overhead --profile` shows where the ' +
					'time goes.',
			);
		}
	}

	// 2. witness latency
	const l = results.latency;
	let chartTool: string | null = null;
	if (l) {
		const stream = l.samples.filter((x) => x.variant === 'stream').map((x) => x.latencyMs);
		const polling = l.samples.filter((x) => x.variant === 'polling').map((x) => x.latencyMs);
		const ss = summarise(stream);
		const ps = summarise(polling);
		const repP = (variant: string, q: 'p50' | 'p95') =>
			byRep(
				l.samples.filter((x) => x.variant === variant),
				(rs) => summarise(rs.map((r) => r.latencyMs))[q],
			);
		rows.push({
			measure:
				'2a. Witness confirmation latency, event stream (after the simulator delivered to the witness)',
			result: `p50 ${fmt(ss.p50)} ms, p95 ${fmt(ss.p95)} ms, p99 ${fmt(ss.p99)} ms (n=${ss.n}; per-rep p50 ${spread(repP('stream', 'p50'))}, p95 ${spread(repP('stream', 'p95'))}; ${against(
				byRep(
					l.samples.filter((x) => x.variant === 'stream'),
					(rs) => {
						const q = summarise(rs.map((r) => r.latencyMs));
						return q.p50 <= 20 && q.p95 <= 50 ? 1 : 0;
					},
				),
				(v) => v === 1,
			)})`,
			goal: 'p50 ≤ 20 ms, p95 ≤ 50 ms',
			verdict: verdict(ss.p50 <= 20 && ss.p95 <= 50),
		});
		rows.push({
			measure: `2b. Witness confirmation latency, history polling every ${l.pollIntervalMs} ms`,
			result: `p50 ${fmt(ps.p50)} ms, p95 ${fmt(ps.p95)} ms, p99 ${fmt(ps.p99)} ms (n=${ps.n}; per-rep p95 ${spread(repP('polling', 'p95'))}; ${against(repP('polling', 'p95'), (v) => v <= l.pollIntervalMs + 50)})`,
			goal: `p95 ≤ ${l.pollIntervalMs + 50} ms`,
			verdict: verdict(ps.p95 <= l.pollIntervalMs + 50),
		});
		const via = (variant: Variant) => {
			const counts: Record<string, number> = {};
			for (const x of l.samples.filter((y) => y.variant === variant))
				counts[x.via] = (counts[x.via] ?? 0) + 1;
			return Object.entries(counts)
				.map(([k, v]) => `${k} ${v}`)
				.join(', ');
		};
		sections.push(
			[
				'## 2. Witness confirmation latency',
				'',
				`Send With Verification, *Witness* level, ${l.items} messages per run to one group, *Minimum Interval* ${s.latencyMinIntervalMs} ms, ` +
					`simulated delivery ${s.deliveryDelayMs} ms + up to ${s.deliveryJitterMs} ms jitter. Latency = the item's ${'`'}timing.verifiedAt${'`'} ` +
					"minus the instant the simulator put the message into the witness's inbox (ground truth `receivedAt`), both from the same " +
					"machine clock. The event-stream runs watch the witness's forward WebSocket (and read its history once for the baseline); " +
					`the polling runs switch *Use Witness Event Stream* off and read ${'`'}get_group_msg_history${'`'} every ${l.pollIntervalMs} ms, ` +
					'one read shared by every waiting message. Runs alternate.',
				'',
				'| variant | n | p50 ms | p95 ms | p99 ms | max ms | seen via | not matched / not delivered |',
				'|---|---|---|---|---|---|---|---|',
				`| event stream | ${ss.n} | ${fmt(ss.p50)} | ${fmt(ss.p95)} | ${fmt(ss.p99)} | ${fmt(ss.max)} | ${via('stream')} | ${l.missing.stream} |`,
				`| history polling (${l.pollIntervalMs} ms) | ${ps.n} | ${fmt(ps.p50)} | ${fmt(ps.p95)} | ${fmt(ps.p99)} | ${fmt(ps.max)} | ${via('polling')} | ${l.missing.polling} |`,
				'',
				`Per repetition: event stream p50 ${repP('stream', 'p50')
					.map((v) => fmt(v))
					.join(' / ')} ms, p95 ${repP('stream', 'p95')
					.map((v) => fmt(v))
					.join(' / ')} ms; ` +
					`polling p50 ${repP('polling', 'p50')
						.map((v) => fmt(v))
						.join(' / ')} ms, p95 ${repP('polling', 'p95')
						.map((v) => fmt(v))
						.join(' / ')} ms.`,
				'',
				'![Witness confirmation latency](latency.png)',
			].join('\n'),
		);
		const svg = cdfSvg(
			'Witness confirmation latency after delivery to the witness',
			`Send With Verification in n8n ${results.machine.n8n}, ${ss.n + ps.n} messages, ${results.machine.cpu}; dashed: goals`,
			[
				{
					label: `event stream (p50 ${fmt(ss.p50)} ms, p95 ${fmt(ss.p95)} ms)`,
					color: '#1f77b4',
					values: stream,
				},
				{
					label: `history polling ${l.pollIntervalMs} ms (p50 ${fmt(ps.p50)}, p95 ${fmt(ps.p95)} ms)`,
					color: '#d62728',
					values: polling,
				},
			],
			[
				{ label: 'stream p50 goal 20 ms', color: '#1f77b4', x: 20, labelAt: 0.56 },
				{ label: 'stream p95 goal 50 ms', color: '#1f77b4', x: 50, labelAt: 0.48 },
				{
					label: `polling p95 goal ${l.pollIntervalMs + 50} ms`,
					color: '#d62728',
					x: l.pollIntervalMs + 50,
					labelAt: 0.12,
				},
			],
			'milliseconds from delivery to the witness until the item is verified (log scale)',
		);
		chartTool = writeChart(svg, path.join(dir, 'latency.svg'), path.join(dir, 'latency.png'));
		if (!(ss.p50 <= 20 && ss.p95 <= 50)) {
			gaps.push(
				`**Event-stream latency.** Measured p50 ${fmt(ss.p50)} ms, p95 ${fmt(ss.p95)} ms (goal 20 / 50 ms; per-rep p50 ` +
					`${spread(repP('stream', 'p50'))}, p95 ${spread(repP('stream', 'p95'))}) with a load average of ` +
					`${results.machine.loadAtStart[0]} at the start (${results.machine.cpu}). ` +
					(results.settings?.streamWake === 'event'
						? 'A waiting item is woken by the event itself (`core/wake.ts`, `ChatWatcher.onEvent`), so what is measured is '
						: 'The code measured here looked at buffered events every `eventCheckIntervalMs` (20 ms) by sleeping, which adds ' +
							'0–20 ms (later code wakes the item on the event, `core/wake.ts`); the rest is ') +
					"the simulator's delivery, the witness's WebSocket and n8n's event loop on a shared machine" +
					(ss.p50 <= 20
						? `: the median meets the goal, the tail (p95 ${fmt(ss.p95)} ms) does not.`
						: '.'),
			);
		}
		if (!(ps.p95 <= l.pollIntervalMs + 50)) {
			gaps.push(
				'**Polling latency.** The p95 exceeds one poll interval plus 50 ms: a read that starts just before the message lands ' +
					"finds nothing, and the next one starts a full interval later, plus the read's own round trip on a loaded machine.",
			);
		}
	}

	// 3. calls
	const c = results.calls;
	if (c) {
		const per = (variant: Variant) =>
			c.rows.filter((r) => r.variant === variant).map((r) => r.calls / Math.max(1, r.verified));
		const actionsPer = (variant: Variant) => {
			const rs = c.rows.filter((r) => r.variant === variant);
			const keys = [...new Set(rs.flatMap((r) => Object.keys(r.byAction)))] as string[];
			return keys
				.sort()
				.map(
					(k) =>
						`${k} ${fmt(median(rs.map((r) => (r.byAction[k] ?? 0) / Math.max(1, r.verified))), 2)}`,
				)
				.join(', ');
		};
		const best = Math.min(median(per('stream')), median(per('polling')));
		rows.push({
			measure: `3. OneBot API calls per verified message, ${c.items} messages to one group (both accounts)`,
			result: `event stream ${spread(per('stream'), 2)}, polling ${spread(per('polling'), 2)} (${against([...per('stream'), ...per('polling')], (v) => v <= 1.5)})`,
			goal: '≤ 1.5',
			verdict: verdict(best <= 1.5),
		});
		sections.push(
			[
				'## 3. API calls per verified message',
				'',
				`${c.items} messages to one group with *Witness* verification, *Minimum Interval* ${c.minIntervalMs} ms, poll interval ${c.pollIntervalMs} ms. ` +
					'Every HTTP call the simulator answered for the sending and the witness account is counted (its call log), divided by the ' +
					'messages verified.',
				'',
				'| rep | variant | verified | calls | calls per message |',
				'|---|---|---|---|---|',
				...c.rows.map(
					(r) =>
						`| ${r.rep} | ${r.variant} | ${r.verified} | ${r.calls} | ${fmt(r.calls / Math.max(1, r.verified), 2)} |`,
				),
				'',
				`Per message, by account and action (median): event stream: ${actionsPer('stream')}; polling: ${actionsPer('polling')}.`,
			].join('\n'),
		);
		if (!(best <= 1.5)) {
			gaps.push(
				`**API calls.** Measured ${fmt(median(per('stream')), 2)} calls per message with the event stream and ` +
					`${fmt(median(per('polling')), 2)} with polling. By action (median per message): event stream: ${actionsPer('stream')}; ` +
					`polling: ${actionsPer('polling')}. The action with the most calls per message is what to reduce.`,
			);
		}
	}

	// 4. silent drop
	const d = results.drop;
	if (d) {
		const over = (variant: Variant) =>
			d.samples.filter((x) => x.variant === variant).map((x) => x.overshootMs);
		const sw = summarise(over('stream'));
		const pw = summarise(over('polling'));
		rows.push({
			measure: `4. Silent drop: time to Not Delivered after the answer, minus the deadline (${d.deadlineMs} ms)`,
			result: `event stream p50 +${fmt(sw.p50, 0)} ms, max +${fmt(sw.max, 0)} ms; polling p50 +${fmt(pw.p50, 0)} ms, max +${fmt(pw.max, 0)} ms (per-rep max ${against(
				byRep(d.samples, (rs) => Math.max(...rs.map((r) => r.overshootMs))),
				(v) => v <= 100,
			)})`,
			goal: 'deadline + ≤ 100 ms',
			verdict: verdict(sw.max <= 100 && pw.max <= 100),
		});
		sections.push(
			[
				'## 4. Silent-drop detection',
				'',
				`The simulator answers every group send with ${'`'}ok${'`'} and a message_id and delivers it to nobody (${'`'}silent_drop${'`'}). ` +
					`Send With Verification, *Witness* level, deadline ${d.deadlineMs / 1000} s, one attempt, ${d.items} messages per run. The time is ` +
					"`timing.gaveUpAt − timing.answeredAt` (the deadline counts from the send's answer); the table shows how far past the " +
					'deadline the item left on Not Delivered.',
				'',
				'| variant | n | p50 past deadline ms | p95 ms | max ms | reasons | wrongly delivered |',
				'|---|---|---|---|---|---|---|',
				`| event stream | ${sw.n} | ${fmt(sw.p50, 0)} | ${fmt(sw.p95, 0)} | ${fmt(sw.max, 0)} | ${[...new Set(d.samples.filter((x) => x.variant === 'stream').map((x) => x.reason))].join(', ')} | ${d.wronglyDelivered} (all runs) |`,
				`| history polling | ${pw.n} | ${fmt(pw.p50, 0)} | ${fmt(pw.p95, 0)} | ${fmt(pw.max, 0)} | ${[...new Set(d.samples.filter((x) => x.variant === 'polling').map((x) => x.reason))].join(', ')} | |`,
			].join('\n'),
		);
		if (!(sw.max <= 100 && pw.max <= 100)) {
			gaps.push(
				`**Silent-drop detection time.** Measured max +${fmt(sw.max, 0)} ms (event stream) and +${fmt(pw.max, 0)} ms ` +
					'(polling) past the deadline. After the deadline the watcher needs one more confirmation: with the stream it ' +
					'waits one event-check interval for events already on the wire; with polling it makes a history read that ' +
					`*starts* after the deadline (the poll interval here is ${results.latency?.pollIntervalMs ?? 'n/a'} ms), and a paced ` +
					`read still in flight is awaited first. Load average at the start: ${results.machine.loadAtStart[0]}.`,
			);
		}
	}

	const e = results.early;
	if (e) {
		const apiRows = e.rows.filter((r) => r.signal.startsWith('API error'));
		const apiFailed = apiRows.reduce((a: number, r) => a + r.failed, 0);
		const apiEarly = apiRows.reduce((a: number, r) => a + r.early, 0);
		const later = e.rows.find((r) => r.signal.startsWith('a later'));
		// Ambiguous API errors (the kernel timed out: the message may still arrive) are checked until the deadline by design.
		const decisive = e.rows.filter(
			(r) => r.signal === 'API error, terminal' || r.signal === 'API error, transient',
		);
		const decisiveEarly = decisive.every((r) => r.early === r.failed);
		const laterEarly = later ? later.early >= later.laterSeen : undefined;
		rows.push({
			measure: '4b. Early failure signals beat the deadline',
			result:
				`API errors: ${apiEarly}/${apiFailed} items early (terminal and transient: ${decisive.reduce((a, r) => a + r.early, 0)}/${decisive.reduce((a, r) => a + r.failed, 0)}; ambiguous ones wait for the witness by design); later message seen while ours missing: ` +
				`${later ? `${later.early}/${later.failed}` : 'n/a'} early (a later message was at the witness for ${later?.laterSeen ?? 'n/a'}), wrongly delivered ${later?.delivered !== undefined ? 'see table' : 'n/a'}`,
			goal: 'every terminal/transient API error and every item overtaken by a later message ends before the deadline',
			verdict: verdict(
				later === undefined && decisive.length === 0
					? undefined
					: decisiveEarly && laterEarly !== false,
			),
		});
		sections.push(
			[
				'### Early failure signals',
				'',
				`Same node and deadline (${e.deadlineMs / 1000} s), ${e.items} messages per scenario, one attempt. "Early" = Not Delivered before ` +
					'the deadline had passed since the answer. "Later seen" = a later message of the same run was already at the witness before ' +
					"this one's deadline (ground truth), i.e. a signal the node could have used.",
				'',
				'| scenario | signal | not delivered | delivered | early | time to Not Delivered after the answer, median (min–max) ms | reasons | later seen |',
				'|---|---|---|---|---|---|---|---|',
				...e.rows.map(
					(r) =>
						`| ${r.scenario} | ${r.signal} | ${r.failed} | ${r.delivered} | ${r.early}/${r.failed} | ${spread(r.afterAnswerMs, 0)} | ${Object.entries(
							r.reasons,
						)
							.map(([k, v]) => `${k} ${v}`)
							.join(', ')} | ${r.laterSeen} |`,
				),
			].join('\n'),
		);
		if (!(decisiveEarly && laterEarly !== false)) {
			gaps.push(
				'**Early signals.** Items overtaken by a later message of the same sender end 500 ms (the overtake grace) after the ' +
					'later message was seen (`core/chatWatcher.ts`); an item whose later message arrived less than the grace ' +
					'before its deadline cannot end much earlier, and the last item of a run has no later message. Ambiguous API errors ' +
					'(`send_timeout`) are checked at the witness until the full deadline by design (no duplicates).',
			);
		}
	}

	// 5. trigger
	const t = results.trigger;
	if (t) {
		const lat = (variant: TriggerVariant, key: 'startMs' | 'finishMs' | 'answeredMs') =>
			summarise(t.latency.filter((x) => (x.variant ?? 'trigger') === variant).map((x) => x[key]));
		const rate = (variant: TriggerVariant, key: 'postRate' | 'execRate') =>
			t.sustained.filter((x) => (x.variant ?? 'trigger') === variant).map((x) => x[key]);
		const hasBaseline = t.latency.some((x) => x.variant === 'webhook');
		// What n8n itself spends on each report that our node cannot avoid, from this run's profile when it has one.
		const prof = results.triggerProfile;
		const isolateMs = (variant: string) =>
			prof?.[variant]?.categories.find((c) => c.name.startsWith('expression isolate'))
				?.msPerRequest;
		const n8nReason =
			`n8n ${results.machine.n8n} acquires an expression isolate for every request to a webhook node that is not its ` +
			'own Webhook node (`LiveWebhooks.webhookPhaseNeedsIsolate`), and its pool builds a new one after each use' +
			(prof && isolateMs('trigger') !== undefined
				? `: ${fmt(isolateMs('trigger'), 1)} CPU ms per report against ${fmt(isolateMs('webhook') ?? 0, 1)} for the Webhook node ` +
					`(profile, of ${fmt(prof.trigger.cpuMsPerRequest, 1)} vs ${fmt(prof.webhook?.cpuMsPerRequest, 1)} ms in all; section 5d)`
				: ' (run with --profile to measure its share)');
		const triggerRows = (label: string, r: NonNullable<BenchResults['trigger']>) => {
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
		};
		triggerRows(' (n8n defaults)', t);
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
		for (const tuned of results.triggerTuned ?? [])
			triggerRows(
				` (${tuned.label}: ${Object.entries(tuned.env)
					.map(([k, v]) => `${k}=${v}`)
					.join(' ')})`,
				tuned.result,
			);

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
		sections.push(
			[
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
			].join('\n'),
		);
	}

	// 5c. trigger with n8n's expression-engine settings
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

	// 5d. where the CPU goes per report
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

	// 3b. scaling
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

	// 3c. busy group
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

	// 3d. flavours
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

	// 6b. memory in fresh instances
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

	// 6. memory (the old method: one shared instance)
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
	fs.writeFileSync(path.join(dir, 'RESULTS.md'), md.join('\n'));
}
