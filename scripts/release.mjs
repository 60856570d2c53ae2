// `npm run release -- <patch|minor|major|x.y.z>`: makes a release commit and its tag on main, locally.
// 1. checks: on main, a clean working tree, an "Unreleased" section in CHANGELOG.md with entries, no tag yet;
// 2. runs the checks publish.yml runs before publishing (format, typecheck, lint, build);
// 3. sets the version (`npm version --no-git-tag-version`: package.json and package-lock.json);
// 4. CHANGELOG.md (Keep a Changelog 1.1.0): the Unreleased entries become "## [x.y.z] - <date>" under a new,
//    empty Unreleased section, and the compare links at the bottom follow;
// 5. commits "Release x.y.z" and makes the annotated tag vx.y.z. It pushes nothing: `git push --follow-tags`
//    starts .github/workflows/publish.yml, which publishes with provenance.
// The first release may name the version package.json already has (0.1.0 was never tagged).
// Why not `n8n-node release` here: outside GitHub Actions it runs release-it with auto-changelog, whose
// changelog is a commit list rather than Keep a Changelog, and it pushes and makes a GitHub release itself.
// publish.yml runs `n8n-node release` in GitHub Actions, where it builds and publishes with provenance.
// SENTINEL_RELEASE_SKIP_CHECKS=1 skips step 2 (for trying the script in a scratch clone without packages).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHANGELOG = join(root, 'CHANGELOG.md');

function fail(message) {
	process.stderr.write(`release: ${message}\n`);
	process.exit(1);
}
function git(...args) {
	return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}
function npm(...args) {
	execFileSync('npm', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
function readPackage() {
	return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export function nextVersion(current, bump) {
	if (SEMVER.test(bump)) return bump;
	const [major, minor, patch] = current.split('-')[0].split('.').map(Number);
	if (bump === 'major') return `${major + 1}.0.0`;
	if (bump === 'minor') return `${major}.${minor + 1}.0`;
	if (bump === 'patch') return `${major}.${minor}.${patch + 1}`;
	return null;
}

/** The changelog with the Unreleased entries moved under the new version; throws when there are none. */
export function releaseChangelog(text, version, date, repositoryUrl) {
	const unreleased = /^## \[Unreleased\][ \t]*$/m.exec(text);
	if (!unreleased) throw new Error('CHANGELOG.md has no "## [Unreleased]" heading');
	const bodyStart = unreleased.index + unreleased[0].length;
	const next = /^## \[/m.exec(text.slice(bodyStart));
	const linksAt = /^\[[^\]]+\]: /m.exec(text.slice(bodyStart));
	const bodyEnd =
		bodyStart + Math.min(next ? next.index : Infinity, linksAt ? linksAt.index : Infinity);
	const body = text.slice(bodyStart, Math.min(bodyEnd, text.length)).trim();
	if (!/^- /m.test(body)) throw new Error('the Unreleased section of CHANGELOG.md has no entries');

	const previous = /^## \[(\d+\.\d+\.\d+[^\]]*)\]/m.exec(text.slice(bodyEnd));
	let out =
		text.slice(0, bodyStart) +
		`\n\n## [${version}] - ${date}\n\n${body}\n\n` +
		text.slice(Math.min(bodyEnd, text.length)).replace(/^\n+/, '');
	out = out.replace(/^\[Unreleased\]: .*$\n?/m, '');
	const links = [
		`[Unreleased]: ${repositoryUrl}/compare/v${version}...HEAD`,
		previous
			? `[${version}]: ${repositoryUrl}/compare/v${previous[1]}...v${version}`
			: `[${version}]: ${repositoryUrl}/releases/tag/v${version}`,
	];
	const firstLink = /^\[[^\]]+\]: /m.exec(out);
	if (firstLink) {
		out = out.slice(0, firstLink.index) + links.join('\n') + '\n' + out.slice(firstLink.index);
	} else {
		out = out.replace(/\s*$/, '\n\n') + links.join('\n') + '\n';
	}
	return out;
}

function main() {
	const bump = process.argv[2];
	const pkg = readPackage();
	const version = bump && nextVersion(pkg.version, bump);
	if (!version) fail('usage: npm run release -- <patch|minor|major|x.y.z>');
	const repositoryUrl = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

	if (process.env.GITHUB_ACTIONS) {
		fail('this makes the release commit and tag locally; publish.yml publishes the pushed tag');
	}
	if (git('rev-parse', '--abbrev-ref', 'HEAD') !== 'main') fail('releases are made on main');
	if (git('status', '--porcelain')) fail('the working tree has uncommitted changes');
	if (git('tag', '--list', `v${version}`)) fail(`the tag v${version} exists already`);
	const tags = git('tag', '--list', 'v*');
	if (version === pkg.version && tags) fail(`package.json is at ${version} already`);

	let changelog;
	try {
		const date = new Date().toISOString().slice(0, 10);
		changelog = releaseChangelog(readFileSync(CHANGELOG, 'utf8'), version, date, repositoryUrl);
	} catch (error) {
		fail(error.message);
	}

	if (process.env.SENTINEL_RELEASE_SKIP_CHECKS !== '1') {
		for (const script of ['format:check', 'typecheck', 'lint', 'build']) npm('run', script);
	}
	npm('version', version, '--no-git-tag-version', '--allow-same-version');
	writeFileSync(CHANGELOG, changelog);
	git('add', 'package.json', 'package-lock.json', 'CHANGELOG.md');
	git('commit', '-m', `Release ${version}`);
	git('tag', '-a', `v${version}`, '-m', `n8n-nodes-onebot-sentinel ${version}`);
	process.stdout.write(
		`Made the commit "Release ${version}" and the tag v${version}.\n` +
			`Push both to publish through GitHub Actions (with provenance): git push --follow-tags origin main\n`,
	);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
