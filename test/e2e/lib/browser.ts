/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test tooling, runs outside n8n */
/**
 * Headless Chromium (Debian's) driven by playwright-core against the n8n editor. Every request that would
 * leave loopback is aborted and recorded, so a test can assert that nothing left the machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { OWNER, type N8nHandle } from '../../../scripts/lib/n8n';
import { chromiumPath, repoRoot } from '../../../scripts/lib/paths';

export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export const screenshotDir = path.join(repoRoot, 'docs', 'screenshots');

export interface EditorSession {
	browser: Browser;
	context: BrowserContext;
	page: Page;
	/** URLs the page tried to reach outside loopback (all were aborted). */
	blocked: string[];
	/** Uncaught page errors and console errors, for diagnostics. */
	pageErrors: string[];
	close(): Promise<void>;
}

function isLoopback(url: string): boolean {
	try {
		const u = new URL(url);
		if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
		return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
	} catch {
		return true;
	}
}

// The editor marks its elements with data-test-id (playwright's getByTestId defaults to data-testid).
selectors.setTestIdAttribute('data-test-id');

/** Launches Chromium with a 1440x900 page; non-loopback requests are aborted. */
export async function launchEditorSession(
	opts: { viewport?: { width: number; height: number } } = {},
): Promise<EditorSession> {
	const browser = await chromium.launch({
		executablePath: chromiumPath(),
		headless: true,
		args: CHROMIUM_ARGS,
		timeout: 60_000,
	});
	try {
		const context = await browser.newContext({
			viewport: opts.viewport ?? { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			locale: 'en-US',
			timezoneId: 'UTC',
			colorScheme: 'light',
		});
		const blocked: string[] = [];
		const pageErrors: string[] = [];
		await context.route('**/*', (route) => {
			const url = route.request().url();
			if (isLoopback(url)) return route.continue();
			blocked.push(url);
			return route.abort('blockedbyclient');
		});
		context.setDefaultTimeout(30_000);
		const page = await context.newPage();
		page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
		page.on('console', (msg) => {
			if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
		});
		return {
			browser,
			context,
			page,
			blocked,
			pageErrors,
			close: async () => {
				await browser.close().catch(() => undefined);
			},
		};
	} catch (err) {
		await browser.close().catch(() => undefined);
		throw err;
	}
}

/** Logs into the editor through its sign-in form as the owner; resolves once the app shell has loaded. */
export async function loginEditor(
	page: Page,
	n8n: N8nHandle,
	email = OWNER.email,
	password = OWNER.password,
): Promise<void> {
	await page.goto(`${n8n.baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
	const emailInput = page
		.locator(
			'input[name="emailOrLdapLoginId"], input[type="email"], [data-test-id="emailOrLdapLoginId"] input',
		)
		.first();
	const passwordInput = page.locator('input[name="password"], input[type="password"]').first();
	await emailInput.fill(email);
	await passwordInput.fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	await dismissModals(page);
}

/** Opens a workflow in the editor and waits until its canvas shows every node. */
export async function openWorkflow(page: Page, n8n: N8nHandle, workflowId: string): Promise<void> {
	await page.goto(`${n8n.baseUrl}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded' });
	await page.getByTestId('canvas-node').first().waitFor({ state: 'visible', timeout: 60_000 });
	await dismissModals(page);
	// Let the canvas fit the view and the icons load.
	await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
}

/** The canvas node with this name. */
export function canvasNode(page: Page, nodeName: string) {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${cssEscape(nodeName)}"]`);
}

/** Opens a node's parameter panel (NDV) by its name and waits until its parameters render. */
export async function openNodePanel(page: Page, nodeName: string): Promise<void> {
	const node = canvasNode(page, nodeName);
	await node.waitFor({ state: 'visible' });
	await node.dblclick();
	await page.getByTestId('ndv').waitFor({ state: 'visible' });
	await page.getByTestId('node-parameters').waitFor({ state: 'visible' });
}

/** Closes the parameter panel. */
export async function closeNodePanel(page: Page): Promise<void> {
	const back = page.getByTestId('back-to-canvas');
	if (await back.isVisible().catch(() => false)) await back.click();
	else await page.keyboard.press('Escape');
	await page
		.getByTestId('ndv')
		.waitFor({ state: 'hidden', timeout: 10_000 })
		.catch(() => undefined);
}

/** Texts of the error toasts currently shown. */
export async function errorToasts(page: Page): Promise<string[]> {
	const toasts = page.locator('.el-notification:has(.el-notification--error)');
	return toasts.allInnerTexts();
}

/** Fails when the editor shows an error toast (waits briefly, since toasts appear asynchronously). */
export async function assertNoErrorToast(page: Page, settleMs = 500): Promise<void> {
	await page.waitForTimeout(settleMs);
	const errors = await errorToasts(page);
	if (errors.length > 0)
		throw new Error(`the editor shows error toast(s):\n${errors.join('\n---\n')}`);
}

/** Saves a PNG screenshot to docs/screenshots/<name>.png (or the given directory) and returns its path. */
export async function screenshot(
	page: Page,
	name: string,
	opts: { dir?: string; fullPage?: boolean } = {},
): Promise<string> {
	const dir = opts.dir ?? screenshotDir;
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, name.endsWith('.png') ? name : `${name}.png`);
	await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled' });
	return file;
}

/** Closes onboarding or announcement dialogs that can cover the canvas. */
export async function dismissModals(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) {
		const dialog = page.locator('.el-overlay-dialog:visible, .el-dialog:visible').first();
		if (!(await dialog.isVisible().catch(() => false))) return;
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

function cssEscape(value: string): string {
	return value.replace(/["\\]/g, '\\$&');
}

/**
 * Whether a canvas node's icon rendered: an <img> that loaded (file: icons are served by n8n from the
 * package) or an inline <svg>/font icon. Returns a description of what was found, for assertions.
 */
export async function canvasNodeIcon(
	page: Page,
	nodeName: string,
): Promise<{ kind: 'img' | 'svg' | 'none'; src?: string; loaded: boolean }> {
	const node = canvasNode(page, nodeName);
	await node.waitFor({ state: 'visible' });
	const img = node.locator('img').first();
	if ((await img.count()) > 0) {
		await img.evaluate((el: HTMLImageElement) =>
			el.complete
				? undefined
				: new Promise((resolve) => {
						el.onload = el.onerror = () => resolve(undefined);
					}),
		);
		const { src, width } = await img.evaluate((el: HTMLImageElement) => ({
			src: el.currentSrc || el.src,
			width: el.naturalWidth,
		}));
		return { kind: 'img', src, loaded: width > 0 };
	}
	const svg = node.locator('svg').first();
	if ((await svg.count()) > 0) return { kind: 'svg', loaded: true };
	return { kind: 'none', loaded: false };
}
