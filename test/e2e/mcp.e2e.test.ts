/* eslint-disable import-x/no-unresolved -- the MCP SDK resolves through its exports map, which the import resolver does not read */
/**
 * Send With Verification as an AI-agent tool, through n8n's own MCP Server Trigger
 * (@n8n/n8n-nodes-langchain.mcpTrigger): the community node becomes the tool type
 * `n8n-nodes-onebot-sentinel.oneBotSendWithVerificationTool` (n8n 2.41.1 builds it from `usableAsTool`; no
 * environment switch is needed), connected to the trigger through `ai_tool`, and a real MCP client
 * (@modelcontextprotocol/sdk, Streamable HTTP) lists and calls it, no model involved. The tool's answer is
 * checked against the simulator's ground truth.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	exampleCredentialsFor,
	groundTruth,
	inboxWith,
	messagesWith,
	loadExampleCredentials,
} from './lib/examples';
import { startN8n, type N8nHandle, type WorkflowJson } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { sleep } from '../../scripts/lib/proc';

const MCP_PATH = 'sentinel-mcp-e2e';
const TOOL_NODE = 'Send QQ Message';
const GROUP_ID = 100200300;

function credentialRef(type: string) {
	const credential = loadExampleCredentials().find((c) => c.type === type);
	if (!credential) throw new Error(`no example credential of type ${type}`);
	return { id: credential.id as string, name: credential.name };
}

function mcpWorkflow(): WorkflowJson {
	return {
		name: 'MCP: Send With Verification as a tool',
		nodes: [
			{
				id: 'c0ffee00-0000-4000-8000-000000000001',
				name: 'MCP Server Trigger',
				type: '@n8n/n8n-nodes-langchain.mcpTrigger',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'c0ffee00-0000-4000-8000-0000000000aa',
				parameters: { path: MCP_PATH },
			},
			{
				id: 'c0ffee00-0000-4000-8000-000000000002',
				name: TOOL_NODE,
				type: 'n8n-nodes-onebot-sentinel.oneBotSendWithVerificationTool',
				typeVersion: 1,
				position: [0, 240],
				parameters: {
					toolDescription:
						'Sends a text message to a QQ group and confirms it arrived (a witness account must see it). Returns one item: status "delivered", or "failed" with reason and reasonClass.',
					targetType: 'group',
					targetId: `={{ $fromAI('groupId', 'The QQ group number to send to', 'number') }}`,
					messageMode: 'text',
					text: `={{ $fromAI('text', 'The message text', 'string') }}`,
					verification: 'witness',
					deadlineSeconds: 3,
					retry: { maxAttempts: 2, backoffMs: 100, backoffCapMs: 300 },
					options: { pollIntervalMs: 150, minIntervalMs: 0 },
				},
				credentials: {
					oneBotApi: credentialRef('oneBotApi'),
					oneBotWitnessApi: credentialRef('oneBotWitnessApi'),
				},
			},
		],
		connections: {
			[TOOL_NODE]: { ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Activation returns before the trigger's webhooks answer: wait until the endpoint stops saying 404. */
async function untilRegistered(url: string): Promise<void> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const response = await fetch(url, {
			method: 'GET',
			headers: { accept: 'text/event-stream' },
			signal: AbortSignal.timeout(2000),
		}).catch(() => undefined);
		await response?.body?.cancel().catch(() => undefined);
		if (response && response.status !== 404) return;
		if (Date.now() > deadline) throw new Error(`${url} still answers 404 after activation`);
		await sleep(500);
	}
}

/** The tool's answer: n8n returns the node's items as JSON text. */
function toolItems(result: unknown): Array<Record<string, unknown>> {
	const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
	const text = content.find((c) => c.type === 'text')?.text;
	if (text === undefined) throw new Error(`tool answer without text: ${JSON.stringify(result)}`);
	const parsed = JSON.parse(text);
	return Array.isArray(parsed) ? parsed : [parsed];
}

describe("Send With Verification as a tool of n8n's MCP Server Trigger, called by a real MCP client", () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let client: Client;
	let workflowId: string;

	beforeAll(async () => {
		sim = await startSimulator({
			...defaultWorld(),
			kernelTimeoutMs: 200,
			deliveryDelayMs: 20,
			heartbeatIntervalMs: 60_000,
		});
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials(exampleCredentialsFor(sim, { url: '', secret: '' }));
		workflowId = await n8n.importWorkflow(mcpWorkflow());
		await n8n.activate(workflowId);
		await untilRegistered(`${n8n.baseUrl}/mcp/${MCP_PATH}`);
		client = new Client({ name: 'sentinel-e2e', version: '1.0.0' });
		await client.connect(
			new StreamableHTTPClientTransport(new URL(`${n8n.baseUrl}/mcp/${MCP_PATH}`)),
		);
	}, 400_000);

	afterAll(async () => {
		await client?.close().catch(() => undefined);
		if (workflowId) await n8n?.deactivate(workflowId).catch(() => undefined);
		await n8n?.stop();
		await sim?.close();
	});

	test('the tool is listed with its description and the $fromAI arguments as its input schema', async () => {
		const { tools } = await client.listTools();
		const tool = tools.find((t) => t.name === 'Send_QQ_Message');
		expect(tools.map((t) => t.name)).toEqual(['Send_QQ_Message']);
		expect(tool!.description).toContain('confirms it arrived');
		expect(tool!.inputSchema).toMatchObject({
			type: 'object',
			properties: {
				groupId: expect.objectContaining({ type: 'number' }),
				text: expect.objectContaining({ type: 'string' }),
			},
		});
		expect([...((tool!.inputSchema as { required?: string[] }).required ?? [])].sort()).toEqual([
			'groupId',
			'text',
		]);
	});

	test('a call sends once, and the tool answers delivered only when the witness saw it (ground truth)', async () => {
		const text = `mcp e2e delivered #${Date.now().toString(36)}`;
		const result = await client.callTool({
			name: 'Send_QQ_Message',
			arguments: { groupId: GROUP_ID, text },
		});
		expect(result.isError ?? false).toBe(false);
		const [item] = toolItems(result);
		expect(item).toMatchObject({
			status: 'delivered',
			verification: 'witness',
			target: { type: 'group', id: GROUP_ID },
		});

		await sleep(500);
		const truth = await groundTruth(sim);
		expect(inboxWith(truth, 'witness', text)).toHaveLength(1);
		expect(messagesWith(truth, text).filter((m) => m.deliveredTo.length > 0)).toHaveLength(1);
	});

	test('a message that does not arrive comes back to the client as failed with its reason, not as an empty answer', async () => {
		// The reported case: group sends time out while the client stays up (simulator fault stuck_group).
		await sim.control.setFault({ kind: 'stuck_group', scope: { account: 'bot' } });
		try {
			const text = `mcp e2e stuck #${Date.now().toString(36)}`;
			const result = await client.callTool({
				name: 'Send_QQ_Message',
				arguments: { groupId: GROUP_ID, text },
			});
			const [item] = toolItems(result);
			expect(item).toMatchObject({
				status: 'failed',
				reason: expect.any(String),
				reasonClass: expect.any(String),
			});
			const truth = await groundTruth(sim);
			expect(inboxWith(truth, 'witness', text)).toEqual([]);
		} finally {
			await sim.control.clearFaults();
		}
	}, 120_000);
});
