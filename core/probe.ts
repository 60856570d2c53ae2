// Long file: the probe is one pipeline (checks, verdict with its diagnosis texts, hysteresis, canaries, run) over the same HealthChecks and CanaryResult types.
/**
 * Health probe of one OneBot account: API checks, canary results, a diagnosis, and the hysteresis that
 * turns a run's result into a debounced state across runs (as Gatus does: failure threshold 3, recovery
 * threshold 2). Heartbeats and `get_status` cannot see the silent group failure (`good` is hard-coded
 * true), so only a canary that a witness sees tells whether messages really arrive.
 */
import { classifyCall } from './classify';
import { DeliveryEngine } from './deliver';
import { runHealthChecks } from './health/checks';
import type { HealthChecks, VersionData } from './health/checks';
import { identifyImplementation } from './implementations';
import type { AccountPacing } from './pacing/registry';
import type { AccountAccess } from './deliver';
import type { OneBotClient } from './transport';
import type {
	Clock,
	DeliveryResult,
	ReasonClass,
	ReasonCode,
	Sleep,
	Target,
	VerificationLevel,
} from './types';

export type ProbeState = 'up' | 'degraded' | 'down';

export const PROBE_DIAGNOSES = [
	'ok',
	'unreachable',
	'auth_failed',
	'api_error',
	'offline',
	'group_send_blocked_private_ok',
	'all_sends_failing',
	'group_send_failing',
	'private_send_failing',
	'witness_unavailable',
	'canary_slow',
	'api_slow',
	'self_events_unavailable',
	'no_kernel_proof',
] as const;
export type ProbeDiagnosis = (typeof PROBE_DIAGNOSES)[number];

/** What each diagnosis means and what to do, for the node's summary line and the generated docs tables (npm run docs). */
export const DIAGNOSIS_DESCRIPTIONS: Record<
	ProbeDiagnosis,
	{ state: string; meaning: string; action: string }
> = {
	ok: {
		state: 'up',
		meaning: 'Every check passed and every canary arrived in time.',
		action: 'Nothing.',
	},
	unreachable: {
		state: 'down',
		meaning:
			'The OneBot API did not answer get_login_info (connection refused or reset, or no answer within the timeout).',
		action:
			'Check that the implementation is running and the base URL is right; restart the client if it hangs.',
	},
	auth_failed: {
		state: 'down',
		meaning: 'The OneBot API refused the access token.',
		action: 'Fix the access token in the credential.',
	},
	api_error: {
		state: 'down when get_login_info fails, else degraded',
		meaning:
			'The API answered with an error or a body that is not a OneBot reply (HTTP 5xx, malformed JSON, unknown error).',
		action:
			'Read checks.*.raw. A proxy or web UI at the base URL gives malformed replies; 5xx is often temporary.',
	},
	offline: {
		state: 'down',
		meaning:
			'The API answers but the QQ account is not logged in (get_status online:false or a not-logged-in error).',
		action: 'Log the account in again (it may need a QR scan) or restart the client.',
	},
	group_send_blocked_private_ok: {
		state: 'down',
		meaning:
			'The group canary did not arrive while the private canary did: the known stuck-client signature.',
		action: 'Restart the QQ client (OneBot Restart Client); it clears this state.',
	},
	all_sends_failing: {
		state: 'down',
		meaning: 'Neither the group nor the private canary arrived.',
		action:
			'Read canaries.*.reason: risk control means pause sending for hours; otherwise restart the client.',
	},
	group_send_failing: {
		state: 'down',
		meaning: 'The group canary did not arrive (no private canary was sent to compare).',
		action:
			'Read canaries.group.reason; add a private canary to tell a stuck client from a group problem.',
	},
	private_send_failing: {
		state: 'down',
		meaning: 'The private canary did not arrive (the group canary, when sent, did).',
		action: 'Read canaries.private.reason; check that the target is a friend of the account.',
	},
	witness_unavailable: {
		state: 'degraded',
		meaning:
			'A canary was sent but the witness account could not be read, so its arrival is unknown.',
		action: 'Check the witness credential and its client; the bot itself may be fine.',
	},
	canary_slow: {
		state: 'degraded',
		meaning: 'Every canary arrived, but one took longer than the canary latency threshold.',
		action: 'Watch it: slow delivery often precedes a stuck client.',
	},
	api_slow: {
		state: 'degraded',
		meaning: 'Every check passed, but an API call took longer than the API latency threshold.',
		action: 'Watch it; check the host load of the client.',
	},
	no_kernel_proof: {
		state: 'up',
		meaning:
			"Everything works, but this implementation version pushes the bot's self message before the QQ kernel confirms a send (LLOneBot before 4.0.12), so Kernel Confirmed and the check after a timed-out send cannot take it as proof: they end not_confirmed.",
		action:
			'Update LLOneBot to 4.0.12 or later (or use NapCat) for kernel proof, switch on its debug option so history shows the raw send status, or verify with a witness account.',
	},
	self_events_unavailable: {
		state: 'up',
		meaning:
			"Everything works, but the bot's own self message (message_sent) for the accepted canary did not come in on the Event WebSocket URL of its credential: self-reporting is off or the stream could not be opened. Kernel Confirmed verification and the check after a timed-out send cannot see late confirmations then.",
		action:
			"Switch self-reporting on for that WebSocket (NapCat: reportSelfMessage in its network config; LLOneBot: report self messages), or clear the credential's Event WebSocket URL if you do not use it.",
	},
};

export type CanaryKind = 'group' | 'private';

/** How one canary ended. `unverified`: sent, but the witness could not be read, so arrival is unknown. */
export interface CanaryResult {
	target: Target;
	status: 'delivered' | 'failed' | 'unverified' | 'skipped';
	reason: ReasonCode | null;
	reasonClass: ReasonClass | null;
	verification: VerificationLevel;
	/** Why the canary was skipped, or what its verification level can and cannot prove. */
	note?: string;
	text: string | null;
	messageId: number | null;
	/** From the send request to the proof of arrival (or to giving up). */
	latencyMs: number | null;
	slow: boolean;
	recall: { requested: boolean; done: boolean; error?: string };
	evidence: Record<string, unknown>;
}

export interface ProbeThresholds {
	/** A check slower than this makes the result degraded. */
	apiSlowMs: number;
	/** A canary that arrived later than this makes the result degraded. */
	canarySlowMs: number;
}

export interface ProbeVerdict {
	state: ProbeState;
	diagnosis: ProbeDiagnosis;
	/** Reason code of the check or canary that decided, null when none failed. */
	reason: ReasonCode | null;
	summary: string;
}

/** Whether canaries are worth sending: not when the account cannot be reached or is not logged in. */
export function canarySkipReason(checks: HealthChecks): string | null {
	if (!checks.login.ok) return `get_login_info failed (${checks.login.reason})`;
	if (checks.status.reason === 'client_offline')
		return 'the account is offline (get_status online:false)';
	return null;
}

const NETWORK_REASONS = new Set<ReasonCode>(['unreachable', 'client_timeout']);

function failedCanary(canary: CanaryResult | undefined): boolean {
	return canary?.status === 'failed';
}

/**
 * Decides the state and diagnosis of one run. Order matters: the first failure that explains the others
 * wins (an unreachable API explains everything after it; a failed canary outweighs slowness).
 */
export function diagnose(
	checks: HealthChecks,
	canaries: { group?: CanaryResult; private?: CanaryResult },
): ProbeVerdict {
	const verdict = (
		state: ProbeState,
		diagnosis: ProbeDiagnosis,
		reason: ReasonCode | null,
		summary: string,
	) => ({
		state,
		diagnosis,
		reason,
		summary,
	});
	const { login, status, version } = checks;
	if (!login.ok) {
		const reason = login.reason ?? 'api_error';
		if (NETWORK_REASONS.has(reason)) {
			return verdict('down', 'unreachable', reason, `The OneBot API is not reachable (${reason}).`);
		}
		if (reason === 'auth_failed')
			return verdict('down', 'auth_failed', reason, 'The OneBot API refused the access token.');
		if (reason === 'client_offline')
			return verdict('down', 'offline', reason, 'The QQ account is not logged in.');
		return verdict('down', 'api_error', reason, `get_login_info failed (${reason}).`);
	}
	if (status.reason === 'client_offline') {
		return verdict(
			'down',
			'offline',
			status.reason,
			'The API answers but the QQ account is offline (get_status online:false).',
		);
	}

	const group = canaries.group;
	const privateCanary = canaries.private;
	if (failedCanary(group) && failedCanary(privateCanary)) {
		return verdict(
			'down',
			'all_sends_failing',
			group!.reason,
			`Neither the group canary (${group!.reason}) nor the private canary (${privateCanary!.reason}) arrived.`,
		);
	}
	if (failedCanary(group) && privateCanary?.status === 'delivered') {
		return verdict(
			'down',
			'group_send_blocked_private_ok',
			group!.reason,
			`Group sends are not arriving (${group!.reason}) while private sends do: the client is likely stuck; restart it.`,
		);
	}
	if (failedCanary(group)) {
		return verdict(
			'down',
			'group_send_failing',
			group!.reason,
			`The group canary did not arrive (${group!.reason}).`,
		);
	}
	if (failedCanary(privateCanary)) {
		return verdict(
			'down',
			'private_send_failing',
			privateCanary!.reason,
			`The private canary did not arrive (${privateCanary!.reason}).`,
		);
	}

	// The account answers and no canary failed: what is left can only degrade.
	const brokenCheck = [status, version].find(
		(check) => !check.ok && check.reason !== 'unsupported_action',
	);
	if (brokenCheck) {
		return verdict(
			'degraded',
			'api_error',
			brokenCheck.reason,
			`${brokenCheck.action} failed (${brokenCheck.reason}).`,
		);
	}
	const unverified = [group, privateCanary].find((canary) => canary?.status === 'unverified');
	if (unverified) {
		return verdict(
			'degraded',
			'witness_unavailable',
			unverified.reason,
			`The ${unverified.target.type} canary was sent but the witness could not be read (${unverified.reason}).`,
		);
	}
	const slowCanary = [group, privateCanary].find((canary) => canary?.slow);
	if (slowCanary) {
		return verdict(
			'degraded',
			'canary_slow',
			null,
			`The ${slowCanary.target.type} canary arrived after ${slowCanary.latencyMs} ms, over the threshold.`,
		);
	}
	const slowCheck = [login, status, version].find((check) => check.slow);
	if (slowCheck) {
		return verdict(
			'degraded',
			'api_slow',
			null,
			`${slowCheck.action} took ${slowCheck.latencyMs} ms, over the threshold.`,
		);
	}
	const noSelfEvent = [group, privateCanary].find(
		(canary) =>
			canary?.status === 'delivered' &&
			(canary.evidence.selfEvent as { seen?: boolean } | undefined)?.seen === false,
	);
	if (noSelfEvent) {
		const selfEvent = noSelfEvent.evidence.selfEvent as { eventStream?: string };
		return verdict(
			'up',
			'self_events_unavailable',
			null,
			`Every canary arrived, but the bot's own self message for the ${noSelfEvent.target.type} canary did not come in (event stream ${selfEvent.eventStream}): self-reporting looks off.`,
		);
	}
	// docs/compatibility.md, table 'Kernel confirmation': self messages before the kernel confirmed.
	const profile =
		version.ok && version.data
			? identifyImplementation({
					app_name: version.data.appName,
					app_version: version.data.appVersion,
				})
			: undefined;
	if (profile && profile.kernelProof.okAnswer && !profile.kernelProof.selfMessage) {
		return verdict(
			'up',
			'no_kernel_proof',
			null,
			`Every check passed, but ${profile.label} pushes its self message before the kernel confirms a send, so it cannot give kernel proof; ${profile.kernelProof.selfMessageSince ?? 'a later version'} or later (or NapCat) can.`,
		);
	}
	return verdict('up', 'ok', null, 'Every check passed and every canary arrived.');
}

// ---------------------------------------------------------------------------------------------------
// Hysteresis

export interface HysteresisSettings {
	/** Consecutive worse results before the state worsens (Gatus failure-threshold, default 3). */
	failureThreshold: number;
	/** Consecutive better results before the state improves (Gatus success-threshold, default 2). */
	recoveryThreshold: number;
}

export const DEFAULT_HYSTERESIS: HysteresisSettings = { failureThreshold: 3, recoveryThreshold: 2 };

/** What is kept between runs for one account and probe configuration. */
export interface HysteresisMemory {
	state: ProbeState;
	/** Observed results of the latest runs, oldest first. */
	recent: ProbeState[];
	changedAt: string | null;
	updatedAt: string;
}

export interface HysteresisOutcome {
	state: ProbeState;
	previousState: ProbeState;
	changed: boolean;
	/** No history existed: the state before this run is the assumed `up`. */
	startedEmpty: boolean;
	memory: HysteresisMemory;
}

const SEVERITY: Record<ProbeState, number> = { up: 0, degraded: 1, down: 2 };
const BY_SEVERITY: ProbeState[] = ['up', 'degraded', 'down'];
const MAX_RECENT = 20;

/**
 * Moves the debounced state by one observed result. The state worsens only when the last
 * `failureThreshold` results were all worse than it (to the mildest of them), and improves only when
 * the last `recoveryThreshold` results were all better (to the worst of them). Alternating results
 * therefore never move it. An empty history starts at `up`, as Gatus starts healthy: a client that is
 * down when the workflow is activated is reported, with `changed`, after `failureThreshold` runs.
 */
export function applyHysteresis(
	memory: HysteresisMemory | undefined,
	observed: ProbeState,
	settings: HysteresisSettings,
	now: Clock,
): HysteresisOutcome {
	const failureThreshold = Math.max(1, Math.floor(settings.failureThreshold));
	const recoveryThreshold = Math.max(1, Math.floor(settings.recoveryThreshold));
	const previousState: ProbeState =
		memory && SEVERITY[memory.state] !== undefined ? memory.state : 'up';
	const recent = [
		...(memory?.recent ?? []).filter((state) => SEVERITY[state] !== undefined),
		observed,
	].slice(-MAX_RECENT);
	const current = SEVERITY[previousState];

	let next = current;
	const lastWorse = recent.slice(-failureThreshold);
	const lastBetter = recent.slice(-recoveryThreshold);
	if (
		lastWorse.length === failureThreshold &&
		lastWorse.every((state) => SEVERITY[state] > current)
	) {
		next = Math.min(...lastWorse.map((state) => SEVERITY[state]));
	} else if (
		lastBetter.length === recoveryThreshold &&
		lastBetter.every((state) => SEVERITY[state] < current)
	) {
		next = Math.max(...lastBetter.map((state) => SEVERITY[state]));
	}
	const state = BY_SEVERITY[next];
	const changed = state !== previousState;
	const at = new Date(now()).toISOString();
	return {
		state,
		previousState,
		changed,
		startedEmpty: !memory,
		memory: { state, recent, changedAt: changed ? at : (memory?.changedAt ?? null), updatedAt: at },
	};
}

/** Keeps the history of at most `max` probe configurations in one node's static data (least recent out). */
export function pruneHistories(histories: Record<string, HysteresisMemory>, max = 20): void {
	const keys = Object.keys(histories);
	if (keys.length <= max) return;
	keys
		.sort((a, b) => String(histories[a]?.updatedAt).localeCompare(String(histories[b]?.updatedAt)))
		.slice(0, keys.length - max)
		.forEach((key) => delete histories[key]);
}

/** The history key: one account (its API base URL) and one canary configuration. */
export function hysteresisKey(
	baseUrl: string,
	canaries: { group?: Target; private?: Target | 'witness' },
): string {
	const privateKey =
		canaries.private === 'witness'
			? 'witness'
			: canaries.private
				? String(canaries.private.id)
				: '-';
	return `${baseUrl.replace(/\/+$/, '')}|group:${canaries.group ? canaries.group.id : '-'}|private:${privateKey}`;
}

// ---------------------------------------------------------------------------------------------------
// One probe run

/** A canary to send: where, with what text, and how its arrival is proved. */
export interface CanaryPlan {
	target: Target;
	/** witness: a second account must see it. lookup: only the sender's own API can be asked. */
	verification: 'witness' | 'lookup';
	text: string;
	/** How long the witness (or lookup) may take to see it. */
	deadlineMs: number;
	/** Recall it (delete_msg) once judged. */
	recall: boolean;
}

/** Sends one canary and judges it; the node passes one built on the Send node's verifier. */
export type CanarySender = (
	plan: CanaryPlan,
	context: { selfId: number | null },
) => Promise<CanaryResult>;

export interface ProbeRunOptions {
	client: OneBotClient;
	timeoutMs: number;
	thresholds: ProbeThresholds;
	canaries: { group?: CanaryPlan; private?: CanaryPlan };
	sendCanary: CanarySender;
	clock: Clock;
}

export interface ProbeRun extends ProbeVerdict {
	selfId: number | null;
	implementation: VersionData | null;
	online: boolean | null;
	checks: HealthChecks;
	canaries: { group?: CanaryResult; private?: CanaryResult };
	probedAt: string;
	durationMs: number;
}

export const CANARY_PLACEHOLDERS = ['{time}', '{nonce}'] as const;

/**
 * Fills a canary template. `{nonce}` is required: it makes every canary unique, so a witness can never
 * mistake an earlier canary for this one. `{time}` is the probe time in the given time zone.
 */
export function renderCanaryText(
	template: string,
	values: { nowMs: number; nonce: string; timeZone?: string },
): string {
	let time: string;
	try {
		time = new Intl.DateTimeFormat('sv-SE', {
			timeZone: values.timeZone || 'UTC',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			hour12: false,
		}).format(new Date(values.nowMs));
	} catch {
		time = new Date(values.nowMs).toISOString();
	}
	return template.split('{time}').join(time).split('{nonce}').join(values.nonce);
}

/** A canary that was not sent, with why. */
export function skippedCanary(plan: CanaryPlan, note: string): CanaryResult {
	return {
		target: plan.target,
		status: 'skipped',
		reason: null,
		reasonClass: null,
		verification: plan.verification,
		note,
		text: null,
		messageId: null,
		latencyMs: null,
		slow: false,
		recall: { requested: plan.recall, done: false },
		evidence: {},
	};
}

/**
 * Runs the checks in parallel, then (when the account is reachable and online) the canaries in
 * parallel, and diagnoses the run. An unhealthy client is a result here, never an exception.
 */
export async function runProbe(options: ProbeRunOptions): Promise<ProbeRun> {
	const started = options.clock();
	const checks = await runHealthChecks(options.client, {
		timeoutMs: options.timeoutMs,
		apiSlowMs: options.thresholds.apiSlowMs,
	});
	const selfId = checks.login.data?.userId ?? null;
	const skip = canarySkipReason(checks);
	const judge = async (plan: CanaryPlan | undefined): Promise<CanaryResult | undefined> => {
		if (!plan) return undefined;
		if (skip) return skippedCanary(plan, `not sent: ${skip}`);
		const result = await options.sendCanary(plan, { selfId });
		const slow =
			result.status === 'delivered' && (result.latencyMs ?? 0) > options.thresholds.canarySlowMs;
		return { ...result, slow };
	};
	const [group, privateCanary] = await Promise.all([
		judge(options.canaries.group),
		judge(options.canaries.private),
	]);
	const canaries: ProbeRun['canaries'] = {};
	if (group) canaries.group = group;
	if (privateCanary) canaries.private = privateCanary;
	const verdict = diagnose(checks, canaries);
	return {
		...verdict,
		selfId,
		implementation: checks.version.data,
		online: checks.status.data?.online ?? null,
		checks,
		canaries,
		probedAt: new Date(started).toISOString(),
		durationMs: options.clock() - started,
	};
}

// ---------------------------------------------------------------------------------------------------
// Canaries, sent and verified by the Send node's engine

export interface CanaryEnvironment {
	sender: AccountAccess;
	/** Needed for witness-verified canaries. */
	witness?: AccountAccess;
	sleep: Sleep;
	clock: Clock;
	requestTimeoutMs: number;
	/** The process-wide pacing of an account: a canary takes a send slot like any send (never held by the breaker). */
	accounts?: (selfId: number) => AccountPacing;
	/** The per-target interval for canaries' slots; the account rate is the one its sends last set. */
	pacing?: { minIntervalMs: number };
	/** The execution's cancel signal: once aborted, no canary is sent, wherever it waits. */
	signal?: AbortSignal;
}

/** Polls often enough that a canary's latency is measured to a fraction of its deadline. */
export function canaryPollIntervalMs(deadlineMs: number): number {
	return Math.min(1000, Math.max(100, Math.floor(deadlineMs / 20)));
}

function timeBetween(from: string | undefined, to: string | null | undefined): number | null {
	if (!from || !to) return null;
	const ms = Date.parse(to) - Date.parse(from);
	return Number.isFinite(ms) ? ms : null;
}

/** Reads a delivery result as a canary result. */
export function canaryFromDelivery(
	plan: CanaryPlan,
	text: string,
	result: DeliveryResult,
): CanaryResult {
	const sentAt = result.attempts[0]?.startedAt;
	const delivered = result.status === 'delivered';
	// Only the witness proves arrival; a witness that cannot be read leaves arrival unknown.
	const unverified =
		!delivered && plan.verification === 'witness' && result.reason === 'lookup_failed';
	const canary: CanaryResult = {
		target: result.target,
		status: delivered ? 'delivered' : unverified ? 'unverified' : 'failed',
		reason: result.reason,
		reasonClass: result.reasonClass,
		verification: result.verification,
		text,
		messageId: result.messageId,
		latencyMs: timeBetween(sentAt, delivered ? result.timing.verifiedAt : result.timing.gaveUpAt),
		slow: false,
		recall: { requested: plan.recall, done: false },
		evidence: result.evidence,
	};
	if (plan.verification === 'lookup') {
		canary.note =
			"Checked through the bot's own get_msg only: that shows the client kept the message, not that the user received it. Send the private canary to the witness to prove arrival.";
	}
	return canary;
}

/**
 * A CanarySender on the Send node's DeliveryEngine: one attempt (a probe measures, it never resends),
 * verified by the witness or by lookup, then recalled when asked. A private canary to the witness goes
 * to the witness's own number, learned from its get_login_info.
 */
export function deliveryCanarySender(environment: CanaryEnvironment): CanarySender {
	return async (plan) => {
		const engine = new DeliveryEngine(
			{
				verification: plan.verification,
				deadlineMs: plan.deadlineMs,
				pollIntervalMs: canaryPollIntervalMs(plan.deadlineMs),
				minIntervalMs: environment.pacing?.minIntervalMs ?? 0,
				requestTimeoutMs: environment.requestTimeoutMs,
				retry: { maxAttempts: 1, baseMs: 0, capMs: 0, accountBackoffMs: 0, retryOn: [] },
				// The bot's own stream only tells whether self-reporting is on (evidence.selfEvent); the witness judges.
				selfEventCheck: false,
				pacing: environment.pacing
					? {
							breaker: { threshold: 0, coolDownMs: 0 },
							holdMs: 0,
							bypassBreaker: true,
						}
					: undefined,
			},
			{
				sender: environment.sender,
				witness: plan.verification === 'witness' ? environment.witness : undefined,
				sleep: environment.sleep,
				clock: environment.clock,
				accounts: environment.accounts,
				signal: environment.signal,
			},
		);
		let target = plan.target;
		if (plan.verification === 'witness' && target.type === 'private') {
			const ids = await engine.identify();
			if (!ids.witness?.ok) {
				const failure = ids.witness && !ids.witness.ok ? ids.witness.classification : null;
				return {
					...skippedCanary(
						plan,
						'not sent: the witness account could not be identified (get_login_info)',
					),
					status: 'unverified',
					reason: 'lookup_failed',
					reasonClass: 'transient',
					evidence: {
						witness: {
							identified: false,
							error: failure?.raw ?? null,
							reason: failure?.reason ?? null,
						},
					},
				};
			}
			target = { type: 'private', id: ids.witness.identity.selfId };
		}
		const message = [{ type: 'text', data: { text: plan.text } }];
		const [result] = await engine.deliverAll([
			{ index: 0, target, message, correlationId: `probe-${plan.text}` },
		]);
		const canary = canaryFromDelivery(plan, plan.text, result);
		if (plan.recall && result.messageId !== null) {
			const recall = await environment.sender.client.call(
				'delete_msg',
				{ message_id: result.messageId },
				{ timeoutMs: environment.requestTimeoutMs },
			);
			canary.recall = recall.ok
				? { requested: true, done: true }
				: { requested: true, done: false, error: classifyCall(recall.failure).reason };
		}
		return canary;
	};
}
