/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- tooling, runs outside n8n */
/**
 * Process lifecycle shared by the simulator's CLI and the scripts: detached children tracked and stopped
 * with their whole process group, and a clean stop on SIGINT/SIGTERM. It lives outside scripts/ so the
 * simulator, which is part of the product, depends on no tooling.
 */
import type { ChildProcess } from 'node:child_process';

/** Long-lived detached children (n8n, the simulator) still running, so a caller can stop them all on exit. */
export const trackedChildren = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
	trackedChildren.add(child);
	child.once('exit', () => trackedChildren.delete(child));
	return child;
}

/** Synchronously SIGKILLs every tracked child's process group (for process 'exit' handlers). */
export function killTrackedSync(): void {
	for (const child of trackedChildren) killTree(child, 'SIGKILL');
}

/** Signals a detached child's whole process group (falls back to the child itself). */
export function killTree(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Stops a detached child: SIGTERM to its group, SIGKILL after graceMs; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 10000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killTree(child, 'SIGTERM');
	const timer = setTimeout(() => killTree(child, 'SIGKILL'), graceMs);
	let giveUp: NodeJS.Timeout | undefined;
	await Promise.race([
		exited,
		new Promise<void>((resolve) => (giveUp = setTimeout(resolve, graceMs + 5000))),
	]);
	clearTimeout(timer);
	clearTimeout(giveUp);
	// Stragglers of the group (task runners) go too.
	if (child.pid !== undefined) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* group empty */
		}
	}
}

/** On SIGINT or SIGTERM runs `stop` once (a second signal while stopping is ignored), then exits 0. */
export function stopOnSignals(stop: () => Promise<void>): void {
	let stopping = false;
	const once = async () => {
		if (stopping) return;
		stopping = true;
		await stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void once());
	process.on('SIGTERM', () => void once());
}
