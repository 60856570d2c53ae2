/**
 * After a restart: polls the account with backoff until it is logged in and online, up to a deadline;
 * "needs a QR login" is told apart from "did not come back".
 */
import { runHealthChecks } from '../health/checks';
import { backoffDelay } from '../retry';
import type { RandomFn } from '../retry';
import type { OneBotClient } from '../transport';
import type { Clock, ReasonCode, Sleep } from '../types';
import type { NapCatWebUiSession, WebUiLoginStatus } from './methods/napcatWebUi';

export interface AccountState {
	at: number;
	/** The OneBot API answered get_login_info. */
	reachable: boolean;
	selfId: number | null;
	/** get_status online; null when unknown. */
	online: boolean | null;
	/** Why the OneBot side is not back, when it is not. */
	reason: ReasonCode | null;
	/** From the NapCat WebUI, when one is used. */
	webUi: WebUiLoginStatus | null;
	back: boolean;
}

export interface RecoveryOptions {
	client: OneBotClient;
	webUi?: NapCatWebUiSession | null;
	/** When set, the account must come back as this QQ number. */
	expectedSelfId?: number | null;
	clock: Clock;
	sleep: Sleep;
	random?: RandomFn;
	/** When the restart was requested (downtime is measured from here). */
	restartRequestedAt: number;
	/** Give up this long after the restart was requested. */
	deadlineMs: number;
	/** Wait before the first check, so an old process that has not gone down yet is not taken for a new one. */
	initialDelayMs: number;
	pollBaseMs: number;
	pollCapMs: number;
	/** Timeout of each check call. */
	checkTimeoutMs: number;
	/** How long the WebUI may say "not logged in" with a QR code before it counts as needs_login. */
	loginGraceMs: number;
}

export interface RecoveryResult {
	outcome: 'recovered' | 'needs_login' | 'not_recovered';
	checks: number;
	/** Whether any check saw the account down (unreachable, offline or not logged in). */
	sawDown: boolean;
	backOnlineAt: number | null;
	/** From the restart request to the first check that saw the account back. */
	downtimeMs: number | null;
	/** From the restart request to the end of the wait. */
	waitedMs: number;
	lastState: AccountState | null;
}

/** Checks once whether the account is back: logged in (and as the expected QQ number) and online. */
export async function checkAccountBack(
	client: OneBotClient,
	webUi: NapCatWebUiSession | null | undefined,
	options: { timeoutMs: number; expectedSelfId?: number | null; clock: Clock },
): Promise<AccountState> {
	const [checks, webUiStatus] = await Promise.all([
		runHealthChecks(client, { timeoutMs: options.timeoutMs, apiSlowMs: Infinity }),
		webUi ? webUi.loginStatus() : Promise.resolve(null),
	]);
	const selfId = checks.login.data?.userId ?? null;
	const online = checks.status.ok
		? (checks.status.data?.online ?? null)
		: checks.status.reason === 'client_offline'
			? false
			: null;
	const rightAccount = !options.expectedSelfId || selfId === options.expectedSelfId;
	const back =
		checks.login.ok && selfId !== null && rightAccount && checks.status.ok && online !== false;
	let reason: ReasonCode | null = null;
	if (!back) {
		reason = !checks.login.ok
			? checks.login.reason
			: !checks.status.ok
				? checks.status.reason
				: selfId === null || !rightAccount
					? 'client_offline'
					: null;
	}
	return {
		at: options.clock(),
		reachable: checks.login.ok,
		selfId,
		online,
		reason,
		webUi: webUiStatus,
		back,
	};
}

function webUiWantsLogin(state: AccountState): boolean {
	const status = state.webUi;
	return (
		!!status &&
		status.isLogin === false &&
		(status.qrCodeUrl !== null || status.loginError !== null)
	);
}

/** Polls with backoff (full jitter, never below half the base interval) until the account is back or the deadline passes. */
export async function waitForRecovery(options: RecoveryOptions): Promise<RecoveryResult> {
	const { clock, sleep } = options;
	const deadline = options.restartRequestedAt + options.deadlineMs;
	const sleepUntil = async (ms: number) => {
		const wait = Math.min(ms, deadline - clock());
		if (wait > 0) await sleep(wait);
	};
	await sleepUntil(options.initialDelayMs);
	let checks = 0;
	let sawDown = false;
	let lastState: AccountState | null = null;
	let wantsLoginSince: number | null = null;
	const finish = (
		outcome: RecoveryResult['outcome'],
		backOnlineAt: number | null,
	): RecoveryResult => ({
		outcome,
		checks,
		sawDown,
		backOnlineAt,
		downtimeMs: backOnlineAt === null ? null : backOnlineAt - options.restartRequestedAt,
		waitedMs: clock() - options.restartRequestedAt,
		lastState,
	});
	for (;;) {
		const state = await checkAccountBack(options.client, options.webUi, {
			timeoutMs: options.checkTimeoutMs,
			expectedSelfId: options.expectedSelfId,
			clock,
		});
		checks++;
		lastState = state;
		if (state.back) return finish('recovered', state.at);
		sawDown = true;
		if (webUiWantsLogin(state)) {
			wantsLoginSince ??= state.at;
			if (state.at - wantsLoginSince >= options.loginGraceMs) return finish('needs_login', null);
		} else if (state.webUi) {
			// A WebUI that answers and no longer offers a login: the login is going on.
			wantsLoginSince = null;
		}
		if (clock() >= deadline)
			return finish(wantsLoginSince !== null ? 'needs_login' : 'not_recovered', null);
		const delay = Math.max(
			Math.floor(options.pollBaseMs / 2),
			backoffDelay(
				checks,
				{ baseMs: options.pollBaseMs, capMs: options.pollCapMs },
				options.random,
			),
		);
		await sleepUntil(delay);
	}
}
