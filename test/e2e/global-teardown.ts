/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/** Removes the tarball that global-setup packed (kept with SENTINEL_E2E_KEEP=1). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpRoot } from '../../scripts/lib/paths';

export default async function globalTeardown(): Promise<void> {
	const tgz = process.env.SENTINEL_E2E_TGZ;
	if (
		!tgz ||
		process.env.SENTINEL_E2E_KEEP === '1' ||
		process.env.SENTINEL_E2E_TGZ_EXTERNAL === '1'
	)
		return;
	const dir = path.dirname(tgz);
	if (dir.startsWith(tmpRoot + path.sep)) fs.rmSync(dir, { recursive: true, force: true });
}
