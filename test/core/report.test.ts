// A real HTTP receiver: the report must verify against the bytes that went over the wire.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { createServer, type IncomingMessage, type Server } from 'node:http';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { AddressInfo } from 'node:net';
import {
	buildFailureEvent,
	parseFailureEvent,
	postFailureReport,
	ReportFormatError,
} from '../../core/report';
import { rememberReportSignature } from '../../core/trigger';
import { REPORT_SIGNATURE_HEADER, REPORT_TIMESTAMP_HEADER, verifyReport } from '../../core/signing';
import type { FailureEvent } from '../../core/types';
import { fetchRequest } from '../support/fetchRequest';

const SECRET = 'report-secret-value';
const NOW_S = 1_760_000_000;

const deliveryFields = {
	event: 'delivery_failed' as const,
	source: 'send' as const,
	reportedAt: NOW_S * 1000,
	status: 'failed' as const,
	reason: 'not_observed' as const,
	reasonClass: 'ambiguous' as const,
	verification: 'witness' as const,
	target: { type: 'group' as const, id: 100200300 },
	message: [{ type: 'text', data: { text: 'hello [x] & 你好' } }],
	messageId: 12345,
	correlationId: 'order-42',
	selfId: 10001,
	evidence: { witness: 'none' },
	attempts: [],
	timing: { requestedAt: 'a', answeredAt: null, verifiedAt: null, gaveUpAt: 'b', totalMs: 5 },
	workflowId: 'wf1',
	executionId: 'ex1',
};

describe('buildFailureEvent', () => {
	test('puts event, source and reportedAt first, converts epoch ms to ISO and drops undefined fields', () => {
		const event = buildFailureEvent({ ...deliveryFields, messageId: undefined });
		expect(Object.keys(event).slice(0, 4)).toEqual(['event', 'source', 'reportedAt', 'status']);
		expect(event.reportedAt).toBe(new Date(NOW_S * 1000).toISOString());
		expect('messageId' in event).toBe(false);
		expect(event.target).toEqual({ type: 'group', id: 100200300 });
		expect(event.message).toEqual(deliveryFields.message);
	});

	test('keeps only contract fields (no stray keys reach the wire)', () => {
		const event = buildFailureEvent({ ...deliveryFields, accessToken: 'x' } as never);
		expect(JSON.stringify(event)).not.toContain('accessToken');
	});
});

describe('parseFailureEvent', () => {
	const valid = JSON.parse(JSON.stringify(buildFailureEvent(deliveryFields))) as Record<
		string,
		unknown
	>;

	test('accepts a report built by buildFailureEvent, unchanged', () => {
		expect(parseFailureEvent(valid)).toEqual(valid);
	});

	test.each([
		['not an object', [1, 2]],
		['unknown event', { ...valid, event: 'exploded' }],
		['unknown source', { ...valid, source: 'cron' }],
		['bad reportedAt', { ...valid, reportedAt: 'yesterday' }],
		['unknown reason', { ...valid, reason: 'gremlins' }],
		['bad target', { ...valid, target: { type: 'channel', id: 1 } }],
		['target id not a number', { ...valid, target: { type: 'group', id: '1' } }],
		['message not an array', { ...valid, message: 'hi' }],
	])('refuses %s', (_, body) => {
		expect(() => parseFailureEvent(body)).toThrow(ReportFormatError);
	});
});

interface Received {
	headers: IncomingMessage['headers'];
	body: string;
}

async function startReceiver(status = 200, answer: unknown = { message: 'Workflow was started' }) {
	const received: Received[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(answer));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/x/onebot-failures`;
	return {
		url,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('postFailureReport', () => {
	const event = buildFailureEvent(deliveryFields) as FailureEvent;

	test('posts the event as JSON with headers that verify against the exact bytes received', async () => {
		const receiver = await startReceiver();
		try {
			const outcome = await postFailureReport(
				fetchRequest,
				{ reportUrl: receiver.url, reportSecret: SECRET },
				event,
				{
					nowSeconds: NOW_S,
				},
			);
			expect(outcome).toEqual({ sent: true, status: 200 });
			expect(receiver.received).toHaveLength(1);
			const [request] = receiver.received;
			expect(request.headers['content-type']).toBe('application/json');
			expect(request.headers[REPORT_TIMESTAMP_HEADER.toLowerCase()]).toBe(String(NOW_S));
			expect(verifyReport(request.headers, request.body, SECRET, NOW_S + 1)).toMatchObject({
				ok: true,
			});
			expect(JSON.parse(request.body)).toEqual(JSON.parse(JSON.stringify(event)));
			expect(request.body).not.toContain(SECRET);
		} finally {
			await receiver.close();
		}
	});

	test('a refusal comes back as sent:false with the status and the trigger’s message', async () => {
		const receiver = await startReceiver(403, {
			message: 'Report refused: the report signature does not match',
		});
		try {
			const outcome = await postFailureReport(
				fetchRequest,
				{ reportUrl: receiver.url, reportSecret: SECRET },
				event,
				{
					nowSeconds: NOW_S,
				},
			);
			expect(outcome).toEqual({
				sent: false,
				status: 403,
				error: 'the trigger answered HTTP 403: Report refused: the report signature does not match',
			});
		} finally {
			await receiver.close();
		}
	});

	test('never throws when nothing answers, and the error names no secret', async () => {
		const receiver = await startReceiver();
		await receiver.close();
		const outcome = await postFailureReport(
			fetchRequest,
			{ reportUrl: receiver.url, reportSecret: SECRET },
			event,
			{
				nowSeconds: NOW_S,
				timeoutMs: 2000,
			},
		);
		expect(outcome.sent).toBe(false);
		expect(outcome.error).toBe('the report could not be posted (ECONNREFUSED)');
		expect(JSON.stringify(outcome)).not.toContain(SECRET);
	});

	test('sends nothing without a URL or without a secret (an unsigned report would be refused)', async () => {
		const calls: unknown[] = [];
		const spy = async (request: unknown) => {
			calls.push(request);
			return { status: 200, body: '' };
		};
		expect(
			await postFailureReport(spy, { reportSecret: SECRET }, event, { nowSeconds: NOW_S }),
		).toEqual({
			sent: false,
			error: 'no report URL is set in the credential',
		});
		expect(
			await postFailureReport(spy, { reportUrl: 'http://127.0.0.1:9/x' }, event, {
				nowSeconds: NOW_S,
			}),
		).toEqual({
			sent: false,
			error: 'no report secret is set in the credential',
		});
		expect(calls).toHaveLength(0);
	});

	test('the body string passed to the request function is exactly the signed one', async () => {
		let seen: { headers?: Record<string, string>; body?: unknown } = {};
		await postFailureReport(
			async (request) => {
				seen = request;
				return { status: 204, body: '' };
			},
			{ reportUrl: 'http://example.invalid/r', reportSecret: SECRET },
			event,
			{ nowSeconds: NOW_S },
		);
		expect(typeof seen.body).toBe('string');
		expect(verifyReport(seen.headers ?? {}, seen.body as string, SECRET, NOW_S)).toMatchObject({
			ok: true,
		});
		expect(seen.headers?.[REPORT_SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
	});
});

describe('rememberReportSignature', () => {
	test('takes a signature once within the window and forgets entries older than the window', () => {
		const seen: Record<string, number> = {};
		expect(rememberReportSignature(seen, 'aa', NOW_S, NOW_S, 300)).toBe(true);
		expect(rememberReportSignature(seen, 'aa', NOW_S, NOW_S + 10, 300)).toBe(false);
		expect(rememberReportSignature(seen, 'bb', NOW_S + 10, NOW_S + 10, 300)).toBe(true);
		rememberReportSignature(seen, 'cc', NOW_S + 400, NOW_S + 400, 300);
		expect(Object.keys(seen).sort()).toEqual(['cc']);
	});
});
