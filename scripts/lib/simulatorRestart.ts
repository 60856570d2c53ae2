/**
 * The Restart Client's core run (core/restart `runRestart`: guard, per-account lease, Docker restart,
 * recovery) against a simulator's bot account through the simulator's Docker Engine endpoint, as the
 * campaign's report receiver (scripts/lib/campaign/receiver.ts) and the model-based test
 * (scripts/lib/model/system.ts) start it. Each caller scales the timings to its own deadlines.
 */
import { sleep } from 'n8n-workflow';
import { dockerRestartMethod, runRestart } from '../../core/restart';
import type { RestartLeases, RestartPlan, RestartRunResult } from '../../core/restart';
import type { OneBotClient, RequestFn } from '../../core/transport';

/** The simulator's container for the bot account (simulator/world.ts defaultWorld containers). */
export const BOT_CONTAINER = 'napcat-bot';

/** What differs between the runs one restarter starts: who is restarted, under which guard. */
export interface SimulatorRestartRun {
	accountKey: string;
	leases: RestartLeases;
	client: OneBotClient;
	guard: RestartPlan['guard'];
}

/** How long the Docker request and the recovery may take, scaled to the caller's deadlines. */
export interface SimulatorRestartTimings {
	requestTimeoutMs: number;
	recovery: RestartPlan['recovery'];
}

/**
 * One Docker restart method for the bot's container (its start time read back for the guard), and a
 * function that starts a whole restart run through it without waiting for it.
 */
export function simulatorDockerRestarter(
	dockerUrl: string,
	request: RequestFn,
	timings: SimulatorRestartTimings,
): (run: SimulatorRestartRun) => Promise<RestartRunResult> {
	const method = dockerRestartMethod({
		baseUrl: dockerUrl,
		container: BOT_CONTAINER,
		stopTimeoutSeconds: 0,
		request,
		timeoutMs: timings.requestTimeoutMs,
	});
	return (run) =>
		runRestart({
			...run,
			method: 'docker',
			dryRun: false,
			request: (options) => method.restart(options),
			lastStartedAt: () => method.lastStartedAt!(),
			history: [],
			recovery: timings.recovery,
			requestBudgetMs: timings.recovery.deadlineMs,
			clock: Date.now,
			sleep,
		});
}
