/**
 * The fault campaign's plan (scripts/campaign.ts, `npm run campaign`): which implementations it runs,
 * which faults it draws, the delivery settings and Restart Client guard it runs with, and how one run's
 * texts are drawn. Seeded: the same seed draws the same plan.
 */
import type { DeliverySettings } from '../../../core/delivery';
import type { RestartGuardPolicy } from '../../../core/restart';
import { DEFAULT_RETRY_POLICY } from '../../../core/retry';
import type { FaultKind, FaultSpec, ImplementationName } from '../../../simulator';
import { SEND_KINDS, TRANSPORT_KINDS } from '../../../simulator/faults';
import { SHARED_TEXT_SHARE } from '../campaignEdges';

export interface FlavourVersion {
	flavour: ImplementationName;
	version: string;
}

/** Every simulated implementation and the versions whose behaviour differs (see docs/compatibility.md). */
export const CAMPAIGN_TARGETS: FlavourVersion[] = [
	{ flavour: 'llonebot', version: '3.28.0' },
	{ flavour: 'llonebot', version: '4.4.3' },
	{ flavour: 'llonebot', version: '4.6.2' },
	{ flavour: 'napcat', version: '4.10.32' },
	{ flavour: 'gocq', version: 'v1.2.0' },
	{ flavour: 'lagrange', version: '0.0.3' },
];

/** The send-path part of the fault catalogue (simulator/faults.ts): what can happen to a send in flight. */
export const CAMPAIGN_FAULTS: FaultKind[] = [
	...SEND_KINDS,
	'receive_drop',
	...TRANSPORT_KINDS,
	'down',
];

export interface CampaignOptions {
	seed: number;
	sends: number;
	/** Concurrent runs per simulator. */
	runs?: number;
	/** Items per run (one engine, like one node execution). */
	batch?: number;
	targets?: FlavourVersion[];
	/** Only the implementations whose label (`flavour version`) contains this; each keeps its random stream. */
	only?: string;
	/** The Restart Client guard the report receiver restarts with. */
	guard?: RestartGuardPolicy;
	log?: (line: string) => void;
}

/** What one implementation's part of the campaign runs with (the options, defaults filled in). */
export type TargetOptions = Required<Omit<CampaignOptions, 'targets' | 'log' | 'sends' | 'only'>>;

export const GROUP = 100200300;

/**
 * The Restart Client guard of the campaign's receiver: short enough that a run meets it many times, long
 * enough to hold against reports that arrive together. The hourly cap is met in a long run.
 */
export const CAMPAIGN_GUARD: RestartGuardPolicy = { minIntervalMs: 3000, maxPerHour: 5 };
/**
 * The simulator logs a restart when the request reaches it, the guard when it sends it: under load two
 * requests can spend different times on the way. Spacing in the simulator's log is checked against the
 * minimum interval less this much.
 */
export const RESTART_TRANSIT_TOLERANCE_MS = 300;
/** Share of reports the campaign sends twice (a proxy retrying): the second must be refused as a replay. */
export const REPLAY_SHARE = 0.1;
export const REPORT_SECRET = 'campaign-report-secret';

export const CAMPAIGN_SETTINGS: DeliverySettings = {
	verification: 'witness',
	deadlineMs: 800,
	pollIntervalMs: 80,
	minIntervalMs: 0,
	requestTimeoutMs: 1500,
	retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseMs: 20, capMs: 80, accountBackoffMs: 60 },
	// The account's breaker across the runs (its trial sends meet Stop too), scaled to the campaign's faults.
	pacing: { ratePerMinute: 0, breaker: { threshold: 4, coolDownMs: 500 }, holdMs: 600, pollMs: 50 },
};

/** One fault of `kind` for the bot (the witness for a dropped receive), with a drawn count and delay. */
export function faultFor(kind: FaultKind, random: () => number): FaultSpec {
	const count = 1 + Math.floor(random() * 4);
	const scope = { account: 'bot' };
	switch (kind) {
		case 'latency':
			return { kind, count, scope, params: { ms: 50 + Math.floor(random() * 250) } };
		case 'hang':
			return { kind, count: 1, scope };
		case 'receive_drop':
			return { kind, count, scope: { account: 'witness' } };
		default:
			return { kind, count, scope };
	}
}

/** One run's items: its own texts, and now and then the very text another run has in flight. */
export function batchTexts(
	start: number,
	size: number,
	prefix: string,
	inFlight: Map<number, string[]>,
	run: number,
	random: () => number,
): string[] {
	const others = [...inFlight.entries()].filter(([r]) => r !== run).flatMap(([, t]) => t);
	return Array.from({ length: size }, (_, i) =>
		others.length > 0 && random() < SHARED_TEXT_SHARE
			? others[Math.floor(random() * others.length)]
			: `${prefix} r${run} #${start + i}`,
	);
}
