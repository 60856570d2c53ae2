/** Simulator worlds the node tests share. */
import {
	defaultWorld,
	startSimulator,
	type ImplementationName,
	type Simulator,
	type WorldConfig,
} from '../../simulator';

/**
 * The default world with every account on one implementation and version, and a kernel fast enough for
 * unit-speed tests: sends time out after 120 ms, arrive after 15 ms, heartbeats are rare. `extra`
 * overrides or adds world settings (friends, restart downtime...).
 */
export function flavourWorld(
	flavour: ImplementationName,
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
 * One simulator for a describe block: started before its tests, reset before each (then `onReset`, for the
 * block's own settings), closed after them. Returns a stand-in that forwards to the running simulator, so a
 * test reads `sim.urls`, `sim.control`, `sim.world` as usual.
 */
export function sharedSimulator(
	world: WorldConfig,
	onReset?: (sim: Simulator) => void | Promise<void>,
): Simulator {
	let running: Simulator | undefined;
	beforeAll(async () => {
		running = await startSimulator(world);
	});
	afterAll(async () => {
		await running?.close();
	});
	beforeEach(async () => {
		await running!.control.reset();
		await onReset?.(running!);
	});
	return new Proxy({} as Simulator, {
		get(_target, property) {
			if (!running)
				throw new Error('the simulator runs only inside the tests of its describe block');
			const value = (running as unknown as Record<PropertyKey, unknown>)[property];
			return typeof value === 'function' ? value.bind(running) : value;
		},
	});
}
