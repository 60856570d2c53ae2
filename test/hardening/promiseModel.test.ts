/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling: the seed can come from the environment */
/**
 * The model-based property test of the four promises (scripts/lib/model/commands.ts): a seeded thousand
 * random sequences of sends from several runs, Stop, faults, client restarts, restart requests and report
 * deliveries against the simulator, each step checked against its ground truth. A failure prints
 * fast-check's seed, path and shrunk sequence; `npm run campaign -- --model <n>` runs more sequences.
 */
import { checkPromiseModel } from '../../scripts/lib/model/commands';
import { modelWorld } from '../../scripts/lib/model/system';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator';

const SEED = Number(process.env.SENTINEL_MODEL_SEED ?? 20261207);
const SEQUENCES = Number(process.env.SENTINEL_MODEL_SEQUENCES ?? 1000);
// Up to 6 steps a sequence keeps a thousand sequences near a minute on a shared machine (8, the campaign's
// default, takes about 100 s); `npm run campaign -- --model <n>` runs the longer sequences.
const MAX_COMMANDS = Number(process.env.SENTINEL_MODEL_MAX_COMMANDS ?? 6);

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator(modelWorld());
});

afterAll(async () => {
	await sim?.close();
});

test(`the four promises hold over ${SEQUENCES} random sequences of up to ${MAX_COMMANDS} steps (seed ${SEED})`, async () => {
	await checkPromiseModel(sim, { seed: SEED, numRuns: SEQUENCES, maxCommands: MAX_COMMANDS });
}, 600_000);
