/** The whole restart: guard, restart request, wait for recovery. */
import { REASON_CLASS } from '../classify';
import type { RandomFn } from '../retry';
import type { OneBotClient } from '../transport';
import type { Clock, ReasonClass, ReasonCode, Sleep } from '../types';
import type { RestartAttempt } from './attempt';
import { checkRestartGuard, recordRestart, sortedTimes } from './guard';
import type { GuardDecision, RestartGuardPolicy } from './guard';
import type { NapCatWebUiSession } from './methods/napcatWebUi';
import type { RestartMethodName, RestartOutcome } from './outcomes';
import { waitForRecovery } from './recovery';
import type { AccountState, RecoveryOptions, RecoveryResult } from './recovery';


export interface RestartPlan {
	method: RestartMethodName;
	dryRun: boolean;
	/**
	 * Sends the restart request (already bound to its method and credential). In a dry run it must send
	 * nothing and return `dryRunAttempt(...)` (or unsupported/failed when its checks already say so).
	 */
	request: (options: { dryRun: boolean }) => Promise<RestartAttempt>;
	/** Used to wait for recovery. */
	client: OneBotClient;
	webUi?: NapCatWebUiSession | null;
	expectedSelfId?: number | null;
	guard: RestartGuardPolicy;
	/** Earlier restarts of this account (epoch ms). */
	history: readonly unknown[];
	recovery: Omit<RecoveryOptions, 'client' | 'webUi' | 'expectedSelfId' | 'clock' | 'sleep' | 'random' | 'restartRequestedAt'>;
	clock: Clock;
	sleep: Sleep;
	random?: RandomFn;
}

export interface RestartRunResult {
	outcome: RestartOutcome;
	recovered: boolean;
	explanation: string;
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	guard: GuardDecision;
	/** The account's restart history after this run, for the caller to keep. */
	history: number[];
	attempt: RestartAttempt | null;
	recovery: RecoveryResult | null;
	startedAt: number;
	restartRequestedAt: number | null;
	finishedAt: number;
}

function minutes(ms: number): string {
	const m = ms / 60000;
	return m >= 1 ? `${Math.round(m * 10) / 10} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Guard, restart, wait. A guarded skip, an unsupported method and a failed request are results, not
 * errors. Every request that was sent counts against the guard, whether or not it worked, so a
 * failing restart cannot loop either.
 */
export async function runRestart(plan: RestartPlan): Promise<RestartRunResult> {
	const startedAt = plan.clock();
	const guard = checkRestartGuard(plan.history, startedAt, plan.guard);
	const base = {
		guard,
		history: sortedTimes(plan.history),
		attempt: null,
		recovery: null,
		startedAt,
		restartRequestedAt: null,
	};
	if (!guard.allowed) {
		const why =
			guard.blockedBy === 'min_interval'
				? `the last restart was ${minutes(startedAt - (guard.lastRestartAt ?? startedAt))} ago and the minimum interval is ${minutes(plan.guard.minIntervalMs)}`
				: `${guard.restartsInLastHour} restarts in the last hour reach the cap of ${plan.guard.maxPerHour}`;
		return {
			...base,
			outcome: 'skipped_cooldown',
			recovered: false,
			explanation: `Not restarted: ${why}. Next restart allowed at ${new Date(guard.nextAllowedAt ?? startedAt).toISOString()}.`,
			reason: null,
			reasonClass: null,
			finishedAt: plan.clock(),
		};
	}

	const restartRequestedAt = plan.clock();
	const attempt = await plan.request({ dryRun: plan.dryRun });
	const history = attempt.sent ? recordRestart(plan.history, restartRequestedAt) : base.history;
	const after = { ...base, history, attempt, restartRequestedAt: attempt.sent ? restartRequestedAt : null };
	if (attempt.answer === 'unsupported') {
		return {
			...after,
			outcome: 'unsupported',
			recovered: false,
			explanation: attempt.explanation,
			reason: attempt.reason,
			reasonClass: attempt.reasonClass,
			finishedAt: plan.clock(),
		};
	}
	if (attempt.answer === 'failed') {
		return {
			...after,
			outcome: 'restart_failed',
			recovered: false,
			explanation: attempt.explanation,
			reason: attempt.reason,
			reasonClass: attempt.reasonClass,
			finishedAt: plan.clock(),
		};
	}
	if (plan.dryRun) {
		return {
			...after,
			outcome: 'dry_run',
			recovered: false,
			explanation: `Dry run: the guard allows a restart (${guard.restartsInLastHour} in the last hour) and the ${plan.method} method would be used. Nothing was restarted.`,
			reason: null,
			reasonClass: null,
			finishedAt: plan.clock(),
		};
	}

	const recovery = await waitForRecovery({
		...plan.recovery,
		client: plan.client,
		webUi: plan.webUi,
		expectedSelfId: plan.expectedSelfId,
		clock: plan.clock,
		sleep: plan.sleep,
		random: plan.random,
		restartRequestedAt,
	});
	const seconds = (ms: number | null) => (ms === null ? '?' : `${Math.round(ms / 100) / 10} s`);
	const last = recovery.lastState;
	switch (recovery.outcome) {
		case 'recovered':
			return {
				...after,
				recovery,
				outcome: 'recovered',
				recovered: true,
				explanation: `Restarted and back online after ${seconds(recovery.downtimeMs)}${recovery.sawDown ? '' : ' (no check saw it down: the restart may have been quicker than the first check, or not have happened)'}.`,
				reason: null,
				reasonClass: null,
				finishedAt: plan.clock(),
			};
		case 'needs_login':
			return {
				...after,
				recovery,
				outcome: 'needs_login',
				recovered: false,
				explanation: `Restarted, but the account is not logged in: the NapCat WebUI ${last?.webUi?.qrCodeUrl ? 'offers a QR code to scan' : `reports "${last?.webUi?.loginError ?? 'not logged in'}"`}.`,
				reason: 'client_offline',
				reasonClass: REASON_CLASS.client_offline,
				finishedAt: plan.clock(),
			};
		default:
			return {
				...after,
				recovery,
				outcome: 'not_recovered',
				recovered: false,
				explanation: `Restart requested, but the account was not back online within ${seconds(plan.recovery.deadlineMs)} (last check: ${describeState(last)}).`,
				reason: last?.reason ?? 'client_offline',
				reasonClass: REASON_CLASS[last?.reason ?? 'client_offline'],
				finishedAt: plan.clock(),
			};
	}
}

function describeState(state: AccountState | null): string {
	if (!state) return 'none';
	if (!state.reachable) return `OneBot API not answering (${state.reason ?? 'unknown'})`;
	if (state.online === false) return 'reachable but offline (get_status online:false)';
	if (state.reason) return state.reason;
	return 'not back';
}
