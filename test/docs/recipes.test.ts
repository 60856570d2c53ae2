/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The sample output items in docs/recipes.md and docs/zh-CN/recipes.md are real: each scenario below runs the
 * node through n8n-core's engine against the simulator (NapCat 4.10.32), and the sample in the page must
 * have exactly the fields the real item has (values such as ids and times differ from run to run; the
 * outcome fields must match). A field added to or removed from an output fails here until the pages follow.
 * `RECIPE_SAMPLES_OUT=<file>` writes the items this run produced, to refresh the pages.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { processProbeMemory } from '../../core/runMemory';
import { OneBotDeliveryFailureTrigger } from '../../nodes/OneBotDeliveryFailureTrigger/OneBotDeliveryFailureTrigger.node';
import { DockerEngineApi } from '../../credentials/DockerEngineApi.credentials';
import { OneBotHealthProbe } from '../../nodes/OneBotHealthProbe/OneBotHealthProbe.node';
import { OneBotRestartClient } from '../../nodes/OneBotRestartClient/OneBotRestartClient.node';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { registerCredentialType, runExecute, runWebhook } from '../support/n8nHarness';
import { flavourWorld, sharedSimulator } from '../support/worlds';

const root = join(__dirname, '..', '..');
const PAGES = ['docs/recipes.md', 'docs/zh-CN/recipes.md'];
const GROUP = 100200300;
const REPORT_SECRET = 'recipes-report-secret';

registerCredentialType(new DockerEngineApi());

const sim = sharedSimulator(flavourWorld('napcat', '4.10.32', { restartDowntimeMs: 300 }), () => {
	processProbeMemory.clear();
});

/** `<!-- sample:<name> -->` followed by a ```json block. */
function samples(page: string): Map<string, unknown> {
	const text = readFileSync(join(root, page), 'utf8');
	const found = new Map<string, unknown>();
	for (const match of text.matchAll(/<!-- sample:([a-z-]+) -->\s*```json\n([\s\S]*?)```/g))
		found.set(match[1], JSON.parse(match[2]));
	return found;
}

/** Every key path of a value: objects by key, array elements under `[]`. */
function shape(value: unknown, path = '$'): string[] {
	if (Array.isArray(value)) {
		const inner = new Set(value.flatMap((element) => shape(element, `${path}[]`)));
		return [path, ...[...inner].sort()];
	}
	if (value && typeof value === 'object') {
		return [
			path,
			...Object.entries(value as Record<string, unknown>)
				.sort(([a], [b]) => a.localeCompare(b))
				.flatMap(([key, inner]) => shape(inner, `${path}.${key}`)),
		];
	}
	return [path];
}

function pick(value: IDataObject, keys: string[]): IDataObject {
	return Object.fromEntries(keys.map((key) => [key, value[key]]));
}

/** A trigger behind an HTTP server, as n8n's webhook server hands the raw request to webhook(). */
async function startTrigger() {
	const runs: IDataObject[] = [];
	const workflow = { id: 'wf-recipes-trigger', name: 'recipes trigger', active: true };
	const parameters = {
		events: ['delivery_failed', 'client_offline', 'probe_down', 'restart_failed'],
		reasonClasses: ['terminal', 'ambiguous', 'transient', 'account'],
		options: {},
	};
	const credentials = {
		oneBotApi: { baseUrl: 'http://127.0.0.1:1', reportSecret: REPORT_SECRET },
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const { result, response } = await runWebhook(
				new OneBotDeliveryFailureTrigger(),
				{ parameters, credentials, workflow, mode: 'webhook' },
				{ headers: req.headers as Record<string, string>, body },
			);
			if (result.workflowData)
				runs.push(...(result.workflowData[0] as INodeExecutionData[]).map((item) => item.json));
			const status = response.ended ? (response.status ?? 200) : 200;
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(status === 204 ? undefined : JSON.stringify({ message: 'Workflow was started' }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/3f1c2a9e-recipes/onebot-failures`,
		runs,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

function credentials(reportUrl?: string) {
	const { bot, witness } = sim.urls.accounts;
	return {
		oneBotApi: {
			baseUrl: bot.http,
			accessToken: bot.token,
			...(reportUrl ? { reportUrl, reportSecret: REPORT_SECRET } : {}),
		},
		oneBotWitnessApi: { baseUrl: witness.http, accessToken: witness.token, wsUrl: witness.ws },
	};
}

const sendParameters = {
	targetType: 'group',
	targetId: String(GROUP),
	messageMode: 'text',
	text: 'Order 42 shipped',
	verification: 'witness',
	deadlineSeconds: 3,
	retry: { maxAttempts: 2, backoffMs: 50, backoffCapMs: 100 },
	options: { correlationId: 'order-42' },
};

/** What each scenario produced, by sample name. */
const produced = new Map<string, IDataObject>();

afterAll(() => {
	const out = process.env.RECIPE_SAMPLES_OUT;
	if (out) writeFileSync(out, JSON.stringify(Object.fromEntries(produced), null, '\t'));
});

function expectSample(name: string, actual: IDataObject, outcome: string[]) {
	produced.set(name, actual);
	for (const page of PAGES) {
		const sample = samples(page).get(name) as IDataObject | undefined;
		expect({ page, name, present: sample !== undefined }).toEqual({ page, name, present: true });
		expect({ page, name, shape: shape(sample) }).toEqual({ page, name, shape: shape(actual) });
		expect({ page, name, ...pick(sample!, outcome) }).toEqual({
			page,
			name,
			...pick(actual, outcome),
		});
	}
}

describe('recipes: sample output items come from real runs', () => {
	test('Send With Verification, Delivered (witness)', async () => {
		const [delivered] = await runExecute(new OneBotSendWithVerification(), {
			credentials: credentials(),
			parameters: sendParameters,
		});
		expect(delivered).toHaveLength(1);
		expectSample('send-delivered', delivered[0].json, ['status', 'verification', 'reason']);
	}, 30_000);

	test('Send With Verification, Not Delivered, and the trigger event its report starts', async () => {
		const trigger = await startTrigger();
		try {
			await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot', group: GROUP } });
			const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
				credentials: credentials(trigger.url),
				parameters: sendParameters,
				workflow: { id: 'wf-recipes-send', name: 'recipes send', active: true },
				mode: 'trigger',
			});
			expect(delivered).toHaveLength(0);
			expect(notDelivered).toHaveLength(1);
			expect(trigger.runs).toHaveLength(1);
			produced.set('trigger-delivery-failed', trigger.runs[0]);
			expectSample('send-not-delivered', notDelivered[0].json, [
				'status',
				'reason',
				'reasonClass',
				'verification',
			]);
			expectSample('trigger-delivery-failed', trigger.runs[0], [
				'event',
				'source',
				'reason',
				'reasonClass',
			]);
		} finally {
			await trigger.close();
		}
	}, 60_000);

	test('Health Probe, Healthy (group canary)', async () => {
		const [healthy] = await runExecute(new OneBotHealthProbe(), {
			credentials: credentials(),
			parameters: { canary: 'group', groupId: String(GROUP), canaryDeadline: 5 },
		});
		expect(healthy).toHaveLength(1);
		expectSample('probe-healthy', healthy[0].json, ['state', 'diagnosis']);
	}, 30_000);

	test('Health Probe, Unhealthy (group blocked, private fine)', async () => {
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot', group: GROUP } });
		const [, unhealthy] = await runExecute(new OneBotHealthProbe(), {
			credentials: credentials(),
			parameters: {
				canary: 'groupAndPrivate',
				groupId: String(GROUP),
				privateTarget: 'witness',
				canaryDeadline: 1,
			},
		});
		expect(unhealthy).toHaveLength(1);
		expectSample('probe-unhealthy', unhealthy[0].json, ['state', 'diagnosis']);
	}, 30_000);

	test('Restart Client, Recovered (Docker Engine API)', async () => {
		const [recovered] = await runExecute(new OneBotRestartClient(), {
			credentials: {
				...credentials(),
				dockerEngineApi: { baseUrl: sim.urls.docker, accessToken: '' },
			},
			parameters: {
				method: 'docker',
				container: 'napcat-bot',
				recoveryDeadline: 10,
				options: { initialWait: 0.05, pollBase: 0.05, pollCap: 0.2, loginGrace: 0.3 },
			},
		});
		expect(recovered).toHaveLength(1);
		expectSample('restart-recovered', recovered[0].json, ['outcome', 'recovered', 'method']);
	}, 30_000);

	// docs/recipes.md, "Error handling": an item the node cannot send under On Error = Continue.
	test('On Error Continue: a bad item leaves on Not Delivered with `error`; the others are sent', async () => {
		const [delivered, notDelivered] = await runExecute(new OneBotSendWithVerification(), {
			credentials: credentials(),
			continueOnFail: true,
			items: [{ json: { to: String(GROUP) } }, { json: { to: 'not-a-number' } }],
			parameters: (i: number) => ({
				...sendParameters,
				targetId: i === 0 ? String(GROUP) : 'not-a-number',
			}),
		});
		expect(delivered).toHaveLength(1);
		expect(notDelivered).toHaveLength(1);
		expect(notDelivered[0].json).toMatchObject({
			status: 'failed',
			reason: 'bad_request',
			error: expect.stringContaining('targetId'),
		});
	}, 30_000);
});
