/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** Builds this package and packs it the way npm publishes it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childEnv, repoRoot, tmpRoot } from './paths';
import { run } from './proc';

export interface PackResult {
	tgz: string;
	name: string;
	version: string;
	ms: number;
}

/**
 * `npm run build` then `npm pack` into a fresh directory under .tmp/e2e.
 * When SENTINEL_E2E_TGZ names an existing tarball (jest's global setup packs once per run), it is reused.
 */
export async function packPackage(
	opts: { build?: boolean; reuse?: boolean } = {},
): Promise<PackResult> {
	const started = Date.now();
	const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
	const reuse = process.env.SENTINEL_E2E_TGZ;
	if (opts.reuse !== false && reuse && fs.existsSync(reuse)) {
		return { tgz: reuse, name: pkg.name, version: pkg.version, ms: 0 };
	}
	const env = childEnv();
	if (opts.build !== false) {
		await run('npm', ['run', 'build', '--silent'], { cwd: repoRoot, env, timeoutMs: 180_000 });
	}
	fs.mkdirSync(tmpRoot, { recursive: true });
	const dest = fs.mkdtempSync(path.join(tmpRoot, 'pack-'));
	const res = await run('npm', ['pack', '--json', '--pack-destination', dest], {
		cwd: repoRoot,
		env,
		timeoutMs: 120_000,
	});
	const jsonStart = res.stdout.indexOf('[');
	const info = JSON.parse(res.stdout.slice(jsonStart)) as Array<{ filename: string }>;
	const tgz = path.join(dest, path.basename(info[0].filename));
	if (!fs.existsSync(tgz)) throw new Error(`npm pack did not produce ${tgz}`);
	return { tgz, name: pkg.name, version: pkg.version, ms: Date.now() - started };
}
