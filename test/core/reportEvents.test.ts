import { createHmac } from 'node:crypto';
import {
	interpretOneBotEvent,
	isOneBotEvent,
	matchesFilters,
	offlineRunDue,
	receiveTriggerRequest,
	type FailureFilters,
} from '../../core/trigger';
import { buildFailureEvent } from '../../core/report';
import { signReport } from '../../core/signing';
import type { FailureEvent } from '../../core/types';

const NOW_MS = 1_760_000_000_000;
const NOW_S = NOW_MS / 1000;
const REPORT_SECRET = 'report-secret';
const EVENT_KEY = 'access-token';

const report = (overrides: Partial<FailureEvent> = {}) =>
	JSON.stringify(
		buildFailureEvent({
			event: 'delivery_failed',
			source: 'send',
			reportedAt: NOW_MS,
			reason: 'send_timeout',
			reasonClass: 'ambiguous',
			target: { type: 'group', id: 100200300 },
			message: [{ type: 'text', data: { text: 'hi' } }],
			...overrides,
		}),
	);

const sha1 = (body: string, key: string) =>
	`sha1=${createHmac('sha1', key).update(body).digest('hex')}`;
const keys = { reportSecret: REPORT_SECRET, eventKey: EVENT_KEY };

describe('interpretOneBotEvent', () => {
	test('bot_offline notice → client_offline with the notice kept in details', () => {
		const body = {
			time: NOW_S,
			self_id: 10001,
			post_type: 'notice',
			notice_type: 'bot_offline',
			user_id: 10001,
			tag: 'BotOfflineEvent',
			message: '被踢下线',
		};
		const result = interpretOneBotEvent(body, { reportedAt: 'now' });
		expect(result).toMatchObject({
			kind: 'failure',
			event: {
				event: 'client_offline',
				source: 'onebot_event',
				reason: 'client_offline',
				reasonClass: 'account',
				selfId: 10001,
				details: {
					trigger: 'bot_offline',
					tag: 'BotOfflineEvent',
					message: '被踢下线',
					onebotEvent: body,
				},
			},
		});
	});

	test('heartbeat online:false → client_offline (NapCat shape and go-cqhttp shape); online:true → ignored', () => {
		const napcat = {
			post_type: 'meta_event',
			meta_event_type: 'heartbeat',
			self_id: 1,
			status: { online: false, good: true },
			interval: 5000,
		};
		const gocq = {
			post_type: 'meta_event',
			meta_event_type: 'heartbeat',
			self_id: 2,
			status: { app_initialized: true, online: false, good: false, stat: {} },
			interval: 5000,
		};
		expect(interpretOneBotEvent(napcat, { reportedAt: 'now' })).toMatchObject({
			kind: 'failure',
			event: { selfId: 1, details: { trigger: 'heartbeat_offline', intervalMs: 5000 } },
		});
		expect(interpretOneBotEvent(gocq, { reportedAt: 'now' })).toMatchObject({
			kind: 'failure',
			event: { selfId: 2 },
		});
		expect(
			interpretOneBotEvent(
				{ ...napcat, status: { online: true, good: true } },
				{ reportedAt: 'now' },
			),
		).toEqual({ kind: 'ignored', detail: 'heartbeat: online' });
	});

	test('go-cqhttp client_status (another device of the account) and ordinary events are ignored', () => {
		const clientStatus = {
			post_type: 'notice',
			notice_type: 'client_status',
			online: false,
			client: { app_id: 1, device_name: 'phone', device_kind: 'mobile' },
		};
		expect(interpretOneBotEvent(clientStatus, { reportedAt: 'now' })).toEqual({
			kind: 'ignored',
			detail: 'notice.client_status: not a failure',
		});
		expect(
			interpretOneBotEvent({ post_type: 'message', message_type: 'group' }, { reportedAt: 'now' })
				.kind,
		).toBe('ignored');
		expect(
			interpretOneBotEvent(
				{ post_type: 'meta_event', meta_event_type: 'lifecycle' },
				{ reportedAt: 'now' },
			).kind,
		).toBe('ignored');
	});

	test('self id comes from the body, else from X-Self-ID', () => {
		const body = { post_type: 'notice', notice_type: 'bot_offline' };
		expect(interpretOneBotEvent(body, { reportedAt: 'now', selfIdHeader: '10009' })).toMatchObject({
			event: { selfId: 10009 },
		});
		expect(interpretOneBotEvent(body, { reportedAt: 'now' })).toMatchObject({
			event: { selfId: null },
		});
	});

	test('isOneBotEvent needs an object with a string post_type', () => {
		expect(isOneBotEvent({ post_type: 'notice' })).toBe(true);
		expect(isOneBotEvent({ event: 'delivery_failed' })).toBe(false);
		expect(isOneBotEvent([{ post_type: 'notice' }])).toBe(false);
	});
});

describe('receiveTriggerRequest: reports', () => {
	test('a correctly signed report starts a run with the event as sent', () => {
		const body = report();
		const decision = receiveTriggerRequest(
			{ headers: signReport(body, REPORT_SECRET, NOW_S), rawBody: body },
			keys,
			{ nowMs: NOW_MS },
		);
		expect(decision).toEqual({ start: JSON.parse(body), origin: 'report' });
	});

	test('unsigned → 401; forged → 403; stale → 403; signed with another secret → 403', () => {
		const body = report();
		expect(
			receiveTriggerRequest({ headers: {}, rawBody: body }, keys, { nowMs: NOW_MS }),
		).toMatchObject({ status: 401 });
		const forged = { ...signReport(body, REPORT_SECRET, NOW_S) };
		expect(
			receiveTriggerRequest(
				{ headers: forged, rawBody: body.replace('send_timeout', 'muted') },
				keys,
				{ nowMs: NOW_MS },
			),
		).toMatchObject({ status: 403 });
		expect(
			receiveTriggerRequest({ headers: signReport(body, 'guess', NOW_S), rawBody: body }, keys, {
				nowMs: NOW_MS,
			}),
		).toMatchObject({ status: 403 });
		const old = receiveTriggerRequest(
			{ headers: signReport(body, REPORT_SECRET, NOW_S - 301), rawBody: body },
			keys,
			{ nowMs: NOW_MS },
		);
		expect(old).toMatchObject({ status: 403 });
		expect((old as { message: string }).message).toMatch(/^Replayed or stale report refused/);
	});

	test('the same signed report twice within the window → second is a replay (403)', () => {
		const body = report();
		const headers = signReport(body, REPORT_SECRET, NOW_S);
		const seenReportSignatures = {};
		expect(
			receiveTriggerRequest({ headers, rawBody: body }, keys, {
				nowMs: NOW_MS,
				seenReportSignatures,
			}),
		).toHaveProperty('start');
		expect(
			receiveTriggerRequest({ headers, rawBody: body }, keys, {
				nowMs: NOW_MS + 1000,
				seenReportSignatures,
			}),
		).toEqual({
			status: 403,
			message: 'Replayed report refused: this signature was already received',
		});
	});

	test('signed but malformed → 400; no Report Secret on the trigger → 403; messages never carry secrets', () => {
		const garbage = 'not json{';
		const malformed = receiveTriggerRequest(
			{ headers: signReport(garbage, REPORT_SECRET, NOW_S), rawBody: garbage },
			keys,
			{ nowMs: NOW_MS },
		);
		expect(malformed).toEqual({ status: 400, message: 'The report body is not JSON' });
		const wrongShape = JSON.stringify({
			event: 'delivery_failed',
			source: 'send',
			reportedAt: 'x',
		});
		expect(
			receiveTriggerRequest(
				{ headers: signReport(wrongShape, REPORT_SECRET, NOW_S), rawBody: wrongShape },
				keys,
				{ nowMs: NOW_MS },
			),
		).toMatchObject({ status: 400 });
		const body = report();
		const noSecret = receiveTriggerRequest(
			{ headers: signReport(body, REPORT_SECRET, NOW_S), rawBody: body },
			{ eventKey: EVENT_KEY },
			{ nowMs: NOW_MS },
		);
		expect(noSecret).toMatchObject({ status: 403 });
		for (const decision of [malformed, noSecret])
			expect(JSON.stringify(decision)).not.toMatch(/report-secret|access-token/);
	});
});

describe('receiveTriggerRequest: OneBot events', () => {
	const offline = JSON.stringify({
		time: NOW_S,
		self_id: 10001,
		post_type: 'notice',
		notice_type: 'bot_offline',
		user_id: 10001,
		tag: 'Kicked',
		message: 'x',
	});
	const heartbeatOnline = JSON.stringify({
		post_type: 'meta_event',
		meta_event_type: 'heartbeat',
		status: { online: true, good: true },
		interval: 5000,
	});

	test('signed offline notice starts a run; signed uppercase hex (Lagrange) too', () => {
		expect(
			receiveTriggerRequest(
				{ headers: { 'x-signature': sha1(offline, EVENT_KEY) }, rawBody: offline },
				keys,
				{ nowMs: NOW_MS },
			),
		).toMatchObject({
			origin: 'onebot_event',
			start: { event: 'client_offline', reportedAt: new Date(NOW_MS).toISOString() },
		});
		const upper = `sha1=${createHmac('sha1', EVENT_KEY).update(offline).digest('hex').toUpperCase()}`;
		expect(
			receiveTriggerRequest({ headers: { 'X-Signature': upper }, rawBody: offline }, keys, {
				nowMs: NOW_MS,
			}),
		).toHaveProperty('start');
	});

	test('other events → 204, after the signature check', () => {
		expect(
			receiveTriggerRequest(
				{ headers: { 'x-signature': sha1(heartbeatOnline, EVENT_KEY) }, rawBody: heartbeatOnline },
				keys,
				{ nowMs: NOW_MS },
			),
		).toEqual({
			status: 204,
			message: 'heartbeat: online',
		});
		expect(
			receiveTriggerRequest(
				{ headers: { 'x-signature': sha1(heartbeatOnline, 'wrong') }, rawBody: heartbeatOnline },
				keys,
				{ nowMs: NOW_MS },
			),
		).toMatchObject({ status: 403 });
	});

	test('unsigned → 401 unless the user accepts unsigned events; a wrong signature stays 403 even then', () => {
		expect(
			receiveTriggerRequest({ headers: {}, rawBody: offline }, keys, { nowMs: NOW_MS }),
		).toMatchObject({ status: 401 });
		expect(
			receiveTriggerRequest({ headers: {}, rawBody: offline }, keys, {
				nowMs: NOW_MS,
				acceptUnsignedEvents: true,
			}),
		).toHaveProperty('start');
		expect(
			receiveTriggerRequest(
				{ headers: { 'x-signature': sha1(offline, 'bad') }, rawBody: offline },
				keys,
				{ nowMs: NOW_MS, acceptUnsignedEvents: true },
			),
		).toMatchObject({ status: 403 });
	});

	test('no key on the trigger: refused (401) unless unsigned events are accepted', () => {
		expect(
			receiveTriggerRequest(
				{ headers: {}, rawBody: offline },
				{ reportSecret: REPORT_SECRET },
				{ nowMs: NOW_MS },
			),
		).toMatchObject({ status: 401 });
		expect(
			receiveTriggerRequest(
				{ headers: {}, rawBody: offline },
				{},
				{ nowMs: NOW_MS, acceptUnsignedEvents: true },
			),
		).toHaveProperty('start');
	});

	test('malformed bodies → 400', () => {
		for (const rawBody of ['', '{"post_type":', '[1,2]', '"text"', '{"hello":"world"}']) {
			expect(
				receiveTriggerRequest(
					{ headers: { 'x-signature': sha1(rawBody, EVENT_KEY) }, rawBody },
					keys,
					{ nowMs: NOW_MS },
				),
			).toMatchObject({ status: 400 });
		}
	});
});

describe('matchesFilters', () => {
	const all: FailureFilters = {
		events: ['delivery_failed', 'client_offline', 'probe_down', 'restart_failed'],
		reasonClasses: ['terminal', 'ambiguous', 'transient', 'account'],
		groupIds: [],
		userIds: [],
	};
	const groupFailure = JSON.parse(report()) as FailureEvent;
	const privateFailure = JSON.parse(
		report({
			target: { type: 'private', id: 555 },
			reasonClass: 'terminal',
			reason: 'bad_request',
		}),
	) as FailureEvent;
	const offline = buildFailureEvent({
		event: 'client_offline',
		source: 'onebot_event',
		reportedAt: NOW_MS,
		reasonClass: 'account',
	});

	test('event kinds and reason classes', () => {
		expect(matchesFilters(groupFailure, all).match).toBe(true);
		expect(matchesFilters(groupFailure, { ...all, events: ['client_offline'] })).toEqual({
			match: false,
			detail: 'delivery_failed is not selected',
		});
		expect(matchesFilters(groupFailure, { ...all, reasonClasses: ['terminal'] }).match).toBe(false);
		// reason classes apply to delivery failures only
		expect(matchesFilters(offline, { ...all, reasonClasses: ['terminal'] }).match).toBe(true);
	});

	test('chat filters: listed targets pass, others not; events without a target pass', () => {
		const groups = { ...all, groupIds: [100200300] };
		expect(matchesFilters(groupFailure, groups).match).toBe(true);
		expect(matchesFilters(privateFailure, groups).match).toBe(false);
		expect(matchesFilters(privateFailure, { ...all, userIds: [555] }).match).toBe(true);
		expect(matchesFilters(groupFailure, { ...all, groupIds: [1] })).toEqual({
			match: false,
			detail: 'group 100200300 is not selected',
		});
		expect(matchesFilters(offline, groups).match).toBe(true);
	});
});

describe('offlineRunDue', () => {
	const heartbeat = (selfId: number) =>
		buildFailureEvent({
			event: 'client_offline',
			source: 'onebot_event',
			reportedAt: NOW_MS,
			selfId,
			details: { trigger: 'heartbeat_offline' },
		});
	const notice = buildFailureEvent({
		event: 'client_offline',
		source: 'onebot_event',
		reportedAt: NOW_MS,
		selfId: 1,
		details: { trigger: 'bot_offline' },
	});

	test('first offline heartbeat runs, repeats wait for the interval, per account', () => {
		const last: Record<string, number> = {};
		expect(offlineRunDue(heartbeat(1), last, NOW_MS, 600)).toBe(true);
		expect(offlineRunDue(heartbeat(1), last, NOW_MS + 5000, 600)).toBe(false);
		expect(offlineRunDue(heartbeat(2), last, NOW_MS + 5000, 600)).toBe(true);
		expect(offlineRunDue(heartbeat(1), last, NOW_MS + 600_000, 600)).toBe(true);
	});

	test('notices always run and restart the interval; 0 means every heartbeat; reports are never held back', () => {
		const last: Record<string, number> = {};
		expect(offlineRunDue(notice, last, NOW_MS, 600)).toBe(true);
		expect(offlineRunDue(notice, last, NOW_MS + 1000, 600)).toBe(true);
		expect(offlineRunDue(heartbeat(1), last, NOW_MS + 2000, 600)).toBe(false);
		expect(offlineRunDue(heartbeat(1), last, NOW_MS + 3000, 0)).toBe(true);
		const reported = buildFailureEvent({
			event: 'client_offline',
			source: 'probe',
			reportedAt: NOW_MS,
			selfId: 1,
		});
		expect(offlineRunDue(reported, last, NOW_MS + 4000, 600)).toBe(true);
	});
});
