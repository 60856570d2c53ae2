// n8n's community-package scanner, run offline the way n8n runs it before verifying a package:
// the compiled files and package.json of the unpacked tarball, and the node and credential sources.
// Usage: node scripts/scan-package.mjs <unpacked tarball dir> [<source dir>]
// Prints one JSON line per leg ({ leg, passed, message, details }) and exits 1 when a leg fails.
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const [tarballDir, sourceDir] = process.argv.slice(2);
if (!tarballDir) {
	process.stderr.write(
		'usage: node scripts/scan-package.mjs <unpacked tarball dir> [<source dir>]\n',
	);
	process.exit(2);
}

const legs = [
	// analyzePackage's own default: every .js, .ts and .json file in the tarball.
	['tarball', tarballDir, undefined],
	// The tarball leg of analyzePackageByName: compiled .js and the published package.json.
	['tarball (published files)', tarballDir, ['**/*.js', 'package.json']],
];
if (sourceDir) legs.push(['source', sourceDir, SOURCE_FILE_PATTERNS]);

let failed = false;
for (const [leg, dir, patterns] of legs) {
	const result = await analyzePackage(dir, patterns);
	failed ||= !result.passed;
	process.stdout.write(
		JSON.stringify({
			leg,
			passed: result.passed,
			message: result.message,
			details: result.details,
		}) + '\n',
	);
}
process.exit(failed ? 1 : 0);
