/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling, runs outside n8n */
/**
 * What the n8n editor shows of the package: credential selectors told apart by their labels, codex aliases
 * for the node panel search, documentation links that point somewhere that exists, and a description on
 * every parameter and option, with its unit on every number.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
	ICredentialType,
	INodeProperties,
	INodePropertyCollection,
	INodeType,
} from 'n8n-workflow';
import { OneBotDeliveryFailureTrigger } from '../../nodes/OneBotDeliveryFailureTrigger/OneBotDeliveryFailureTrigger.node';
import { OneBotHealthProbe } from '../../nodes/OneBotHealthProbe/OneBotHealthProbe.node';
import { OneBotRestartClient } from '../../nodes/OneBotRestartClient/OneBotRestartClient.node';
import { OneBotSendWithVerification } from '../../nodes/OneBotSendWithVerification/OneBotSendWithVerification.node';
import { DockerEngineApi } from '../../credentials/DockerEngineApi.credentials';
import { NapCatWebUiApi } from '../../credentials/NapCatWebUiApi.credentials';
import { OneBotApi } from '../../credentials/OneBotApi.credentials';
import { OneBotRestartEndpointApi } from '../../credentials/OneBotRestartEndpointApi.credentials';
import { OneBotWitnessApi } from '../../credentials/OneBotWitnessApi.credentials';

const root = path.resolve(__dirname, '../..');
const packageName = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
	.name as string;
const nodes: Array<[string, INodeType]> = [
	['OneBotSendWithVerification', new OneBotSendWithVerification()],
	['OneBotHealthProbe', new OneBotHealthProbe()],
	['OneBotRestartClient', new OneBotRestartClient()],
	['OneBotDeliveryFailureTrigger', new OneBotDeliveryFailureTrigger()],
];
const credentialTypes = new Map<string, ICredentialType>(
	[
		new OneBotApi(),
		new OneBotWitnessApi(),
		new NapCatWebUiApi(),
		new DockerEngineApi(),
		new OneBotRestartEndpointApi(),
	].map((credential) => [credential.name, credential]),
);

interface Codex {
	node: string;
	alias?: string[];
	resources: {
		primaryDocumentation?: Array<{ url: string }>;
		credentialDocumentation?: Array<{ url: string }>;
	};
}
const codexOf = (folder: string): Codex =>
	JSON.parse(
		fs.readFileSync(path.join(root, 'nodes', folder, `${folder}.node.json`), 'utf8'),
	) as Codex;

/** GitHub's and npm's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function readmeAnchors(): Set<string> {
	const anchors = new Set<string>();
	const counts = new Map<string, number>();
	let fenced = false;
	for (const line of fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.trim()
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const seen = counts.get(slug) ?? 0;
		counts.set(slug, seen + 1);
		anchors.add(seen ? `${slug}-${seen}` : slug);
	}
	return anchors;
}

/** A link resolves when it is https and, if it points into this package's npm page, its anchor is a README heading. */
function unresolved(url: string, anchors: Set<string>): string | null {
	const parsed = new URL(url);
	if (parsed.protocol !== 'https:') return `${url}: not https`;
	if (
		parsed.hostname === 'www.npmjs.com' &&
		parsed.pathname === `/package/${packageName}` &&
		parsed.hash
	) {
		return anchors.has(decodeURIComponent(parsed.hash.slice(1)))
			? null
			: `${url}: no README heading "${parsed.hash}"`;
	}
	return null;
}

describe('credential selectors', () => {
	it.each(nodes)(
		'%s: every credential selector has its own label naming its role',
		(_folder, node) => {
			const entries = node.description.credentials ?? [];
			const labels = entries.map((entry) => entry.displayName);
			expect(labels.every((label) => typeof label === 'string' && label.length > 3)).toBe(true);
			expect(new Set(labels).size).toBe(labels.length);
		},
	);

	it('Send With Verification tells the bot from the witness', () => {
		const labels = Object.fromEntries(
			(new OneBotSendWithVerification().description.credentials ?? []).map((entry) => [
				entry.name,
				entry.displayName,
			]),
		);
		expect(labels.oneBotApi).toMatch(/^Bot Account/);
		expect(labels.oneBotWitnessApi).toMatch(/^Witness Account/);
	});
});

describe('codex files', () => {
	const common = ['QQ', 'OneBot', 'NapCat', 'LLOneBot', 'Lagrange', 'go-cqhttp'];

	it.each(nodes)('%s: names the node and carries the implementation aliases', (folder, node) => {
		const codex = codexOf(folder);
		expect(codex.node).toBe(`${packageName}.${node.description.name}`);
		expect(codex.alias).toEqual(expect.arrayContaining(common));
	});

	it('the Chinese terms users search for find the nodes they mean', () => {
		expect(codexOf('OneBotSendWithVerification').alias).toContain('群消息');
		expect(codexOf('OneBotHealthProbe').alias).toContain('群消息');
		expect(codexOf('OneBotDeliveryFailureTrigger').alias).toContain('群消息');
		expect(codexOf('OneBotRestartClient').alias).toContain('重启');
	});

	it.each(nodes)(
		'%s: credential documentation lists the documentationUrl of each credential the node uses',
		(folder, node) => {
			const expected = [
				...new Set(
					(node.description.credentials ?? []).map(
						(entry) => credentialTypes.get(entry.name)!.documentationUrl,
					),
				),
			];
			expect(codexOf(folder).resources.credentialDocumentation?.map((link) => link.url)).toEqual(
				expected,
			);
		},
	);

	it('every documentation link of the nodes and credentials resolves', () => {
		const anchors = readmeAnchors();
		const links = [
			...nodes.flatMap(([folder]) => {
				const { primaryDocumentation = [], credentialDocumentation = [] } =
					codexOf(folder).resources;
				return [...primaryDocumentation, ...credentialDocumentation].map((link) => link.url);
			}),
			...[...credentialTypes.values()].map((credential) => credential.documentationUrl!),
		];
		expect(links.length).toBeGreaterThan(nodes.length);
		expect(links.map((url) => unresolved(url, anchors)).filter(Boolean)).toEqual([]);
	});
});

describe('parameter and option descriptions', () => {
	/** A number says what it counts or measures: a time unit, or what is counted. */
	const UNIT =
		/\b(ms|milliseconds?|seconds?|minutes?|hours?|days?|attempts?|messages?|sends?|restarts?|runs?|results?|items?|calls?|characters?|entries|times|percent)\b|%/i;

	function problems(properties: INodeProperties[], where: string): string[] {
		return properties.flatMap((property) => {
			const here = `${where}${property.name}`;
			if (property.type === 'notice' || property.type === 'callout') return [];
			const own: string[] = [];
			if (!property.description) own.push(`${here}: no description`);
			if (
				property.type === 'number' &&
				!UNIT.test(`${property.displayName} ${property.description ?? ''}`)
			) {
				own.push(`${here}: no unit in "${property.displayName}" / "${property.description}"`);
			}
			if (property.type === 'options' || property.type === 'multiOptions') {
				for (const option of (property.options ?? []) as Array<{
					name: string;
					description?: string;
				}>) {
					if (!option.description) own.push(`${here} = ${option.name}: no description`);
				}
			}
			if (property.type === 'collection')
				return [...own, ...problems((property.options ?? []) as INodeProperties[], `${here}.`)];
			if (property.type === 'fixedCollection') {
				const values = ((property.options ?? []) as INodePropertyCollection[]).flatMap(
					(group) => group.values,
				);
				return [...own, ...problems(values, `${here}.`)];
			}
			return own;
		});
	}

	it.each(nodes)(
		'%s: every parameter and option has a description, every number its unit',
		(_folder, node) => {
			expect(problems(node.description.properties, '')).toEqual([]);
		},
	);
});
