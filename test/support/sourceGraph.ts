/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The repository's TypeScript sources read as text: the import graph between them (parsed with the TypeScript
 * compiler's own pre-processor, so `import type`, re-exports and `require` all count) and the functions in
 * each file with their line counts. Used by test/structure to hold the layering and size rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Repository-relative, '/'-separated paths of the .ts files below `dir` (node_modules, dist and .tmp skipped). */
export function sourceFiles(dir: string): string[] {
	const out: string[] = [];
	const walk = (rel: string): void => {
		for (const entry of fs.readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
			if (['node_modules', 'dist', '.tmp', '.git'].includes(entry.name)) continue;
			const child = rel ? `${rel}/${entry.name}` : entry.name;
			if (entry.isDirectory()) walk(child);
			else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child);
		}
	};
	walk(dir);
	return out.sort();
}

/** The repository files one file imports (relative specifiers only; packages are not edges). */
export function importsOf(file: string): string[] {
	const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
	const info = ts.preProcessFile(text, true, true);
	const out = new Set<string>();
	for (const ref of info.importedFiles) {
		if (!ref.fileName.startsWith('.')) continue;
		const resolved = resolveRelative(file, ref.fileName);
		if (resolved) out.add(resolved);
	}
	return [...out].sort();
}

/** The repository files one file imports for their code: `import type` and `export type` are left out. */
export function valueImportsOf(file: string): string[] {
	const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
	const out = new Set<string>();
	for (const statement of source.statements) {
		let specifier: ts.Expression | undefined;
		let typeOnly = false;
		if (ts.isImportDeclaration(statement)) {
			specifier = statement.moduleSpecifier;
			const clause = statement.importClause;
			const bindings = clause?.namedBindings;
			typeOnly =
				!!clause &&
				(clause.isTypeOnly ||
					(!clause.name &&
						!!bindings &&
						ts.isNamedImports(bindings) &&
						bindings.elements.length > 0 &&
						bindings.elements.every((element) => element.isTypeOnly)));
		} else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
			specifier = statement.moduleSpecifier;
			typeOnly = statement.isTypeOnly;
		}
		if (!specifier || typeOnly || !ts.isStringLiteral(specifier)) continue;
		if (!specifier.text.startsWith('.')) continue;
		const resolved = resolveRelative(file, specifier.text);
		if (resolved) out.add(resolved);
	}
	return [...out].sort();
}

function resolveRelative(from: string, spec: string): string | undefined {
	const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
	for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
		const abs = path.join(repoRoot, candidate);
		if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return candidate;
	}
	return undefined;
}

export type ImportGraph = Map<string, string[]>;

/** The graph of `files`, keeping only edges whose target is also in `files`. */
export function importGraph(files: string[]): ImportGraph {
	const inside = new Set(files);
	return new Map(files.map((f) => [f, importsOf(f).filter((to) => inside.has(to))]));
}

/**
 * The graph between the modules of `dir`: each file directly in it is one module, each folder in it
 * (with everything below) another, named with a trailing '/'. Imports inside a module are not edges.
 */
export function moduleGraph(
	files: string[],
	dir: string,
	importsOfFile: (file: string) => string[] = importsOf,
): ImportGraph {
	const moduleOf = (file: string): string => {
		const rest = file.slice(dir.length + 1).split('/');
		return rest.length > 1 ? `${dir}/${rest[0]}/` : file;
	};
	const inside = new Set(files);
	const graph = new Map<string, Set<string>>();
	for (const file of files) {
		const from = moduleOf(file);
		const targets = graph.get(from) ?? new Set<string>();
		graph.set(from, targets);
		for (const to of importsOfFile(file)) {
			if (inside.has(to) && moduleOf(to) !== from) targets.add(moduleOf(to));
		}
	}
	return new Map([...graph].map(([from, targets]) => [from, [...targets].sort()]));
}

/** Every cycle, one per strongly connected component of more than one file (or a file importing itself). */
export function cycles(graph: ImportGraph): string[][] {
	// Tarjan's algorithm.
	let index = 0;
	const stack: string[] = [];
	const onStack = new Set<string>();
	const indices = new Map<string, number>();
	const low = new Map<string, number>();
	const out: string[][] = [];
	const connect = (v: string): void => {
		indices.set(v, index);
		low.set(v, index);
		index++;
		stack.push(v);
		onStack.add(v);
		for (const w of graph.get(v) ?? []) {
			if (!indices.has(w)) {
				connect(w);
				low.set(v, Math.min(low.get(v)!, low.get(w)!));
			} else if (onStack.has(w)) {
				low.set(v, Math.min(low.get(v)!, indices.get(w)!));
			}
		}
		if (low.get(v) === indices.get(v)) {
			const component: string[] = [];
			let w: string;
			do {
				w = stack.pop()!;
				onStack.delete(w);
				component.push(w);
			} while (w !== v);
			if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
		}
	};
	for (const v of graph.keys()) if (!indices.has(v)) connect(v);
	return out;
}

/**
 * The floor of each file: 1 for a file importing nothing in the graph, else one more than the highest floor
 * it imports. The graph's floor count is the highest floor (the longest import chain). Needs an acyclic graph.
 */
export function floors(graph: ImportGraph): Map<string, number> {
	const floor = new Map<string, number>();
	const visit = (v: string, trail: Set<string>): number => {
		const known = floor.get(v);
		if (known !== undefined) return known;
		if (trail.has(v)) throw new Error(`import cycle through ${v}`);
		trail.add(v);
		let f = 1;
		for (const w of graph.get(v) ?? []) f = Math.max(f, visit(w, trail) + 1);
		trail.delete(v);
		floor.set(v, f);
		return f;
	};
	for (const v of graph.keys()) visit(v, new Set());
	return floor;
}

/** One longest import chain, top floor first (for a readable failure message). */
export function longestChain(graph: ImportGraph): string[] {
	const floor = floors(graph);
	let top: string | undefined = [...floor.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
	const chain: string[] = [];
	while (top) {
		chain.push(top);
		const f: number = floor.get(top)!;
		top = (graph.get(top) ?? []).find((w: string) => floor.get(w) === f - 1);
	}
	return chain;
}

export interface FunctionSpan {
	name: string;
	startLine: number;
	lines: number;
}

/** Functions, methods, accessors, constructors and function-valued expressions with their line spans. */
export function functionSpans(file: string): FunctionSpan[] {
	const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	const out: FunctionSpan[] = [];
	const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
	const visit = (node: ts.Node): void => {
		if (ts.isFunctionLike(node) && 'body' in node && node.body) {
			const start = lineOf(node.getStart(source));
			const end = lineOf(node.getEnd());
			out.push({ name: functionName(node, source), startLine: start, lines: end - start + 1 });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return out;
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
	const named = node as ts.Node & { name?: ts.Node };
	if (named.name) return named.name.getText(source);
	if (ts.isConstructorDeclaration(node)) return 'constructor';
	const parent = node.parent;
	if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
	if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
	return '(anonymous)';
}

/** The first comment of a file (line or block), or '' when the file starts with code. */
export function firstComment(file: string): string {
	const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
	const ranges = ts.getLeadingCommentRanges(text, 0) ?? [];
	return ranges.map((r) => text.slice(r.pos, r.end)).join('\n');
}

export function lineCount(file: string): number {
	const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
	return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}
