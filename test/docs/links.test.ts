/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * Every relative link in the READMEs and docs/ points to a file of this repository: moved or renamed docs
 * otherwise leave readers (and the npm page) with dead links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';

const root = join(__dirname, '..', '..');

function markdownFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) return markdownFiles(full);
		return name.endsWith('.md') ? [full] : [];
	});
}

const files = [
	join(root, 'README.md'),
	join(root, 'README.zh-CN.md'),
	join(root, 'CONTRIBUTING.md'),
	...markdownFiles(join(root, 'docs')),
].filter((file) => existsSync(file));

/** Markdown link targets `](target)`, outside code spans and fenced blocks. */
function relativeTargets(text: string): string[] {
	const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
	return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
		.map((match) => match[1])
		.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'));
}

describe('documentation links', () => {
	test('the docs have links to check', () => {
		const count = files.reduce(
			(sum, file) => sum + relativeTargets(readFileSync(file, 'utf8')).length,
			0,
		);
		expect(count).toBeGreaterThan(20);
	});

	test.each(files.map((file) => relative(root, file)))(
		'%s: every relative link resolves',
		(file) => {
			const text = readFileSync(join(root, file), 'utf8');
			const dead = relativeTargets(text).filter((target) => {
				const path = decodeURIComponent(target.split('#')[0]);
				return !existsSync(join(dirname(join(root, file)), path));
			});
			expect(dead).toEqual([]);
		},
	);
});
