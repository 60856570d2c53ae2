/* eslint-disable @n8n/community-nodes/no-restricted-imports -- end-to-end test code, runs outside n8n */
/**
 * Each of the package's credential forms as real n8n 2.41.1 shows it in headless Chromium, shot into
 * docs/screenshots/credential-<credentialTypeName>.png for the node and setup guides. Every form must show
 * each of its fields by the label its credential type declares. Nothing the page requests may leave loopback.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ICredentialType } from 'n8n-workflow';
import { defaultWorld, startSimulator, type Simulator } from '../../simulator';
import {
	dismissModals,
	launchEditorSession,
	loginEditor,
	screenshotDir,
	type EditorSession,
} from './lib/browser';
import { exampleCredentialsFor } from './lib/examples';
import { startN8n, type N8nHandle } from '../../scripts/lib/n8n';
import { packPackage } from '../../scripts/lib/pack';
import { OneBotApi } from '../../credentials/OneBotApi.credentials';
import { OneBotWitnessApi } from '../../credentials/OneBotWitnessApi.credentials';
import { NapCatWebUiApi } from '../../credentials/NapCatWebUiApi.credentials';
import { DockerEngineApi } from '../../credentials/DockerEngineApi.credentials';
import { OneBotRestartEndpointApi } from '../../credentials/OneBotRestartEndpointApi.credentials';

/** Credential type → id of a stored credential of it (the examples' three, plus two made here). */
const CREDENTIALS: Array<[ICredentialType, string]> = [
	[new OneBotApi(), 'sentinelBotSim01'],
	[new OneBotWitnessApi(), 'sentinelWitSim01'],
	[new NapCatWebUiApi(), 'sentinelWebuiS01'],
	[new DockerEngineApi(), 'sentinelDockerS1'],
	[new OneBotRestartEndpointApi(), 'sentinelRestartE1'],
];

/** The labels a form shows for a credential type: each field that is not hidden and shown without conditions. */
function visibleLabels(type: ICredentialType): string[] {
	return type.properties
		.filter((p) => p.type !== 'hidden' && p.type !== 'notice' && !p.displayOptions)
		.map((p) => p.displayName);
}

describe('the credential forms in the editor (headless Chromium)', () => {
	let n8n: N8nHandle;
	let sim: Simulator;
	let session: EditorSession;

	beforeAll(async () => {
		sim = await startSimulator(defaultWorld());
		n8n = await startN8n({ packageTgz: (await packPackage()).tgz });
		await n8n.importCredentials([
			...exampleCredentialsFor(sim, { url: '', secret: '' }).filter(
				(credential) => credential.type !== 'redis',
			),
			{
				id: 'sentinelDockerS1',
				name: 'Docker restart proxy',
				type: 'dockerEngineApi',
				data: { baseUrl: sim.urls.docker, accessToken: '' },
			},
			{
				id: 'sentinelRestartE1',
				name: 'Restart endpoint',
				type: 'oneBotRestartEndpointApi',
				data: { url: 'http://127.0.0.1:9/restart', authorizationToken: '' },
			},
		]);
		session = await launchEditorSession();
		session.page.setDefaultNavigationTimeout(120_000);
		session.page.setDefaultTimeout(60_000);
		// Tall enough for the longest form (OneBot API, seven fields) to fit in one shot.
		await session.page.setViewportSize({ width: 1280, height: 1200 });
		await loginEditor(session.page, n8n);
	}, 400_000);

	afterAll(async () => {
		await session?.close();
		await n8n?.stop();
		await sim?.close();
	});

	test.each(CREDENTIALS.map(([type, id]) => [type.name, type, id] as const))(
		'the %s form shows its fields, shot into docs/screenshots',
		async (name, type, id) => {
			const page = session.page;
			await page.goto(`${n8n.baseUrl}/home/credentials/${id}`, { waitUntil: 'domcontentloaded' });
			const dialog = page.getByTestId('credential-edit-dialog');
			await dialog.waitFor({ state: 'visible' });
			await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
			// The form renders after the credential loads; every field is then shown by its own label.
			const modal = page.locator('.el-dialog:has([data-test-id="credential-edit-dialog"])').first();
			const labels = visibleLabels(type);
			await modal.getByText(labels[0], { exact: false }).first().waitFor({ state: 'visible' });
			// The connection test the form starts by itself settles before the shot.
			await page.waitForTimeout(1500);
			const text = await modal.innerText();
			for (const label of labels) expect(text).toContain(label);
			const file = path.join(screenshotDir, `credential-${name}.png`);
			await modal.screenshot({ path: file, animations: 'disabled' });
			expect(fs.statSync(file).size).toBeGreaterThan(10_000);
			await page.keyboard.press('Escape');
			await dismissModals(page);
		},
	);

	test('nothing left loopback', () => {
		expect(session.blocked).toEqual([]);
	});
});
