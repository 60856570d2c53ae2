/* eslint-disable @n8n/community-nodes/no-restricted-imports -- end-to-end test code, runs outside n8n */
/**
 * The last step of the setup guides' "first verified message" (docs/zh-CN/setup/first-verified-message.md):
 * example 1 run from the editor with "Execute workflow", then Send With Verification opened; its Delivered
 * output in JSON view is the screenshot the guides end with (docs/screenshots/first-message-delivered.png).
 * Real n8n 2.41.1, headless Chromium, the simulator's default world.
 */
import * as fs from 'node:fs';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	assertNoErrorToast,
	launchEditorSession,
	loginEditor,
	openNodePanel,
	openWorkflow,
	screenshot,
	type EditorSession,
} from './lib/browser';
import { exampleCredentialsFor, loadExample } from './lib/examples';
import { startN8n, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';

describe('first verified message, in the editor (headless Chromium)', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let session: EditorSession;

	beforeAll(async () => {
		sim = await startSimulator(defaultWorld());
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials(exampleCredentialsFor(sim, { url: '', secret: '' }));
		await n8n.importWorkflow(loadExample('verifiedSend'));
		session = await launchEditorSession();
		await loginEditor(session.page, n8n);
	}, 400_000);

	afterAll(async () => {
		await session?.close();
		await n8n?.stop();
		await sim?.close();
	});

	test('Execute workflow: the message leaves on Delivered, verified by the witness', async () => {
		const page = session.page;
		await openWorkflow(page, n8n, loadExample('verifiedSend').id!);
		await page.getByTestId('execute-workflow-button').first().click();
		await openNodePanel(page, 'Send With Verification');
		const ndv = page.getByTestId('ndv');
		// The output pane's display mode: JSON shows the item as users will read it in expressions.
		const modes = ndv.getByTestId('ndv-run-data-display-mode');
		await modes.last().getByText('JSON', { exact: true }).click();
		await ndv
			.getByText('witness_saw_message')
			.first()
			.waitFor({ state: 'visible', timeout: 60_000 });
		const text = await ndv.innerText();
		expect(text).toContain('Delivered');
		expect(text).toMatch(/"status":\s*"delivered"/);
		expect(text).toMatch(/"verification":\s*"witness"/);
		await assertNoErrorToast(page);
		const file = await screenshot(page, 'first-message-delivered');
		expect(fs.statSync(file).size).toBeGreaterThan(20_000);
	});

	test('nothing left loopback', () => {
		expect(session.blocked).toEqual([]);
	});
});
