/** Simulator worlds the node tests share. */
import {
	defaultWorld,
	startSimulator,
	type FlavourName,
	type Simulator,
	type WorldConfig,
} from '../../simulator';

/**
 * The default world with every account on one implementation and version, and a kernel fast enough for
 * unit-speed tests: sends time out after 120 ms, arrive after 15 ms, heartbeats are rare. `extra`
 * overrides or adds world settings (friends, restart downtime...).
 */
export function flavourWorld(
	flavour: FlavourName,
	version: string,
	extra: Partial<WorldConfig> = {},
): WorldConfig {
	const base = defaultWorld();
	const accounts = Object.fromEntries(
		Object.entries(base.accounts!).map(([name, account]) => [
			name,
			{ ...account, flavour, version },
		]),
	);
	return {
		...base,
		accounts,
		kernelTimeoutMs: 120,
		deliveryDelayMs: 15,
		heartbeatIntervalMs: 60000,
		...extra,
	};
}

/**
 * One simulator on `world` for the enclosing describe block: started before its tests, reset before each
 * test, closed after them. `sim` is set once the block's beforeAll ran.
 */
export function simulatorPerSuite(world: WorldConfig): { readonly sim: Simulator } {
	let sim: Simulator | undefined;
	beforeAll(async () => {
		sim = await startSimulator(world);
	});
	afterAll(async () => {
		await sim?.close();
	});
	beforeEach(async () => {
		await sim!.control.reset();
	});
	return {
		get sim() {
			return sim!;
		},
	};
}
