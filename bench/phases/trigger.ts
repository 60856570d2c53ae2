/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, runs outside n8n */
/** Phase 5: the Delivery Failure Trigger beside n8n's Webhook node, its CPU profile, under expression-engine settings. */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFailureEvent } from '../../core/report';
import { signReport } from '../../core/signing';
import { nodeOutput } from '../../scripts/lib/n8n';
import type { Execution, N8nHandle } from '../../scripts/lib/n8n';
import { sleep } from '../../scripts/lib/proc';
import type { TriggerLatency, TriggerResult, TriggerSustained, TriggerVariant } from '../lib/types';
import { Inspector } from '../lib/inspector';
import { profileTable, summariseProfile } from '../lib/profile';
import { triggerWorkflow, webhookWorkflow } from '../lib/workflows';
import type { CredentialRef } from '../lib/workflows';
import {
	TUNINGS_ARG,
	P,
	PROFILE,
	SETTINGS,
	TRIGGER_TUNINGS,
	TRIGGER_VARIANTS,
	log,
	on,
	profileDir,
} from '../lib/options';
import { ababOrder, createWorkflow, ms, waitForCount } from '../lib/runs';
import type { Bench } from '../lib/context';

/** 5. trigger */
export async function triggerMainPhase(b: Bench): Promise<void> {
	const { results, save, n8n, bot, groupId, sender } = b;
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
}

/** 5b. --profile: CPU profile per report */
export async function triggerProfilePhase(b: Bench): Promise<void> {
	const { results, save, sim, withInspectedN8n, bot, groupId, credentialsFor } = b;
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
}

/** 5c. trigger under n8n's expression-engine settings */
export async function triggerTunedPhase(b: Bench): Promise<void> {
	const { results, save, sim, boot, bot, groupId, credentialsFor, running } = b;
	if (on('trigger') || on('tuning')) {
		results.triggerTuned = [];
		const chosen = TUNINGS_ARG;
		for (const tuning of chosen
			? TRIGGER_TUNINGS.filter((_, i) => chosen.includes(i))
			: TRIGGER_TUNINGS) {
			log(
				`trigger in a fresh n8n with ${Object.entries(tuning.env)
					.map(([k, v]) => `${k}=${v}`)
					.join(' ')}`,
			);
			const tuned = await boot(tuning.env);
			running.extra.push(tuned);
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
				running.extra = running.extra.filter((x) => x !== tuned);
			}
		}
	}
}

/** Both variants' workflows (our trigger, n8n's Webhook node) created and active, and a poster of one signed report. */
export async function setUpTriggerVariants(
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
export async function profileTriggerPhase(
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
export async function triggerPhase(
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
		for (const variant of ababOrder(rep, TRIGGER_VARIANTS)) {
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

	const sustained = await measureSustained(n8n, { variants, post }, reps, sustainMs);
	for (const variant of TRIGGER_VARIANTS) await n8n.deactivate(variants[variant].id);
	return { concurrency: SETTINGS.triggerConcurrency, sustainMs, latency, sustained };
}

/** Throughput: concurrent senders posting back to back for `sustainMs`, then until every execution finished. */
async function measureSustained(
	n8n: N8nHandle,
	{ variants, post }: Awaited<ReturnType<typeof setUpTriggerVariants>>,
	reps: number,
	sustainMs: number,
): Promise<TriggerSustained[]> {
	log(
		`trigger throughput: ${SETTINGS.triggerConcurrency} concurrent senders for ${sustainMs} ms, ABAB × ${reps}`,
	);
	const sustained: TriggerSustained[] = [];
	for (let rep = 1; rep <= reps; rep++) {
		for (const variant of ababOrder(rep, TRIGGER_VARIANTS)) {
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
	return sustained;
}
