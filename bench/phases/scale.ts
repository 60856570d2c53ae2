/** Phases 3b-3d: batch sizes, a busy group, other implementations and versions. */
import { sleep } from '../../scripts/lib/proc';
import { defaultWorld, startSimulator } from '../../simulator';
import type { ImplementationName, Simulator } from '../../simulator';
import type { BusyRow, FlavourRow, ScalingRow, Variant } from '../lib/types';
import { sendWorkflow } from '../lib/workflows';
import { BUSY_RATE, P, SCALING_SIZES, SETTINGS, log, on } from '../lib/options';
import { createWorkflow, ms, runSend } from '../lib/runs';
import type { SendRun } from '../lib/runs';
import type { Bench } from '../lib/context';

/** 3b. scaling with the batch size */
export async function scalingPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n, send, duplicatesIn, witnessInbox } = b;
	if (on('scaling')) {
		log(`scaling: ${SCALING_SIZES.join(', ')} items, Witness level, event stream and polling`);
		const rows: ScalingRow[] = [];
		for (const items of SCALING_SIZES) {
			for (const variant of ['stream', 'polling'] as Variant[]) {
				const tag = `scale-${variant}-${items}`;
				const wf = await createWorkflow(
					n8n,
					send(`Bench: scaling ${items}, ${variant}`, {
						tag,
						count: items,
						verification: 'witness',
						useEventStream: variant === 'stream',
					}),
				);
				await sim.control.reset();
				const r = await runSend(n8n, wf, 1_800_000);
				const calls = sim.world.calls.filter((c) => c.account === 'bot' || c.account === 'witness');
				const byAction: Record<string, number> = {};
				for (const c of calls)
					byAction[`${c.account}:${c.action}`] = (byAction[`${c.account}:${c.action}`] ?? 0) + 1;
				rows.push({
					variant,
					items,
					executionTime: r.executionTime,
					perItemMs: r.executionTime / items,
					delivered: r.delivered.length,
					failed: r.failed.length,
					calls: calls.length,
					byAction,
					duplicates: duplicatesIn(witnessInbox(), tag),
				});
				log(
					`  ${items} ${variant}: ${r.executionTime} ms (${(r.executionTime / items).toFixed(2)} ms/item), ${r.delivered.length} delivered, ${r.failed.length} not, ${calls.length} calls`,
				);
				save();
			}
		}
		results.scaling = { rows, minIntervalMs: 0, pollIntervalMs: SETTINGS.pollIntervalMs };
		save();
	}
}

/** 3c. a busy group */
export async function busyPhase(b: Bench): Promise<void> {
	const { results, save, sim, n8n, groupId, send, duplicatesIn, itemText, witnessInbox } = b;
	if (on('busy')) {
		log(
			`busy group: ${P.busyItems} messages while other members post ${BUSY_RATE}/s, event stream and polling`,
		);
		const rows: BusyRow[] = [];
		const others = Object.keys(sim.urls.accounts).filter(
			(n) => n !== 'bot' && n !== 'witness' && sim.groups[0].members.includes(n),
		);
		const chatter = others[0] ?? 'witness';
		for (const variant of ['stream', 'polling'] as Variant[]) {
			const tag = `busy-${variant}`;
			const wf = await createWorkflow(
				n8n,
				send(`Bench: busy group, ${variant}`, {
					tag,
					count: P.busyItems,
					verification: 'witness',
					minIntervalMs: SETTINGS.latencyMinIntervalMs,
					useEventStream: variant === 'stream',
				}),
			);
			await sim.control.reset();
			let injected = 0;
			let stop = false;
			const injector = (async () => {
				const t0 = Date.now();
				while (!stop) {
					const due = Math.floor(((Date.now() - t0) / 1000) * BUSY_RATE);
					while (injected < due) {
						sim.world.injectMessage(chatter, { groupId }, `chatter ${injected}`);
						injected++;
					}
					await sleep(10);
				}
			})();
			await sleep(1000);
			let r: SendRun;
			try {
				r = await runSend(n8n, wf, 600_000);
			} finally {
				stop = true;
				await injector;
			}
			const inbox = witnessInbox();
			const arrived = new Set(inbox.map((e) => e.text));
			const historyReads = sim.world.calls.filter(
				(c) => c.account === 'witness' && c.action === 'get_group_msg_history',
			).length;
			rows.push({
				variant,
				items: P.busyItems,
				otherPerSecond: BUSY_RATE,
				otherInjected: injected,
				delivered: r.delivered.length,
				failed: r.failed.length,
				missedButArrived: r.failed.filter((i) => arrived.has(itemText(i))).length,
				duplicates: duplicatesIn(inbox, tag),
				historyReads,
				executionTime: r.executionTime,
			});
			log(
				`  ${variant} (chatter from ${chatter}, ${injected} other messages): ${r.delivered.length} delivered, ${r.failed.length} not, ${historyReads} history reads`,
			);
		}
		results.busy = {
			rows,
			pollIntervalMs: SETTINGS.pollIntervalMs,
			minIntervalMs: SETTINGS.latencyMinIntervalMs,
		};
		save();
	}
}

/** The implementations and versions phase 3d measures beside the default NapCat. */
const FLAVOURS: Array<{ flavour: ImplementationName; version: string }> = [
	{ flavour: 'llonebot', version: '4.4.3' },
	{ flavour: 'llonebot', version: '6.0.0' },
	{ flavour: 'lagrange', version: '0.0.3' },
];

/** A simulator whose accounts all run this implementation and version; undefined (logged) when it cannot start. */
async function startFlavourSimulator(f: {
	flavour: ImplementationName;
	version: string;
}): Promise<Simulator | undefined> {
	const base = defaultWorld();
	try {
		return await startSimulator({
			...base,
			accounts: Object.fromEntries(
				Object.entries(base.accounts!).map(([n, a]) => [
					n,
					{ ...a, flavour: f.flavour, version: f.version },
				]),
			),
			deliveryDelayMs: SETTINGS.deliveryDelayMs,
			deliveryJitterMs: SETTINGS.deliveryJitterMs,
			kernelTimeoutMs: SETTINGS.kernelTimeoutMs,
		});
	} catch (error) {
		log(`  skipped: ${(error as Error).message}`);
		return undefined;
	}
}

/** 3d. other implementations and versions */
export async function flavoursPhase(b: Bench): Promise<void> {
	const { results, save, n8n, credentialsFor, duplicatesIn, itemText } = b;
	if (on('flavours')) {
		const rows: FlavourRow[] = [];
		for (const f of FLAVOURS) {
			log(
				`simulator ${f.flavour} ${f.version}: ${P.flavourItems} messages, Witness level, event stream and polling`,
			);
			const sim2 = await startFlavourSimulator(f);
			if (!sim2) continue;
			try {
				const c2 = await credentialsFor(n8n, sim2, ` ${f.flavour} ${f.version}`);
				for (const variant of ['stream', 'polling'] as Variant[]) {
					const tag = `fl-${f.flavour}-${variant}`;
					const wf = await createWorkflow(
						n8n,
						sendWorkflow(`Bench: ${f.flavour} ${f.version}, ${variant}`, {
							groupId: sim2.groups[0].groupId,
							deadlineSeconds: SETTINGS.witnessDeadlineSeconds,
							minIntervalMs: SETTINGS.latencyMinIntervalMs,
							pollIntervalMs: SETTINGS.pollIntervalMs,
							useEventStream: variant === 'stream',
							sender: c2.sender,
							witness: c2.witness,
							tag,
							count: P.flavourItems,
							verification: 'witness',
						}),
					);
					await sim2.control.reset();
					const r = await runSend(n8n, wf, 600_000);
					const inbox = sim2.world.account('witness').inbox;
					const byText = new Map(inbox.map((e) => [e.text, e.receivedAt]));
					const lat = r.delivered
						.map((i) => ms(i.timing.verifiedAt) - (byText.get(itemText(i)) ?? Number.NaN))
						.filter(Number.isFinite);
					const reasons: Record<string, number> = {};
					for (const i of r.failed)
						reasons[String(i.reason)] = (reasons[String(i.reason)] ?? 0) + 1;
					rows.push({
						flavour: f.flavour,
						version: f.version,
						variant,
						items: P.flavourItems,
						delivered: r.delivered.length,
						failed: r.failed.length,
						reasons,
						calls: sim2.world.calls.filter((x) => x.account === 'bot' || x.account === 'witness')
							.length,
						duplicates: duplicatesIn(inbox, tag),
						p50LatencyMs: lat.length
							? lat.sort((a, b) => a - b)[Math.floor(lat.length / 2)]
							: Number.NaN,
					});
					log(
						`  ${variant}: ${r.delivered.length} delivered, ${r.failed.length} not ${JSON.stringify(reasons)}`,
					);
				}
			} finally {
				await sim2.close();
			}
		}
		results.flavours = { rows };
		save();
	}
}
