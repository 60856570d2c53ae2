/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling: the seed can come from the environment */
/**
 * A small seeded run of the fault campaign (scripts/campaign.ts; `npm run campaign` does 10,000 sends):
 * concurrent runs against every simulator flavour and version, random faults from the catalogue, runs
 * stopped at random points, overlapping runs sending identical texts, failure reports from senders with
 * skewed clocks (some replayed minutes later) to a trigger-like receiver that restarts the client through
 * the Restart Client's core (some restart requests reset after the supervisor took them), checked against
 * the simulator's ground truth. A failure prints the seed and the command that reproduce it.
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
import { DeliveryStopped } from '../../core/delivery';
import type { DeliveryOutcome } from '../../core/delivery';
import { CircuitBreaker } from '../../core/pacing/breaker';
import { SendLimiter } from '../../core/pacing/limiter';
import type { AccountPacing } from '../../core/pacing/registry';
import type { RequestFn } from '../../core/transport';
import {
	checkBreakersSettled,
	checkCopies,
	checkLateReplays,
	checkNothingSentAfterStop,
	checkRestartsAccounted,
	recordingSender,
	resetAfterReceived,
	settledBreakers,
} from '../../scripts/lib/campaignEdges';
import type { SendSeen } from '../../scripts/lib/campaignEdges';

// 20261203: at 240 sends its plan fails some items for real (reports, restarts). Seed 20261201's only
// failures there were false not_observed misses that core/chatWatcher.ts no longer makes (history pages
// out of order), so it exercised no report any more.
const SEED = Number(process.env.SENTINEL_CAMPAIGN_SEED ?? 20261203);
const SENDS = Number(process.env.SENTINEL_CAMPAIGN_SENDS ?? 240);

// The campaign's faults come and go on a wall clock while the runs send: on a quiet machine a short run can
// finish before a fault hits a send. Each run must hold every promise; seeds follow one another (at most
// MAX_RUNS) until, taken together, the runs have exercised every path, or the test proves nothing.
const MAX_RUNS = 5;

test(`fault campaign, seed ${SEED}: every Delivered has its own copy, nothing sent after Stop, reports taken once, restarts spaced`, async () => {
	const exercised = {
		allSent: true,
		delivered: false,
		faultsInjected: false,
		reportsTaken: false,
		restartPerformed: false,
		restartSkipped: false,
		// The edges: runs stopped while they run, texts sent by two runs at once, reports replayed late.
		runsStopped: false,
		textsShared: false,
		lateReplays: false,
	};
	const reports: string[] = [];
	for (let run = 0; run < MAX_RUNS && Object.values(exercised).some((seen) => !seen); run++) {
		const seed = SEED + run;
		const result = await runCampaign({ seed, sends: SENDS });
		const report = `seed ${seed} (reproduce: npm run campaign -- --seed ${seed} --sends ${SENDS})\n${resultsTable(result)}\n${restartsTable(result)}`;
		reports.push(report);
		expect({ violations: result.violations, report }).toEqual({ violations: [], report });
		const totals = campaignTotals(result);
		// Both outcomes, faults, failure reports, and reports that both restart the client and are held back
		// by the guard or the lease.
		exercised.allSent &&= result.sends >= SENDS;
		exercised.delivered ||= totals.delivered > 0;
		exercised.faultsInjected ||= totals.faults >= result.tallies.length;
		exercised.reportsTaken ||= totals.reportsAccepted > 0;
		exercised.restartPerformed ||= totals.restartsPerformed >= 1;
		exercised.restartSkipped ||= totals.skippedCooldown + totals.skippedInProgress >= 1;
		exercised.runsStopped ||= result.tallies.some((t) => t.stoppedRuns > 0);
		exercised.textsShared ||= result.tallies.some((t) => t.sharedTexts > 0);
		exercised.lateReplays ||= result.tallies.some((t) => t.lateReplays > 0);
	}
	expect({ exercised, reports }).toEqual({
		exercised: {
			allSent: true,
			delivered: true,
			faultsInjected: true,
			reportsTaken: true,
			restartPerformed: true,
			restartSkipped: true,
			runsStopped: true,
			textsShared: true,
			lateReplays: true,
		},
		reports,
	});
}, 600_000);

describe("the campaign's report and restart checks", () => {
	const guard = { minIntervalMs: 3000, maxPerHour: 3 };
	const receiver = (accepted: Array<[string, number]>, reached = 0): ReportReceiver => ({
		url: 'http://127.0.0.1:1/report',
		accepted: new Map(accepted),
		refused: [],
		runs: [],
		lateness: { ms: 0 },
		restartRequests: { reached, resetAfterReceived: 0 },
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
			receiver: receiver([['c1', 1]], 2),
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
			receiver: receiver(
				[
					['c1', 2],
					['c9', 1],
				],
				4,
			),
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
			receiver: receiver([], 1),
			runs: [],
			guard,
			restarts: [docker(0)],
		});
		expect(violations).toEqual([
			't: the Restart Client runs say they sent 0 restarts; 1 reached the simulator, 0 of them reset after it took them',
		]);
	});

	test('a restart request reset after the supervisor took it may count as sent or not, never more', () => {
		const seen = { logged: 2, reached: 2, resetAfterReceived: 1 };
		expect(checkRestartsAccounted('t', { ...seen, saidSent: 1 })).toEqual([]);
		expect(checkRestartsAccounted('t', { ...seen, saidSent: 2 })).toEqual([]);
		expect(checkRestartsAccounted('t', { ...seen, saidSent: 3 })).toEqual([
			't: the Restart Client runs say they sent 3 restarts; 2 reached the simulator, 1 of them reset after it took them',
		]);
		expect(checkRestartsAccounted('t', { ...seen, logged: 3, saidSent: 2 })).toEqual([
			't: the simulator logged 3 Docker restarts, 2 restart requests reached it',
		]);
	});
});

describe("the campaign's edge checks", () => {
	const delivered = { ok: true, result: { status: 'delivered', evidence: {} } } as DeliveryOutcome;
	const headline = (violation: string) => violation.split('\n')[0];
	const failed = (reasonClass: string) =>
		({
			ok: true,
			result: { status: 'failed', reason: 'send_failed', reasonClass, evidence: {} },
		}) as unknown as DeliveryOutcome;
	const stopped = { ok: false, error: new DeliveryStopped('stopped') } as DeliveryOutcome;

	test('two runs Delivered one text with one copy between them: a Delivered without its own copy', () => {
		const tally = emptyTally('t');
		const violations = checkCopies(
			't',
			[
				{ text: 'same', outcome: delivered },
				{ text: 'same', outcome: delivered },
			],
			[{ text: 'same' }],
			tally,
		);
		expect(violations.map(headline)).toEqual([
			't: "same" (sent by 2 items): 2 items Delivered, 1 copies arrived (a Delivered without its own copy)',
		]);
		expect(tally).toMatchObject({ sends: 2, delivered: 2, lost: 1, sharedTexts: 2 });
	});

	test("one text from two runs, two copies; a stopped item's or an ambiguous item's copy is owned: no violation", () => {
		const tally = emptyTally('t');
		expect(
			checkCopies(
				't',
				[
					{ text: 'same', outcome: delivered },
					{ text: 'same', outcome: delivered },
					{ text: 'a', outcome: stopped },
					{ text: 'b', outcome: failed('ambiguous') },
				],
				[{ text: 'same' }, { text: 'same' }, { text: 'a' }, { text: 'b' }],
				tally,
			),
		).toEqual([]);
		expect(tally).toMatchObject({ sends: 4, delivered: 2, stopped: 1, notDelivered: 1 });
	});

	test('more copies than items, and a clear Not Delivered that arrived: each found', () => {
		const violations = checkCopies(
			't',
			[
				{ text: 'x', outcome: delivered },
				{ text: 'y', outcome: failed('target') },
			],
			[{ text: 'x' }, { text: 'x' }, { text: 'y' }],
			emptyTally('t'),
		);
		expect(violations.map(headline)).toEqual([
			't: "x" arrived 2 times',
			't: "y" was Not Delivered but arrived',
		]);
		// Each violation carries the details to read it by: the items and the copies of its text.
		expect(violations[0].split('\n').slice(1)).toEqual([
			'    item ? undefined: delivered  (undefined) id=- evidence={} attempts []',
			'    copy id=? seq=? at ?',
			'    copy id=? seq=? at ?',
		]);
	});

	test('a send made after its run was stopped is found; one made before is not', () => {
		const sends = [
			{ action: 'send_group_msg', at: 100, text: 'before', afterStop: false },
			{ action: 'send_group_msg', at: 5100, text: 'after', afterStop: true },
		];
		expect(checkNothingSentAfterStop('t', [{ run: 'r1@0', stoppedAt: 3100, sends }])).toEqual([
			't: run r1@0 sent send_group_msg "after" 2000 ms after it was stopped',
		]);
	});

	test('the recording sender marks sends made after the stop, and only send actions', async () => {
		const controller = new AbortController();
		const seen: SendSeen[] = [];
		const inner: RequestFn = () => Promise.resolve({ status: 200, body: {} });
		const request = recordingSender(inner, controller.signal, seen, () => 7);
		const send = (action: string) =>
			request({
				method: 'POST',
				url: `http://127.0.0.1:1/${action}`,
				headers: {},
				body: { message: [{ type: 'text', data: { text: action } }] },
				timeoutMs: 100,
			});
		await send('send_group_msg');
		controller.abort();
		await send('get_group_msg_history');
		await send('send_msg');
		expect(seen).toEqual([
			{ action: 'send_group_msg', at: 7, text: 'send_group_msg', afterStop: false },
			{ action: 'send_msg', at: 7, text: 'send_msg', afterStop: true },
		]);
	});

	test('a breaker whose trial no send holds is found; closed, open and free half-open ones are not', async () => {
		const now = () => 1_000_000;
		const opened = () => {
			const breaker = new CircuitBreaker();
			breaker.configure({ threshold: 1, coolDownMs: 0 });
			breaker.record(
				{ kind: 'failure', reason: 'risk_control', opensAtOnce: true },
				{ trial: false, at: now() },
			);
			return breaker;
		};
		const admitTrial = (breaker: CircuitBreaker) =>
			breaker.admit({ holdMs: 0, pollMs: 1, clock: now, sleep: () => Promise.resolve() });
		// Stuck: a trial was admitted and its send ended without telling the breaker (a stopped trial).
		const stuck = opened();
		expect(await admitTrial(stuck)).toMatchObject({ admitted: true, trial: true });
		// Free: the trial ended neutral; the breaker stays half-open and the next send may try.
		const free = opened();
		await admitTrial(free);
		free.record({ kind: 'neutral' }, { trial: true, at: now() });
		const accounts = new Map<string, AccountPacing>([
			['1', { limiter: new SendLimiter(), breaker: new CircuitBreaker() }],
			['2', { limiter: new SendLimiter(), breaker: opened() }],
			['3', { limiter: new SendLimiter(), breaker: free }],
			['4', { limiter: new SendLimiter(), breaker: stuck }],
		]);
		const settled = await settledBreakers(accounts, now);
		expect(settled.map((b) => [b.selfId, b.snapshot.state, b.trialFree])).toEqual([
			['1', 'closed', true],
			['2', 'open', true],
			['3', 'half_open', true],
			['4', 'half_open', false],
		]);
		expect(checkBreakersSettled('t', settled)).toEqual([
			't: the breaker of 4 was left half_open with no trial running (its trial is held by no send; 0 waiting, opened 1970-01-01T00:16:40.000Z)',
		]);
		// Reading it left the free one as it was.
		expect(free.state).toBe('half_open');
		expect((await admitTrial(free)).admitted).toBe(true);
	});

	test('a late replay taken again is found; refused or unanswered ones are not', () => {
		expect(
			checkLateReplays('t', [
				{ lateByMs: 301_000, skewMs: 200_000, status: 200 },
				{ lateByMs: 301_000, skewMs: 0, status: 403 },
				{ lateByMs: 301_000, skewMs: 0, status: null },
			]),
		).toEqual(['t: a report from a sender 200 s off was taken again when replayed 301 s later']);
	});

	test('a restart request reset after the supervisor took it reaches it and fails for the caller', async () => {
		const counts = { reached: 0, resetAfterReceived: 0 };
		const inner: RequestFn = () => Promise.resolve({ status: 204, body: '' });
		const request = resetAfterReceived(inner, () => true, counts);
		await expect(
			request({
				method: 'POST',
				url: 'http://127.0.0.1:1/containers/x/restart',
				headers: {},
				timeoutMs: 100,
			}),
		).rejects.toMatchObject({ code: 'ECONNRESET' });
		await request({
			method: 'GET',
			url: 'http://127.0.0.1:1/containers/x/json',
			headers: {},
			timeoutMs: 100,
		});
		expect(counts).toEqual({ reached: 1, resetAfterReceived: 1 });
	});
});
