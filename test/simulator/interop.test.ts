/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test tooling, runs outside n8n */
/**
 * Interop: an independent, maintained OneBot v11 client from the npm registry (node-napcat-ts) talks to the
 * simulator over the forward WebSocket. It runs in a child Node process because the library is ESM-only.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { startSimulator, defaultWorld, type Simulator } from '../../simulator';

const G = 100200300;

function runClient(cfg: unknown): Promise<any> {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[path.join(__dirname, 'interop', 'napcat-ts-client.mjs'), JSON.stringify(cfg)],
			{ timeout: 20000, cwd: path.join(__dirname, '..', '..') },
			(err, stdout, stderr) => {
				if (err) return reject(new Error(`${err.message}\n${stderr}`));
				try {
					resolve(JSON.parse(stdout.trim().split('\n').pop()!));
				} catch {
					reject(new Error(`bad client output: ${stdout}\n${stderr}`));
				}
			},
		);
	});
}

describe('node-napcat-ts drives the simulator', () => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator({ ...defaultWorld(), kernelTimeoutMs: 100, deliveryDelayMs: 5 });
	});
	afterAll(async () => {
		await sim.close();
	});

	test('connect, call actions, receive the group message event, read history, see a failure', async () => {
		const out = await runClient({
			bot: sim.urls.accounts.bot,
			witness: sim.urls.accounts.witness,
			groupId: G,
			text: 'hello from node-napcat-ts',
		});
		expect(out.error).toBeUndefined();
		expect(out.lifecycle).toMatchObject({
			post_type: 'meta_event',
			meta_event_type: 'lifecycle',
			sub_type: 'connect',
			self_id: 10002,
		});
		expect(out.loginInfo).toEqual({ user_id: 10001, nickname: 'Sentinel Bot' });
		expect(out.versionInfo).toMatchObject({ app_name: 'NapCat.Onebot', protocol_version: 'v11' });
		expect(out.sent).toEqual({ message_id: expect.any(Number) });
		expect(out.received).toMatchObject({
			post_type: 'message',
			message_type: 'group',
			group_id: G,
			user_id: 10001,
			raw_message: 'hello from node-napcat-ts',
			message: [{ type: 'text', data: { text: 'hello from node-napcat-ts' } }],
		});
		expect(out.getMsg).toMatchObject({
			message_id: out.sent.message_id,
			real_seq: expect.any(String),
		});
		expect(out.history.messages.map((m: any) => m.raw_message)).toContain(
			'hello from node-napcat-ts',
		);
		// the client rejects with the failed envelope it received
		expect(out.failure).toMatchObject({ status: 'failed', retcode: 1200 });
		expect(out.failure.message).toContain('你已被移出该群');
		const gt = await sim.control.groundTruth();
		expect(gt.accounts.witness.inbox.map((m: any) => m.text)).toEqual([
			'hello from node-napcat-ts',
		]);
	});
});
