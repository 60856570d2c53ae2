/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- project tooling, runs outside n8n */
/**
 * `npm run docs`: rewrites the generated tables in the docs from the constants (see scripts/docs/tables.ts).
 * `npm run docs -- --check`: exits 1 and names the files whose tables differ, changing nothing.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { GENERATED_FILES, renderGenerated } from './docs/tables';

const root = join(__dirname, '..');
const check = process.argv.includes('--check');
const stale: string[] = [];
for (const file of GENERATED_FILES) {
	const path = join(root, file);
	const text = readFileSync(path, 'utf8');
	const rendered = renderGenerated(text);
	if (rendered === text) continue;
	stale.push(file);
	if (!check) writeFileSync(path, rendered);
}
if (check && stale.length) {
	console.error(
		`Generated tables differ from the constants in: ${stale.join(', ')}. Run npm run docs.`,
	);
	process.exit(1);
}
console.log(stale.length ? `Rewrote ${stale.join(', ')}` : 'Generated tables are up to date');
