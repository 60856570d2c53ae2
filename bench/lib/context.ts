/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, runs outside n8n */
/** What the phases share: the package packed and n8n started with it, the simulator's parties and their credentials. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startN8n } from '../../scripts/lib/n8n';
import type { N8nHandle, WorkflowJson } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { freePort } from '../../scripts/lib/proc';
import type { Simulator } from '../../simulator';
import type { BenchResults } from './types';
import { Inspector } from './inspector';
import { sendWorkflow } from './workflows';
import type { CredentialRef, SendOptions } from './workflows';
import { FROM_HEAD, PROFILE, SETTINGS, TGZ, log, profileDir } from './options';
import { describeSource, packHead } from './runs';
import type { Item } from './runs';

/** The n8n instances a run started, so a signal or the end of the run stops them all. */
export interface Running {
	n8n?: N8nHandle;
	extra: N8nHandle[];
	cleanupPack: () => void;
}

/** What the phases share: the results, the simulator, n8n with the package, credentials and workflow builders. */
export type Bench = {
	results: BenchResults;
	save: () => void;
	sim: Simulator;
	running: Running;
	credentialsFor: typeof credentialsFor;
} & Awaited<ReturnType<typeof packAndBoot>> &
	Awaited<ReturnType<typeof benchHelpers>>;

/** Packs the package (or takes --tgz), and starts n8n with it installed. */
export async function packAndBoot(results: BenchResults, running: Running) {
	results.source = await describeSource();
	log(
		TGZ
			? `using ${TGZ}`
			: `building and packing the package (${FROM_HEAD ? `commit ${results.source.commit}` : 'working tree'})`,
	);
	const packed = TGZ
		? { tgz: path.resolve(TGZ), ms: 0 }
		: FROM_HEAD
			? await packHead()
			: await packPackage({ reuse: false });
	if (TGZ) results.source = { commit: path.basename(TGZ), from: 'tarball', dirty: false };
	results.timings.packMs = packed.ms;
	log('starting n8n with the package installed');
	if (PROFILE) fs.mkdirSync(profileDir, { recursive: true });
	const boot = (env: Record<string, string> = {}) =>
		startN8n({
			packageTgz: packed.tgz,
			env: {
				N8N_LOG_LEVEL: 'warn',
				// Prometheus metrics, for the V8 heap in use next to RSS (see heapUsedMb).
				N8N_METRICS: 'true',
				...(PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
				...env,
			},
		});
	/** A fresh n8n with the inspector on its main process (CPU profile, heap after GC), stopped afterwards. */
	const withInspectedN8n = async <T>(
		what: string,
		body: (fresh: N8nHandle, inspector: Inspector) => Promise<T>,
	): Promise<T> => {
		const port = await freePort();
		log(`${what}: fresh n8n (inspector on ${port})`);
		const fresh = await boot({ NODE_OPTIONS: `--inspect=127.0.0.1:${port}` });
		running.extra.push(fresh);
		let inspector: Inspector | undefined;
		try {
			inspector = await Inspector.connect(port);
			const argv = String(await inspector.evaluate('process.argv.join(" ")'));
			if (!/\bstart\b/.test(argv))
				throw new Error(`the inspector is not n8n's main process: ${argv}`);
			return await body(fresh, inspector);
		} finally {
			inspector?.close();
			await fresh.stop();
			running.extra = running.extra.filter((x) => x !== fresh);
		}
	};
	running.cleanupPack = () => {
		if (!TGZ)
			fs.rmSync(FROM_HEAD ? path.dirname(path.dirname(packed.tgz)) : path.dirname(packed.tgz), {
				recursive: true,
				force: true,
			});
	};
	running.extra = [];
	const n8n = await boot();
	running.n8n = n8n;
	results.timings.n8nStartMs = n8n.timings.editorMs;
	return { n8n, boot, withInspectedN8n };
}

/** The simulator's parties, their credentials in n8n and the builders every phase's workflows use. */
export async function benchHelpers(n8n: N8nHandle, sim: Simulator) {
	const bot = sim.urls.accounts.bot;
	const groupId = sim.groups[0].groupId;
	const creds = await credentialsFor(n8n, sim);
	const sender: CredentialRef = creds.sender;
	const witnessRef: CredentialRef = creds.witness;
	const send = (
		name: string,
		o: Partial<SendOptions> & Pick<SendOptions, 'tag' | 'count' | 'verification'>,
	): WorkflowJson =>
		sendWorkflow(name, {
			groupId,
			deadlineSeconds: SETTINGS.witnessDeadlineSeconds,
			minIntervalMs: 0,
			pollIntervalMs: SETTINGS.pollIntervalMs,
			useEventStream: true,
			sender,
			witness: witnessRef,
			...o,
		});
	/** Texts of this run the witness received more than once (ground truth). */
	const duplicatesIn = (inbox: Array<{ text: string }>, tag: string) => {
		const counts = new Map<string, number>();
		for (const e of inbox)
			if (e.text.startsWith(`${tag}-`)) counts.set(e.text, (counts.get(e.text) ?? 0) + 1);
		return [...counts.values()].filter((n) => n > 1).length;
	};
	const itemText = (item: Item) => String(item.message?.[0]?.data?.text ?? '');
	const witnessInbox = () => sim.world.account('witness').inbox;
	return { bot, groupId, sender, witnessRef, send, duplicatesIn, itemText, witnessInbox };
}

/** The bot and witness credentials of a simulator, imported into an n8n. */
export async function credentialsFor(
	target: N8nHandle,
	s: Simulator,
	suffix = '',
): Promise<{ sender: CredentialRef; witness: CredentialRef }> {
	const b = s.urls.accounts.bot;
	const w = s.urls.accounts.witness;
	const [senderId, witnessId] = await target.importCredentials([
		{
			name: `Bench bot${suffix}`,
			type: 'oneBotApi',
			data: {
				baseUrl: b.http,
				accessToken: b.token,
				wsUrl: '',
				reportUrl: '',
				reportSecret: SETTINGS.reportSecret,
			},
		},
		{
			name: `Bench witness${suffix}`,
			type: 'oneBotWitnessApi',
			data: {
				baseUrl: w.http,
				accessToken: w.token,
				wsUrl: w.ws,
				reportUrl: '',
				reportSecret: '',
			},
		},
	]);
	return {
		sender: { id: senderId, name: `Bench bot${suffix}` },
		witness: { id: witnessId, name: `Bench witness${suffix}` },
	};
}
