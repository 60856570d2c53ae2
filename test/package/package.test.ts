/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The package as npm publishes it: `npm pack`, unpacked, holds only what n8n loads and the user reads, and
 * passes n8n's own community-package scanner (@n8n/scan-community-package, offline).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	name: string;
	files: string[];
	n8n: { nodes: string[]; credentials: string[] };
};
const buildConfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
	compilerOptions: { sourceMap?: boolean; declaration?: boolean };
	include: string[];
};
/** Source folders the build compiles (core, credentials, nodes), from tsconfig.build.json. */
const builtFolders = buildConfig.include.map((pattern) => pattern.split('/')[0]);

let workDir: string;
let unpacked: string;
let tarballFiles: string[];

function run(command: string, args: string[], cwd: string) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
		);
	}
	return result.stdout;
}

function walk(dir: string, base = dir): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full, base);
		return [path.relative(base, full).split(path.sep).join('/')];
	});
}

/** Shipped sources (what tsconfig.build.json compiles), relative to the repository. */
function shippedSources(): string[] {
	return builtFolders
		.flatMap((folder) => walk(path.join(root, folder)).map((file) => `${folder}/${file}`))
		.filter(
			(file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'),
		);
}

/** dist is built by `npm run build` (scripts/test.sh builds before jest); rebuild here only when it is stale. */
function ensureFreshBuild() {
	const stale = shippedSources().some((source) => {
		const compiled = path.join(root, 'dist', source.replace(/\.ts$/, '.js'));
		return (
			!fs.existsSync(compiled) ||
			fs.statSync(compiled).mtimeMs < fs.statSync(path.join(root, source)).mtimeMs
		);
	});
	const codexStale = walk(path.join(root, 'nodes'))
		.filter((file) => file.endsWith('.json'))
		.some((file) => {
			const copied = path.join(root, 'dist', 'nodes', file);
			return (
				!fs.existsSync(copied) ||
				fs.readFileSync(copied, 'utf8') !== fs.readFileSync(path.join(root, 'nodes', file), 'utf8')
			);
		});
	if (stale || codexStale) run('npm', ['run', 'build', '--silent'], root);
}

beforeAll(() => {
	ensureFreshBuild();
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-pack-'));
	// .npmrc sets ignore-scripts=true, so packing runs no lifecycle script.
	const packed = JSON.parse(
		run('npm', ['pack', '--json', '--pack-destination', workDir], root),
	) as Array<{
		filename: string;
		files: Array<{ path: string }>;
	}>;
	tarballFiles = packed[0].files.map((file) => file.path).sort();
	unpacked = path.join(workDir, 'package');
	fs.mkdirSync(unpacked);
	run(
		'tar',
		['-xzf', path.join(workDir, packed[0].filename), '-C', unpacked, '--strip-components=1'],
		workDir,
	);
}, 240_000);

afterAll(() => {
	if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
	it('lists the same files npm pack reported', () => {
		expect(walk(unpacked).sort()).toEqual(tarballFiles);
	});

	it('holds only dist, the READMEs, LICENSE and package.json', () => {
		const allowed = /^(dist\/.+|README(\.[A-Za-z-]+)?\.md|LICENSE|package\.json)$/;
		expect(tarballFiles.filter((file) => !allowed.test(file))).toEqual([]);
		expect(tarballFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
	});

	it('ships every README of the repository (README.md and its translations)', () => {
		const readmes = fs.readdirSync(root).filter((file) => /^README(\.[A-Za-z-]+)?\.md$/.test(file));
		expect(readmes).toContain('README.md');
		expect(tarballFiles).toEqual(expect.arrayContaining(readmes));
	});

	it('ships only the compiled package: no tests, simulator, sources, or maps unless the build makes them', () => {
		const distFolders = new Set(
			tarballFiles.filter((f) => f.startsWith('dist/')).map((f) => f.split('/')[1]),
		);
		expect([...distFolders].sort()).toEqual([...builtFolders, 'icons'].sort());
		expect(
			tarballFiles.filter((file) => /(^|\/)(test|tests|__tests__)\/|\.test\.|\.spec\./.test(file)),
		).toEqual([]);
		expect(tarballFiles.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual(
			[],
		);
		const maps = tarballFiles.filter((file) => file.endsWith('.map'));
		if (buildConfig.compilerOptions.sourceMap === false) expect(maps).toEqual([]);
		else expect(maps.length).toBeGreaterThan(0);
		if (!buildConfig.compilerOptions.declaration) {
			expect(tarballFiles.filter((file) => file.endsWith('.d.ts'))).toEqual([]);
		}
	});

	it('holds exactly one compiled file per shipped source (nothing left over from deleted sources)', () => {
		const compiled = tarballFiles.filter(
			(file) => file.startsWith('dist/') && file.endsWith('.js'),
		);
		const expected = shippedSources().map((source) => `dist/${source.replace(/\.ts$/, '.js')}`);
		expect(compiled.sort()).toEqual(expected.sort());
	});

	it('holds every node and credential package.json declares, with each node codex beside it', () => {
		for (const file of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) {
			expect(tarballFiles).toContain(file);
		}
		for (const node of packageJson.n8n.nodes) {
			expect(tarballFiles).toContain(node.replace(/\.js$/, '.json'));
		}
	});

	it('holds no secrets: no key, env or npm config files, no tokens or private keys in any file', () => {
		expect(
			tarballFiles.filter((file) =>
				/(^|\/)(\.env[^/]*|\.npmrc|\.git\/.*|id_rsa[^/]*)$|\.(pem|key|p12|pfx)$/.test(file),
			),
		).toEqual([]);
		const secretPatterns = [
			/-----BEGIN [A-Z ]*PRIVATE KEY-----/,
			/\bnpm_[A-Za-z0-9]{36}\b/,
			/\bgh[pousr]_[A-Za-z0-9]{36}\b/,
			/\bAKIA[0-9A-Z]{16}\b/,
			/\bxox[baprs]-[A-Za-z0-9-]{10,}/,
		];
		const hits = tarballFiles.flatMap((file) => {
			const text = fs.readFileSync(path.join(unpacked, file), 'utf8');
			return secretPatterns
				.filter((pattern) => pattern.test(text))
				.map((pattern) => `${file}: ${pattern}`);
		});
		expect(hits).toEqual([]);
	});

	it("passes n8n's community-package scanner offline (tarball and node/credential sources)", () => {
		// jest sets NODE_ENV=test, which switches eslint-plugin-n8n-nodes-base into its own rule-test mode
		// (fixture file names); the scanner runs without it, as n8n runs it.
		const env = { ...process.env };
		delete env.NODE_ENV;
		const result = spawnSync(
			process.execPath,
			[path.join(root, 'scripts/scan-package.mjs'), unpacked, root],
			{
				cwd: root,
				env,
				encoding: 'utf8',
				maxBuffer: 64 * 1024 * 1024,
			},
		);
		const legs = result.stdout
			.trim()
			.split('\n')
			.filter(Boolean)
			.map(
				(line) =>
					JSON.parse(line) as { leg: string; passed: boolean; message?: string; details?: string },
			);
		const failures = legs
			.filter((leg) => !leg.passed)
			.map((leg) => `${leg.leg}: ${leg.message}\n${leg.details ?? ''}`);
		expect({ stderr: result.stderr.trim() === '' ? '' : result.stderr, failures }).toEqual({
			stderr: '',
			failures: [],
		});
		expect(legs.map((leg) => leg.leg)).toEqual(['tarball', 'tarball (published files)', 'source']);
		expect(result.status).toBe(0);
	}, 180_000);
});
