/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The reason, diagnosis and outcome tables in the docs are generated from the constants the nodes use:
 * this fails when a table and the code differ (run `npm run docs` to regenerate).
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { REASON_CODES } from '../../core/types';
import {
	GENERATED_FILES,
	LANGUAGES,
	TABLES,
	generatedBlocks,
	renderGenerated,
} from '../../scripts/docs/tables';

const read = (file: string) => readFileSync(join(__dirname, '..', '..', file), 'utf8');

describe('generated documentation tables', () => {
	test.each(GENERATED_FILES)('%s matches the constants', (file) => {
		const text = read(file);
		expect(generatedBlocks(text).length).toBeGreaterThan(0);
		expect(text).toBe(renderGenerated(text));
	});

	test('every table appears in the English docs', () => {
		const blocks = GENERATED_FILES.flatMap((file) => generatedBlocks(read(file)));
		for (const name of Object.keys(TABLES)) expect(blocks).toContain(`${name}:en`);
	});

	test('every table appears in the Chinese docs (docs/zh-CN)', () => {
		const files = GENERATED_FILES.filter((file) => file.startsWith('docs/zh-CN/'));
		const blocks = files.flatMap((file) => generatedBlocks(read(file)));
		for (const name of Object.keys(TABLES)) expect(blocks).toContain(`${name}:zh-CN`);
	});

	test('a changed description makes the check fail', () => {
		const text = read('docs/nodes/send-with-verification.md');
		const stale = text.replace(
			/\| `muted` \| [^\n]*/,
			'| `muted` | terminal | old text | old action |',
		);
		expect(stale).not.toBe(text);
		expect(renderGenerated(stale)).toBe(text);
	});

	test.each(Object.keys(LANGUAGES))('language %s renders a row for every reason code', (code) => {
		const table = TABLES.reasons(LANGUAGES[code]);
		for (const reason of REASON_CODES) expect(table).toContain(`| \`${reason}\` |`);
	});
});

describe('codex documentation links', () => {
	const anchorOf = (heading: string) =>
		heading
			.trim()
			.toLowerCase()
			.replace(/[^\w\- ]/g, '')
			.replace(/ /g, '-');
	const readme = read('README.md');
	const anchors = new Set(
		readme
			.split('\n')
			.filter((line) => /^#{1,6} /.test(line))
			.map((line) => anchorOf(line.replace(/^#+ /, ''))),
	);
	const codexFiles = readdirSync(join(__dirname, '..', '..', 'nodes')).flatMap((folder) =>
		existsSync(join(__dirname, '..', '..', 'nodes', folder, `${folder}.node.json`))
			? [`nodes/${folder}/${folder}.node.json`]
			: [],
	);

	test.each(codexFiles)('%s links to a README heading', (file) => {
		const codex = JSON.parse(read(file)) as { resources?: Record<string, Array<{ url: string }>> };
		const urls = Object.values(codex.resources ?? {})
			.flat()
			.map((resource) => resource.url);
		expect(urls.length).toBeGreaterThan(0);
		for (const url of urls.filter((u) =>
			u.includes('npmjs.com/package/n8n-nodes-onebot-sentinel#'),
		)) {
			expect(anchors).toContain(url.split('#')[1]);
		}
	});
});
