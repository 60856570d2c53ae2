/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The end-to-end machinery itself: the packed package installed into a real n8n under its real name, every
 * credential and node type it declares loaded, a workflow imported and run with its output read back (REST
 * and CLI), and the editor driven by headless Chromium with nothing leaving loopback.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
	assertNoErrorToast,
	canvasNode,
	canvasNodeIcon,
	closeNodePanel,
	launchEditorSession,
	loginEditor,
	openNodePanel,
	openWorkflow,
	screenshot,
	type EditorSession,
} from './lib/browser';
import { nodeOutput, startN8n, type N8nHandle, type WorkflowJson } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { declaredTypes, type DeclaredTypes } from './lib/package-types';
import { readPackageJson, tmpRoot } from '../../scripts/lib/paths';

const builtInWorkflow: WorkflowJson = {
	name: 'Smoke: built-in nodes',
	nodes: [
		{
			id: 'b1c5e2f0-0000-4000-8000-000000000001',
			name: 'Manual Trigger',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'b1c5e2f0-0000-4000-8000-000000000002',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [240, 0],
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{ id: 'a1', name: 'greeting', value: 'hello from n8n', type: 'string' },
						{ id: 'a2', name: 'answer', value: '={{ 6 * 7 }}', type: 'number' },
					],
				},
				options: {},
			},
		},
	],
	connections: { 'Manual Trigger': { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

describe('real n8n with the packed package', () => {
	let n8n: N8nHandle;
	let declared: DeclaredTypes;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		const packed = await packPackage();
		timings.packMs = packed.ms;
		n8n = await startN8n({ packageTgz: packed.tgz });
		Object.assign(timings, n8n.timings);
		const installed = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', packed.name);
		declared = declaredTypes(installed);
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		fs.mkdirSync(tmpRoot, { recursive: true });
		fs.writeFileSync(path.join(tmpRoot, 'smoke-timings.json'), JSON.stringify(timings, null, 2));
		process.stderr.write(`[sentinel] e2e timings (ms): ${JSON.stringify(timings)}\n`);
	});

	test('installs the package under its real name', () => {
		const pkg = readPackageJson();
		const installed = JSON.parse(
			fs.readFileSync(
				path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', pkg.name, 'package.json'),
				'utf8',
			),
		);
		expect(installed.name).toBe(pkg.name);
		expect(installed.version).toBe(pkg.version);
		expect(declared.credentials.length).toBe((pkg.n8n.credentials ?? []).length);
		expect(declared.nodes.length).toBe((pkg.n8n.nodes ?? []).length);
	});

	test('n8n loaded every credential type package.json declares', async () => {
		const loaded = new Set((await n8n.credentialTypes()).map((c) => c.name));
		const missing = declared.credentials.filter((c) => !loaded.has(c.name)).map((c) => c.name);
		expect(missing).toEqual([]);
	});

	test('n8n loaded every node type package.json declares, under the package name', async () => {
		const loaded = await n8n.nodeTypes();
		for (const node of declared.nodes) {
			const found = loaded.filter((t) => t.name === node.type);
			expect({ type: node.type, loaded: found.length > 0 }).toEqual({
				type: node.type,
				loaded: true,
			});
			expect(found.map((t) => t.displayName)).toContain(node.displayName);
		}
		// Nothing of ours was loaded under another prefix (CUSTOM.* would mean it came from the wrong place).
		const ours = new Set(declared.nodes.map((n) => n.name));
		const elsewhere = loaded.filter(
			(t) => ours.has(t.name.split('.').pop()!) && !t.name.startsWith(`${declared.packageName}.`),
		);
		expect(elsewhere.map((t) => t.name)).toEqual([]);
	});

	test('imports a workflow of built-in nodes, runs it and reads every node output (REST run, public API, CLI)', async () => {
		let t = Date.now();
		const id = await n8n.importWorkflow(builtInWorkflow);
		timings.importWorkflowCliMs = Date.now() - t;

		t = Date.now();
		const exec = await n8n.runWorkflow(id);
		timings.runRestMs = Date.now() - t;
		expect(exec.status).toBe('success');
		expect(nodeOutput(exec, 'Manual Trigger')).toHaveLength(1);
		expect(nodeOutput(exec, 'Set')).toEqual([{ greeting: 'hello from n8n', answer: 42 }]);

		t = Date.now();
		const cliRun = await n8n.executeCli(id);
		timings.executeCliMs = Date.now() - t;
		expect(cliRun.status).toBe('success');
		expect(nodeOutput(cliRun, 'Set')).toEqual([{ greeting: 'hello from n8n', answer: 42 }]);

		const all = await n8n.waitForExecutions({ workflowId: id, status: 'success', count: 2 });
		expect(all.map((e) => e.mode).sort()).toEqual(['cli', 'manual']);
		for (const e of all) expect(nodeOutput(e, 'Set')[0].answer).toBe(42);
	});

	describe('editor in headless Chromium', () => {
		let session: EditorSession;
		let ownNodesWorkflowId: string;
		let builtInWorkflowId: string;

		beforeAll(async () => {
			builtInWorkflowId = await n8n.importWorkflow({ ...builtInWorkflow, name: 'Smoke: editor' });
			ownNodesWorkflowId = await n8n.importWorkflow(ownNodesWorkflow(declared));
			session = await launchEditorSession();
		}, 120_000);

		afterAll(async () => {
			await session?.close();
		});

		test('logs in through the sign-in form', async () => {
			const t = Date.now();
			await loginEditor(session.page, n8n);
			timings.browserLoginMs = Date.now() - t;
			expect(new URL(session.page.url()).pathname).not.toMatch(/signin/);
		});

		test('opens a workflow, opens a parameter panel without error, saves a screenshot', async () => {
			const t = Date.now();
			await openWorkflow(session.page, n8n, builtInWorkflowId);
			timings.browserOpenWorkflowMs = Date.now() - t;
			await expect(canvasNode(session.page, 'Set').isVisible()).resolves.toBe(true);
			await openNodePanel(session.page, 'Set');
			const params = session.page.getByTestId('node-parameters');
			const values = await params
				.locator('input, textarea')
				.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
			expect(values).toContain('greeting');
			// The expression's live preview: the panel evaluated {{ 6 * 7 }}.
			await expect(params.innerText()).resolves.toMatch(/\b42\b/);
			await assertNoErrorToast(session.page);
			await closeNodePanel(session.page);
			const file = await screenshot(session.page, 'smoke-built-in-workflow', {
				dir: path.join(tmpRoot, 'screenshots'),
			});
			expect(fs.statSync(file).size).toBeGreaterThan(10_000);
		});

		test('renders every node of the package with its icon; each parameter panel opens without error', async () => {
			if (declared.nodes.length === 0) return;
			await openWorkflow(session.page, n8n, ownNodesWorkflowId);
			for (const node of declared.nodes) {
				const icon = await canvasNodeIcon(session.page, node.displayName);
				expect({ node: node.type, icon }).toEqual({
					node: node.type,
					icon: expect.objectContaining({ loaded: true }),
				});
				if (icon.kind === 'img') expect(icon.src).toContain(declared.packageName);
			}
			await assertNoErrorToast(session.page);
			const canvasFile = await screenshot(session.page, 'nodes-on-canvas');
			expect(fs.statSync(canvasFile).size).toBeGreaterThan(10_000);
			for (const node of declared.nodes) {
				await openNodePanel(session.page, node.displayName);
				await assertNoErrorToast(session.page);
				await screenshot(session.page, `panel-${node.name}`);
				await closeNodePanel(session.page);
			}
		});

		test('nothing left loopback', () => {
			expect(session.blocked).toEqual([]);
		});
	});
});

/** One unconnected node of each type the package declares, in a row, without credentials. */
function ownNodesWorkflow(declared: DeclaredTypes): WorkflowJson {
	return {
		name: 'Smoke: the package nodes',
		nodes: declared.nodes.map((node, i) => ({
			id: randomUUID(),
			name: node.displayName,
			type: node.type,
			typeVersion: node.version,
			position: [i * 300, 0],
			parameters: {},
			...(node.trigger ? { webhookId: randomUUID() } : {}),
		})),
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}
