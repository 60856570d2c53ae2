/* eslint-disable @n8n/community-nodes/no-restricted-imports -- end-to-end test code, runs outside n8n */
/**
 * What the editor shows of the package's own descriptions, in real n8n 2.41.1 and headless Chromium:
 * Send With Verification's two credential selectors labelled by role (shot into docs/screenshots), and the
 * node panel search finding the nodes by their codex aliases.
 */
import * as fs from 'node:fs';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	closeNodePanel,
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
import { sleep } from '../../scripts/lib/proc';

describe('credential labels and alias search in the editor (headless Chromium)', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let session: EditorSession;

	beforeAll(async () => {
		sim = await startSimulator(defaultWorld());
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials(exampleCredentialsFor(sim, { url: '', secret: '' }));
		await n8n.importWorkflow(loadExample('verifiedSend'));
		session = await launchEditorSession();
		// A loaded machine serves the editor's first pages slowly.
		session.page.setDefaultNavigationTimeout(120_000);
		session.page.setDefaultTimeout(60_000);
		await loginEditor(session.page, n8n);
	}, 400_000);

	afterAll(async () => {
		await session?.close();
		await n8n?.stop();
		await sim?.close();
	});

	test('Send With Verification labels its two credential selectors by role (bot and witness)', async () => {
		const page = session.page;
		await openWorkflow(page, n8n, loadExample('verifiedSend').id!);
		await openNodePanel(page, 'Send With Verification');
		const panel = page.getByTestId('ndv');
		await expect(panel.getByTestId('node-credentials-select').count()).resolves.toBe(2);
		const text = await panel.innerText();
		// n8n 2.41.1 labels a selector with its credential entry's displayName, else with the generic "Credential".
		expect(text).toContain('Bot Account (Sends the Message)');
		expect(text).toContain('Witness Account (Confirms Arrival)');
		expect(text.split('\n').filter((line) => line.trim() === 'Credential')).toEqual([]);
		const file = await screenshot(page, 'node-send-credential-labels');
		expect(fs.statSync(file).size).toBeGreaterThan(20_000);
		await closeNodePanel(page);
	});

	test.each([
		['NapCat', ['OneBot Send With Verification', 'OneBot Health Probe', 'OneBot Restart Client']],
		['群消息', ['OneBot Send With Verification', 'OneBot Health Probe']],
		['重启', ['OneBot Restart Client']],
	])('the node panel search finds our nodes by the alias %s', async (term, expected) => {
		const page = session.page;
		await openWorkflow(page, n8n, loadExample('verifiedSend').id!);
		await page.getByTestId('node-creator-plus-button').first().click();
		// The search bar's test id sits on the input itself or on its wrapper, depending on the component version.
		const search = page
			.locator(
				'input[data-test-id="node-creator-search-bar"], [data-test-id="node-creator-search-bar"] input',
			)
			.first();
		await search.fill(term);
		await sleep(1000);
		const names = await page.getByTestId('node-creator-item-name').allInnerTexts();
		expect(names.map((name) => name.trim())).toEqual(expect.arrayContaining(expected));
		await page.keyboard.press('Escape');
	});

	test('nothing left loopback', () => {
		expect(session.blocked).toEqual([]);
	});
});
