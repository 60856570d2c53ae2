/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling: the seed can come from the environment */
/**
 * A small seeded run of the fault campaign (scripts/campaign.ts; `npm run campaign` does 10,000 sends):
 * concurrent runs against every simulator flavour and version, random faults from the catalogue, checked
 * against the simulator's ground truth. A failure prints the seed that reproduces it.
 */
import { runCampaign, resultsTable } from '../../scripts/campaign';

const SEED = Number(process.env.SENTINEL_CAMPAIGN_SEED ?? 20261201);
const SENDS = Number(process.env.SENTINEL_CAMPAIGN_SENDS ?? 120);

test(`fault campaign, seed ${SEED}: every Delivered arrived once, no duplicates, nothing lost`, async () => {
	const result = await runCampaign({ seed: SEED, sends: SENDS });
	const report = `seed ${SEED} (reproduce: npm run campaign -- --seed ${SEED} --sends ${SENDS})\n${resultsTable(result)}`;
	expect({ violations: result.violations, report }).toEqual({ violations: [], report });
	const total = result.tallies.reduce(
		(sum, t) => ({ delivered: sum.delivered + t.delivered, faults: sum.faults + t.faults }),
		{ delivered: 0, faults: 0 },
	);
	// The campaign must exercise both outcomes and actually inject faults, or it proves nothing.
	expect(result.sends).toBeGreaterThanOrEqual(SENDS);
	expect(total.delivered).toBeGreaterThan(0);
	expect(total.faults).toBeGreaterThanOrEqual(result.tallies.length);
}, 180_000);
