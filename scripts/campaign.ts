/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a tool that runs outside n8n */
/**
 * Randomized fault campaign: many sends from several concurrent runs against every simulator flavour and
 * version, with random faults from the simulator's catalogue switched on and off while the runs are in
 * flight, checked against the simulator's ground truth (the witness's inbox):
 * - every Delivered item arrived exactly once;
 * - every Not Delivered item did not arrive, or says that whether it arrived is unknown (then at most once);
 * - no message arrived twice (0 duplicates) and no Delivered message is missing (0 lost).
 * Seeded: the same seed draws the same plan (timing on a shared machine may still vary the outcome of a
 * race; the seed reproduces the plan and every fault choice).
 *
 *   npm run campaign                     # 10,000 sends, writes docs/campaign.md
 *   npm run campaign -- --seed 42 --sends 500
 *   npm run campaign -- --model 10000 --seed 42   # the model-based property test, 10,000 sequences
 *   npm run campaign -- --model 10000 --seed 42 --path 17:3:2   # replay one shrunk counterexample
 *
 * The parts live in scripts/lib/campaign/: plan.ts (targets, faults, settings), receiver.ts (the trigger
 * and Restart Client stand-in), target.ts (one implementation's run and its checks), tally.ts (counts,
 * tables, totals), page.ts (docs/campaign.md).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { campaignPage } from './lib/campaign/page';
import { runCampaign } from './lib/campaign/target';
import { restartsTable, resultsTable } from './lib/campaign/tally';
import { runPromiseModel } from './lib/model/commands';

export {
	CAMPAIGN_FAULTS,
	CAMPAIGN_GUARD,
	CAMPAIGN_TARGETS,
	RESTART_TRANSIT_TOLERANCE_MS,
} from './lib/campaign/plan';
export type { CampaignOptions, FlavourVersion } from './lib/campaign/plan';
export type { ReportReceiver } from './lib/campaign/receiver';
export { runCampaign } from './lib/campaign/target';
export {
	campaignTotals,
	checkReportsAndRestarts,
	emptyTally,
	restartsTable,
	resultsTable,
} from './lib/campaign/tally';
export type { CampaignResult, TargetTally } from './lib/campaign/tally';

function loadLine(): string {
	return `load average ${loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ')} (1/5/15 min) on ${cpus().length} CPUs`;
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const value = (name: string) => {
		const at = args.indexOf(`--${name}`);
		return at >= 0 ? args[at + 1] : undefined;
	};
	const seed = Number(value('seed') ?? Math.floor(Math.random() * 2 ** 31));
	const model = value('model');
	if (model !== undefined) {
		// The model-based property test over more sequences (test/hardening/promiseModel.test.ts runs 1,000).
		const sequences = Number(model);
		console.log(
			`model seed ${seed}, ${sequences} sequences (reproduce: npm run campaign -- --model ${sequences} --seed ${seed})`,
		);
		const held = await runPromiseModel({ seed, numRuns: sequences, path: value('path') }, (line) =>
			console.log(line),
		);
		process.exitCode = held ? 0 : 1;
		return;
	}
	const sends = Number(value('sends') ?? 10000);
	const out = value('out') ?? 'docs/campaign.md';
	const only = value('only');
	const reproduce = `npm run campaign -- --seed ${seed} --sends ${sends}${only ? ` --only ${only}` : ''}`;
	console.log(`campaign seed ${seed}, ${sends} sends (reproduce: ${reproduce})`);
	// A run that hangs is a finding too: say so with the seed rather than wait forever.
	const limitMs = Math.max(600_000, sends * 300);
	setTimeout(() => {
		console.log(
			`campaign did not finish within ${Math.round(limitMs / 60000)} min (a hang); reproduce: ${reproduce}`,
		);
		process.exit(1);
	}, limitMs).unref();
	const loadBefore = loadLine();
	const result = await runCampaign({ seed, sends, only, log: (line) => console.log(line) });
	const loadAfter = loadLine();
	console.log(resultsTable(result));
	console.log(restartsTable(result));
	const doc = campaignPage(result, { reproduce, loadBefore, loadAfter });
	// A run restricted to some implementations is a reproduction: it leaves docs/campaign.md alone.
	if (!only || value('out')) {
		writeFileSync(out, doc);
		console.log(`results written to ${out}`);
	}
	for (const violation of result.violations) console.log(`violation: ${violation}`);
	if (result.violations.length > 0) {
		console.log(`${result.violations.length} violations; reproduce: ${reproduce}`);
		process.exitCode = 1;
	}
}

if (require.main === module) {
	void main();
}
