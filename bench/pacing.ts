/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark tooling, runs outside n8n */
/**
 * The reported case without n8n, before and after the circuit breaker: N messages queued in one run of
 * the send engine (witness verification, 3 attempts) while the simulator's bot has stuck group sends.
 * Counts the sends that reach the stuck client and the time from the first failed send to the first
 * failure report (the restart request): before, Send With Verification reports after its run ends;
 * after, the send that opens the breaker reports at once. `npx tsx bench/pacing.ts [N]`.
 */
import { defaultWorld, startSimulator } from '../simulator';
import { DeliveryEngine } from '../core/delivery';
import type { DeliveryRequest, DeliverySettings } from '../core/delivery';
import { accountPacing, closeAccountBreaker, resetAllAccountPacing } from '../core/pacing/registry';
import { DEFAULT_RETRY_POLICY } from '../core/retry';
import type { RequestFn } from '../core/transport';
import { fetchRequest } from '../test/support/fetchRequest';
import { simulatorParties } from '../scripts/lib/simulatorParties';

const GROUP = 100200300;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function scenario(count: number, withBreaker: boolean) {
	resetAllAccountPacing();
	const sim = await startSimulator({
		...defaultWorld(),
		kernelTimeoutMs: 200,
		deliveryDelayMs: 20,
		heartbeatIntervalMs: 60_000,
	});
	try {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const { bot, witness } = sim.urls.accounts;
		let firstFailureAt: number | undefined;
		const watched: RequestFn = async (request) => {
			const response = await fetchRequest(request);
			const body = response.body as { status?: string } | undefined;
			if (
				firstFailureAt === undefined &&
				request.url.endsWith('/send_group_msg') &&
				body?.status !== 'ok'
			)
				firstFailureAt = Date.now();
			return response;
		};
		const settings = scenarioSettings(withBreaker);
		let reportAt: number | undefined;
		let stuckSends = 0;
		const engine = new DeliveryEngine(settings, {
			...simulatorParties({ bot, witness }, watched),
			sleep,
			clock: Date.now,
			accounts: accountPacing,
			onBreakerOpen: async () => {
				reportAt = Date.now();
				// What example 3 does on the report: restart the client; the recovered restart closes the breaker.
				void (async () => {
					await sleep(500);
					stuckSends = await countSends(sim, stamp);
					await sim.control.clearFaults();
					await sim.control.restart('bot', { downtimeMs: 300 });
					await sleep(600);
					closeAccountBreaker(accountIdOf(), 'restart_recovered');
				})();
				return { sent: true };
			},
		});
		const stamp = `bench ${withBreaker ? 'after' : 'before'} ${Date.now().toString(36)}`;
		const requests = scenarioRequests(count, stamp);
		const ids = await engine.identify();
		const selfId = ids.sender.ok ? ids.sender.identity.selfId : 0;
		const accountIdOf = () => selfId;
		const started = Date.now();
		const results = await engine.deliverAll(requests);
		const ended = Date.now();
		// Before: the node reports every failure once its run has ended (nodes/OneBotSendWithVerification).
		if (!withBreaker) {
			reportAt = results.some((r) => r.status === 'failed') ? ended : undefined;
			stuckSends = await countSends(sim, stamp);
		}
		return {
			scenario: withBreaker ? 'after (breaker 3, restart on its report)' : 'before (no breaker)',
			messages: count,
			sendsToStuckClient: stuckSends,
			sendsToStuckClientPer100: Math.round((stuckSends / count) * 100 * 10) / 10,
			firstFailureToReportMs:
				reportAt !== undefined && firstFailureAt !== undefined ? reportAt - firstFailureAt : null,
			delivered: results.filter((r) => r.status === 'delivered').length,
			failed: results.filter((r) => r.status === 'failed').length,
			runMs: ended - started,
		};
	} finally {
		await sim.close();
	}
}

/** Witness verification, 3 attempts; with the breaker, it opens after 3 failures and holds the queue. */
function scenarioSettings(withBreaker: boolean): DeliverySettings {
	return {
		verification: 'witness',
		deadlineMs: 1500,
		pollIntervalMs: 150,
		minIntervalMs: 0,
		requestTimeoutMs: 10_000,
		retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseMs: 100, capMs: 300 },
		pacing: withBreaker
			? {
					ratePerMinute: 0,
					breaker: { threshold: 3, coolDownMs: 600_000 },
					holdMs: 600_000,
					pollMs: 200,
				}
			: undefined,
	};
}

/** `count` group messages, each text starting with `stamp` so the simulator's sends can be counted. */
function scenarioRequests(count: number, stamp: string): DeliveryRequest[] {
	return Array.from({ length: count }, (_, index) => ({
		index,
		target: { type: 'group', id: GROUP },
		message: [{ type: 'text', data: { text: `${stamp} ${index}` } }],
		correlationId: `${stamp}-${index}`,
	}));
}

/** Sends of this scenario's messages the simulator's bot received (every attempt). */
async function countSends(
	sim: Awaited<ReturnType<typeof startSimulator>>,
	stamp: string,
): Promise<number> {
	const truth = (await sim.control.groundTruth()) as { messages: Array<{ text: string }> };
	return truth.messages.filter((m) => m.text.startsWith(stamp)).length;
}

async function main() {
	const count = Number(process.argv[2] ?? 100);
	const rows = [await scenario(count, false), await scenario(count, true)];
	process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
}

void main();
