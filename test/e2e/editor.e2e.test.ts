/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- end-to-end test code, runs outside n8n */
/**
 * The examples in the n8n editor, driven by headless Chromium: login, each example's canvas with our nodes
 * and their icons, every one of our nodes' parameter panels opened without an error, and the screenshots the
 * README shows (docs/screenshots). Nothing the page requests may leave loopback.
 */
import * as fs from 'node:fs';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
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
import { exampleCredentialsFor, loadExample, type ExampleName } from './lib/examples';
import { startN8n, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { readPackageJson } from '../../scripts/lib/paths';

const CANVAS_SHOTS: Array<[ExampleName, string]> = [
	['verifiedSend', 'example-1-verified-send'],
	['quietHours', 'example-2-quiet-hours'],
	['restartAndResend', 'example-3-restart-and-resend'],
	['scheduledProbe', 'example-4-scheduled-probe'],
	['scheduledRestart', 'example-5-scheduled-restart'],
];

/** The parameter panel of each of our nodes, shot where an example configures it. */
const PANEL_SHOTS: Array<[ExampleName, string, string]> = [
	['verifiedSend', 'Send With Verification', 'node-send-with-verification'],
	['scheduledProbe', 'Health Probe', 'node-health-probe'],
	['scheduledRestart', 'Restart Client', 'node-restart-client'],
	['restartAndResend', 'On Delivery Failure', 'node-delivery-failure-trigger'],
];

describe('the examples in the editor (headless Chromium)', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let session: EditorSession;
	const packageName = readPackageJson().name;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		const started = Date.now();
		sim = await startSimulator(defaultWorld());
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials(exampleCredentialsFor(sim, { url: '', secret: '' }));
		for (const [name] of CANVAS_SHOTS) await n8n.importWorkflow(loadExample(name));
		session = await launchEditorSession();
		await loginEditor(session.page, n8n);
		timings.readyMs = Date.now() - started;
	}, 400_000);

	afterAll(async () => {
		await session?.close();
		await n8n?.stop();
		await sim?.close();
		process.stderr.write(`[sentinel] editor e2e timings (ms): ${JSON.stringify(timings)}\n`);
	});

	test.each(CANVAS_SHOTS)(
		'%s: every node renders, ours with the package icon, and each of our panels opens without error',
		async (name, shot) => {
			const workflow = loadExample(name);
			const t = Date.now();
			await openWorkflow(session.page, n8n, workflow.id!);
			const page = session.page;
			const nodes = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote') as Array<{
				name: string;
				type: string;
			}>;
			for (const node of nodes)
				await expect(canvasNode(page, node.name).isVisible()).resolves.toBe(true);
			const ours = nodes.filter((n) => n.type.startsWith(`${packageName}.`));
			expect(ours.length).toBeGreaterThan(0);
			for (const node of ours) {
				const icon = await canvasNodeIcon(page, node.name);
				expect({ node: node.name, icon }).toEqual({
					node: node.name,
					icon: expect.objectContaining({ loaded: true }),
				});
				if (icon.kind === 'img') expect(icon.src).toContain(packageName);
			}
			await assertNoErrorToast(page);
			// Zoom to fit, then the screenshot the README shows.
			await page.keyboard.press('1');
			await page.waitForTimeout(600);
			const file = await screenshot(page, shot);
			expect(fs.statSync(file).size).toBeGreaterThan(20_000);

			for (const node of ours) {
				await openNodePanel(page, node.name);
				const panel = await page.getByTestId('node-parameters').innerText();
				expect(panel.length).toBeGreaterThan(20);
				await assertNoErrorToast(page);
				const panelShot = PANEL_SHOTS.find(
					([example, nodeName]) => example === name && nodeName === node.name,
				);
				if (panelShot) {
					const panelFile = await screenshot(page, panelShot[2]);
					expect(fs.statSync(panelFile).size).toBeGreaterThan(20_000);
				}
				await closeNodePanel(page);
			}
			timings[`${name}Ms`] = Date.now() - t;
		},
	);

	test('the panels show the configured credentials and parameters', async () => {
		const page = session.page;
		await openWorkflow(session.page, n8n, loadExample('verifiedSend').id!);
		await openNodePanel(page, 'Send With Verification');
		const panel = page.getByTestId('ndv');
		// Credential selects and expression fields show their values in inputs and editors, not as text.
		const values = await panel
			.locator('input')
			.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
		expect(values).toEqual(
			expect.arrayContaining([
				'OneBot bot (simulator)',
				'OneBot witness (simulator)',
				'Group',
				'Witness',
			]),
		);
		await expect(panel.innerText()).resolves.toContain('{{ $json.groupId }}');
		await closeNodePanel(page);
	});

	test('nothing left loopback', () => {
		expect(session.blocked).toEqual([]);
	});
});
