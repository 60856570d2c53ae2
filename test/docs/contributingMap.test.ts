/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * CONTRIBUTING.md's map is true: every repository path its layout table and its "Life of a message" section
 * name (in backticks) exists, every top-level folder with TypeScript sources has a row, and every entry
 * directly in core/ is named in the table. Paths are written from the repository root; `<Node>` stands for
 * every node folder in nodes/ (shared/ aside), and no other placeholder is read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const contributing = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist']);

/** The text of a `## heading` section, up to the next `## ` heading. */
function section(text: string, heading: string): string {
	const lines = text.split('\n');
	const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
	if (start < 0) throw new Error(`CONTRIBUTING.md has no "## ${heading}" section`);
	const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
	return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The body rows of the first Markdown table in `text`, each as its cells. */
function tableRows(text: string): string[][] {
	const lines = text.split('\n').map((line) => line.trim());
	const header = lines.findIndex(
		(line, i) => line.startsWith('|') && /^\|\s*-{3}/.test(lines[i + 1] ?? ''),
	);
	if (header < 0) return [];
	const rows: string[][] = [];
	for (let i = header + 2; i < lines.length && lines[i].startsWith('|'); i++) {
		rows.push(
			lines[i]
				.slice(1, -1)
				.split('|')
				.map((cell) => cell.trim()),
		);
	}
	return rows;
}

const PATH = /^[\w.<>-]+(\/[\w.<>-]+)*\/?$/;
const FILE_EXTENSION = /\.(ts|mjs|js|sh|md|json|ya?ml|png|svg)$/;

/** Backticked spans that are repository paths: with a slash, or a file name with an extension. */
function repositoryPaths(text: string): string[] {
	const prose = text.replace(/```[\s\S]*?```/g, '');
	return [...prose.matchAll(/`([^`\n]+)`/g)]
		.map((match) => match[1])
		.filter((span) => PATH.test(span) && (span.includes('/') || FILE_EXTENSION.test(span)));
}

/** A path with `<Node>` as one path per node folder; any other placeholder is an error. */
function expand(path: string, nodeFolders: string[]): string[] {
	if (path.includes('<Node>')) return nodeFolders.map((node) => path.split('<Node>').join(node));
	return [path];
}

/** The named paths that do not exist under `base`, with the placeholders the check cannot read. */
function missingPaths(paths: string[], base: string, nodeFolders: string[]): string[] {
	return paths.flatMap((path) => {
		const expanded = expand(path, nodeFolders);
		if (expanded.some((p) => /[<>]/.test(p))) return [`${path} (placeholder not understood)`];
		return expanded
			.filter((p) => {
				const full = join(base, p);
				if (!existsSync(full)) return true;
				return p.endsWith('/') && !statSync(full).isDirectory();
			})
			.map((p) => (p === path ? p : `${p} (from ${path})`));
	});
}

function hasTypeScript(dir: string): boolean {
	return readdirSync(dir).some((name) => {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) return !SKIPPED_FOLDERS.has(name) && hasTypeScript(full);
		return name.endsWith('.ts');
	});
}

/** Top-level folders holding .ts files (not hidden, not installed or built). */
function sourceFolders(base: string): string[] {
	return readdirSync(base)
		.filter((name) => !name.startsWith('.') && !SKIPPED_FOLDERS.has(name))
		.filter((name) => statSync(join(base, name)).isDirectory() && hasTypeScript(join(base, name)))
		.map((name) => `${name}/`);
}

/** Every file and folder directly in core/, as the table names them (`core/x.ts`, `core/x/`). */
function coreEntries(base: string): string[] {
	return readdirSync(join(base, 'core')).map((name) =>
		statSync(join(base, 'core', name)).isDirectory() ? `core/${name}/` : `core/${name}`,
	);
}

/** Folders with no row of their own: no path in a row's first cell is the folder or inside it. */
function foldersWithoutRow(folders: string[], rows: string[][]): string[] {
	const firstCells = rows.flatMap((row) => repositoryPaths(row[0] ?? ''));
	return folders.filter(
		(folder) =>
			!firstCells.some(
				(path) => path === folder || path.startsWith(folder) || `${path}/` === folder,
			),
	);
}

const nodeFolders = readdirSync(join(root, 'nodes')).filter(
	(name) => name !== 'shared' && statSync(join(root, 'nodes', name)).isDirectory(),
);
const layout = section(contributing, 'Layout');
const life = section(contributing, 'Life of a message');
const layoutRows = tableRows(layout);
const layoutPaths = layoutRows.flatMap((row) => repositoryPaths(row.join(' | ')));

describe("CONTRIBUTING.md's map", () => {
	test('the layout table and the walk-through name paths to check', () => {
		expect(layoutRows.length).toBeGreaterThan(10);
		expect(layoutPaths).toEqual(expect.arrayContaining(['core/delivery/engine.ts', 'simulator/']));
		expect(repositoryPaths(life)).toEqual(
			expect.arrayContaining([
				'core/delivery/engine.ts',
				'core/delivery/admit.ts',
				'nodes/shared/report.ts',
			]),
		);
	});

	test('every path the layout table names exists', () => {
		expect(missingPaths(layoutPaths, root, nodeFolders)).toEqual([]);
	});

	test('every path the "Life of a message" section names exists', () => {
		expect(missingPaths(repositoryPaths(life), root, nodeFolders)).toEqual([]);
	});

	test('every top-level folder with TypeScript sources has a row', () => {
		const folders = sourceFolders(root);
		expect(folders).toEqual(expect.arrayContaining(['core/', 'nodes/', 'simulator/']));
		expect(foldersWithoutRow(folders, layoutRows)).toEqual([]);
	});

	test('every file and folder directly in core/ is named in the table', () => {
		const named = new Set(layoutPaths);
		expect(coreEntries(root).filter((entry) => !named.has(entry))).toEqual([]);
	});

	test('"Life of a message" has a Mermaid flowchart with both outputs and Stop', () => {
		const chart = /```mermaid\n([\s\S]*?)```/.exec(life)?.[1] ?? '';
		expect(chart).toMatch(/^flowchart /);
		for (const word of ['Delivered', 'Not Delivered', 'Stopped']) expect(chart).toContain(word);
	});
});

describe('the map check itself', () => {
	const table = [
		'| folder | what |',
		'|---|---|',
		'| `core/` | the core |',
		'| `core/claims.ts`, `core/gone.ts` | claims; a file that is not there |',
		'| `nodes/<Node>/description.ts`, `nodes/<Node>/missing.ts` | per node |',
		'| `docs/<page>.md` | a placeholder it cannot read |',
		'| `README.md/` | a file named as a folder |',
	].join('\n');

	test('finds a missing file, a missing file in one node folder, an unread placeholder, a file as a folder', () => {
		const paths = repositoryPaths(
			tableRows(table)
				.flatMap((row) => row)
				.join(' '),
		);
		expect(paths).toContain('core/claims.ts');
		expect(missingPaths(paths, root, nodeFolders)).toEqual([
			'core/gone.ts',
			...nodeFolders.map((node) => `nodes/${node}/missing.ts (from nodes/<Node>/missing.ts)`),
			'docs/<page>.md (placeholder not understood)',
			'README.md/',
		]);
	});

	test('reads only paths: code names, commands and API actions are not paths', () => {
		expect(
			repositoryPaths('`get_login_info`, `npm run campaign -- --model <n>`, `execute()`, `Permit`'),
		).toEqual([]);
		expect(repositoryPaths('`package.json`, `.github/workflows/ci.yml`')).toEqual([
			'package.json',
			'.github/workflows/ci.yml',
		]);
	});

	test('finds a source folder without a row', () => {
		expect(foldersWithoutRow(['core/', 'lost/'], tableRows(table))).toEqual(['lost/']);
	});
});
