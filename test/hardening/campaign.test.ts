/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling: the seed can come from the environment */
/**
 * A small seeded run of the fault campaign (scripts/campaign.ts; `npm run campaign` does 10,000 sends):
 * concurrent runs against every simulator flavour and version, random faults from the catalogue, failure
 * reports to a trigger-like receiver that restarts the client through the Restart Client's core, checked
 * against the simulator's ground truth. A failure prints the seed and the command that reproduce it.
 */
import type { RestartRunResult } from '../../core/restart';
import {
	campaignTotals,
	checkReportsAndRestarts,
	emptyTally,
	restartsTable,
	resultsTable,
	runCampaign,
} from '../../scripts/campaign';
import type { ReportReceiver } from '../../scripts/campaign';

const SEED = Number(process.env.SENTINEL_CAMPAIGN_SEED ?? 20261201);
const SENDS = Number(process.env.SENTINEL_CAMPAIGN_SENDS ?? 240);

test(`fault campaign, seed ${SEED}: every Delivered arrived once, reports taken once, restarts spaced`, async () => {
	const result = await runCampaign({ seed: SEED, sends: SENDS });
	const report = `seed ${SEED} (reproduce: npm run campaign -- --seed ${SEED} --sends ${SENDS})\n${resultsTable(result)}\n${restartsTable(result)}`;
	expect({ violations: result.violations, report }).toEqual({ violations: [], report });
	const totals = campaignTotals(result);
	// The campaign must exercise both outcomes, inject faults, report failures and have reports both
	// restart the client and be held back by the guard or the lease, or it proves nothing.
	const exercised = {
		allSent: result.sends >= SENDS,
		delivered: totals.delivered > 0,
		faultsInjected: totals.faults >= result.tallies.length,
		reportsTaken: totals.reportsAccepted > 0,
		restartPerformed: totals.restartsPerformed >= 1,
		restartSkipped: totals.skippedCooldown + totals.skippedInProgress >= 1,
	};
	expect({ exercised, report }).toEqual({
		exercised: {
			allSent: true,
			delivered: true,
			faultsInjected: true,
			reportsTaken: true,
			restartPerformed: true,
			restartSkipped: true,
		},
		report,
	});
}, 180_000);

describe("the campaign's report and restart checks", () => {
	const guard = { minIntervalMs: 3000, maxPerHour: 3 };
	const receiver = (accepted: Array<[string, number]>): ReportReceiver => ({
		url: 'http://127.0.0.1:1/report',
		accepted: new Map(accepted),
		refused: [],
		runs: [],
		close: () => Promise.resolve(),
	});
	const performed = (at: number) =>
		({ outcome: 'recovered', recovered: true, restartRequestedAt: at }) as RestartRunResult;
	const docker = (at: number) => ({ account: 'bot', via: 'docker', at });

	test('restarts spaced by the guard, each report taken once: no violation', () => {
		const tally = emptyTally('t');
		const violations: string[] = [];
		checkReportsAndRestarts('t', tally, violations, {
			reports: [{ correlationId: 'c1', outcome: { sent: true, status: 200 } }],
			receiver: receiver([['c1', 1]]),
			runs: [performed(0), performed(3000)],
			guard,
			restarts: [docker(0), docker(3000), { account: 'bot', via: 'control', at: 10 }],
		});
		expect(violations).toEqual([]);
		expect(tally).toMatchObject({
			reportsAccepted: 1,
			restartsPerformed: 2,
			minRestartSpacingMs: 3000,
		});
	});

	test('restarts too close, too many in an hour, a report taken twice, an unposted one taken: each found', () => {
		const violations: string[] = [];
		checkReportsAndRestarts('t', emptyTally('t'), violations, {
			reports: [{ correlationId: 'c1', outcome: { sent: true, status: 200 } }],
			receiver: receiver([
				['c1', 2],
				['c9', 1],
			]),
			runs: [0, 1000, 5000, 9000].map(performed),
			guard,
			restarts: [0, 1000, 5000, 9000].map(docker),
		});
		expect(violations).toEqual([
			't: the report of c1 was taken 2 times (posting: sent)',
			't: a report for c9 (1×) that no run posted was taken',
			"t: two restarts 1000 ms apart in the simulator's log (minimum interval 3000 ms)",
			't: 4 restarts within one hour (hourly cap 3)',
		]);
	});

	test('a restart in the simulator log that no run sent is found', () => {
		const violations: string[] = [];
		checkReportsAndRestarts('t', emptyTally('t'), violations, {
			reports: [],
			receiver: receiver([]),
			runs: [],
			guard,
			restarts: [docker(0)],
		});
		expect(violations).toEqual([
			't: the simulator logged 1 Docker restarts, the Restart Client runs sent 0',
		]);
	});
});
