/**
 * The start-up the e2e files share: the OneBot simulator with a fast kernel, a loopback receiver for
 * notifications and failure reports, and real n8n with the packed package.
 */
import { defaultWorld, startSimulator, type Simulator, type WorldConfig } from '../../../simulator';
import { startN8n, type N8nHandle } from '../../../scripts/lib/n8n';
import { packPackage } from '../../../scripts/lib/pack';
import { Receiver } from './examples';

export interface E2eStack {
	sim: Simulator;
	receiver: Receiver;
	n8n: N8nHandle;
}

/** The default world with a kernel that times out in 200 ms, delivers in 20 ms and rarely heartbeats. */
export function fastWorld(): WorldConfig {
	return {
		...defaultWorld(),
		kernelTimeoutMs: 200,
		deliveryDelayMs: 20,
		heartbeatIntervalMs: 60_000,
	};
}

/** Starts the simulator (`prepare` may adjust its world first), the receiver, then n8n. */
export async function startStack(prepare?: (sim: Simulator) => void): Promise<E2eStack> {
	const sim = await startSimulator(fastWorld());
	prepare?.(sim);
	const receiver = await Receiver.start();
	const n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
	return { sim, receiver, n8n };
}

/** Stops what `startStack` started, n8n first; parts that never started are skipped. */
export async function stopStack(stack: Partial<E2eStack>): Promise<void> {
	await stack.n8n?.stop();
	await stack.receiver?.close();
	await stack.sim?.close();
}
