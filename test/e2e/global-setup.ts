/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test tooling, runs outside n8n */
/** Packs the package once for the whole end-to-end run; suites install SENTINEL_E2E_TGZ. */
import { packPackage } from '../../scripts/lib/pack';

export default async function globalSetup(): Promise<void> {
	if (process.env.SENTINEL_E2E_TGZ) {
		process.env.SENTINEL_E2E_TGZ_EXTERNAL = '1';
		return;
	}
	const packed = await packPackage({ reuse: false });
	process.env.SENTINEL_E2E_TGZ = packed.tgz;
	process.stderr.write(
		`[sentinel] packed ${packed.name}@${packed.version} in ${packed.ms} ms: ${packed.tgz}\n`,
	);
}
