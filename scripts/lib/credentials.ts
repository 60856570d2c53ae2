/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * The example credentials (examples/credentials.simulator.json: fixed ids the example workflows reference),
 * pointed at a running simulator or at real OneBot endpoints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CredentialJson } from './n8n';
import { repoRoot } from './paths';
import type { SimulatorReady } from './simulatorProcess';

export const exampleCredentialsFile = path.join(repoRoot, 'examples', 'credentials.simulator.json');

export function loadExampleCredentials(): CredentialJson[] {
	if (!fs.existsSync(exampleCredentialsFile)) return [];
	return JSON.parse(fs.readFileSync(exampleCredentialsFile, 'utf8'));
}

/** Replaces the origin of a URL on the n8n instance (report URLs) with n8nBaseUrl, keeping the path. */
function rebase(url: unknown, n8nBaseUrl?: string): unknown {
	if (typeof url !== 'string' || !url || !n8nBaseUrl) return url;
	const u = new URL(url);
	return new URL(u.pathname + u.search, n8nBaseUrl).toString();
}

/**
 * The example credentials pointed at the simulator's accounts: oneBotApi → account "bot", oneBotWitnessApi →
 * "witness", napCatWebUiApi → the bot's WebUI, dockerEngineApi → the simulated Docker Engine API. Report URLs
 * keep their webhook path on n8nBaseUrl.
 */
export function simulatorCredentials(sim: SimulatorReady, n8nBaseUrl?: string): CredentialJson[] {
	const bot = sim.accounts.bot;
	const witness = sim.accounts.witness;
	return loadExampleCredentials().map((cred) => {
		const data = { ...cred.data };
		switch (cred.type) {
			case 'oneBotApi':
				Object.assign(data, { baseUrl: bot.http, accessToken: bot.token, wsUrl: bot.ws });
				break;
			case 'oneBotWitnessApi':
				if (witness)
					Object.assign(data, {
						baseUrl: witness.http,
						accessToken: witness.token,
						wsUrl: witness.ws,
					});
				break;
			case 'napCatWebUiApi':
				Object.assign(data, {
					baseUrl: bot.webui ?? sim.webui,
					token: bot.webuiToken ?? data.token,
				});
				break;
			case 'dockerEngineApi':
				Object.assign(data, { baseUrl: sim.docker });
				break;
		}
		if ('reportUrl' in data) data.reportUrl = rebase(data.reportUrl, n8nBaseUrl);
		return { ...cred, data };
	});
}

/** Real endpoints, from the environment (see scripts/start.sh). */
export interface RealEndpoints {
	botUrl: string;
	botToken?: string;
	botWsUrl?: string;
	witnessUrl?: string;
	witnessToken?: string;
	witnessWsUrl?: string;
	webuiUrl?: string;
	webuiToken?: string;
	reportSecret?: string;
}

export function realEndpointsFromEnv(
	env: NodeJS.ProcessEnv = process.env,
): RealEndpoints | undefined {
	if (!env.ONEBOT_URL) return undefined;
	return {
		botUrl: env.ONEBOT_URL,
		botToken: env.ONEBOT_TOKEN,
		botWsUrl: env.ONEBOT_WS_URL,
		witnessUrl: env.ONEBOT_WITNESS_URL,
		witnessToken: env.ONEBOT_WITNESS_TOKEN,
		witnessWsUrl: env.ONEBOT_WITNESS_WS_URL,
		webuiUrl: env.NAPCAT_WEBUI_URL,
		webuiToken: env.NAPCAT_WEBUI_TOKEN,
		reportSecret: env.ONEBOT_REPORT_SECRET,
	};
}

/**
 * The example credentials pointed at real endpoints. Credentials whose endpoint was not given are left out
 * (the example nodes then show them as missing rather than pointing somewhere that does not exist).
 */
export function realCredentials(
	real: RealEndpoints,
	n8nBaseUrl?: string,
): { credentials: CredentialJson[]; skipped: string[] } {
	const credentials: CredentialJson[] = [];
	const skipped: string[] = [];
	for (const cred of loadExampleCredentials()) {
		const data = { ...cred.data };
		if (cred.type === 'oneBotApi') {
			Object.assign(data, {
				baseUrl: real.botUrl,
				accessToken: real.botToken ?? '',
				wsUrl: real.botWsUrl ?? '',
			});
			if (real.reportSecret) data.reportSecret = real.reportSecret;
		} else if (cred.type === 'oneBotWitnessApi' && real.witnessUrl) {
			Object.assign(data, {
				baseUrl: real.witnessUrl,
				accessToken: real.witnessToken ?? '',
				wsUrl: real.witnessWsUrl ?? '',
			});
		} else if (cred.type === 'napCatWebUiApi' && real.webuiUrl) {
			Object.assign(data, { baseUrl: real.webuiUrl, token: real.webuiToken ?? '' });
		} else {
			skipped.push(`${cred.name} (${cred.type})`);
			continue;
		}
		if ('reportUrl' in data) data.reportUrl = rebase(data.reportUrl, n8nBaseUrl);
		// Same id (the examples reference it), a name that no longer says "simulator".
		credentials.push({ ...cred, name: cred.name.replace(/\s*\(simulator\)/, ''), data });
	}
	return { credentials, skipped };
}

/** Every workflow in examples/ (each *.json that is a workflow, not a credentials file). */
export function loadExampleWorkflows(): Array<{ file: string; workflow: any }> {
	const dir = path.join(repoRoot, 'examples');
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => ({
			file: path.join(dir, f),
			workflow: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
		}))
		.filter(
			({ workflow }) => workflow && !Array.isArray(workflow) && Array.isArray(workflow.nodes),
		);
}

/** Whether a workflow starts from an HTTP endpoint (so it should be active to receive calls). */
export function isWebhookDriven(workflow: { nodes: Array<{ type: string }> }): boolean {
	return workflow.nodes.some(
		(n) => n.type === 'n8n-nodes-base.webhook' || /\.oneBotDeliveryFailureTrigger$/.test(n.type),
	);
}
