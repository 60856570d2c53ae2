/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * Every relative link in the docs points to a file of this repository: moved or renamed docs otherwise leave
 * readers with dead links. The READMEs are also read where the package ships no docs/ (npmjs.com, n8n's Docs
 * button), so they link only absolutely, and every link into the repository (READMEs, docs, the nodes' and
 * credentials' documentation URLs) names a file or folder that exists on main.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';
import { REPOSITORY_URL, repositoryLinks, unresolvedRepositoryLink } from '../support/repoLinks';

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

const READMES = ['README.md', 'README.zh-CN.md'];

/** The nodes' codex files and the credential sources: where n8n's Docs links come from. */
const codeFiles = [
	...readdirSync(join(root, 'nodes'))
		.map((folder) => join(root, 'nodes', folder, `${folder}.node.json`))
		.filter((file) => existsSync(file)),
	...readdirSync(join(root, 'credentials'))
		.filter((name) => name.endsWith('.credentials.ts'))
		.map((name) => join(root, 'credentials', name)),
];

describe('documentation links', () => {
	test('the docs have links to check', () => {
		const docs = files.filter((file) => !READMES.includes(relative(root, file)));
		const count = docs.reduce(
			(sum, file) => sum + relativeTargets(readFileSync(file, 'utf8')).length,
			0,
		);
		expect(count).toBeGreaterThan(20);
	});

	test.each(READMES)('%s: no relative link (npmjs.com and n8n show it without docs/)', (file) => {
		expect(relativeTargets(readFileSync(join(root, file), 'utf8'))).toEqual([]);
	});

	test.each(READMES)('%s links into the repository', (file) => {
		expect(repositoryLinks(readFileSync(join(root, file), 'utf8')).length).toBeGreaterThan(10);
	});

	test.each([...files, ...codeFiles].map((file) => relative(root, file)))(
		'%s: every link into the repository names a file or folder on main',
		(file) => {
			const links = repositoryLinks(readFileSync(join(root, file), 'utf8'));
			expect(links.map(unresolvedRepositoryLink).filter(Boolean)).toEqual([]);
		},
	);

	test('a node guide per node and a guide section per credential: every Docs link is a repository link', () => {
		const primary = codeFiles
			.filter((file) => file.endsWith('.node.json'))
			.flatMap((file) => {
				const codex = JSON.parse(readFileSync(file, 'utf8')) as {
					resources: { primaryDocumentation: Array<{ url: string }> };
				};
				return codex.resources.primaryDocumentation.map((link) => link.url);
			});
		const credentials = codeFiles
			.filter((file) => file.endsWith('.credentials.ts'))
			.map((file) => /documentationUrl\s*=\s*'([^']+)'/.exec(readFileSync(file, 'utf8'))?.[1]);
		expect(primary).toHaveLength(4);
		expect(credentials).toHaveLength(5);
		for (const url of [...primary, ...credentials]) {
			expect(url).toMatch(new RegExp(`^${REPOSITORY_URL}/blob/main/docs/`));
		}
	});

	test('the check finds a dead link, a folder given as a file and a missing heading', () => {
		expect(unresolvedRepositoryLink(`${REPOSITORY_URL}/blob/main/docs/nope.md`)).toMatch(/no docs/);
		expect(unresolvedRepositoryLink(`${REPOSITORY_URL}/blob/main/docs`)).toMatch(/is a folder/);
		expect(unresolvedRepositoryLink(`${REPOSITORY_URL}/blob/main/README.md#nope`)).toMatch(
			/no heading/,
		);
		expect(
			unresolvedRepositoryLink(`${REPOSITORY_URL}/blob/main/README.md#install-in-n8n`),
		).toBeNull();
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
