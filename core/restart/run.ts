/** The whole restart: guard, restart request, wait for recovery. */
import { REASON_CLASS } from '../classify';
import type { RandomFn } from '../retry';
import type { OneBotClient } from '../transport';
import type { Clock, ReasonClass, ReasonCode, Sleep } from '../types';
import { throwIfCancelled } from './request';
import type { RequestState, RestartRequest } from './request';
import { checkRestartGuard, recordRestart, sortedTimes } from './guard';
import type { GuardDecision, RestartGuardPolicy } from './guard';
import { processRestartLeases } from './lease';
import type { GuardHistoryEntry, LeaseHolder, LeaseRelease, RestartLeases } from './lease';
import type { NapCatWebUiSession } from './methods/napcatWebUi';
import type { RestartMethodName, RestartOutcome } from './outcomes';
import { waitForRecovery } from './recovery';
import type { AccountState, RecoveryOptions, RecoveryResult } from './recovery';

export interface RestartPlan {
	method: RestartMethodName;
	dryRun: boolean;
	/**
	 * Sends the restart request (already bound to its method and credential). In a dry run it must send
	 * nothing and return `dryRunRequest(...)` (or unsupported/failed when its checks already say so).
	 */
	request: (options: { dryRun: boolean }) => Promise<RestartRequest>;
	/** Used to wait for recovery. */
	client: OneBotClient;
	webUi?: NapCatWebUiSession | null;
	expectedSelfId?: number | null;
	guard: RestartGuardPolicy;
	/** Earlier restarts of this account (epoch ms). */
	history: readonly unknown[];
	recovery: Omit<
		RecoveryOptions,
		'client' | 'webUi' | 'expectedSelfId' | 'clock' | 'sleep' | 'random' | 'restartRequestedAt'
	>;
	clock: Clock;
	sleep: Sleep;
	random?: RandomFn;
	/**
	 * The account's guard key. With it the run takes the account's lease in `leases` (this process's
	 * registry unless given): the guard then reads the process's history merged with `history`, and a run
	 * that finds a restart of the account in progress waits for it and ends `skipped_in_progress`.
	 */
	accountKey?: string;
	leases?: RestartLeases;
	/**
	 * Longest time the restart request itself may take (the method's `requestBudgetMs`: a Docker stop
	 * timeout, a WebUI login rate-limit wait). The lease is renewed for this long when the request starts.
	 * Default 5 min.
	 */
	requestBudgetMs?: number;
	/** The run's cancel signal: checked right before the restart request (nothing is sent after a Stop). */
	signal?: AbortSignal;
	/** When the target says the client last started (epoch ms), null when it cannot tell; see RestartMethod. */
	lastStartedAt?: () => Promise<number | null>;
}

/** Guard outcome while another run of this process restarts the same account. */
export type InProgressDecision = Omit<GuardDecision, 'blockedBy'> & {
	blockedBy: 'in_progress' | 'target_started_recently';
};

export interface RestartRunResult {
	outcome: RestartOutcome;
	recovered: boolean;
	explanation: string;
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	guard: GuardDecision | InProgressDecision;
	/** With `skipped_in_progress`: the run that held the lease (when it started, how it ended). */
	inProgress?: { since: number; outcome: string | null; restartRequestedAt: number | null } | null;
	/** When the target says the client last started, whenever it was read. */
	targetStartedAt?: number | null;
	/**
	 * The start-time guard (a start inside the minimum interval refuses the restart): `applied` when the target's
	 * start time was read, `not_applied` when the method can tell it but this time could not, `not_available` when
	 * the method cannot tell start times (or the minimum interval is 0). Absent when the guard never got that far.
	 */
	startTimeGuard?: 'applied' | 'not_applied' | 'not_available';
	/** Why the start-time guard was not applied, in words for the output. */
	startTimeNote?: string;
	/** The account's restart history after this run, for the caller to keep. */
	history: number[];
	/** With an account key: the same history with each request's state (sent, or maybe_sent). */
	guardHistory?: GuardHistoryEntry[];
	request: RestartRequest | null;
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
	if (plan.accountKey === undefined) {
		return runGuarded(plan, plan.clock(), sortedTimes(plan.history), (at) =>
			recordRestart(plan.history, at),
		);
	}
	const leases = plan.leases ?? processRestartLeases;
	const key = plan.accountKey;
	const startedAt = plan.clock();
	const history = leases.history(key, startedAt, plan.history);
	const requestBudgetMs = plan.requestBudgetMs ?? DEFAULT_REQUEST_BUDGET_MS;
	// No await between reading the history and taking the lease: no other run of this process can slip in.
	const grant = leases.acquire(key, startedAt, requestBudgetMs + LEASE_MARGIN_MS);
	if (!grant.granted)
		return waitForHolder(plan, startedAt, () => leases.history(key, plan.clock()), grant.holder);
	// The lease follows the run: renewed for the whole request before it starts, and before every wait
	// of the recovery for that wait and the check after it.
	const stepMs = LEASE_MARGIN_MS + 2 * plan.recovery.checkTimeoutMs;
	const held: RestartPlan = {
		...plan,
		request: (options) => {
			grant.renew(plan.clock() + requestBudgetMs + LEASE_MARGIN_MS);
			return plan.request(options);
		},
		sleep: (ms) => {
			grant.renew(plan.clock() + Math.max(0, ms) + stepMs);
			return plan.sleep(ms);
		},
	};
	let result: RestartRunResult | null = null;
	try {
		result = await runGuarded(held, startedAt, history, (at, state) => grant.record(at, state));
		return {
			...result,
			history: leases.history(key, plan.clock()),
			guardHistory: leases.states(key),
		};
	} finally {
		const release: LeaseRelease = {
			outcome: result?.outcome ?? 'error',
			recovered: result?.recovered ?? false,
			restartRequestedAt: result?.restartRequestedAt ?? null,
			finishedAt: plan.clock(),
		};
		grant.release(release);
	}
}

/** Lease time for a restart request whose method does not say how long it may take. */
const DEFAULT_REQUEST_BUDGET_MS = 300000;

/** Added to every renewal: the guard checks and calls between two renewals. */
const LEASE_MARGIN_MS = 60000;

/**
 * Another run of this process is restarting the account: wait (polling, so no timer outlives the wait by
 * more than one poll) until it ends or its lease expires, then report what it came to. Nothing is restarted.
 */
async function waitForHolder(
	plan: RestartPlan,
	startedAt: number,
	currentHistory: () => number[],
	holder: LeaseHolder,
): Promise<RestartRunResult> {
	let release: LeaseRelease | null = null;
	void holder.done.then((r) => (release = r));
	const step = Math.max(1, plan.recovery.pollCapMs);
	while (!holder.settled && plan.clock() < holder.until) {
		await Promise.race([
			holder.done,
			plan.sleep(Math.max(1, Math.min(step, holder.until - plan.clock()))),
		]);
	}
	if (holder.settled) release = await holder.done;
	const ended = release as LeaseRelease | null;
	const history = currentHistory();
	const decision = checkRestartGuard(history, plan.clock(), plan.guard);
	const iso = (ms: number) => new Date(ms).toISOString();
	const explanation = ended
		? `Not restarted: another run was already restarting this account (started ${iso(holder.since)}); it ended ${ended.outcome}${ended.recovered ? ', the account is back online' : ''}.`
		: `Not restarted: another run has been restarting this account since ${iso(holder.since)} and has not finished.`;
	return {
		outcome: 'skipped_in_progress',
		recovered: false,
		explanation,
		reason: null,
		reasonClass: null,
		guard: {
			...decision,
			allowed: false,
			blockedBy: 'in_progress',
			nextAllowedAt: decision.nextAllowedAt ?? holder.until,
		},
		inProgress: {
			since: holder.since,
			outcome: ended?.outcome ?? null,
			restartRequestedAt: ended?.restartRequestedAt ?? null,
		},
		history,
		request: null,
		recovery: null,
		startedAt,
		restartRequestedAt: null,
		finishedAt: plan.clock(),
	};
}

/**
 * The target's start time for the start-time guard, and whether the guard could use it. An unreadable start
 * time (a proxy that refuses the inspect call, an unknown container) is said in the output, never skipped silently.
 */
async function readStartTime(
	plan: RestartPlan,
): Promise<Pick<RestartRunResult, 'startTimeGuard' | 'startTimeNote' | 'targetStartedAt'>> {
	if (!plan.lastStartedAt || plan.guard.minIntervalMs <= 0)
		return { startTimeGuard: 'not_available', targetStartedAt: null };
	const lastStart = await plan.lastStartedAt();
	if (lastStart !== null) return { startTimeGuard: 'applied', targetStartedAt: lastStart };
	return {
		startTimeGuard: 'not_applied',
		targetStartedAt: null,
		startTimeNote:
			"The client's start time could not be read from the restart target (Docker: GET /containers/{name}/json refused, failed or without State.StartedAt), so the start-time guard was not applied: only this n8n process's restart history guarded this restart. Let the proxy allow that GET for the one container (docs/nodes/restart-client.md).",
	};
}

async function runGuarded(
	plan: RestartPlan,
	startedAt: number,
	known: number[],
	record: (at: number, state: Exclude<RequestState, 'not_sent'>) => number[],
): Promise<RestartRunResult> {
	const guard = checkRestartGuard(known, startedAt, plan.guard);
	const base = {
		guard,
		history: known,
		request: null,
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

	// Where the target can tell when it last started (Docker's State.StartedAt), a start inside the minimum
	// interval refuses the restart whatever the history says: it holds across processes and n8n instances.
	const startTime = await readStartTime(plan);
	if (startTime.startTimeGuard === 'applied') {
		const lastStart = startTime.targetStartedAt!;
		const now = plan.clock();
		if (lastStart <= now && now - lastStart < plan.guard.minIntervalMs) {
			const nextAllowedAt = lastStart + plan.guard.minIntervalMs;
			return {
				...base,
				...startTime,
				guard: { ...guard, allowed: false, blockedBy: 'target_started_recently', nextAllowedAt },
				targetStartedAt: lastStart,
				outcome: 'skipped_cooldown',
				recovered: false,
				explanation: `Not restarted: the client was (re)started ${minutes(now - lastStart)} ago (${new Date(lastStart).toISOString()}, as the restart target reports) and the minimum interval is ${minutes(plan.guard.minIntervalMs)}. Next restart allowed at ${new Date(nextAllowedAt).toISOString()}.`,
				reason: null,
				reasonClass: null,
				finishedAt: plan.clock(),
			};
		}
	}

	if (!plan.dryRun) throwIfCancelled(plan.signal);
	const restartRequestedAt = plan.clock();
	const request = await plan.request({ dryRun: plan.dryRun });
	const history = request.sent
		? record(restartRequestedAt, request.requestState === 'maybe_sent' ? 'maybe_sent' : 'sent')
		: base.history;
	const after = {
		...base,
		...startTime,
		history,
		request,
		restartRequestedAt: request.sent ? restartRequestedAt : null,
	};
	if (request.answer === 'unsupported' || request.answer === 'failed') {
		return {
			...after,
			outcome: request.answer === 'unsupported' ? 'unsupported' : 'restart_failed',
			recovered: false,
			explanation: request.explanation,
			reason: request.reason,
			reasonClass: request.reasonClass,
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
				explanation: `Restarted, but the account is not logged in: the NapCat WebUI ${last?.webUi?.qrCodeUrl ? 'offers a QR code to scan' : `reports "${last?.webUi?.loginError ?? 'not logged in'}"`}. ${NEEDS_LOGIN_ADVICE[plan.method]}`,
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
				explanation: `Restart requested, but the account was not back online within ${seconds(plan.recovery.deadlineMs)} (last check: ${describeState(last)}).${plan.webUi ? '' : loginHint(plan, request)}`,
				reason: last?.reason ?? 'client_offline',
				reasonClass: REASON_CLASS[last?.reason ?? 'client_offline'],
				finishedAt: plan.clock(),
			};
	}
}

/** What to do when a restart ends at a QR login, per method. */
const NEEDS_LOGIN_ADVICE: Record<RestartMethodName, string> = {
	napcatWebUi:
		'Scan the QR code in the NapCat WebUI. NapCat restarts its worker without the quick-login argument: set an auto-login account (WebUI autoLoginAccount, or NAPCAT_QUICK_ACCOUNT) so that its restarts log in by themselves.',
	onebot:
		'Scan the QR code in the NapCat WebUI. set_restart restarts NapCat without the quick-login argument: set an auto-login account (WebUI autoLoginAccount, or NAPCAT_QUICK_ACCOUNT) so that its restarts log in by themselves.',
	docker:
		"Scan the QR code in the NapCat WebUI. Persist the QQ data directory and keep the container's MAC address fixed so that restarts keep the login (quick login needs the cached login; set ACCOUNT for the container).",
	customHttp:
		'Scan the QR code in the NapCat WebUI. Make the supervisor restart the client with its quick-login account and a persisted QQ data directory so that restarts keep the login.',
};

/**
 * Without a WebUI to read the login state, a NapCat that waits for a QR login looks the same as one that
 * did not come back: say so where that is likely.
 */
function loginHint(plan: RestartPlan, request: RestartRequest): string {
	const napcat =
		request.implementation?.loginMayNeedQr === true ||
		plan.method === 'docker' ||
		plan.method === 'customHttp';
	if (!napcat) return '';
	return ' If the client is NapCat it may be waiting for a QR login (its own restarts drop the quick-login argument; a restart without a persisted login cache asks for a scan too): switch on "Check Login in NapCat WebUI" to tell, or look at the WebUI.';
}

function describeState(state: AccountState | null): string {
	if (!state) return 'none';
	if (!state.reachable) return `OneBot API not answering (${state.reason ?? 'unknown'})`;
	if (state.online === false) return 'reachable but offline (get_status online:false)';
	if (state.reason) return state.reason;
	return 'not back';
}
