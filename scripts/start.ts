/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- project tooling, runs outside n8n */
/**
 * `npm start` (through scripts/start.sh, which provides Node 24 and n8n): builds and packs this package,
 * installs it into a persistent n8n user folder, starts the OneBot simulator's default world (or uses real
 * endpoints from ONEBOT_URL...), imports the example credentials and workflows, activates the webhook-driven
 * ones, starts n8n on 127.0.0.1:5678 and prints the login. Ctrl-C stops everything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	isWebhookDriven,
	loadExampleWorkflows,
	realCredentials,
	realEndpointsFromEnv,
	simulatorCredentials,
	type RealEndpoints,
} from './lib/credentials';
import { OWNER, startN8n, type N8nHandle } from './lib/n8n';
import { packPackage } from './lib/pack';
import { repoRoot } from './lib/paths';
import { killTrackedSync, stopProcess, trackedChildren } from './lib/proc';
import { spawnSimulator, type SimulatorProcess } from './lib/simulatorProcess';

const N8N_PORT = Number(process.env.SENTINEL_N8N_PORT ?? 5678);
const SIM_PORT = Number(process.env.SENTINEL_SIM_PORT ?? 6700);

const log = (msg: string) => process.stderr.write(`[sentinel] ${msg}\n`);

async function portFree(port: number): Promise<boolean> {
	try {
		await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
		return false;
	} catch (err) {
		return /ECONNREFUSED/.test(String((err as { cause?: unknown }).cause ?? err));
	}
}

let sim: SimulatorProcess | undefined;
let n8n: N8nHandle | undefined;
let stopping = false;

async function stopAll(code: number): Promise<void> {
	if (stopping) return;
	stopping = true;
	if (n8n || sim) log('stopping n8n and the simulator');
	await Promise.allSettled([
		n8n?.stop(),
		sim?.stop(),
		...[...trackedChildren].map((c) => stopProcess(c, 5000)),
	]);
	process.exit(code);
}

async function main(): Promise<void> {
	const real = realEndpointsFromEnv();
	const userFolder = path.resolve(
		process.env.SENTINEL_DEMO_DIR ?? path.join(repoRoot, '.tmp', real ? 'n8n-real' : 'n8n-demo'),
	);
	fs.mkdirSync(userFolder, { recursive: true });

	process.on('SIGINT', () => void stopAll(0));
	process.on('SIGTERM', () => void stopAll(0));
	process.on('SIGHUP', () => void stopAll(0));
	// Last resort if this process dies some other way: take the child process groups with it.
	process.on('exit', killTrackedSync);

	for (const port of real ? [N8N_PORT] : [N8N_PORT, SIM_PORT]) {
		if (!(await portFree(port)))
			throw new Error(`port ${port} on 127.0.0.1 is in use: stop what runs there first`);
	}

	log('building and packing the package');
	const packed = await packPackage({ reuse: false });
	log(`packed ${path.basename(packed.tgz)} in ${(packed.ms / 1000).toFixed(1)} s`);

	if (!real) {
		log(`starting the OneBot simulator (default world) on 127.0.0.1:${SIM_PORT}`);
		sim = await spawnSimulator({ port: SIM_PORT, logFile: path.join(userFolder, 'simulator.log') });
	} else {
		log(`using the real OneBot endpoint ${real.botUrl} (no simulator)`);
	}

	log(
		`installing ${packed.name} into ${path.join(userFolder, '.n8n', 'nodes')} and starting n8n (about 20-40 s)`,
	);
	n8n = await startN8n({
		packageTgz: packed.tgz,
		userFolder,
		port: N8N_PORT,
		cleanup: false,
		logFile: path.join(userFolder, 'n8n.log'),
	});
	fs.rmSync(path.dirname(packed.tgz), { recursive: true, force: true });
	log(`n8n is up (${(n8n.timings.editorMs / 1000).toFixed(1)} s)`);

	await importCredentials(n8n, real);
	const { examples, activated } = await importExamples(n8n);
	printLogin(n8n, real, examples, activated);
	await untilAnExit(n8n);
	await stopAll(1);
}

/** Credentials that point at the real endpoints from the environment, or at the simulator. */
async function importCredentials(n8n: N8nHandle, real: RealEndpoints | undefined): Promise<void> {
	if (real) {
		const { credentials, skipped } = realCredentials(real, n8n.baseUrl);
		await n8n.importCredentials(credentials);
		log(`imported ${credentials.length} credential(s) pointing at your endpoints`);
		if (skipped.length)
			log(`not imported (set their env vars to include them): ${skipped.join(', ')}`);
	} else {
		const credentials = simulatorCredentials(sim!.ready, n8n.baseUrl);
		await n8n.importCredentials(credentials);
		log(`imported ${credentials.length} credential(s) pointing at the simulator`);
	}
}

/** Imports every example workflow and activates the webhook-driven ones; returns the names activated. */
async function importExamples(
	n8n: N8nHandle,
): Promise<{ examples: ReturnType<typeof loadExampleWorkflows>; activated: string[] }> {
	const examples = loadExampleWorkflows();
	const ids = await n8n.importWorkflows(examples.map((e) => e.workflow));
	log(`imported ${ids.length} example workflow(s)`);
	const activated: string[] = [];
	for (const [i, { file, workflow }] of examples.entries()) {
		if (!isWebhookDriven(workflow)) continue;
		// The queue-mode example needs Redis, and its failure trigger shares example 3's path: imported, not active.
		if (path.basename(file).includes('queue-mode')) {
			log(`imported but not activated (needs queue mode and Redis): "${workflow.name}"`);
			continue;
		}
		try {
			await n8n.activate(ids[i]);
			activated.push(workflow.name);
		} catch (err) {
			log(`could not activate "${workflow.name}": ${(err as Error).message}`);
		}
	}
	return { examples, activated };
}

function printLogin(
	n8n: N8nHandle,
	real: RealEndpoints | undefined,
	examples: ReturnType<typeof loadExampleWorkflows>,
	activated: string[],
): void {
	const lines = [
		'',
		`  n8n:        ${n8n.baseUrl}`,
		`  login:      ${OWNER.email}`,
		`  password:   ${OWNER.password}`,
		sim
			? `  simulator:  control ${sim.ready.control}, bot ${sim.ready.accounts.bot?.http}, witness ${sim.ready.accounts.witness?.http}, WebUI ${sim.ready.webui}`
			: `  OneBot:     ${real!.botUrl}`,
		`  examples:   ${examples.map((e) => e.workflow.name).join('; ') || 'none'}`,
		`  active:     ${activated.join('; ') || 'none'}`,
		`  logs:       ${n8n.logFile}${sim ? `, ${sim.logFile}` : ''}`,
		'',
		'  Press Ctrl-C to stop everything.',
		'',
	];
	process.stdout.write(lines.join('\n') + '\n');
}

/** Stay up until n8n or the simulator ends, or Ctrl-C. */
function untilAnExit(n8n: N8nHandle): Promise<void> {
	return new Promise<void>((resolve) => {
		n8n.child.once('exit', () => {
			if (!stopping) log(`n8n exited unexpectedly; see ${n8n.logFile}`);
			resolve();
		});
		sim?.child.once('exit', () => {
			if (!stopping) log(`the simulator exited unexpectedly; see ${sim!.logFile}`);
			resolve();
		});
	});
}

main().catch(async (err: Error) => {
	log(`failed: ${err.message}`);
	await stopAll(1);
});
