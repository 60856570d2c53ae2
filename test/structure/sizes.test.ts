/**
 * Sizes with reasons: no source file outside test/ over 500 lines and no function over 80 lines, unless the
 * file's first comment gives a reason (a comment that names the size: "Long file: ..." or "Long function: ...").
 */
import { firstComment, functionSpans, lineCount, sourceFiles } from '../support/sourceGraph';

const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 80;

/** Folders of source outside test/ (the generated dist/ and scratch .tmp/ are not sources). */
const SOURCE_DIRS = ['core', 'nodes', 'credentials', 'simulator', 'scripts', 'shared', 'bench'];

/**
 * Files a change is splitting right now, exempt until its split lands. Empty: every file and function is
 * within the limits or says why in its first comment.
 */
const BEING_SPLIT_THIS_ROUND: string[] = [];

/**
 * Over the limit and not split yet: each at most the size it has now, so it can only shrink. A file here
 * is a known debt, not a reason; take it off the list when it is split.
 */
const NOT_SPLIT_YET: Record<string, number> = {};

/** A reason is a first comment that says the file or a function in it is long, and why. */
const REASON = /\blong (file|function|functions)\b[^\n]*:/i;

function exempt(file: string): boolean {
	return BEING_SPLIT_THIS_ROUND.some((entry) =>
		entry.endsWith('/') ? file.startsWith(entry) : file === entry,
	);
}

function offenders(): string[] {
	const out: string[] = [];
	for (const file of SOURCE_DIRS.flatMap(sourceFiles)) {
		if (exempt(file) || REASON.test(firstComment(file))) continue;
		const lines = lineCount(file);
		if (lines > (NOT_SPLIT_YET[file] ?? MAX_FILE_LINES)) out.push(`${file}: ${lines} lines`);
		for (const fn of functionSpans(file)) {
			if (fn.lines > (NOT_SPLIT_YET[`${file}#${fn.name}`] ?? MAX_FUNCTION_LINES)) {
				out.push(`${file}:${fn.startLine} ${fn.name}(): ${fn.lines} lines`);
			}
		}
	}
	return out;
}

describe('sizes', () => {
	it(`no file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES} without a reason in its first comment`, () => {
		expect(offenders()).toEqual([]);
	});

	it('counts lines and functions the way a reader would', () => {
		const spans = functionSpans('test/support/sourceGraph.ts');
		const floorsFn = spans.find((fn) => fn.name === 'floors');
		expect(floorsFn?.lines).toBeGreaterThan(10);
		expect(REASON.test('// Long file: the table of every implementation version.')).toBe(true);
		expect(REASON.test('/** The probe. */')).toBe(false);
	});
});
