/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { call, request, until } from './helpers';

const ROOT = path.join(__dirname, '..', '..');

function startCli(
	args: string[],
): Promise<{ child: ChildProcess; ready: any; stderr: () => string }> {
	return new Promise((resolve, reject) => {
		// Node runs the CLI itself (tsx as a loader): signals reach its handlers without tsx's relay in between.
		const child = spawn(
			process.execPath,
			['--import', 'tsx', path.join(ROOT, 'simulator', 'cli.ts'), ...args],
			{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let out = '';
		let err = '';
		child.stderr!.on('data', (d) => (err += d));
		child.stdout!.on('data', (d) => {
			out += d;
			const nl = out.indexOf('\n');
			if (nl >= 0) {
				try {
					resolve({ child, ready: JSON.parse(out.slice(0, nl)), stderr: () => err });
				} catch {
					reject(new Error(`not JSON: ${out}`));
				}
			}
		});
		child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
	});
}

function stop(child: ChildProcess, sig: NodeJS.Signals): Promise<number | null> {
	return new Promise((resolve) => {
		child.removeAllListeners('exit');
		child.on('exit', (code) => resolve(code));
		child.kill(sig);
	});
}

describe('CLI', () => {
	test('default world: one ready line with URLs; SIGTERM stops it cleanly', async () => {
		const { child, ready, stderr } = await startCli([]);
		try {
			expect(ready).toMatchObject({
				ready: true,
				control: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
				webui: expect.stringMatching(/^http:\/\//),
				docker: expect.stringMatching(/^http:\/\//),
				accounts: {
					bot: {
						selfId: 10001,
						token: 'bot-token',
						http: expect.stringMatching(/^http:\/\//),
						ws: expect.stringMatching(/^ws:\/\//),
					},
					witness: { selfId: 10002, token: 'witness-token' },
					friend: { selfId: 10003 },
				},
				groups: [{ groupId: 100200300, members: ['bot', 'witness', 'friend'] }],
				kernelTimeoutMs: 10000,
			});
			const r = await call(ready.accounts.bot.http, 'bot-token', 'get_login_info');
			expect(r.json.data.user_id).toBe(10001);
			const gt = await request(`${ready.control}/ground-truth`);
			expect(Object.keys(gt.json.accounts)).toEqual(['bot', 'witness', 'friend']);
		} finally {
			expect(await stop(child, 'SIGTERM')).toBe(0);
		}
		expect(stderr()).toContain('stopping');
	});

	test('--world file and --port give deterministic ports; SIGINT stops it', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'onebot-sim-'));
		const file = path.join(dir, 'world.json');
		writeFileSync(
			file,
			JSON.stringify({
				accounts: {
					a: { selfId: 1, flavour: 'gocq', token: 't' },
					b: { selfId: 2, flavour: 'lagrange' },
				},
				groups: [{ groupId: 5, members: ['a', 'b'] }],
				deliveryDelayMs: 5,
			}),
		);
		const port = 20000 + Math.floor(Math.random() * 20000);
		const { child, ready } = await startCli(['--world', file, '--port', String(port)]);
		try {
			expect(ready.control).toBe(`http://127.0.0.1:${port}`);
			expect(ready.webui).toBe(`http://127.0.0.1:${port + 1}`);
			expect(ready.docker).toBe(`http://127.0.0.1:${port + 2}`);
			expect(ready.accounts.a).toMatchObject({
				http: `http://127.0.0.1:${port + 3}`,
				flavour: 'gocq',
			});
			expect(ready.accounts.b).toMatchObject({
				http: `http://127.0.0.1:${port + 4}`,
				flavour: 'lagrange',
				token: '',
			});
			await call(ready.accounts.a.http, 't', 'send_group_msg', { group_id: 5, message: 'x' });
			await until(
				async () =>
					(await request(`${ready.control}/ground-truth`)).json.accounts.b.inbox.length === 1,
			);
		} finally {
			expect(await stop(child, 'SIGINT')).toBe(0);
		}
	});
});
