const path = require('path');
const { task, src, dest } = require('gulp');

// n8n loads icons and codex files from beside the compiled node, so they are copied into dist.
task('build:icons', copyIcons);

function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg,json}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource, { encoding: false }).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	src(credSource, { encoding: false }).pipe(dest(credDestination));

	// Icons shared by every node and credential, referenced as file:../icons or file:../../icons.
	return src(path.resolve('icons', '*.svg'), { encoding: false }).pipe(
		dest(path.resolve('dist', 'icons')),
	);
}
