/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** Start a simulated OneBot world: `npx tsx simulator/cli.ts [--world file.json] [--host 127.0.0.1] [--port N]`. */
import { readFileSync } from 'node:fs';
import { readyLine, startSimulator, defaultWorld, type WorldConfig } from './index';
import { stopOnSignals } from '../shared/process';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0) return process.argv[i + 1];
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq ? eq.slice(name.length + 3) : undefined;
}

/** Timings of the CLI's default world: close to real implementations. */
export function cliDefaultWorld(): WorldConfig {
	const base = defaultWorld();
	// The demo bot reports its own messages, as the shipped credential (with the bot's Event WebSocket URL) expects:
	// Kernel Confirmed (example 1b) and the Health Probe's self-reporting check work out of the box.
	const accounts = { ...base.accounts, bot: { ...base.accounts!.bot, reportSelfMessage: true } };
	return {
		...base,
		accounts,
		kernelTimeoutMs: 10_000,
		deliveryDelayMs: 300,
		deliveryJitterMs: 200,
		heartbeatIntervalMs: 30_000,
		restartDowntimeMs: 5_000,
	};
}

async function main(): Promise<void> {
	const file = arg('world');
	const world: WorldConfig = file ? JSON.parse(readFileSync(file, 'utf8')) : cliDefaultWorld();
	const kt = arg('kernel-timeout');
	if (kt !== undefined) world.kernelTimeoutMs = Number(kt);
	const factor = arg('clock-factor');
	const sim = await startSimulator(world, {
		host: arg('host') ?? '127.0.0.1',
		port: arg('port') ? Number(arg('port')) : undefined,
		clock: factor ? { factor: Number(factor) } : undefined,
		log: (l) => process.stderr.write(l + '\n'),
	});
	process.stdout.write(readyLine(sim) + '\n');
	stopOnSignals(async () => {
		process.stderr.write('[simulator] stopping\n');
		await sim.close();
	});
}

main().catch((e: Error) => {
	process.stderr.write(`[simulator] failed to start: ${e.stack ?? e.message}\n`);
	process.exit(1);
});
