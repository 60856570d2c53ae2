/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling, runs outside n8n */
/** Resident memory of the n8n started for the benchmark, read from /proc (Linux). */
import * as fs from 'node:fs';
import * as path from 'node:path';

function rssKb(pid: string): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /VmRSS:\s+(\d+) kB/.exec(status);
	return match ? Number(match[1]) : 0;
}

/**
 * n8n's main process is the `n8n start` running in the user folder; its task runner and other helpers
 * are its descendants. Returns the main process's RSS and the whole tree's, in MB.
 */
export function processRss(userFolder: string): { mainMb: number; totalMb: number; pid: number } {
	const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
	const parents = new Map<string, string>();
	let main: string | undefined;
	for (const pid of pids) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			parents.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
			if (
				!main &&
				cmdline.some((a) => a.endsWith(path.join('bin', 'n8n'))) &&
				cmdline.includes('start')
			) {
				if (fs.readlinkSync(`/proc/${pid}/cwd`) === path.resolve(userFolder)) main = pid;
			}
		} catch {
			// The process ended while we looked.
		}
	}
	if (!main) throw new Error(`no n8n process runs in ${userFolder}`);
	const tree = new Set([main]);
	let grew = true;
	while (grew) {
		grew = false;
		for (const [pid, parent] of parents) {
			if (!tree.has(pid) && tree.has(parent)) {
				tree.add(pid);
				grew = true;
			}
		}
	}
	let total = 0;
	for (const pid of tree) {
		try {
			total += rssKb(pid);
		} catch {
			// Gone meanwhile.
		}
	}
	return { mainMb: rssKb(main) / 1024, totalMb: total / 1024, pid: Number(main) };
}
