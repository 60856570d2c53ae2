/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/** The credential and node types this package declares (package.json `n8n` field), read from the built files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPackageJson } from '../../../scripts/lib/paths';

export interface DeclaredTypes {
	packageName: string;
	/** Credential type names (what workflows reference), e.g. oneBotApi. */
	credentials: Array<{ file: string; name: string; displayName: string }>;
	/** Node types as n8n names them: `<package>.<name>`, with the latest version and whether it is a trigger. */
	nodes: Array<{
		file: string;
		name: string;
		type: string;
		displayName: string;
		version: number;
		trigger: boolean;
	}>;
}

/**
 * Loads each file that package.json lists from `packageDir` (the package as n8n sees it: the installed copy in
 * a user folder, or the repository after `npm run build`) and reads the declared type names.
 */
export function declaredTypes(packageDir: string): DeclaredTypes {
	const pkg = readPackageJson();
	const load = (file: string) => {
		const full = path.join(packageDir, file);
		if (!fs.existsSync(full))
			throw new Error(`package.json lists ${file} but ${full} does not exist`);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(full);
		const Cls = Object.values(mod).find((v) => typeof v === 'function') as
			| (new () => any)
			| undefined;
		if (!Cls) throw new Error(`${file} exports no class`);
		return new Cls();
	};
	const credentials = (pkg.n8n.credentials ?? []).map((file) => {
		const c = load(file);
		return { file, name: c.name as string, displayName: c.displayName as string };
	});
	const nodes = (pkg.n8n.nodes ?? []).map((file) => {
		const n = load(file);
		const d = n.description;
		const versions = n.nodeVersions
			? Object.keys(n.nodeVersions).map(Number)
			: [d.version].flat().map(Number);
		const version = n.defaultVersion ?? Math.max(...versions);
		const current = n.nodeVersions ? n.nodeVersions[version].description : d;
		const trigger = (current.group ?? []).includes('trigger') || /Trigger$/.test(d.name);
		return {
			file,
			name: d.name as string,
			type: `${pkg.name}.${d.name}`,
			displayName: d.displayName as string,
			version,
			trigger,
		};
	});
	return { packageName: pkg.name, credentials, nodes };
}
