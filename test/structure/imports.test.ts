/**
 * The layering CONTRIBUTING describes, measured on the import graph (test/support/sourceGraph.ts):
 * no import cycles in core/, simulator/ or nodes/; core/ at most six floors deep; the simulator and the
 * core stand alone (the simulator imports nothing from scripts/, the core nothing outside core/).
 */
import {
	cycles,
	floors,
	importGraph,
	importsOf,
	longestChain,
	moduleGraph,
	sourceFiles,
	valueImportsOf,
} from '../support/sourceGraph';

/**
 * A floor is one step of the longest chain of imports between core's modules: each file directly in core/
 * and each folder in core/ (implementations/, pacing/, restart/, health/, ...) is one module, and only
 * imports that load code count (`import type` is erased when compiled). A module importing no other module
 * is on floor 1.
 */
const CORE_FLOOR_LIMIT = 6;

describe('import graph', () => {
	it.each(['core', 'simulator', 'nodes'])(
		'%s/ has no import cycle (type imports included)',
		(dir) => {
			const found = cycles(importGraph(sourceFiles(dir)));
			expect(found).toEqual([]);
		},
	);

	it(`core/ is at most ${CORE_FLOOR_LIMIT} floors of modules deep`, () => {
		const graph = moduleGraph(sourceFiles('core'), 'core', valueImportsOf);
		const deepest = Math.max(...floors(graph).values());
		if (deepest > CORE_FLOOR_LIMIT) {
			throw new Error(`core/ is ${deepest} floors deep: ${longestChain(graph).join(' -> ')}`);
		}
		expect(deepest).toBeLessThanOrEqual(CORE_FLOOR_LIMIT);
	});

	it('restart and the health checks do not depend on the delivery engine or the probe', () => {
		const graph = moduleGraph(sourceFiles('core'), 'core', valueImportsOf);
		const reachable = (from: string): Set<string> => {
			const seen = new Set<string>();
			const walk = (m: string): void => {
				for (const to of graph.get(m) ?? [])
					if (!seen.has(to)) {
						seen.add(to);
						walk(to);
					}
			};
			walk(from);
			return seen;
		};
		for (const from of ['core/restart/', 'core/health/']) {
			const below = [...reachable(from)];
			expect(below.filter((m) => /deliver|delivery|probe|kernel|chatWatcher/.test(m))).toEqual([]);
		}
	});

	it('simulator/ imports nothing from scripts/, nodes/, core/ or test/', () => {
		const outside = sourceFiles('simulator').flatMap((file) =>
			importsOf(file)
				.filter((to) => !to.startsWith('simulator/') && !to.startsWith('shared/'))
				.map((to) => `${file} -> ${to}`),
		);
		expect(outside).toEqual([]);
	});

	it('core/ imports nothing outside core/', () => {
		const outside = sourceFiles('core').flatMap((file) =>
			importsOf(file)
				.filter((to) => !to.startsWith('core/'))
				.map((to) => `${file} -> ${to}`),
		);
		expect(outside).toEqual([]);
	});
});

describe('the measure itself', () => {
	it('finds a cycle and counts floors on a small graph', () => {
		const graph = new Map([
			['a', ['b']],
			['b', ['c']],
			['c', []],
		]);
		expect(cycles(graph)).toEqual([]);
		expect(Math.max(...floors(graph).values())).toBe(3);
		expect(longestChain(graph)).toEqual(['a', 'b', 'c']);
		graph.set('c', ['a']);
		expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
	});

	it('sees type-only imports as edges for cycles but not for floors', () => {
		// core/descriptions.zh-CN.ts takes only a type from the probe.
		const file = 'core/descriptions.zh-CN.ts';
		expect(importsOf(file).some((to) => to.startsWith('core/probe'))).toBe(true);
		expect(valueImportsOf(file).some((to) => to.startsWith('core/probe'))).toBe(false);
	});
});
