/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
	OneBotClient,
	TransportError,
	networkErrorCode,
	parseEnvelope,
} from '../../core/transport';
import { fetchRequest } from '../support/fetchRequest';
import { answering, failing, recording } from './helpers';

function onebot(
	request: ConstructorParameters<typeof OneBotClient>[0]['request'],
	extra: Partial<ConstructorParameters<typeof OneBotClient>[0]> = {},
) {
	let now = 1000;
	return new OneBotClient({
		baseUrl: 'http://127.0.0.1:3000/',
		request,
		clock: () => (now += 5),
		...extra,
	});
}

describe('OneBotClient with a fake request function', () => {
	test('posts JSON to /<action> with the bearer token and returns data', async () => {
		const { request, seen } = recording({
			status: 200,
			body: { status: 'ok', retcode: 0, data: { message_id: 77 }, echo: null },
		});
		const result = await onebot(request, { accessToken: 'secret' }).call(
			'send_group_msg',
			{ group_id: 1 },
			{ timeoutMs: 1234 },
		);
		expect(result).toMatchObject({
			ok: true,
			data: { message_id: 77 },
			httpStatus: 200,
			latencyMs: 5,
		});
		expect(seen[0]).toEqual({
			method: 'POST',
			url: 'http://127.0.0.1:3000/send_group_msg',
			headers: { 'Content-Type': 'application/json', Authorization: 'Bearer secret' },
			body: { group_id: 1 },
			timeoutMs: 1234,
		});
	});

	test('status async / retcode 1 is accepted', async () => {
		const result = await onebot(answering(200, { status: 'async', retcode: 1, data: null })).call(
			'set_restart',
		);
		expect(result.ok).toBe(true);
	});

	test('a JSON string body is parsed as an envelope', async () => {
		const result = await onebot(
			answering(200, '{"status":"ok","retcode":0,"data":{"online":true}}'),
		).call('get_status');
		expect(result).toMatchObject({ ok: true, data: { online: true } });
	});

	test('HTTP status: non-2xx is an http failure, with the envelope when there is one', async () => {
		const plain = await onebot(answering(403, 'Forbidden')).call('get_status');
		expect(plain).toMatchObject({
			ok: false,
			failure: { kind: 'http', action: 'get_status', raw: { httpStatus: 403, body: 'Forbidden' } },
		});
		const withEnvelope = await onebot(
			answering(500, { status: 'failed', retcode: 200, data: null, message: 'boom' }),
		).call('get_status');
		expect(withEnvelope).toMatchObject({
			ok: false,
			failure: { kind: 'http', raw: { httpStatus: 500, retcode: 200, message: 'boom' } },
		});
	});

	test('network error: the code is kept', async () => {
		const result = await onebot(failing(new TransportError('refused', 'ECONNREFUSED'))).call(
			'get_status',
		);
		expect(result).toMatchObject({
			ok: false,
			failure: { kind: 'network', raw: { code: 'ECONNREFUSED', message: 'refused' } },
		});
	});

	test('network error from a library: the code is found in the cause chain', async () => {
		const error = Object.assign(new Error('fetch failed'), {
			cause: Object.assign(new Error('connect'), { code: 'ECONNRESET' }),
		});
		const result = await onebot(failing(error)).call('get_status');
		expect(result).toMatchObject({
			ok: false,
			failure: { kind: 'network', raw: { code: 'ECONNRESET' } },
		});
	});

	test('timeout: kind timeout', async () => {
		const axiosLike = Object.assign(new Error('timeout of 100ms exceeded'), {
			code: 'ECONNABORTED',
		});
		expect(await onebot(failing(axiosLike)).call('get_status')).toMatchObject({
			ok: false,
			failure: { kind: 'timeout', raw: { code: 'ECONNABORTED' } },
		});
		const abort = Object.assign(new Error('The operation was aborted due to timeout'), {
			name: 'TimeoutError',
		});
		expect(await onebot(failing(abort)).call('get_status')).toMatchObject({
			ok: false,
			failure: { kind: 'timeout', raw: { code: 'ETIMEDOUT' } },
		});
	});

	test('non-JSON body on 200: malformed, first bytes kept', async () => {
		const long = `<html>${'x'.repeat(400)}</html>`;
		const result = await onebot(answering(200, long)).call('get_status');
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.failure.kind).toBe('malformed');
		expect(result.failure.raw.body).toHaveLength(301);
		expect(result.failure.raw.body!.startsWith('<html>')).toBe(true);
	});

	test('envelope failure: status failed keeps retcode, message (or go-cqhttp msg) and wording', async () => {
		const body = {
			status: 'failed',
			retcode: 100,
			data: null,
			msg: 'SEND_MSG_API_ERROR',
			wording: 'send group message failed: blocked by server',
		};
		const result = await onebot(answering(200, body)).call('send_group_msg');
		expect(result).toMatchObject({
			ok: false,
			failure: {
				kind: 'envelope',
				raw: {
					httpStatus: 200,
					status: 'failed',
					retcode: 100,
					message: 'SEND_MSG_API_ERROR',
					wording: body.wording,
				},
				envelope: body,
			},
		});
	});

	test('ok status with a non-zero retcode is not accepted', async () => {
		const result = await onebot(answering(200, { status: 'ok', retcode: 200, data: null })).call(
			'send_group_msg',
		);
		expect(result).toMatchObject({ ok: false, failure: { kind: 'envelope' } });
	});

	test('parseEnvelope and networkErrorCode edge cases', () => {
		expect(parseEnvelope({ status: 'ok' })).toBeUndefined();
		expect(parseEnvelope('not json')).toBeUndefined();
		expect(parseEnvelope([1])).toBeUndefined();
		expect(networkErrorCode(new Error('weird'))).toBe('ENETWORK');
	});
});

describe('OneBotClient over a real local HTTP server with fetchRequest', () => {
	let server: Server;
	let base: string;
	const seen: Array<{ url?: string; auth?: string; body: string }> = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				seen.push({ url: req.url, auth: req.headers.authorization, body });
				if (req.headers.authorization !== 'Bearer tok') {
					res.writeHead(403).end();
					return;
				}
				switch (req.url) {
					case '/send_group_msg':
						res
							.writeHead(200, { 'content-type': 'application/json' })
							.end(
								JSON.stringify({ status: 'ok', retcode: 0, data: { message_id: 5 }, echo: null }),
							);
						return;
					case '/slow':
						setTimeout(() => res.writeHead(200).end('{}'), 500);
						return;
					case '/reset':
						req.socket.destroy();
						return;
					case '/html':
						res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
						return;
					default:
						res.writeHead(404).end('Not Found');
				}
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	const real = (token = 'tok') =>
		new OneBotClient({
			baseUrl: base,
			request: fetchRequest,
			accessToken: token,
			defaultTimeoutMs: 2000,
		});

	test('a successful call', async () => {
		const result = await real().call('send_group_msg', {
			group_id: 1,
			message: [{ type: 'text', data: { text: 'hi' } }],
		});
		expect(result).toMatchObject({ ok: true, data: { message_id: 5 } });
		expect(JSON.parse(seen[seen.length - 1].body)).toEqual({
			group_id: 1,
			message: [{ type: 'text', data: { text: 'hi' } }],
		});
	});

	test('HTTP 403 and 404', async () => {
		expect(await real('wrong').call('get_status')).toMatchObject({
			ok: false,
			failure: { kind: 'http', raw: { httpStatus: 403 } },
		});
		expect(await real().call('nope')).toMatchObject({
			ok: false,
			failure: { kind: 'http', raw: { httpStatus: 404, body: 'Not Found' } },
		});
	});

	test('our timeout', async () => {
		const result = await real().call('slow', {}, { timeoutMs: 100 });
		expect(result).toMatchObject({
			ok: false,
			failure: { kind: 'timeout', raw: { code: 'ETIMEDOUT' } },
		});
	});

	test('connection reset', async () => {
		expect(await real().call('reset')).toMatchObject({
			ok: false,
			failure: { kind: 'network', raw: { code: 'ECONNRESET' } },
		});
	});

	test('non-JSON body', async () => {
		expect(await real().call('html')).toMatchObject({
			ok: false,
			failure: { kind: 'malformed', raw: { body: '<html>hi</html>' } },
		});
	});

	test('connection refused', async () => {
		const probe = createServer();
		await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
		const port = (probe.address() as AddressInfo).port;
		await new Promise<void>((resolve) => probe.close(() => resolve()));
		const closed = new OneBotClient({
			baseUrl: `http://127.0.0.1:${port}`,
			request: fetchRequest,
			defaultTimeoutMs: 2000,
		});
		expect(await closed.call('get_status')).toMatchObject({
			ok: false,
			failure: { kind: 'network', raw: { code: 'ECONNREFUSED' } },
		});
	});
});
