/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a tool that runs outside n8n: n8n's Stop, simulated with a timer */
/**
 * One implementation's part of the fault campaign, then the whole campaign: a simulator of that
 * implementation, random faults and client restarts while concurrent runs send, failure reports to the
 * receiver (which restarts the client), late replays, and the checks against the simulator's ground truth.
 */
import { sleep } from 'n8n-workflow';
import { DeliveryEngine } from '../../../core/delivery';
import type { DeliveryOutcome, DeliveryRequest } from '../../../core/delivery';
import { pacingRegistry } from '../../../core/pacing/registry';
import type { PacingRegistry } from '../../../core/pacing/registry';
import {
	buildFailureEvent,
	postFailureReport,
	postFailureReports,
	reportableTarget,
} from '../../../core/report';
import type { ReportOutcome } from '../../../core/report';
import type { HttpRequest, RequestFn } from '../../../core/transport';
import type { DeliveryResult } from '../../../core/types';
import { defaultWorld, startSimulator } from '../../../simulator';
import type { Simulator } from '../../../simulator';
import { mulberry32 } from '../../../simulator/rng';
import { fetchRequest } from '../../../test/support/fetchRequest';
import {
	checkBreakersSettled,
	checkCopies,
	checkLateReplays,
	checkNothingSentAfterStop,
	recordingSender,
	REPORT_SKEW_MS,
	settledBreakers,
	STOP_SHARE,
	STOP_WITHIN_MS,
} from '../campaignEdges';
import type { InboxCopy, SendSeen, SentText, StoppedRun } from '../campaignEdges';
import { simulatorParties } from '../simulatorParties';
import {
	batchTexts,
	CAMPAIGN_FAULTS,
	CAMPAIGN_GUARD,
	CAMPAIGN_SETTINGS,
	CAMPAIGN_TARGETS,
	faultFor,
	GROUP,
	REPORT_SECRET,
} from './plan';
import type { CampaignOptions, FlavourVersion, TargetOptions } from './plan';
import { replayingRequest, reportId, startReportReceiver } from './receiver';
import type { ReportReceiver } from './receiver';
import { checkReportsAndRestarts, emptyTally } from './tally';
import type { CampaignResult, TargetTally } from './tally';

/** A simulator whose every account runs `target`, with timings scaled to the campaign. */
async function startTargetSimulator(target: FlavourVersion): Promise<Simulator> {
	const base = defaultWorld();
	const accounts = Object.fromEntries(
		Object.entries(base.accounts!).map(([name, account]) => [
			name,
			{ ...account, flavour: target.flavour, version: target.version },
		]),
	);
	return startSimulator({
		...base,
		accounts,
		kernelTimeoutMs: 150,
		deliveryDelayMs: 10,
		heartbeatIntervalMs: 60000,
		restartDowntimeMs: 200,
	});
}

/** One implementation's campaign: what it saw while its runs sent, then its checks. */
class TargetCampaign {
	readonly label: string;
	readonly tally: TargetTally;
	readonly violations: string[] = [];
	private readonly texts: SentText[] = [];
	private readonly allSends: SendSeen[] = [];
	private readonly stoppedRuns: StoppedRun[] = [];
	private readonly reports: Array<{ correlationId: string; outcome: ReportOutcome }> = [];
	private readonly lateReplays: Array<{ request: HttpRequest; skewMs: number }> = [];
	private readonly skews = new Map<string, number>();
	private readonly pacing: PacingRegistry = pacingRegistry();
	private readonly inFlight = new Map<number, string[]>();
	private readonly reportRequest: RequestFn;
	private next = 0;
	private stop = false;

	constructor(
		target: FlavourVersion,
		private readonly sends: number,
		private readonly options: TargetOptions,
		private readonly random: () => number,
		private readonly sim: Simulator,
		private readonly receiver: ReportReceiver,
		replayRandom: () => number,
	) {
		this.label = `${target.flavour} ${target.version}`;
		this.tally = emptyTally(this.label);
		this.reportRequest = replayingRequest(
			replayRandom,
			(response) => {
				if (!response) return;
				if (response.status === 403) this.tally.replaysRefused++;
				else
					this.violations.push(
						`${this.label}: a report posted twice was answered HTTP ${response.status} the second time, not refused as a replay`,
					);
			},
			(request) =>
				this.lateReplays.push({ request, skewMs: this.skews.get(reportId(request.body)) ?? 0 }),
		);
	}

	/** The runs, with faults coming and going under them, then the late replays and the checks. */
	async run(log: (line: string) => void): Promise<void> {
		// The first fault is on before the runs start: on a quiet machine a short campaign's runs can
		// otherwise end before the chaos's first coin comes up.
		let firstFaultOn: () => void = () => undefined;
		const firstFault = new Promise<void>((resolve) => (firstFaultOn = resolve));
		const chaos = this.chaos(firstFaultOn);
		await firstFault;
		await Promise.all(Array.from({ length: this.options.runs }, (_, run) => this.runOne(run)));
		this.stop = true;
		await chaos;
		await this.replayLate();
		await this.checkGroundTruth();
		const t = this.tally;
		log(
			`${this.label}: ${t.sends} sends, ${t.delivered} delivered, ${t.notDelivered} not delivered ${JSON.stringify(t.reasons)}, ${t.stopped} stopped in ${t.stoppedRuns} stopped runs, ${t.sharedTexts} shared texts, ${t.faults} faults, ${t.reportsAccepted}/${t.reports} reports accepted, ${t.lateReplaysRefused}/${t.lateReplays} late replays refused, restarts ${t.restartsPerformed} performed / ${t.restartsResetAfterReceived} reset after received / ${t.skippedCooldown} cooldown / ${t.skippedInProgress} in progress, ${this.violations.length} violations`,
		);
	}

	/** Faults come and go while the runs are in flight; now and then the client restarts under them. */
	private async chaos(firstFaultOn: () => void): Promise<void> {
		const { sim, random } = this;
		let first = true;
		while (!this.stop) {
			// About half the time one fault is on, for 100–400 ms; then a quiet spell.
			if (first || random() < 0.5) {
				first = false;
				const kind = CAMPAIGN_FAULTS[Math.floor(random() * CAMPAIGN_FAULTS.length)];
				const id = await sim.control.setFault(faultFor(kind, random));
				this.tally.faults++;
				firstFaultOn();
				await sleep(100 + Math.floor(random() * 300));
				await sim.control.clearFaults(id);
			}
			// The simulator's restart: 200 ms down, faults it cures cleared.
			if (random() < 0.05) {
				await sim.control.restart('bot', { downtimeMs: 200 });
				this.tally.restarts++;
			}
			await sleep(100 + Math.floor(random() * 300));
		}
	}

	/** One run: batches of items, each one engine like one node execution, until the sends are taken. */
	private async runOne(run: number): Promise<void> {
		while (this.next < this.sends) {
			const size = Math.min(this.options.batch, this.sends - this.next);
			const start = this.next;
			this.next += size;
			const batch = batchTexts(
				start,
				size,
				`campaign ${this.options.seed} ${this.label}`,
				this.inFlight,
				run,
				this.random,
			);
			this.inFlight.set(run, batch);
			const outcomes = await this.deliverBatch(batch, start, `r${run}@${start}`);
			this.inFlight.delete(run);
			outcomes.forEach((outcome, i) =>
				this.texts.push({ text: batch[i], outcome, run: `r${run}@${start}` }),
			);
			await this.reportFailures(outcomes);
		}
	}

	/** One engine's items; some runs are stopped (n8n's Stop) at a random point while they run. */
	private async deliverBatch(
		batch: string[],
		start: number,
		runName: string,
	): Promise<DeliveryOutcome[]> {
		const requests: DeliveryRequest[] = batch.map((text, i) => ({
			index: i,
			target: { type: 'group', id: GROUP },
			message: [{ type: 'text', data: { text } }],
			correlationId: `c${start + i}`,
		}));
		const controller = new AbortController();
		const sent: SendSeen[] = [];
		const stopAfter =
			this.random() < STOP_SHARE ? Math.floor(this.random() * STOP_WITHIN_MS) : null;
		const stopper =
			stopAfter === null
				? undefined
				: setTimeout(() => {
						this.stoppedRuns.push({ run: runName, stoppedAt: Date.now(), sends: sent });
						this.tally.stoppedRuns++;
						controller.abort();
					}, stopAfter);
		const { bot, witness } = this.sim.urls.accounts;
		const engine = new DeliveryEngine(CAMPAIGN_SETTINGS, {
			...simulatorParties({ bot, witness }, recordingSender(fetchRequest, controller.signal, sent)),
			accounts: this.pacing.pacing,
			signal: controller.signal,
			sleep,
			clock: Date.now,
		});
		const outcomes = await engine.deliverEach(requests);
		clearTimeout(stopper);
		this.allSends.push(...sent);
		return outcomes;
	}

	/**
	 * Like Send: every Not Delivered item posts a signed report, a few at a time, while the other runs go
	 * on sending; the sender's clock may be minutes off the receiver's.
	 */
	private async reportFailures(outcomes: DeliveryOutcome[]): Promise<void> {
		const failed = outcomes.flatMap((outcome) =>
			outcome.ok && outcome.result.status !== 'delivered' ? [outcome.result] : [],
		);
		const posted = await postFailureReports(
			failed,
			(result, timeoutMs) => {
				const skewMs = Math.round((this.random() * 2 - 1) * REPORT_SKEW_MS);
				const now = Date.now() + skewMs;
				const event = buildFailureEvent({
					...result,
					target: reportableTarget(result.target) as DeliveryResult['target'],
					event: 'delivery_failed',
					source: 'send',
					reportedAt: now,
				});
				this.skews.set(result.correlationId, skewMs);
				return postFailureReport(
					this.reportRequest,
					{ reportUrl: this.receiver.url, reportSecret: REPORT_SECRET },
					event,
					{ nowSeconds: Math.floor(now / 1000), timeoutMs },
				);
			},
			{ clock: Date.now },
		);
		failed.forEach((result, i) =>
			this.reports.push({ correlationId: result.correlationId, outcome: posted[i] }),
		);
	}

	/**
	 * A proxy replays captured reports minutes after they were taken (the receiver takes them as that
	 * late): each must be refused, whatever the clock of the sender that signed it.
	 */
	private async replayLate(): Promise<void> {
		const lateByMs = 301_000 + Math.floor(this.random() * 200_000);
		this.receiver.lateness.ms = lateByMs;
		const replayed: Array<{ lateByMs: number; skewMs: number; status: number | null }> = [];
		for (const { request, skewMs } of this.lateReplays) {
			const response = await fetchRequest(request).catch(() => null);
			replayed.push({ lateByMs, skewMs, status: response?.status ?? null });
		}
		this.receiver.lateness.ms = 0;
		this.tally.lateReplays = replayed.length;
		this.tally.lateReplaysRefused = replayed.filter(
			(r) => r.status !== null && r.status >= 400,
		).length;
		this.violations.push(...checkLateReplays(this.label, replayed));
	}

	/** Once the restarts and deliveries still on their way have ended: every check on the ground truth. */
	private async checkGroundTruth(): Promise<void> {
		const { sim, label, violations } = this;
		// Restarts started by the last reports finish (recovery included) before the ground truth is read.
		const runs = await Promise.all(this.receiver.runs);
		await sim.control.clearFaults();
		// Let deliveries still on their way land before reading the ground truth.
		await sleep(CAMPAIGN_SETTINGS.deadlineMs + 500);
		const truth = (await sim.control.groundTruth()) as {
			accounts: Record<string, { inbox: InboxCopy[] }>;
			restarts: Array<{ account: string; via: string; at: number }>;
		};
		checkReportsAndRestarts(label, this.tally, violations, {
			reports: this.reports,
			receiver: this.receiver,
			runs,
			guard: this.options.guard,
			restarts: truth.restarts,
		});
		violations.push(...checkNothingSentAfterStop(label, this.stoppedRuns));
		violations.push(...checkBreakersSettled(label, await settledBreakers(this.pacing.all)));
		violations.push(
			...checkCopies(label, this.texts, truth.accounts.witness.inbox, this.tally, this.allSends),
		);
	}
}

/** One implementation's whole campaign on a simulator of its own, closed however it ends. */
async function runTarget(
	target: FlavourVersion,
	sends: number,
	options: TargetOptions,
	random: () => number,
	log: (line: string) => void,
): Promise<{ tally: TargetTally; violations: string[] }> {
	const sim = await startTargetSimulator(target);
	// Drawn in this order so that a seed keeps drawing the same plan.
	const replayRandom = mulberry32(Math.floor(random() * 2 ** 32));
	const receiver = await startReportReceiver(
		sim,
		options.guard,
		mulberry32(Math.floor(random() * 2 ** 32)),
	);
	const campaign = new TargetCampaign(target, sends, options, random, sim, receiver, replayRandom);
	try {
		await campaign.run(log);
	} finally {
		await receiver.close();
		await sim.close();
	}
	return { tally: campaign.tally, violations: campaign.violations };
}

/**
 * Every implementation one at a time (side by side they starve each other of CPU on a small machine),
 * each with its own random stream (seed + position), so a seed draws the same plan for each.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
	const started = Date.now();
	const log = options.log ?? (() => undefined);
	const targets = options.targets ?? CAMPAIGN_TARGETS;
	const perTarget = Math.ceil(options.sends / targets.length);
	const results: Array<{ tally: TargetTally; violations: string[] }> = [];
	for (const [i, target] of targets.entries()) {
		if (options.only && !`${target.flavour} ${target.version}`.includes(options.only)) continue;
		const targetOptions: TargetOptions = {
			seed: options.seed,
			runs: options.runs ?? 3,
			batch: options.batch ?? 8,
			guard: options.guard ?? CAMPAIGN_GUARD,
		};
		results.push(
			await runTarget(target, perTarget, targetOptions, mulberry32(options.seed + i * 7919), log),
		);
	}
	const tallies = results.map((result) => result.tally);
	return {
		seed: options.seed,
		sends: tallies.reduce((sum, t) => sum + t.sends, 0),
		tallies,
		violations: results.flatMap((result) => result.violations),
		durationMs: Date.now() - started,
	};
}
