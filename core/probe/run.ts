/** One probe run: the health checks, then the canaries when the account can take them, then the verdict. */
import { runHealthChecks } from '../health/checks';
import type { HealthChecks, VersionData } from '../health/checks';
import type { OneBotClient } from '../transport';
import type { Clock } from '../types';
import { skippedCanary } from './canary';
import type { CanaryPlan, CanaryResult, CanarySender } from './canary';
import { canarySkipReason, diagnose } from './diagnosis';
import type { ProbeVerdict } from './diagnosis';

export interface ProbeThresholds {
	/** A check slower than this makes the result degraded. */
	apiSlowMs: number;
	/** A canary that arrived later than this makes the result degraded. */
	canarySlowMs: number;
}

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
