/**
 * The system a model-based property test drives (scripts/lib/model/commands.ts): the core's delivery
 * engine, Restart Client run and Delivery Failure Trigger receiver against one running simulator, and the
 * four promises checked against the simulator's ground truth:
 * - a message is never sent twice (no text arrives more often than items sent it; nothing is sent after
 *   its run was stopped);
 * - Delivered is never claimed without proof (every Delivered item has its own copy in the witness's inbox);
 * - a client is never restarted in a loop (restarts in the simulator's log keep the guard's interval);
 * - a failure report starts exactly one run (the first delivery inside the age window is taken; no
 *   report is taken twice).
 * Timings are scaled down (deadlines of tens of milliseconds) so a thousand sequences run in minutes.
 */
import { sleep } from 'n8n-workflow';
import { DeliveryEngine, DeliveryStopped } from '../../../core/delivery';
import type { DeliveryOutcome, DeliverySettings } from '../../../core/delivery';
import { receiveTriggerRequest, ReplayMemory } from '../../../core/trigger';
import { pacingRegistry } from '../../../core/pacing/registry';
import { buildFailureEvent, postFailureReport } from '../../../core/report';
import { AccountNumbers, resolveRestartAccountKey, RestartLeases } from '../../../core/restart';
import type { RestartGuardPolicy, RestartRunResult } from '../../../core/restart';
import { DEFAULT_RETRY_POLICY } from '../../../core/retry';
import { DEFAULT_REPORT_MAX_AGE_SECONDS } from '../../../core/signing';
import type { HttpRequest } from '../../../core/transport';
import { defaultWorld } from '../../../simulator';
import type { Simulator } from '../../../simulator';
import type { WorldConfig } from '../../../simulator/types';
import { fetchRequest } from '../../../test/support/fetchRequest';
import {
	checkBreakersSettled,
	recordingSender,
	resetAfterReceived,
	settledBreakers,
} from '../campaignEdges';
import type { SendSeen } from '../campaignEdges';
import { simulatorClient, simulatorParties } from '../simulatorParties';
import { simulatorDockerRestarter } from '../simulatorRestart';
import type { SimulatorRestartTimings } from '../simulatorRestart';

export const MODEL_GROUP = 100200300;
const REPORT_SECRET = 'model-report-secret';
export const MODEL_GUARD: RestartGuardPolicy = { minIntervalMs: 400, maxPerHour: 0 };
/** The Docker request and the recovery, scaled to the model's short deadlines. */
const MODEL_RESTART_TIMINGS: SimulatorRestartTimings = {
	requestTimeoutMs: 300,
	recovery: {
		deadlineMs: 400,
		initialDelayMs: 5,
		pollBaseMs: 5,
		pollCapMs: 20,
		checkTimeoutMs: 150,
		loginGraceMs: 0,
	},
};
/** A restart is logged when it reaches the simulator, counted by the guard when sent: allow for the way. */
export const MODEL_TRANSIT_TOLERANCE_MS = 100;

export const MODEL_SETTINGS: DeliverySettings = {
	verification: 'witness',
	deadlineMs: 60,
	pollIntervalMs: 10,
	// Sends to the group are spaced, so runs wait for each other's slots (and meet Stop while they wait).
	minIntervalMs: 15,
	requestTimeoutMs: 200,
	retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, baseMs: 5, capMs: 10, accountBackoffMs: 10 },
	pacing: { ratePerMinute: 0, breaker: { threshold: 2, coolDownMs: 40 }, holdMs: 60, pollMs: 10 },
};

/** The default world, scaled to the model's short deadlines. */
export function modelWorld(): WorldConfig {
	return {
		...defaultWorld(),
		kernelTimeoutMs: 50,
		deliveryDelayMs: 2,
		heartbeatIntervalMs: 60000,
		restartDowntimeMs: 30,
	};
}

export interface ModelRun {
	id: number;
	texts: string[];
	controller: AbortController;
	sends: SendSeen[];
	stoppedAt: number | null;
	outcomes: DeliveryOutcome[] | null;
	done: Promise<void>;
}

export interface ModelReport {
	id: string;
	request: HttpRequest;
	/** The sender's clock when it signed (receiver time = real time + the receiver's offset). */
	signedAtMs: number;
	deliveries: Array<{ at: number; status: number }>;
}

/** One sequence's system: fresh pacing, leases, replay memory and receiver clock on a reset simulator. */
export class PromiseSystem {
	readonly runs: ModelRun[] = [];
	readonly reports: ModelReport[] = [];
	readonly restarts: Array<Promise<RestartRunResult>> = [];
	readonly restartRequests = { reached: 0, resetAfterReceived: 0 };
	readonly violations: string[] = [];
	private readonly pacing = pacingRegistry();
	private readonly leases = new RestartLeases();
	private readonly numbers = new AccountNumbers();
	private readonly replay = new ReplayMemory();
	/** How far the receiver's clock is ahead of real time (time passing for reports, not for sends). */
	receiverOffsetMs = 0;
	private settledViolations: string[] = [];

	constructor(readonly sim: Simulator) {}

	/** Starts one run (one engine, like one Send execution) without waiting for it. */
	startRun(texts: string[], reportSkewMs: number): ModelRun {
		const { bot, witness } = this.sim.urls.accounts;
		const controller = new AbortController();
		const sends: SendSeen[] = [];
		const run: ModelRun = {
			id: this.runs.length,
			texts,
			controller,
			sends,
			stoppedAt: null,
			outcomes: null,
			done: Promise.resolve(),
		};
		const engine = new DeliveryEngine(MODEL_SETTINGS, {
			...simulatorParties(
				{ bot, witness },
				recordingSender(fetchRequest, controller.signal, sends),
			),
			accounts: this.pacing.pacing,
			signal: controller.signal,
			sleep,
			clock: Date.now,
		});
		run.done = engine
			.deliverEach(
				texts.map((text, index) => ({
					index,
					target: { type: 'group', id: MODEL_GROUP },
					message: [{ type: 'text', data: { text } }],
					correlationId: `run${run.id}-${index}`,
				})),
			)
			.then((outcomes) => {
				run.outcomes = outcomes;
				return this.signReports(outcomes, reportSkewMs);
			});
		this.runs.push(run);
		return run;
	}

	/** Like Send: each Not Delivered item signs a failure report (held here until a delivery command posts it). */
	private async signReports(outcomes: DeliveryOutcome[], skewMs: number): Promise<void> {
		for (const outcome of outcomes) {
			if (!outcome.ok || outcome.result.status === 'delivered') continue;
			const signedAtMs = Date.now() + skewMs;
			const event = buildFailureEvent({
				...outcome.result,
				event: 'delivery_failed',
				source: 'send',
				reportedAt: signedAtMs,
			});
			await postFailureReport(
				(request) => {
					this.reports.push({
						id: outcome.result.correlationId,
						request,
						signedAtMs,
						deliveries: [],
					});
					return Promise.resolve({ status: 200, body: { ok: true } });
				},
				{ reportUrl: 'http://127.0.0.1:1/report', reportSecret: REPORT_SECRET },
				event,
				{ nowSeconds: Math.floor(signedAtMs / 1000) },
			);
		}
	}

	stop(run: ModelRun): void {
		if (run.controller.signal.aborted) return;
		run.stoppedAt = Date.now();
		run.controller.abort();
	}

	/**
	 * A Restart Client run through Docker, without waiting for it; `spelling` is how the workflow wrote the
	 * OneBot URL (the guard key must not depend on it); `resetAfterReceived` makes the supervisor take the
	 * request and then drop the connection.
	 */
	requestRestart(spelling: 'ip' | 'localhost' | 'slash', resetAfter: boolean): void {
		const bot = this.sim.urls.accounts.bot;
		const url =
			spelling === 'ip'
				? bot.http
				: spelling === 'localhost'
					? bot.http.replace('127.0.0.1', 'localhost')
					: `${bot.http}/`;
		const client = simulatorClient({ ...bot, http: url });
		// The guard key as the Restart Client node resolves it (core/restart/accountKey.ts).
		const accountKey = resolveRestartAccountKey({
			client,
			baseUrl: url,
			timeoutMs: 150,
			numbers: this.numbers,
			leases: this.leases,
		});
		const restart = simulatorDockerRestarter(
			this.sim.urls.docker,
			resetAfterReceived(fetchRequest, () => resetAfter, this.restartRequests),
			MODEL_RESTART_TIMINGS,
		);
		this.restarts.push(
			accountKey.then(({ key }) =>
				restart({ accountKey: key, leases: this.leases, client, guard: MODEL_GUARD }),
			),
		);
	}

	/** Posts a signed report to the trigger's core at the receiver's time; returns the HTTP status. */
	deliverReport(report: ModelReport): number {
		const at = Date.now() + this.receiverOffsetMs;
		const decision = receiveTriggerRequest(
			{
				headers: Object.fromEntries(
					Object.entries(report.request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
				),
				rawBody: String(report.request.body),
			},
			{ reportSecret: REPORT_SECRET },
			{ nowMs: at, seenReportSignatures: this.replay },
		);
		const status = 'start' in decision ? 200 : decision.status;
		report.deliveries.push({ at, status });
		return status;
	}

	/**
	 * Waits for every run and restart of this sequence (none may outlive it), then checks what only holds
	 * once nothing runs: no breaker is left half-open with a trial no send holds.
	 */
	async settle(): Promise<void> {
		await Promise.all(this.runs.map((run) => run.done));
		await Promise.all(this.restarts);
		// Copies still on their way (the simulator delivers 2 ms after a send) land before the last check.
		await sleep(30);
		this.settledViolations = checkBreakersSettled(
			'settled',
			await settledBreakers(this.pacing.all),
		);
	}

	/** The four promises against the simulator's ground truth; `settled`: nothing runs any more. */
	check(settled: boolean): string[] {
		if (settled) return [...this.settledViolations, ...this.check(false)];
		const truth = this.sim.world.groundTruth() as {
			accounts: Record<string, { inbox: Array<{ text: string }> }>;
			restarts: Array<{ account: string; via: string; at: number }>;
		};
		const found: string[] = [];
		const copies = new Map<string, number>();
		for (const entry of truth.accounts.witness.inbox)
			copies.set(entry.text, (copies.get(entry.text) ?? 0) + 1);
		const items = new Map<string, number>();
		const delivered = new Map<string, number>();
		for (const run of this.runs) {
			run.texts.forEach((text, i) => {
				items.set(text, (items.get(text) ?? 0) + 1);
				const outcome = run.outcomes?.[i];
				if (outcome?.ok && outcome.result.status === 'delivered')
					delivered.set(text, (delivered.get(text) ?? 0) + 1);
			});
			for (const send of run.sends.filter((s) => s.afterStop))
				found.push(`run ${run.id} sent "${send.text ?? '?'}" after it was stopped`);
			run.outcomes?.forEach((outcome, i) => {
				if (!outcome.ok && !(outcome.error instanceof DeliveryStopped))
					found.push(`run ${run.id} item ${i} ended with an error: ${String(outcome.error)}`);
			});
		}
		for (const [text, n] of copies)
			if (n > (items.get(text) ?? 0))
				found.push(`"${text}" arrived ${n} times, sent by ${items.get(text) ?? 0} items`);
		for (const [text, n] of delivered)
			if (n > (copies.get(text) ?? 0))
				found.push(`"${text}": ${n} items Delivered, ${copies.get(text) ?? 0} copies arrived`);
		const times = truth.restarts
			.filter((r) => r.account === 'bot' && r.via === 'docker')
			.map((r) => r.at)
			.sort((a, b) => a - b);
		for (let i = 1; i < times.length; i++)
			if (times[i] - times[i - 1] < MODEL_GUARD.minIntervalMs - MODEL_TRANSIT_TOLERANCE_MS)
				found.push(
					`two restarts ${times[i] - times[i - 1]} ms apart (guard interval ${MODEL_GUARD.minIntervalMs} ms)`,
				);
		found.push(...this.checkReports());
		return found;
	}

	private checkReports(): string[] {
		const found: string[] = [];
		const windowMs = (DEFAULT_REPORT_MAX_AGE_SECONDS - 1) * 1000;
		for (const report of this.reports) {
			const taken = report.deliveries.filter((d) => d.status === 200).length;
			if (taken > 1) found.push(`the report of ${report.id} was taken ${taken} times`);
			const first = report.deliveries[0];
			if (first && first.status !== 200 && Math.abs(first.at - report.signedAtMs) < windowMs)
				found.push(
					`the report of ${report.id} was refused (HTTP ${first.status}) on its first delivery, ${Math.round((first.at - report.signedAtMs) / 1000)} s after it was signed`,
				);
		}
		return found;
	}
}
