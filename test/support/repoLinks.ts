/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * Links into this project's public repository, as the READMEs (shown on npmjs.com and by n8n's Docs button,
 * where the package ships no docs/) and the nodes' and credentials' documentation URLs give them:
 * `<repository>/blob/main/<file>[#anchor]` for a file, `<repository>/tree/main/<folder>` for a folder.
 * The repository is package.json's `repository.url`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
	repository: { url: string };
};
/** https://github.com/<owner>/<name>, from package.json (`git+https://…/<name>.git`). */
export const REPOSITORY_URL = packageJson.repository.url
	.replace(/^git\+/, '')
	.replace(/\.git$/, '');

/** Every absolute link into the repository in a text (markdown, JSON or TypeScript). */
export function repositoryLinks(text: string): string[] {
	const escaped = REPOSITORY_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
	return [...text.matchAll(new RegExp(`${escaped}[^\\s)"'\`<>\\]]*`, 'g'))].map((m) => m[0]);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const counts = new Map<string, number>();
	let fenced = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.trim()
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const seen = counts.get(slug) ?? 0;
		counts.set(slug, seen + 1);
		anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
	}
	return anchors;
}

/**
 * Why a repository link does not lead to something in this checkout, or null when it does: the file (blob)
 * or folder (tree) on main exists, and a #anchor names a heading of that markdown file.
 */
export function unresolvedRepositoryLink(url: string): string | null {
	if (!url.startsWith(`${REPOSITORY_URL}/`)) return `${url}: not a link into ${REPOSITORY_URL}`;
	const parsed = new URL(url);
	const rest = parsed.pathname.slice(new URL(REPOSITORY_URL).pathname.length + 1);
	const match = /^(blob|tree)\/main\/(.+)$/.exec(rest);
	if (!match)
		return `${url}: not of the form ${REPOSITORY_URL}/blob/main/<file> or /tree/main/<folder>`;
	const [, kind, relative] = match;
	const target = path.join(repoRoot, decodeURIComponent(relative).replace(/\/$/, ''));
	if (!fs.existsSync(target)) return `${url}: no ${relative} in the repository`;
	const isFolder = fs.statSync(target).isDirectory();
	if (kind === 'blob' && isFolder) return `${url}: ${relative} is a folder (use /tree/main/)`;
	if (kind === 'tree' && !isFolder) return `${url}: ${relative} is a file (use /blob/main/)`;
	if (parsed.hash && target.endsWith('.md')) {
		const anchor = decodeURIComponent(parsed.hash.slice(1));
		if (!headingAnchors(fs.readFileSync(target, 'utf8')).has(anchor)) {
			return `${url}: no heading "#${anchor}" in ${relative}`;
		}
	}
	return null;
}
