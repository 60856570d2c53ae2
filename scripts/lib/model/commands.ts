/**
 * Model-based property test of the four promises (fast-check `fc.commands` + `fc.asyncModelRun`): random
 * interleavings of sends from several runs (texts drawn from a small pool, so runs overlap with identical
 * texts), Stop, faults, client restarts, Restart Client runs (some requests reset after the supervisor took
 * them, the OneBot URL spelled three ways), report deliveries (senders' clocks up to 4 minutes off,
 * deliveries repeated, the receiver's clock moved on) and real time passing, each followed by the checks of
 * scripts/lib/model/system.ts against the simulator's ground truth; after the last step every run is
 * waited for and everything is checked once more.
 *
 * Used by test/hardening/promiseModel.test.ts (a seeded thousand sequences) and by
 * `npm run campaign -- --model <sequences>`.
 */
import fc from 'fast-check';
import { sleep } from 'n8n-workflow';
import { resetAllClaims } from '../../../core/claims';
import { startSimulator } from '../../../simulator';
import type { FaultKind, FaultSpec, Simulator } from '../../../simulator';
import { modelWorld, PromiseSystem } from './system';

interface PromiseModel {
	runs: number;
}

type PromiseCommand = fc.AsyncCommand<PromiseModel, PromiseSystem>;

/** Throws with every broken promise, so fast-check shrinks the sequence that broke it. */
function assertPromises(system: PromiseSystem, settled: boolean): void {
	const found = system.check(settled);
	if (found.length > 0) throw new Error(`broken promises:\n- ${found.join('\n- ')}`);
}

class StartRun implements PromiseCommand {
	constructor(
		readonly texts: string[],
		readonly skewSeconds: number,
		readonly distinct = false,
	) {}
	check = () => true;
	async run(model: PromiseModel, system: PromiseSystem): Promise<void> {
		model.runs++;
		const texts = this.distinct ? this.texts.map((t) => `${t} (run ${model.runs})`) : this.texts;
		system.startRun(texts, this.skewSeconds * 1000);
		assertPromises(system, false);
	}
	toString = () => `StartRun(${JSON.stringify(this.texts)}, skew ${this.skewSeconds} s)`;
}

class Stop implements PromiseCommand {
	constructor(readonly which: number) {}
	check = (model: Readonly<PromiseModel>) => model.runs > 0;
	async run(model: PromiseModel, system: PromiseSystem): Promise<void> {
		system.stop(system.runs[this.which % system.runs.length]);
		assertPromises(system, false);
	}
	toString = () => `Stop(run ${this.which} mod runs)`;
}

const BOT_FAULTS: FaultKind[] = [
	'silent_drop',
	'timeout_not_delivered',
	'timeout_delivered',
	'data_null',
	'message_id_zero',
	'repeated_message_id',
	'risk_control',
	'connection_reset',
	'http_500',
	'latency',
	'hang',
	'down',
];

class Fault implements PromiseCommand {
	constructor(
		readonly kind: FaultKind | 'receive_drop',
		readonly count: number,
	) {}
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		const spec: FaultSpec =
			this.kind === 'receive_drop'
				? { kind: this.kind, count: this.count, scope: { account: 'witness' } }
				: this.kind === 'latency'
					? { kind: this.kind, count: this.count, scope: { account: 'bot' }, params: { ms: 40 } }
					: { kind: this.kind, count: this.count, scope: { account: 'bot' } };
		await system.sim.control.setFault(spec);
		assertPromises(system, false);
	}
	toString = () => `Fault(${this.kind} ×${this.count})`;
}

class ClearFaults implements PromiseCommand {
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		await system.sim.control.clearFaults();
		assertPromises(system, false);
	}
	toString = () => 'ClearFaults';
}

class ClientRestart implements PromiseCommand {
	constructor(readonly downtimeMs: number) {}
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		await system.sim.control.restart('bot', { downtimeMs: this.downtimeMs });
		assertPromises(system, false);
	}
	toString = () => `ClientRestart(${this.downtimeMs} ms down)`;
}

class RestartRequest implements PromiseCommand {
	constructor(
		readonly spelling: 'ip' | 'localhost' | 'slash',
		readonly resetAfterReceived: boolean,
	) {}
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		system.requestRestart(this.spelling, this.resetAfterReceived);
		assertPromises(system, false);
	}
	toString = () =>
		`RestartRequest(${this.spelling}${this.resetAfterReceived ? ', reset after received' : ''})`;
}

class DeliverReport implements PromiseCommand {
	constructor(readonly which: number) {}
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		if (system.reports.length > 0)
			system.deliverReport(system.reports[this.which % system.reports.length]);
		assertPromises(system, false);
	}
	toString = () => `DeliverReport(report ${this.which} mod reports)`;
}

class TimePasses implements PromiseCommand {
	constructor(readonly seconds: number) {}
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		system.receiverOffsetMs += this.seconds * 1000;
		assertPromises(system, false);
	}
	toString = () => `TimePasses(${this.seconds} s on the receiver's clock)`;
}

class Wait implements PromiseCommand {
	constructor(readonly ms: number) {}
	check = () => true;
	async run(_model: PromiseModel, system: PromiseSystem): Promise<void> {
		await sleep(this.ms);
		assertPromises(system, false);
	}
	toString = () => `Wait(${this.ms} ms)`;
}

/** Texts from a small pool, so runs that overlap send identical texts. */
const TEXTS = ['hello', 'report ready', 'ping'];

/** Which sends, faults and requests the sequences draw from (all by default; narrower to focus a search). */
export interface CommandChoice {
	spellings?: Array<'ip' | 'localhost' | 'slash'>;
	resets?: boolean[];
	faults?: Array<FaultKind | 'receive_drop'>;
	texts?: string[];
	/** Each run's texts its own (no two runs send one text). */
	distinctTexts?: boolean;
}

export function promiseCommands(maxCommands: number, choice: CommandChoice = {}) {
	const texts = choice.texts ?? TEXTS;
	const faults = choice.faults ?? [...BOT_FAULTS, 'receive_drop'];
	return fc.commands<PromiseModel, PromiseSystem, false>(
		[
			fc
				.tuple(
					fc.array(fc.constantFrom(...texts), { minLength: 1, maxLength: 3 }),
					fc.integer({ min: -240, max: 240 }),
				)
				.map(([texts, skew]) => new StartRun(texts, skew, choice.distinctTexts)),
			fc.nat(5).map((n) => new Stop(n)),
			fc
				.tuple(
					fc.constantFrom<FaultKind | 'receive_drop'>(...faults),
					fc.integer({ min: 1, max: 3 }),
				)
				.map(([kind, count]) => new Fault(kind, count)),
			fc.constant(new ClearFaults()),
			fc.integer({ min: 10, max: 60 }).map((ms) => new ClientRestart(ms)),
			fc
				.tuple(
					fc.constantFrom(...(choice.spellings ?? (['ip', 'localhost', 'slash'] as const))),
					fc.constantFrom(...(choice.resets ?? [false, true])),
				)
				.map(([spelling, reset]) => new RestartRequest(spelling, reset)),
			fc.nat(5).map((n) => new DeliverReport(n)),
			fc.integer({ min: 1, max: 400 }).map((s) => new TimePasses(s)),
			fc.integer({ min: 1, max: 80 }).map((ms) => new Wait(ms)),
		],
		{ maxCommands },
	);
}

export interface ModelRunOptions {
	seed: number;
	numRuns: number;
	maxCommands?: number;
	/** Replays one shrunk counterexample: fast-check's path from a failure report. */
	path?: string;
	choice?: CommandChoice;
}

/**
 * Runs the property: each sequence on the reset simulator, every run and restart waited for at its end
 * and the promises checked once more with nothing running. Throws fast-check's report (seed, path,
 * shrunk sequence) when a promise breaks.
 */
export async function checkPromiseModel(sim: Simulator, options: ModelRunOptions): Promise<void> {
	await fc.assert(
		fc.asyncProperty(
			promiseCommands(options.maxCommands ?? 8, options.choice),
			async (commands) => {
				let system: PromiseSystem | undefined;
				try {
					await fc.asyncModelRun(async () => {
						await sim.control.reset();
						// A reset world numbers each group's messages from 1 again (a real server never does), and
						// the witness's claims key an entry by its seq and second (core/claims.ts): claims
						// from the previous sequence would hide this one's first copies. Fresh world, fresh process.
						resetAllClaims();
						system = new PromiseSystem(sim);
						return { model: { runs: 0 }, real: system };
					}, commands);
				} finally {
					await system?.settle();
				}
				assertPromises(system!, true);
			},
		),
		{
			seed: options.seed,
			numRuns: options.numRuns,
			...(options.path ? { path: options.path, endOnFailure: true } : {}),
		},
	);
}

/** `npm run campaign -- --model <sequences>`: the property over more sequences, on its own simulator. */
export async function runPromiseModel(
	options: ModelRunOptions,
	log: (line: string) => void,
): Promise<boolean> {
	const sim = await startSimulator(modelWorld());
	const started = Date.now();
	try {
		await checkPromiseModel(sim, options);
		log(
			`model: the four promises held over ${options.numRuns} sequences (seed ${options.seed}) in ${Math.round((Date.now() - started) / 1000)} s`,
		);
		return true;
	} catch (error) {
		const cause = (error as Error).cause as Error | undefined;
		log(`model: ${(error as Error).message}${cause ? `\nCause: ${cause.message}` : ''}`);
		return false;
	} finally {
		await sim.close();
	}
}
