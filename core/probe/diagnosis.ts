/**
 * The verdict of one probe run: its state (up, degraded, down) and the diagnosis that explains it, with the
 * texts the node's summary and the generated docs tables show. Heartbeats and `get_status` cannot see the
 * silent group failure (`good` is hard-coded true), so only a canary a witness sees tells whether messages
 * really arrive.
 */
import type { HealthChecks } from '../health/checks';
import { identifyImplementation } from '../implementations';
import type { ReasonCode } from '../types';
import type { CanaryResult } from './canary';

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

type Canaries = { group?: CanaryResult; private?: CanaryResult };

function verdict(
	state: ProbeState,
	diagnosis: ProbeDiagnosis,
	reason: ReasonCode | null,
	summary: string,
): ProbeVerdict {
	return { state, diagnosis, reason, summary };
}

/** The API cannot be reached, refuses the token, or the account is not logged in or offline. */
function reachabilityVerdict(checks: HealthChecks): ProbeVerdict | undefined {
	const { login, status } = checks;
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
	return undefined;
}

/** A canary failed: which one, and what the other one says. */
function failedSendVerdict(canaries: Canaries): ProbeVerdict | undefined {
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
	return undefined;
}

/** The account answers and no canary failed: what is left can only degrade. */
function degradedVerdict(checks: HealthChecks, canaries: Canaries): ProbeVerdict | undefined {
	const { login, status, version } = checks;
	const group = canaries.group;
	const privateCanary = canaries.private;
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
	return undefined;
}

/** Everything arrived, but the bot's own self message did not come in: self-reporting looks off. */
function selfEventVerdict(canaries: Canaries): ProbeVerdict | undefined {
	const group = canaries.group;
	const privateCanary = canaries.private;
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
	return undefined;
}

/** docs/compatibility.md, table 'Kernel confirmation': a version whose self message comes before the kernel confirmed. */
function kernelProofVerdict(checks: HealthChecks): ProbeVerdict | undefined {
	const version = checks.version;
	if (!version.ok || !version.data) return undefined;
	const profile = identifyImplementation({
		app_name: version.data.appName,
		app_version: version.data.appVersion,
	});
	if (!profile.kernelProof.okAnswer || profile.kernelProof.selfMessage) return undefined;
	return verdict(
		'up',
		'no_kernel_proof',
		null,
		`Every check passed, but ${profile.label} pushes its self message before the kernel confirms a send, so it cannot give kernel proof; ${profile.kernelProof.selfMessageSince ?? 'a later version'} or later (or NapCat) can.`,
	);
}

/**
 * Decides the state and diagnosis of one run (the rules above, in this order; the guides' "decided when"
 * tables follow it). Order matters: the first failure that explains the others
 * wins (an unreachable API explains everything after it; a failed canary outweighs slowness).
 */
export function diagnose(
	checks: HealthChecks,
	canaries: { group?: CanaryResult; private?: CanaryResult },
): ProbeVerdict {
	return (
		reachabilityVerdict(checks) ??
		failedSendVerdict(canaries) ??
		degradedVerdict(checks, canaries) ??
		selfEventVerdict(canaries) ??
		kernelProofVerdict(checks) ??
		verdict('up', 'ok', null, 'Every check passed and every canary arrived.')
	);
}
