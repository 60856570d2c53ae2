/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, runs outside n8n */
/** Re-renders RESULTS.md and the chart from a results.json (default: bench/results.json) without measuring again. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderResults } from './lib/render';

const file = path.resolve(process.argv[2] ?? path.join(__dirname, 'results.json'));
renderResults(JSON.parse(fs.readFileSync(file, 'utf8')), path.dirname(file));
process.stderr.write(`rendered ${path.join(path.dirname(file), 'RESULTS.md')}\n`);
