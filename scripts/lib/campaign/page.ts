/**
 * The text of docs/campaign.md: what the campaign does and checks, this run's numbers, and what earlier
 * runs found. Mostly prose; the numbers come from the run.
 */
import { CAMPAIGN_GUARD, REPLAY_SHARE, RESTART_TRANSIT_TOLERANCE_MS } from './plan';
import { campaignTotals, restartsTable, resultsTable } from './tally';
import type { CampaignResult } from './tally';

/** How the run came about: its command and the machine's load before and after. */
export interface RunConditions {
	reproduce: string;
	loadBefore: string;
	loadAfter: string;
}

/** What the campaign does and checks (the page's opening). */
function method(): string[] {
	const guard = CAMPAIGN_GUARD;
	return [
		'# Fault campaign results',
		'',
		'Written by `npm run campaign` (scripts/campaign.ts): sends from three concurrent runs per implementation',
		'(one implementation after the other), each run one delivery engine with eight items and witness',
		"verification, while random faults from the simulator's catalogue are switched on and off and the client",
		'is now and then restarted under the runs (the simulator\'s own restart, "chaos restarts").',
		'',
		'Every Not Delivered item posts a signed failure report the way Send does (core/report.ts',
		'`postFailureReports`: 4 at a time within one time budget) to a receiver that checks it the way the',
		'Delivery Failure Trigger does (core/trigger/inbox.ts `receiveTriggerRequest`: signature, age, replay memory).',
		`One report in ${Math.round(1 / REPLAY_SHARE)} is posted twice, and the copy must be refused as a replay. Each`,
		"report taken starts the Restart Client's core run at once (core/restart `runRestart`: guard, per-account",
		`lease, Docker restart, recovery), so runs overlap when reports arrive together. Guard: minimum interval`,
		`${guard.minIntervalMs / 1000} s, at most ${guard.maxPerHour} restarts an hour.`,
		'',
		"Checked against the simulator's ground truth (the witness's inbox and its own log of restarts): every",
		'Delivered item arrived exactly once; every Not Delivered item did not arrive, or says that is unknown;',
		'no duplicates; nothing lost; every report taken exactly once; the Docker restarts in the simulator log',
		`match the runs that sent one, are never closer than the minimum interval (less ${RESTART_TRANSIT_TOLERANCE_MS} ms for the`,
		'request on its way) and never more than the hourly cap.',
		'',
		'The edges (scripts/lib/campaignEdges.ts): one run in five is stopped at a random point; one item in',
		'four sends the very text another run has in flight; one Docker restart request in three is reset after',
		"the simulator took it; report senders' clocks are off by up to ±4 minutes and one report in ten is",
		'replayed 5 to 8 minutes later; the account breaker runs across the runs. Checked too: nothing sent after',
		'a stop; every Delivered item has its own copy; no breaker left half-open with a trial no send holds;',
		'every restart request that reached the simulator accounted for; no late replay taken.',
		'',
		'On main at ffa2401 the short seeded run (`npm run campaign -- --seed 20261201 --sends 240`) found 7',
		'violations: five Delivered items without their own copy (two runs, one text, one copy) and a report from a',
		'sender 4 minutes ahead taken again when replayed 5 minutes later.',
		'',
		'The model-based property test (scripts/lib/model, fast-check `fc.commands` + `fc.asyncModelRun`) drives the',
		'same core against the simulator with random interleavings of sends from several runs, Stop, faults,',
		'client restarts, restart requests and report deliveries, and checks the four promises after every step;',
		'`npm test` runs a seeded thousand sequences of up to 6 steps (test/hardening/promiseModel.test.ts), and',
		'`npm run campaign -- --model <n> --seed <s>` runs more, of up to 8 steps. On main at ffa2401 it shrank',
		'counterexamples for a send after Stop, a Delivered without its own copy and two restarts of one client',
		'under two URL spellings (kept as test/core/promiseRegressions.test.ts); later, a run stopped while waiting',
		'for a send slot that ended as an unexpected error instead of a stop (kept in test/core/deliverStop.test.ts).',
		'Each sequence starts on a reset simulator with no claims (core/claims.ts), as a fresh process:',
		"a reset world numbers a group's messages from 1 again, which no server does, so claims kept from the",
		'sequence before would hide a copy and make a resend that no real chat could cause.',
		'',
		'`--only <implementation>` (e.g. `--only lagrange`) runs one implementation with the random stream it has',
		'in the full run and leaves this page alone; every violation lists the items of its text (outcome,',
		'attempts), the send calls that carried it and the copies the witness received.',
		'',
	];
}

/** This run: seed, machine, the two tables and the totals. */
function numbers(result: CampaignResult, run: RunConditions): string[] {
	const { loadBefore, loadAfter, reproduce } = run;
	const totals = campaignTotals(result);
	return [
		`Seed ${result.seed}, ${result.sends} sends, ${Math.round(result.durationMs / 1000)} s, finished ${new Date().toISOString()}.`,
		`Machine: ${loadBefore} at the start, ${loadAfter} at the end (shared with other work).`,
		`Reproduce: \`${reproduce}\`.`,
		'The seed fixes the plan (fault kinds, counts and durations, which reports are posted twice); on a shared',
		'machine timing still moves the outcome of races, so counts differ from run to run.',
		'',
		resultsTable(result),
		'',
		restartsTable(result),
		'',
		`Totals: ${totals.delivered} Delivered, ${totals.notDelivered} Not Delivered, ${totals.faults} faults injected;`,
		`${totals.reports} reports posted, ${totals.reportsAccepted} taken once, ${totals.replaysRefused} replays refused;`,
		`${totals.restartsRequested} restarts requested, ${totals.restartsPerformed} performed, ${totals.skippedCooldown} skipped by the`,
		`guard (${Object.entries(totals.skippedBy)
			.map(([by, n]) => `${by}: ${n}`)
			.join(', ')}), ${totals.skippedInProgress} skipped as in progress; smallest spacing of two`,
		`restarts in the simulator's log: ${totals.minRestartSpacingMs === null ? 'none (fewer than two restarts)' : `${totals.minRestartSpacingMs} ms`}.`,
		'',
	];
}

/** What earlier runs found, then this run's violations. */
function findings(result: CampaignResult): string[] {
	return [
		'Findings so far:',
		'',
		'- Seed 20261202 (10,000 sends) hung in its second implementation: a Docker restart started by a report',
		"  came in while a chaos restart was still down; the simulator's restart cancelled the earlier restart's",
		'  timer, so the earlier restart never ended and the campaign waited forever. Fixed in simulator/world.ts',
		'  (every wait for a restart ends when the client is back), with a test in test/simulator/restart.test.ts;',
		'  a run that hangs now ends with its seed and command.',
		'- Seed 20261207 (10,000 sends) found 4 Duplicates on Lagrange 0.0.3: two runs sent one text within a',
		"  second; the witness's history came back newest page first, and without an ordered seq the match takes",
		'  same-second copies in list order, so the earlier run took the later copy; the later run, whose baseline',
		'  already held the earlier copy, saw nothing and its check before the resend sent the text again. Fixed',
		'  in core/chatWatcher.ts (pages oldest first), with a test in test/core/sharedTextPaging.test.ts.',
		'',
		result.violations.length === 0
			? 'No violations.'
			: `Violations (${result.violations.length}):\n\n${result.violations
					.slice(0, 50)
					.map((v) => `- ${v}`)
					.join('\n')}`,
		'',
	];
}

/** The whole page for one run. */
export function campaignPage(result: CampaignResult, run: RunConditions): string {
	return [...method(), ...numbers(result, run), ...findings(result)].join('\n');
}
