/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The Chinese docs are complete translations, not summaries of some sections: every English page a user needs has a
 * Chinese counterpart with the same heading structure (the same number of headings, at the same levels, in the
 * same order), each page links to its counterpart, and the Chinese pages use the terms of docs/zh-CN/glossary.md.
 */
import { existsSync, readFileSync } from 'fs';
import { basename, join } from 'path';

const root = join(__dirname, '..', '..');

/** English page → Chinese page. */
const PAIRS: Array<[string, string]> = [
	['docs/setup/napcat-docker.md', 'docs/zh-CN/setup/napcat-docker.md'],
	['docs/setup/llonebot.md', 'docs/zh-CN/setup/llonebot.md'],
	['docs/setup/lagrange.md', 'docs/zh-CN/setup/lagrange.md'],
	['docs/setup/first-verified-message.md', 'docs/zh-CN/setup/first-verified-message.md'],
	['docs/troubleshooting.md', 'docs/zh-CN/troubleshooting.md'],
	['docs/recipes.md', 'docs/zh-CN/recipes.md'],
	['docs/kernel-confirmed.md', 'docs/zh-CN/kernel-confirmed.md'],
	['docs/send-output.md', 'docs/zh-CN/send-output.md'],
	['docs/pacing.md', 'docs/zh-CN/pacing.md'],
	['docs/queue-mode.md', 'docs/zh-CN/queue-mode.md'],
	['docs/compatibility.md', 'docs/zh-CN/compatibility.md'],
	['docs/agent-tools.md', 'docs/zh-CN/agent-tools.md'],
	['examples/README.md', 'docs/zh-CN/examples.md'],
];

/** The node guides: written and expanded with the node code (docs/nodes/*.md, docs/zh-CN/nodes/*.md). */
const NODE_GUIDE_PAIRS: Array<[string, string]> = [
	'send-with-verification',
	'health-probe',
	'restart-client',
	'delivery-failure-trigger',
].map((name) => [`docs/nodes/${name}.md`, `docs/zh-CN/nodes/${name}.md`]);

/** Terms the glossary replaces (docs/zh-CN/glossary.md, column 不用). */
const AVOIDED_TERMS: Array<[RegExp, string]> = [
	[/实现端/g, '协议端'],
	[/见证账号|见证验证/g, '小号'],
	[/探针/g, '探测消息'],
	[/断路器/g, '熔断器'],
	// LLOneBot's own settings label 「上报离线消息」 is quoted as its UI shows it.
	[/(?<!上报)离线/g, '掉线'],
];

function read(path: string): string {
	return readFileSync(join(root, path), 'utf8');
}

/** Heading levels in order, outside fenced code blocks: ['#', '##', '###', ...]. */
function headingLevels(text: string): string[] {
	const prose = text.replace(/```[\s\S]*?```/g, '');
	return [...prose.matchAll(/^(#{1,6})\s+\S/gm)].map((match) => match[1]);
}

function avoidedTermsIn(text: string): string[] {
	return AVOIDED_TERMS.flatMap(([pattern, instead]) =>
		[...text.matchAll(pattern)].map((match) => `${match[0]} (use ${instead})`),
	);
}

describe.each([
	['Chinese pages', PAIRS],
	['Chinese node guides', NODE_GUIDE_PAIRS],
])('%s', (_name, pairs) => {
	test.each(pairs)('%s and %s exist and link to each other', (english, chinese) => {
		expect(existsSync(join(root, english))).toBe(true);
		expect(existsSync(join(root, chinese))).toBe(true);
		expect(read(chinese)).toContain(`${basename(english)}`);
	});

	test.each(pairs)('%s: the Chinese page has the same heading structure', (english, chinese) => {
		expect({ page: chinese, headings: headingLevels(read(chinese)) }).toEqual({
			page: chinese,
			headings: headingLevels(read(english)),
		});
	});

	test.each(pairs.map(([, chinese]) => chinese))('%s uses the glossary terms', (chinese) => {
		expect({ page: chinese, avoided: avoidedTermsIn(read(chinese)) }).toEqual({
			page: chinese,
			avoided: [],
		});
	});
});

describe('Chinese wording outside the pages', () => {
	test.each(['README.zh-CN.md', 'core/descriptions.zh-CN.ts', 'docs/zh-CN/glossary.md'])(
		'%s uses the glossary terms',
		(path) => {
			// The glossary names the avoided terms in its own column; everything else may not.
			const text =
				path === 'docs/zh-CN/glossary.md'
					? read(path)
							.split('\n')
							.map((line) => line.replace(/\|[^|]*\|\s*$/, '|'))
							.join('\n')
					: read(path);
			expect({ path, avoided: avoidedTermsIn(text) }).toEqual({ path, avoided: [] });
		},
	);

	test('every Chinese page links to the glossary or is linked from it', () => {
		const pages = PAIRS.map(([, chinese]) => chinese).filter(
			(page) => !page.startsWith('docs/zh-CN/examples') && !page.endsWith('agent-tools.md'),
		);
		for (const page of pages)
			expect({ page, linksGlossary: read(page).includes('glossary.md') }).toEqual({
				page,
				linksGlossary: true,
			});
	});
});
