/* eslint-disable @n8n/community-nodes/no-restricted-globals -- runs outside n8n */
/**
 * `bash scripts/queue-mode.sh start`: n8n in queue mode with this package on every process, until Ctrl-C.
 * Prints one JSON line with the URLs and ports when everything is ready.
 * Environment: SENTINEL_QUEUE_WORKERS (2), SENTINEL_QUEUE_CONCURRENCY (5), SENTINEL_E2E_TGZ (the packed package).
 */
import { startQueueStack } from '../lib/queue';
import { OWNER } from '../lib/n8n';
import { stopOnSignals } from '../lib/proc';

async function main(): Promise<void> {
	const tgz = process.env.SENTINEL_E2E_TGZ;
	if (!tgz)
		throw new Error(
			'SENTINEL_E2E_TGZ must name the packed package (scripts/queue-mode.sh start packs it)',
		);
	const stack = await startQueueStack({
		packageTgz: tgz,
		workers: Number(process.env.SENTINEL_QUEUE_WORKERS ?? 2),
		concurrency: Number(process.env.SENTINEL_QUEUE_CONCURRENCY ?? 5),
		keep: process.env.SENTINEL_E2E_KEEP === '1',
	});
	stopOnSignals(async () => {
		process.stderr.write('[sentinel] queue: stopping\n');
		await stack.stop();
	});
	process.stdout.write(
		JSON.stringify({
			ready: true,
			editor: stack.main.baseUrl,
			owner: { email: OWNER.email, password: OWNER.password },
			webhooks: stack.webhookBaseUrl,
			workers: stack.workers.map((w) => ({
				name: w.name,
				health: `http://127.0.0.1:${w.port}/healthz`,
				userFolder: w.userFolder,
				log: w.logFile,
			})),
			postgres: `postgresql://${stack.postgres.user}@127.0.0.1:${stack.postgres.port}/${stack.postgres.database}`,
			redis: `redis://127.0.0.1:${stack.redis.port}`,
			baseDir: stack.baseDir,
		}) + '\n',
	);
}

main().catch((err) => {
	process.stderr.write(
		`[sentinel] queue: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
	);
	process.exit(1);
});
