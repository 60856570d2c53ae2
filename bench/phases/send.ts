/** Phases 1-4b: overhead, witness latency, API calls, silent drops, early failure signals. */
import type { FaultSpec } from '../../simulator/types';
import type {
	CallsRow,
	DropSample,
	EarlyRow,
	LatencySample,
	OverheadRow,
	Variant,
} from '../lib/types';
import { httpRequestWorkflow } from '../lib/workflows';
import type { SendOptions } from '../lib/workflows';
import { P, SETTINGS, log, on } from '../lib/options';
import { ababOrder, createWorkflow, items, measuredRun, ms, runSend } from '../lib/runs';
import type { Bench } from '../lib/context';

/** Witness verification from the event stream, and from history polling alone. */
const VARIANTS: readonly Variant[] = ['stream', 'polling'];

/**
 * The same Send workflow twice, one per variant: confirmed from the witness's event stream, and by
 * polling its history only. Returns the workflow ids by variant.
 */
async function streamAndPolling(
	b: Bench,
	title: string,
	tag: string,
	options: Pick<SendOptions, 'count' | 'verification'> & Partial<SendOptions>,
): Promise<Record<Variant, string>> {
	return {
		stream: await createWorkflow(
			b.n8n,
			b.send(`Bench: ${title}, event stream`, { tag: `${tag}-ws`, ...options }),
		),
		polling: await createWorkflow(
			b.n8n,
			b.send(`Bench: ${title}, polling`, { tag: `${tag}-poll`, ...options, useEventStream: false }),
		),
	};
}

/** 1. overhead */
export async function overheadPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n, bot, groupId, send } = b;
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
			const order = ababOrder(rep + 1, ['send', 'http'] as const);
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
}

/** 2. witness confirmation latency */
export async function latencyPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n, witnessInbox } = b;
	if (on('latency')) {
		log(
			`witness latency: ${P.latencyItems} messages per run, event stream vs history polling (${SETTINGS.pollIntervalMs} ms), ABAB × ${P.latencyReps}`,
		);
		const ids = await streamAndPolling(b, 'latency', 'lat', {
			count: P.latencyItems,
			verification: 'witness',
			minIntervalMs: SETTINGS.latencyMinIntervalMs,
		});
		const samples: LatencySample[] = [];
		const missing: Record<Variant, number> = { stream: 0, polling: 0 };
		for (let rep = 1; rep <= P.latencyReps; rep++) {
			const order = ababOrder(rep, VARIANTS);
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
}

/** 3. API calls per verified message */
export async function callsPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n } = b;
	if (on('calls')) {
		log(
			`API calls: ${P.callsItems} messages to one group, witness verification, ABAB × ${P.callsReps}`,
		);
		const ids = await streamAndPolling(b, 'calls', 'calls', {
			count: P.callsItems,
			verification: 'witness',
			minIntervalMs: SETTINGS.callsMinIntervalMs,
		});
		const rows: CallsRow[] = [];
		for (let rep = 1; rep <= P.callsReps; rep++) {
			const order = ababOrder(rep, VARIANTS);
			for (const variant of order) {
				await sim.control.reset();
				const run = await runSend(n8n, ids[variant]);
				const calls = sim.world.calls.filter((c) => c.account === 'bot' || c.account === 'witness');
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
}

/** 4. silent-drop detection */
export async function dropPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n } = b;
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
		const ids = await streamAndPolling(b, 'silent drop', 'drop', common);
		const samples: DropSample[] = [];
		let wronglyDelivered = 0;
		for (let rep = 1; rep <= P.dropReps; rep++) {
			const order = ababOrder(rep, VARIANTS);
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
}

/** The faults of phase 4b and the early signal each should give. */
const EARLY_SCENARIOS: Array<{ name: string; signal: string; fault: FaultSpec }> = [
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

/** 4b. early failure signals */
export async function earlyPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n, send, witnessInbox } = b;
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
		const rows: EarlyRow[] = [];
		for (const s of EARLY_SCENARIOS) {
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
}
