/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The NapCat-in-Docker setup: docs/setup/napcat-docker/docker-compose.yml, the OneBot settings file it mounts,
 * and the guides that describe them (docs/zh-CN/setup/napcat-docker.md, docs/setup/napcat-docker.md). The
 * compose file is parsed as YAML; the addresses the guides tell users to type into n8n are derived from it;
 * the socket proxy's allowlist is applied to the requests the Restart Client really makes.
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { parse } from 'yaml';
import { DockerEngineApi } from '../../credentials/DockerEngineApi.credentials';
import { NapCatWebUiApi } from '../../credentials/NapCatWebUiApi.credentials';
import { OneBotApi } from '../../credentials/OneBotApi.credentials';
import { OneBotWitnessApi } from '../../credentials/OneBotWitnessApi.credentials';
import { oneBotConnectionProperties } from '../../credentials/oneBotConnection';
import { dockerContainerStartedAt, restartViaDocker } from '../../core/restart/methods/docker';
import type { HttpRequest } from '../../core/transport';
import { OneBotDeliveryFailureTrigger } from '../../nodes/OneBotDeliveryFailureTrigger/OneBotDeliveryFailureTrigger.node';

const root = join(__dirname, '..', '..');
const composePath = join(root, 'docs/setup/napcat-docker/docker-compose.yml');
const guides = ['docs/zh-CN/setup/napcat-docker.md', 'docs/setup/napcat-docker.md'];

interface Service {
	image: string;
	container_name?: string;
	environment?: Record<string, string>;
	mac_address?: string;
	ports?: string[];
	volumes?: string[];
	networks?: string[];
	command?: string[];
	user?: string;
	read_only?: boolean;
}
interface Compose {
	services: Record<string, Service>;
	networks: Record<string, unknown>;
	volumes?: Record<string, unknown>;
}
interface NetworkEntry {
	enable: boolean;
	host?: string;
	port?: number;
	url?: string;
	token: string;
	reportSelfMessage?: boolean;
	messagePostFormat: string;
}
interface OneBot11 {
	network: {
		httpServers: NetworkEntry[];
		httpClients: NetworkEntry[];
		websocketServers: NetworkEntry[];
		websocketClients: NetworkEntry[];
	};
}

const compose = parse(readFileSync(composePath, 'utf8')) as Compose;
const { napcat, n8n } = compose.services;
const proxy = compose.services['docker-socket-proxy'];

/** `source:target` of a service's volumes, the source resolved against the compose file's folder. */
function mounts(service: Service): Array<{ source: string; target: string }> {
	return (service.volumes ?? []).map((volume) => {
		const [source, target] = volume.split(':');
		return { source, target };
	});
}

const settingsMount = mounts(napcat).find((m) => /onebot11/.test(m.target))!;
const settings = JSON.parse(
	readFileSync(join(dirname(composePath), settingsMount.source), 'utf8'),
) as OneBot11;
const httpServer = settings.network.httpServers.find((entry) => entry.enable)!;
const wsServer = settings.network.websocketServers.find((entry) => entry.enable)!;
const httpClient = settings.network.httpClients[0];

/** wollomatic/socket-proxy anchors every allowlist regex with ^ and $ and matches the request path. */
function allowlist(method: 'GET' | 'POST'): RegExp[] {
	return (proxy.command ?? [])
		.filter((arg) => arg.startsWith(`-allow${method}=`))
		.map((arg) => new RegExp(`^(?:${arg.slice(`-allow${method}=`.length)})$`));
}
function allowed(method: string, path: string): boolean {
	if (method !== 'GET' && method !== 'POST') return false;
	return allowlist(method).some((regex) => regex.test(path));
}

describe('NapCat in Docker: the compose file', () => {
	test('NapCat, n8n and the proxy share one declared network', () => {
		const [network] = Object.keys(compose.networks);
		expect(Object.keys(compose.networks)).toHaveLength(1);
		for (const service of [napcat, n8n, proxy]) expect(service.networks).toEqual([network]);
	});

	test('the QQ login survives a container restart: data volume, config volume, fixed MAC, quick login', () => {
		const targets = mounts(napcat).map((m) => m.target);
		expect(targets).toEqual(expect.arrayContaining(['/app/.config/QQ', '/app/napcat/config']));
		expect(napcat.mac_address).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
		expect(napcat.environment?.ACCOUNT).toBe('${BOT_QQ}');
		expect(napcat.container_name).toBe('napcat');
	});

	test('n8n keeps its data (and the installed community nodes) and publishes 5678', () => {
		expect(n8n.image).toBe('n8nio/n8n:2.41.1');
		expect(mounts(n8n).map((m) => m.target)).toContain('/home/node/.n8n');
		expect(Object.keys(compose.volumes ?? {})).toContain(mounts(n8n)[0].source);
		expect(n8n.ports).toEqual(['5678:5678']);
	});

	test('only the NapCat WebUI is published; the OneBot ports stay inside the network', () => {
		expect(napcat.ports).toEqual(['6099:6099']);
		expect(proxy.ports).toBeUndefined();
	});
});

describe('NapCat in Docker: the OneBot settings file it mounts', () => {
	test('is read by NapCat for this account: onebot11_<QQ number>.json in its config folder', () => {
		expect(settingsMount.target).toBe('/app/napcat/config/onebot11_${BOT_QQ}.json');
		expect(existsSync(join(dirname(composePath), settingsMount.source))).toBe(true);
	});

	test('HTTP server on 0.0.0.0:3000 with a token (the Base URL and Access Token)', () => {
		expect(httpServer).toMatchObject({ host: '0.0.0.0', port: 3000, messagePostFormat: 'array' });
		expect(httpServer.token.length).toBeGreaterThan(0);
	});

	test('WebSocket server on 0.0.0.0:3001 reporting self messages (the Event WebSocket URL)', () => {
		expect(wsServer).toMatchObject({ host: '0.0.0.0', port: 3001, reportSelfMessage: true });
		expect(wsServer.token).toBe(httpServer.token);
	});

	test("HTTP client posting to the trigger's production URL through the n8n service name", () => {
		const [webhook] = new OneBotDeliveryFailureTrigger().description.webhooks!;
		expect(httpClient.url).toMatch(
			new RegExp(`^http://n8n:5678/webhook/[^/]+/${webhook.path as string}$`),
		);
		// Same token as the HTTP server: the credential's Access Token then also checks X-Signature.
		expect(httpClient.token).toBe(httpServer.token);
	});

	test('the guides name these addresses, and the credential fields they go into', () => {
		const fieldNames = oneBotConnectionProperties.map((p) => p.displayName);
		for (const guide of guides) {
			const text = readFileSync(join(root, guide), 'utf8');
			for (const expected of [
				`http://napcat:${httpServer.port}`,
				`ws://napcat:${wsServer.port}`,
				'http://n8n:5678/webhook/',
				'http://docker-socket-proxy:2375',
				'docker-compose.yml',
				'onebot11.json',
				'mac_address',
				'/app/.config/QQ',
				'HTTP服务器',
				'Websocket服务器',
				'HTTP客户端',
				'上报自身消息',
				...fieldNames.filter((name) => name !== 'Event Signing Secret'),
			])
				expect({ guide, mentions: expected, found: text.includes(expected) }).toEqual({
					guide,
					mentions: expected,
					found: true,
				});
		}
	});
});

describe('NapCat in Docker: the restart-only socket proxy', () => {
	test('the Docker Engine API credential points at it by default', () => {
		const baseUrl = new DockerEngineApi().properties.find((p) => p.name === 'baseUrl')!;
		expect(baseUrl.default).toBe(`http://docker-socket-proxy:2375`);
		expect(proxy.command).toEqual(expect.arrayContaining(['-allowfrom=n8n', '-listenip=0.0.0.0']));
		expect(mounts(proxy)).toEqual([
			{ source: '/var/run/docker.sock', target: '/var/run/docker.sock' },
		]);
		expect(proxy.volumes![0]).toMatch(/:ro$/);
	});

	test('allows only GET and POST, each with one rule', () => {
		const rules = (proxy.command ?? []).filter(
			(arg) => arg.startsWith('-allow') && !arg.startsWith('-allowfrom'),
		);
		expect(rules.map((arg) => arg.split('=')[0]).sort()).toEqual(['-allowGET', '-allowPOST']);
	});

	test('the requests the Restart Client makes are allowed: inspect and restart of that container', async () => {
		const seen: HttpRequest[] = [];
		const request = async (req: HttpRequest) => {
			seen.push(req);
			return req.method === 'GET'
				? { status: 200, body: { State: { StartedAt: '2026-12-01T00:00:00.000000000Z' } } }
				: { status: 204, body: '' };
		};
		for (const base of [
			'http://docker-socket-proxy:2375',
			'http://docker-socket-proxy:2375/v1.43',
		]) {
			const options = { baseUrl: base, container: 'napcat', request, timeoutMs: 1000 };
			await dockerContainerStartedAt(options);
			await restartViaDocker({ ...options, stopTimeoutSeconds: 10 });
		}
		const credentialTest = new DockerEngineApi().test.request;
		const calls = [
			...seen.map((req) => ({ method: req.method, path: new URL(req.url).pathname })),
			{ method: credentialTest.method ?? 'GET', path: credentialTest.url! },
		];
		expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
			'GET /containers/napcat/json',
			'POST /containers/napcat/restart',
			'GET /v1.43/containers/napcat/json',
			'POST /v1.43/containers/napcat/restart',
			'GET /_ping',
		]);
		for (const call of calls)
			expect({ ...call, allowed: allowed(call.method, call.path) }).toEqual({
				...call,
				allowed: true,
			});
	});

	test.each([
		['POST', '/containers/create'],
		['POST', '/v1.43/containers/create'],
		['POST', '/containers/napcat/exec'],
		['POST', '/exec/abc/start'],
		['POST', '/containers/napcat/start'],
		['POST', '/containers/napcat/stop'],
		['POST', '/containers/napcat/kill'],
		['POST', '/containers/napcat/update'],
		['POST', '/containers/n8n/restart'],
		['POST', '/containers/napcat-2/restart'],
		['POST', '/containers/napcat/restart/x'],
		['DELETE', '/containers/napcat'],
		['PUT', '/containers/napcat/archive'],
		['GET', '/containers/json'],
		['GET', '/containers/n8n/json'],
		['GET', '/containers/napcat/archive'],
		['GET', '/containers/napcat/logs'],
		['GET', '/images/json'],
		['POST', '/images/create'],
		['POST', '/volumes/create'],
		['GET', '/version'],
	])('refuses %s %s', (method, path) => {
		expect(allowed(method, path)).toBe(false);
	});
});

describe('the setup guides', () => {
	// The credential forms are shot by the editor e2e as docs/screenshots/credential-<credential type name>.png.
	test.each([...guides, 'docs/setup/llonebot.md', 'docs/zh-CN/setup/llonebot.md'])(
		'%s shows credential screenshots of real credential types',
		(guide) => {
			const names = new Set(
				[new OneBotApi(), new OneBotWitnessApi(), new DockerEngineApi(), new NapCatWebUiApi()].map(
					(credential) => credential.name,
				),
			);
			const shown = [
				...readFileSync(join(root, guide), 'utf8').matchAll(/screenshots\/credential-(\w+)\.png/g),
			].map((match) => match[1]);
			expect(shown.length).toBeGreaterThan(0);
			for (const name of shown)
				expect({ guide, name, known: names.has(name) }).toEqual({ guide, name, known: true });
		},
	);
});
