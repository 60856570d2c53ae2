/**
 * Stop and overlapping runs at the edges of delivery (issue #23, rows 1 and 2): runs (engines) sharing one
 * account's pacing lane and breaker, on virtual time, against an in-process fake account. A stopped run
 * sends nothing after its stop, wherever it waits; no target waits for another target's interval; a breaker
 * trial that ends without a verdict hands the breaker back to `open`.
 */
import { DeliveryEngine, DeliveryStopped } from '../../core/delivery';
import type { DeliveryOutcome, DeliveryRequest, DeliverySettings } from '../../core/delivery';
import { accountPacing, resetAllAccountPacing } from '../../core/pacing/registry';
import { DEFAULT_RETRY_POLICY } from '../../core/retry';
import { OneBotClient } from '../../core/transport';
import type { HttpRequest, RequestFn } from '../../core/transport';
import { scheduledTime } from './pacingTime';

const BOT = 20001;
const G = 777;
const H = 888;
// NapCat's send timeout wording (NapCatQQ: src/common/event.ts, "Timeout: NTEvent serviceAndMethod:...").
const NAPCAT_SEND_TIMEOUT =
	'Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet: {}';

type Time = ReturnType<typeof scheduledTime>;

/** An account that answers sends after `answerAfterMs` (or times them out while `stuck`) and keeps no history. */
class FakeAccount {
	stuck = false;
	answerAfterMs = 0;
	sends: Array<{ at: number; group: number; text: string }> = [];
	private nextId = 1;

	constructor(private readonly time: Time) {}

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
				this.sends.push({
					at: this.time.clock(),
					group: Number(params.group_id),
					text: message[0].data.text,
				});
				if (this.answerAfterMs > 0) await this.time.sleep(this.answerAfterMs);
				if (this.stuck)
					return {
						status: 200,
						body: { status: 'failed', retcode: 200, data: null, message: NAPCAT_SEND_TIMEOUT },
					};
				return ok({ message_id: this.nextId++ });
			}
			default:
				return {
					status: 200,
					body: { status: 'failed', retcode: 1404, data: null, message: `不支持的Api ${action}` },
				};
		}
	};
}

function settings(
	minIntervalMs: number,
	pacing: Partial<NonNullable<DeliverySettings['pacing']>> = {},
): DeliverySettings {
	return {
		verification: 'api',
		deadlineMs: 1000,
		pollIntervalMs: 100,
		minIntervalMs,
		requestTimeoutMs: 30_000,
		retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
		pacing: {
			ratePerMinute: 0,
			breaker: { threshold: 3, coolDownMs: 60_000 },
			holdMs: 10_000,
			pollMs: 1000,
			...pacing,
		},
	};
}

function request(group: number, text: string): DeliveryRequest {
	return {
		index: 0,
		target: { type: 'group', id: group },
		message: [{ type: 'text', data: { text } }],
		correlationId: text,
	};
}

class Cancelled extends Error {}

function setup() {
	const time = scheduledTime();
	const account = new FakeAccount(time);
	const client = new OneBotClient({
		baseUrl: 'http://fake.onebot',
		request: account.request,
		clock: time.clock,
	});
	/** One run: its own cancel signal; its sleeps end (throwing) once stopped, as n8n's stoppable sleep does. */
	const run = (s: DeliverySettings) => {
		const controller = new AbortController();
		const sleep = async (ms: number) => {
			if (controller.signal.aborted) throw new Cancelled('cancelled');
			await time.sleep(ms);
			if (controller.signal.aborted) throw new Cancelled('cancelled');
		};
		const engine = new DeliveryEngine(s, {
			sender: { client },
			sleep,
			clock: time.clock,
			accounts: accountPacing,
			signal: controller.signal,
		});
		return { engine, stop: () => controller.abort() };
	};
	/** Stops `target` after `ms` of virtual time. */
	const stopAfter = async (ms: number, target: { stop: () => void }) => {
		await time.sleep(ms);
		target.stop();
	};
	return { time, account, run, stopAfter };
}

describe('Stop and the account lane (row 1)', () => {
	afterEach(() => resetAllAccountPacing());

	test('a run stopped while its item waits in the lane behind another run sends nothing, ever', async () => {
		const { time, account, run, stopAfter } = setup();
		const t0 = time.clock();
		const a = run(settings(5000));
		const b = run(settings(5000));
		const c = run(settings(5000));
		const all = Promise.all([
			a.engine.deliverEach([request(G, 'a to G')]),
			b.engine.deliverEach([request(G, 'b to G')]),
			c.engine.deliverEach([request(G, 'c to G')]),
			stopAfter(3000, c),
		]);
		const [ra, rb, rc] = await time.run(all);
		expect(ra[0]).toMatchObject({ ok: true, result: { status: 'delivered' } });
		expect(rb[0]).toMatchObject({ ok: true, result: { status: 'delivered' } });
		// Stopped: an error outcome (never a result that claims anything), and no send at all.
		expect(rc[0].ok).toBe(false);
		// As a stop, not as an unexpected failure: the node says "stopped" only for DeliveryStopped.
		expect(rc[0].ok ? null : rc[0].error).toBeInstanceOf(DeliveryStopped);
		// Past every slot C could have been given.
		await time.run(time.sleep(30_000));
		expect(account.sends.map((s) => s.text)).toEqual(['a to G', 'b to G']);
		expect(account.sends[1].at - t0).toBe(5000);
	});

	test('a stopped item to another group sends nothing after the stop (the reported case: A to G, B to G, C to H)', async () => {
		const { time, account, run, stopAfter } = setup();
		const a = run(settings(5000));
		const b = run(settings(5000));
		const c = run(settings(5000));
		// The answer to A takes 3.5 s: C is stopped while the lane still serves the runs before it.
		account.answerAfterMs = 3500;
		const all = Promise.all([
			a.engine.deliverEach([request(G, 'a to G')]),
			b.engine.deliverEach([request(G, 'b to G')]),
			c.engine.deliverEach([request(H, 'c to H')]),
			stopAfter(3000, c),
		]);
		await time.run(all);
		await time.run(time.sleep(30_000));
		const stopAt = 1_700_000_000_000 + 3000;
		// C goes out at once (its group has no interval to wait for), or not at all: never after its stop.
		expect(account.sends.filter((s) => s.at >= stopAt).map((s) => s.text)).not.toContain('c to H');
		expect(account.sends.map((s) => s.text).sort()).toEqual(['a to G', 'b to G', 'c to H']);
	});

	test("no head-of-line blocking: a message to H does not wait for G's interval", async () => {
		const { time, account, run } = setup();
		const t0 = time.clock();
		const a = run(settings(5000));
		const b = run(settings(5000));
		const c = run(settings(5000));
		const [, , rc] = await time.run(
			Promise.all([
				a.engine.deliverEach([request(G, 'a to G')]),
				b.engine.deliverEach([request(G, 'b to G')]),
				c.engine.deliverEach([request(H, 'c to H')]),
			]),
		);
		const at = Object.fromEntries(account.sends.map((s) => [s.text, s.at - t0]));
		expect(at).toEqual({ 'a to G': 0, 'b to G': 5000, 'c to H': 0 });
		expect((rc[0] as Extract<DeliveryOutcome, { ok: true }>).result.evidence.pacing).toMatchObject({
			limitedBy: 'none',
		});
	});

	test('the account rate still spaces sends to different targets, in request order per target', async () => {
		const { time, account, run } = setup();
		const t0 = time.clock();
		const s = settings(5000, { ratePerMinute: 30 });
		const runs = [run(s), run(s), run(s)];
		await time.run(
			Promise.all([
				runs[0].engine.deliverEach([request(G, 'g1')]),
				runs[1].engine.deliverEach([request(G, 'g2')]),
				runs[2].engine.deliverEach([request(H, 'h1')]),
			]),
		);
		const at = Object.fromEntries(account.sends.map((s) => [s.text, s.at - t0]));
		// g1 at 0; h1 takes the next account slot (2 s) instead of waiting behind g2 (5 s, G's interval).
		expect(at).toEqual({ g1: 0, h1: 2000, g2: 5000 });
		const times = account.sends.map((s) => s.at).sort((x, y) => x - y);
		for (let i = 1; i < times.length; i++)
			expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(2000);
	});
});

describe('Stop and the breaker trial (row 2)', () => {
	afterEach(() => resetAllAccountPacing());

	test('a trial stopped mid-send hands the breaker back to open; the next send becomes the trial', async () => {
		const { time, account, run, stopAfter } = setup();
		const s = settings(0, { holdMs: 0, breaker: { threshold: 1, coolDownMs: 5000 } });
		account.stuck = true;
		await time.run(run(s).engine.deliverEach([request(G, 'opens it')]));
		expect(accountPacing(BOT).breaker.state).toBe('open');
		account.stuck = false;
		await time.run(time.sleep(6000));
		// The trial's answer takes 2 s; the run is stopped 1 s into it.
		account.answerAfterMs = 2000;
		const trial = run({ ...s, pacing: { ...s.pacing!, holdMs: 60_000 } });
		const [outcome] = await time.run(
			Promise.all([trial.engine.deliverEach([request(G, 'trial')]), stopAfter(1000, trial)]),
		);
		expect(outcome[0].ok).toBe(false);
		expect(accountPacing(BOT).breaker.snapshot()).toMatchObject({ state: 'open' });
		// An hour later a healthy client: the next send is the trial and closes the breaker.
		account.answerAfterMs = 0;
		await time.run(time.sleep(3_600_000));
		const later = await time.run(
			run({ ...s, pacing: { ...s.pacing!, holdMs: 10_000 } }).engine.deliverAll([
				request(G, 'an hour later'),
			]),
		);
		expect(later[0]).toMatchObject({ status: 'delivered', evidence: { breaker: { trial: true } } });
		expect(accountPacing(BOT).breaker.state).toBe('closed');
	});
});
