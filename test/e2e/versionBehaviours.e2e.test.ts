/* eslint-disable @n8n/community-nodes/no-restricted-globals -- end-to-end test code, runs outside n8n */
/**
 * Two behaviours of issue 25 in real n8n 2.41.1, each against a simulator playing one implementation at one
 * version (docs/compatibility.md, table 'Kernel confirmation' and table 'Witness matching'):
 *
 * - LLOneBot 3.28.0 pushes the bot's self message when the record is added (LLOneBot/LLOneBot: src/main.ts
 *   `onAddSendMsg`, v3.28.0), before the kernel confirms anything: a stuck send that never arrived must end
 *   Not Delivered (`not_confirmed`) at Kernel Confirmed, and be checked and resent once at Witness level, never
 *   called Delivered by its self message;
 * - NapCat 4.10.32 pages history forward from an anchor unless asked for older messages (NapNeko/NapCatQQ:
 *   GetGroupMsgHistory.ts, NapCatQQ #441, #987): in a busy group with no witness stream, a send that timed out
 *   but arrived is found by history alone and never resent.
 */
import {
	defaultWorld,
	startSimulator,
	type ImplementationName,
	type Simulator,
	type WorldConfig,
} from '../../simulator';
import { exampleCredentialsFor, groundTruth, inboxWith, outputItems } from './lib/examples';
import { startN8n, type CredentialJson, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { batchWorkflow } from '../../scripts/lib/workflows';
import { sleep } from '../../scripts/lib/proc';

const GROUP = 100200300;

/** Credential ids per simulator (n8n ids are 16 characters). */
const IDS = {
	llonebot: { bot: 'sentinelBotLlo01', witness: 'sentinelWitLlo01' },
	napcat: { bot: 'sentinelBotNap01', witness: 'sentinelWitNap01' },
} as const;

function world(flavour: ImplementationName, version: string): WorldConfig {
	const base = defaultWorld();
	const accounts = Object.fromEntries(
		Object.entries(base.accounts!).map(([name, account]) => [
			name,
			{ ...account, flavour, version },
		]),
	);
	return { ...base, accounts, heartbeatIntervalMs: 60_000, kernelTimeoutMs: 800 };
}

/** The bot and witness credentials of one simulator, under their own ids; `streams: false` drops the WebSocket URLs. */
function credentialsFor(
	sim: Simulator,
	ids: { bot: string; witness: string },
	label: string,
	streams: boolean,
): CredentialJson[] {
	return exampleCredentialsFor(sim, { url: '', secret: '' })
		.filter((c) => c.type === 'oneBotApi' || c.type === 'oneBotWitnessApi')
		.map((c) => {
			const bot = c.type === 'oneBotApi';
			const data = { ...c.data, ...(streams ? {} : { wsUrl: '' }) };
			return { ...c, id: bot ? ids.bot : ids.witness, name: `${c.name} ${label}`, data };
		});
}

function sendWorkflow(
	id: string,
	ids: { bot: string; witness: string },
	parameters: Record<string, unknown>,
) {
	return batchWorkflow({
		id,
		name: `Version behaviours e2e: ${id}`,
		count: 1,
		node: {
			name: 'Send With Verification',
			type: 'n8n-nodes-onebot-sentinel.oneBotSendWithVerification',
			typeVersion: 1,
			credentials: {
				oneBotApi: { id: ids.bot, name: 'bot' },
				oneBotWitnessApi: { id: ids.witness, name: 'witness' },
			},
			parameters: {
				targetType: 'group',
				targetId: String(GROUP),
				messageMode: 'text',
				retry: { maxAttempts: 3, backoffMs: 200, backoffCapMs: 500 },
				...parameters,
				options: {
					pollIntervalMs: 200,
					minIntervalMs: 0,
					accountRatePerMinute: 0,
					breakerThreshold: 0,
					reportFailures: false,
				},
			},
		},
	});
}

describe('version behaviours in real n8n: LLOneBot 3.28 self messages, NapCat forward paging', () => {
	let n8n: N8nHandle;
	let llonebot: Simulator;
	let napcat: Simulator;

	beforeAll(async () => {
		llonebot = await startSimulator(world('llonebot', '3.28.0'));
		napcat = await startSimulator(world('napcat', '4.10.32'));
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials([
			...credentialsFor(llonebot, IDS.llonebot, '(LLOneBot 3.28.0)', true),
			// No event streams: the witness's stream is not connected, and no self message helps.
			...credentialsFor(napcat, IDS.napcat, '(NapCat 4.10.32)', false),
		]);
	}, 400_000);

	afterAll(async () => {
		await n8n?.stop();
		await llonebot?.close();
		await napcat?.close();
	});

	async function run(workflowId: string) {
		const started = await n8n.rest('POST', `/workflows/${workflowId}/run`, {
			triggerToStartFrom: { name: 'Manual Trigger' },
		});
		const executionId = started?.executionId as string;
		expect(executionId).toBeTruthy();
		return executionId;
	}

	async function sends(sim: Simulator): Promise<number> {
		return ((await sim.control.calls({ account: 'bot', action: 'send_group_msg' })) as unknown[])
			.length;
	}

	test('LLOneBot 3.28.0: a stuck send that never arrived is not confirmed by its self message', async () => {
		await llonebot.control.reset();
		llonebot.world.account('bot').cfg.reportSelfMessage = true;
		const stamp = Date.now().toString(36);
		const kernelText = `stuck kernel ${stamp}`;
		const witnessText = `stuck witness ${stamp}`;
		const [kernel, witness] = await n8n.importWorkflows([
			sendWorkflow('sentinelVerLloKrn', IDS.llonebot, {
				text: kernelText,
				verification: 'kernel',
				deadlineSeconds: 2,
			}),
			sendWorkflow('sentinelVerLloWit', IDS.llonebot, {
				text: witnessText,
				verification: 'witness',
				deadlineSeconds: 2,
			}),
		]);

		// Kernel Confirmed: every send sticks; the self message comes at once all the same.
		await llonebot.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		const kernelRun = await n8n.waitForExecution(await run(kernel), { timeoutMs: 90_000 });
		const failed = outputItems(kernelRun, 'Send With Verification', 1);
		expect(outputItems(kernelRun, 'Send With Verification', 0)).toEqual([]);
		expect(failed).toEqual([
			expect.objectContaining({ status: 'failed', reason: 'not_confirmed' }),
		]);
		// The witness is set, so each unconfirmed send is checked by it and resent only when it saw nothing.
		const kernelAttempts = (failed[0].attempts as Array<{ outcome: string }>).map((a) => a.outcome);
		expect(kernelAttempts).not.toContain('landed_after_check');
		expect(await sends(llonebot)).toBe(kernelAttempts.length);
		expect(inboxWith(await groundTruth(llonebot), 'witness', kernelText)).toHaveLength(0);

		// Witness: the first send sticks; the witness check says it never arrived, so it is resent once.
		await llonebot.control.clearFaults();
		await llonebot.control.setFault({
			kind: 'stuck_group',
			scope: { account: 'bot' },
			count: 1,
		});
		const witnessRun = await n8n.waitForExecution(await run(witness), { timeoutMs: 90_000 });
		const delivered = outputItems(witnessRun, 'Send With Verification', 0);
		expect(outputItems(witnessRun, 'Send With Verification', 1)).toEqual([]);
		expect(delivered).toHaveLength(1);
		const attempts = delivered[0].attempts as Array<{ outcome: string }>;
		expect(attempts.map((attempt) => attempt.outcome)).toEqual([
			'not_landed_after_check',
			'accepted',
		]);
		await sleep(300);
		expect(inboxWith(await groundTruth(llonebot), 'witness', witnessText)).toHaveLength(1);
		process.stderr.write(
			`[sentinel] version e2e: LLOneBot 3.28.0 kernel ${String(failed[0]?.reason)} after ${kernelAttempts.join(' → ')}, witness ${attempts.map((a) => a.outcome).join(' → ')}\n`,
		);
	}, 180_000);

	test('NapCat 4.10.32: a busy group without a witness stream; found by history alone, sent once', async () => {
		await napcat.control.reset();
		for (let i = 0; i < 45; i++)
			await napcat.control.inject(i % 3 ? 'friend' : 'bot', { groupId: GROUP }, `earlier ${i}`);
		const text = `busy napcat ${Date.now().toString(36)}`;
		const [busy] = await n8n.importWorkflows([
			sendWorkflow('sentinelVerNapBsy', IDS.napcat, {
				text,
				verification: 'witness',
				deadlineSeconds: 3,
			}),
		]);
		// The send arrives at once and is answered with a timeout 3 s later; meanwhile 30 messages follow it.
		await napcat.control.setFault({
			kind: 'timeout_delivered',
			scope: { account: 'bot' },
			count: 1,
			params: { afterMs: 3000 },
		});
		const executionId = await run(busy);
		for (let i = 0; i < 100; i++) {
			if (inboxWith(await groundTruth(napcat), 'witness', text).length > 0) break;
			await sleep(50);
		}
		for (let i = 0; i < 30; i++)
			await napcat.control.inject('friend', { groupId: GROUP }, `later ${i}`);
		const execution = await n8n.waitForExecution(executionId, { timeoutMs: 90_000 });
		const delivered = outputItems(execution, 'Send With Verification', 0);
		const failed = outputItems(execution, 'Send With Verification', 1);
		process.stderr.write(
			`[sentinel] version e2e: NapCat busy group ${delivered.length ? 'delivered' : `failed ${String(failed[0]?.reason)}`}, ${await sends(napcat)} send(s)\n`,
		);
		expect(failed).toEqual([]);
		expect(delivered).toHaveLength(1);
		expect((delivered[0].attempts as Array<{ outcome: string }>).map((a) => a.outcome)).toEqual([
			'landed_after_check',
		]);
		expect(await sends(napcat)).toBe(1);
		expect(inboxWith(await groundTruth(napcat), 'witness', text)).toHaveLength(1);
	}, 180_000);
});
