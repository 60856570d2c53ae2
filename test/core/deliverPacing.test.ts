/**
 * The delivery engine with account-wide pacing: runs (engines) sharing one account's limiter and
 * breaker, on virtual time, against an in-process fake account.
 */
import { DeliveryEngine } from '../../core/delivery';
import type { BreakerOpening, DeliveryRequest, DeliverySettings } from '../../core/delivery';
import {
	accountPacing,
	closeAccountBreaker,
	resetAllAccountPacing,
} from '../../core/pacing/registry';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import { OneBotClient } from '../../core/transport';
import type { HttpRequest, RequestFn } from '../../core/transport';
import { scheduledTime } from './pacingTime';

const BOT = 20001;
const GROUP = 777;
// NapCat's send timeout wording (NapCatQQ: src/common/event.ts, "Timeout: NTEvent serviceAndMethod:...").
const NAPCAT_SEND_TIMEOUT =
	'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet: {}';

/** An account that answers sends (or times them out while `stuck`) and keeps no history. */
class FakeAccount {
	stuck = false;
	sends: Array<{ at: number; text: string }> = [];
	private nextId = 1;

	constructor(private readonly clock: () => number) {}

	readonly request: RequestFn = async (request: HttpRequest) => {
		const action = request.url.split('/').pop()!;
		const params = (request.body ?? {}) as Record<string, unknown>;
		const ok = (data: unknown) => ({ status: 200, body: { status: 'ok', retcode: 0, data } });
		switch (action) {
			case 'get_login_info':
				return ok({ user_id: BOT, nickname: 'bot' });
			case 'get_version_info':
				return ok({ app_name: 'NapCat.Onebot', app_version: '4.8.0' });
			case 'send_group_msg': {
				const message = params.message as Array<{ data: { text: string } }>;
				this.sends.push({ at: this.clock(), text: message[0].data.text });
				if (this.stuck)
					return {
						status: 200,
						body: { status: 'failed', retcode: 200, data: null, message: NAPCAT_SEND_TIMEOUT },
					};
				return ok({ message_id: this.nextId++ });
			}
			case 'get_group_msg_history':
				return ok({ messages: [] });
			default:
				return {
					status: 200,
					body: { status: 'failed', retcode: 1404, data: null, message: `不支持的Api ${action}` },
				};
		}
	};
}

function settings(
	overrides: Partial<DeliverySettings['pacing']> = {},
	minIntervalMs = 0,
): DeliverySettings {
	return {
		verification: 'api',
		deadlineMs: 1000,
		pollIntervalMs: 100,
		minIntervalMs,
		requestTimeoutMs: 5000,
		retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
		pacing: {
			ratePerMinute: 0,
			breaker: { threshold: 3, coolDownMs: 60_000 },
			holdMs: 10_000,
			pollMs: 1000,
			...overrides,
		},
	};
}

function requests(prefix: string, count: number): DeliveryRequest[] {
	return Array.from({ length: count }, (_, index) => ({
		index,
		target: { type: 'group' as const, id: GROUP },
		message: [{ type: 'text', data: { text: `${prefix} ${index}` } }],
		correlationId: `${prefix}-${index}`,
	}));
}

describe('DeliveryEngine with account pacing shared by runs', () => {
	afterEach(() => resetAllAccountPacing());

	function setup() {
		const time = scheduledTime();
		const account = new FakeAccount(time.clock);
		const client = new OneBotClient({
			baseUrl: 'http://fake.onebot',
			request: account.request,
			clock: time.clock,
		});
		const openings: BreakerOpening[] = [];
		const engine = (s: DeliverySettings) =>
			new DeliveryEngine(s, {
				sender: { client },
				sleep: time.sleep,
				clock: time.clock,
				accounts: accountPacing,
				onBreakerOpen: async (opening) => {
					openings.push(opening);
					return { sent: true };
				},
			});
		return { time, account, engine, openings };
	}

	test("two runs at once to one group: sends spaced by the account rate, in each run's input order, each once", async () => {
		const { time, account, engine } = setup();
		const t0 = time.clock();
		const s = settings({ ratePerMinute: 30 });
		const [a, b] = await time.run(
			Promise.all([
				engine(s).deliverAll(requests('run-a', 3)),
				engine(s).deliverAll(requests('run-b', 3)),
			]),
		);
		expect([...a, ...b].every((r) => r.status === 'delivered')).toBe(true);
		const gaps = account.sends.slice(1).map((send, i) => send.at - account.sends[i].at);
		expect(gaps).toEqual([2000, 2000, 2000, 2000, 2000]);
		const texts = account.sends.map((send) => send.text);
		expect(new Set(texts).size).toBe(6);
		expect(texts.filter((t) => t.startsWith('run-a'))).toEqual(['run-a 0', 'run-a 1', 'run-a 2']);
		expect(texts.filter((t) => t.startsWith('run-b'))).toEqual(['run-b 0', 'run-b 1', 'run-b 2']);
		// Every send's wait is visible: a run asks for its next slot after its previous send, so each waits
		// for at most the other run's slot and its own spacing.
		const waited = [...a, ...b].map((r) => r.timing.pacingWaitMs ?? -1).sort((x, y) => x - y);
		expect(waited).toEqual([0, 2000, 4000, 4000, 4000, 4000]);
		expect(account.sends[5].at - t0).toBe(10_000);
		expect(a[0].evidence.pacing).toMatchObject({ ratePerMinute: 30 });
		expect(account.sends[0].at).toBe(t0);
	});

	test("three runs to one group under its minimum interval: each run's items leave in input order (docs/pacing.md)", async () => {
		const { time, account, engine } = setup();
		const s = settings({ ratePerMinute: 0 }, 1000);
		const runs = await time.run(
			Promise.all(['run-a', 'run-b', 'run-c'].map((run) => engine(s).deliverAll(requests(run, 4)))),
		);
		expect(runs.flat().every((r) => r.status === 'delivered')).toBe(true);
		const texts = account.sends.map((send) => send.text);
		expect(texts).toHaveLength(12);
		for (const run of ['run-a', 'run-b', 'run-c'])
			expect(texts.filter((t) => t.startsWith(run))).toEqual(
				[0, 1, 2, 3].map((i) => `${run} ${i}`),
			);
		const gaps = account.sends.slice(1).map((send, i) => send.at - account.sends[i].at);
		expect(gaps.every((gap) => gap >= 1000)).toBe(true);
	});

	test('a stuck client: the breaker opens after 3 failures, one opening report, the rest held then Not Delivered unsent', async () => {
		const { time, account, engine, openings } = setup();
		account.stuck = true;
		const results = await time.run(engine(settings()).deliverAll(requests('stuck', 8)));
		expect(account.sends).toHaveLength(3);
		expect(openings).toHaveLength(1);
		expect(openings[0]).toMatchObject({
			selfId: BOT,
			reason: { reason: 'send_timeout' },
			snapshot: { state: 'open' },
		});
		expect(results.slice(0, 3).map((r) => r.reason)).toEqual([
			'send_timeout',
			'send_timeout',
			'send_timeout',
		]);
		expect(
			results.filter(
				(r) =>
					r.evidence.breaker &&
					(r.evidence.breaker as { openedByThisItem: boolean }).openedByThisItem,
			),
		).toHaveLength(1);
		const held = results.slice(3);
		expect(
			held.every(
				(r) => r.status === 'failed' && r.reason === 'circuit_open' && r.reasonClass === 'account',
			),
		).toBe(true);
		expect(held.every((r) => r.attempts.length === 1 && r.attempts[0].messageId === null)).toBe(
			true,
		);
		// Held in order: each waits for the one before it, the first its full hold.
		expect(held[0].timing.breakerWaitMs).toBe(10_000);
		expect(held.every((r) => (r.evidence.breaker as { state: string }).state === 'open')).toBe(
			true,
		);
	});

	test('a held send goes out once the breaker is closed by a recovered restart; a later run is not held', async () => {
		const { time, account, engine, openings } = setup();
		account.stuck = true;
		const first = await time.run(engine(settings({ holdMs: 0 })).deliverAll(requests('before', 3)));
		expect(first.every((r) => r.status === 'failed')).toBe(true);
		expect(openings).toHaveLength(1);
		const held = engine(settings({ holdMs: 600_000 })).deliverAll(requests('held', 2));
		// Time passes; the client is restarted and the restart closes the breaker.
		const recovery = (async () => {
			await time.sleep(30_000);
			account.stuck = false;
			closeAccountBreaker(BOT, 'restart_recovered');
		})();
		const [results] = await time.run(Promise.all([held, recovery]));
		expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
		expect(results[0].timing.breakerWaitMs).toBe(30_000);
		expect(results[1].evidence.breaker).toMatchObject({
			state: 'closed',
			closedBy: 'restart_recovered',
		});
		expect(account.sends.map((s) => s.text)).toEqual([
			'before 0',
			'before 1',
			'before 2',
			'held 0',
			'held 1',
		]);
		expect(openings).toHaveLength(1);
	});

	test('after the cool-down a single trial send decides: delivered closes the breaker for everyone waiting', async () => {
		const { time, account, engine } = setup();
		account.stuck = true;
		await time.run(
			engine(settings({ holdMs: 0, breaker: { threshold: 1, coolDownMs: 5000 } })).deliverAll(
				requests('x', 1),
			),
		);
		account.stuck = false;
		const openedAt = Date.parse(accountPacing(BOT).breaker.snapshot().openedAt!);
		const askedAt = time.clock();
		const results = await time.run(
			engine(settings({ holdMs: 60_000, breaker: { threshold: 1, coolDownMs: 5000 } })).deliverAll(
				requests('y', 3),
			),
		);
		expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
		expect(results[0].evidence.breaker).toMatchObject({ trial: true });
		expect(results[0].timing.breakerWaitMs).toBe(openedAt + 5000 - askedAt);
		expect(askedAt).toBeLessThan(openedAt + 5000);
		expect(accountPacing(BOT).breaker.snapshot()).toMatchObject({
			state: 'closed',
			closedBy: 'trial_delivered',
		});
	});
});
