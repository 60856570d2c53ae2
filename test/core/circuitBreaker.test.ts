/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, runs outside n8n */
import { CircuitBreaker, breakerVerdict } from '../../core/pacing/breaker';
import type { BreakerVerdict } from '../../core/pacing/breaker';
import {
	accountPacing,
	closeAccountBreaker,
	knownAccountPacing,
	resetAllAccountPacing,
} from '../../core/pacing/registry';
import type { Classification } from '../../core/types';
import { scheduledTime } from './pacingTime';

const stuck: BreakerVerdict = { kind: 'failure', reason: 'send_timeout', opensAtOnce: false };
const success: BreakerVerdict = { kind: 'success' };
const neutral: BreakerVerdict = { kind: 'neutral' };

function failure(
	reason: Classification['reason'],
	reasonClass: Classification['reasonClass'],
): Classification {
	return { reason, reasonClass, raw: {} };
}

function breakerWith(threshold: number, coolDownMs = 60_000) {
	const breaker = new CircuitBreaker();
	breaker.configure({ threshold, coolDownMs });
	return breaker;
}

describe('breakerVerdict: what a send outcome tells the breaker', () => {
	test.each([
		['delivered', undefined, 'success'],
		['not_observed', failure('not_observed', 'ambiguous'), 'failure'],
		['send_timeout', failure('send_timeout', 'ambiguous'), 'failure'],
		['client_timeout', failure('client_timeout', 'ambiguous'), 'failure'],
		['unreachable', failure('unreachable', 'transient'), 'failure'],
		['risk_control', failure('risk_control', 'account'), 'failure'],
		['muted', failure('muted', 'terminal'), 'neutral'],
		['bad_request', failure('bad_request', 'terminal'), 'neutral'],
		['lookup_failed', failure('lookup_failed', 'transient'), 'neutral'],
		['circuit_open', failure('circuit_open', 'account'), 'neutral'],
	])('%s → %s', (_name, classification, kind) => {
		expect(breakerVerdict(classification).kind).toBe(kind);
	});

	test('account-level failures open at once, stuck ones count', () => {
		expect(breakerVerdict(failure('client_offline', 'account'))).toMatchObject({
			opensAtOnce: true,
		});
		expect(breakerVerdict(failure('risk_control', 'account'))).toMatchObject({ opensAtOnce: true });
		// go-cqhttp's SEND_MSG_API_ERROR is also what a timed-out send gets: it counts instead.
		expect(
			breakerVerdict({ ...failure('risk_control', 'account'), detail: 'gocqhttp_send_failed' }),
		).toMatchObject({
			kind: 'failure',
			opensAtOnce: false,
		});
		expect(breakerVerdict(failure('not_observed', 'ambiguous'))).toMatchObject({
			opensAtOnce: false,
		});
		// go-cqhttp's blocked by server is one group's missing echo (MiraiGo client/group_msg.go): it counts,
		// so only several failures in a row open the breaker.
		expect(
			breakerVerdict({ ...failure('risk_control', 'ambiguous'), detail: 'blocked_by_server' }),
		).toMatchObject({ kind: 'failure', opensAtOnce: false });
		// 请参考 go-cqhttp 端输出 (a non-friend, a temp chat, a message too long) says nothing of the account.
		expect(
			breakerVerdict({ ...failure('api_error', 'ambiguous'), detail: 'gocqhttp_send_failed' }),
		).toEqual({ kind: 'neutral' });
	});
});

describe('CircuitBreaker: closed → open → half-open', () => {
	test('opens after N stuck failures in a row; a delivery in between starts the count again', () => {
		const breaker = breakerWith(3);
		const at = 1000;
		breaker.record(stuck, { trial: false, at });
		breaker.record(stuck, { trial: false, at });
		breaker.record(success, { trial: false, at });
		breaker.record(stuck, { trial: false, at });
		breaker.record(neutral, { trial: false, at });
		expect(breaker.record(stuck, { trial: false, at }).opened).toBe(false);
		expect(breaker.state).toBe('closed');
		const third = breaker.record(stuck, { trial: false, at });
		expect(third.opened).toBe(true);
		expect(third.snapshot).toMatchObject({
			state: 'open',
			openReason: 'send_timeout',
			opens: 1,
			consecutiveFailures: 3,
		});
	});

	test('exactly one caller learns it opened: failures of sends already in flight do not report again', () => {
		const breaker = breakerWith(2);
		const opened = [stuck, stuck, stuck, stuck].map(
			(v) => breaker.record(v, { trial: false, at: 0 }).opened,
		);
		expect(opened).toEqual([false, true, false, false]);
		expect(breaker.snapshot().opens).toBe(1);
	});

	test('an account-level failure (risk control, offline) opens it at once', () => {
		const breaker = breakerWith(5);
		const result = breaker.record(breakerVerdict(failure('risk_control', 'account')), {
			trial: false,
			at: 0,
		});
		expect(result).toMatchObject({
			opened: true,
			snapshot: { state: 'open', openReason: 'risk_control' },
		});
	});

	test('threshold 0 turns it off', () => {
		const breaker = breakerWith(0);
		for (let i = 0; i < 10; i++)
			breaker.record(breakerVerdict(failure('risk_control', 'account')), { trial: false, at: 0 });
		expect(breaker.state).toBe('closed');
	});

	test('while open, a caller waits up to its hold and is then refused', async () => {
		const time = scheduledTime();
		const breaker = breakerWith(1, 60_000);
		breaker.record(stuck, { trial: false, at: time.clock() });
		const admission = await time.run(
			breaker.admit({ holdMs: 10_000, pollMs: 1000, clock: time.clock, sleep: time.sleep }),
		);
		expect(admission).toEqual({ admitted: false, waitedMs: 10_000 });
		const noHold = await time.run(
			breaker.admit({ holdMs: 0, pollMs: 1000, clock: time.clock, sleep: time.sleep }),
		);
		expect(noHold).toEqual({ admitted: false, waitedMs: 0 });
		expect(breaker.snapshot().waiting).toBe(0);
	});

	test('after the cool-down one trial goes out; its delivery lets the waiting callers go in arrival order', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const breaker = breakerWith(1, 5000);
		breaker.record(stuck, { trial: false, at: t0 });
		const order: string[] = [];
		const admit = (name: string) =>
			breaker
				.admit({ holdMs: 60_000, pollMs: 1000, clock: time.clock, sleep: time.sleep })
				.then((admission) => {
					order.push(name);
					return admission;
				});
		const first = admit('a');
		const others = [admit('b'), admit('c'), admit('d')];
		const trial = await time.run(first);
		expect(trial).toMatchObject({ admitted: true, trial: true, waitedMs: 5000, heldBy: 'open' });
		expect(breaker.state).toBe('half_open');
		// The trial is in flight: nobody else goes.
		time.advance(3000);
		expect(order).toEqual(['a']);
		breaker.record(success, { trial: true, at: time.clock() });
		const rest = await time.run(Promise.all(others));
		expect(order).toEqual(['a', 'b', 'c', 'd']);
		expect(rest.every((admission) => admission.admitted && !admission.trial)).toBe(true);
		expect(breaker.snapshot()).toMatchObject({
			state: 'closed',
			closedBy: 'trial_delivered',
			opens: 1,
		});
	});

	test('a failed trial opens it again for another cool-down, without a second opening report', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const breaker = breakerWith(1, 5000);
		breaker.record(stuck, { trial: false, at: t0 });
		const options = { holdMs: 60_000, pollMs: 1000, clock: time.clock, sleep: time.sleep };
		const first = await time.run(breaker.admit(options));
		expect(first).toMatchObject({ trial: true });
		const reopened = breaker.record(stuck, { trial: true, at: time.clock() });
		expect(reopened).toMatchObject({ opened: false, snapshot: { state: 'open', opens: 1 } });
		const second = await time.run(breaker.admit(options));
		expect(second).toMatchObject({ admitted: true, trial: true, waitedMs: 5000 });
		expect(time.clock() - t0).toBe(10_000);
	});

	test('a trial that says nothing about the account (muted group) hands the trial to the next caller', async () => {
		const time = scheduledTime();
		const breaker = breakerWith(1, 5000);
		breaker.record(stuck, { trial: false, at: time.clock() });
		const options = { holdMs: 60_000, pollMs: 1000, clock: time.clock, sleep: time.sleep };
		const a = breaker.admit(options);
		const b = breaker.admit(options);
		expect(await time.run(a)).toMatchObject({ trial: true });
		breaker.record(neutral, { trial: true, at: time.clock() });
		expect(await time.run(b)).toMatchObject({ admitted: true, trial: true });
		expect(breaker.state).toBe('half_open');
	});

	test('close() (a recovered restart, a healthy probe) lets waiting callers go at once, before the cool-down', async () => {
		const time = scheduledTime();
		const t0 = time.clock();
		const breaker = breakerWith(1, 600_000);
		breaker.record(stuck, { trial: false, at: t0 });
		const options = { holdMs: 600_000, pollMs: 1000, clock: time.clock, sleep: time.sleep };
		const waiting = Promise.all([breaker.admit(options), breaker.admit(options)]);
		await time.run(new Promise<void>((resolve) => setImmediate(resolve)));
		time.advance(2500);
		expect(breaker.close('restart_recovered')).toBe(true);
		const admissions = await time.run(waiting);
		expect(admissions).toEqual([
			{ admitted: true, trial: false, waitedMs: 2500, heldBy: 'open' },
			{ admitted: true, trial: false, waitedMs: 2500, heldBy: 'open' },
		]);
		expect(breaker.snapshot()).toMatchObject({
			state: 'closed',
			closedBy: 'restart_recovered',
			consecutiveFailures: 0,
		});
		expect(breaker.close('probe_healthy')).toBe(false);
	});

	test('reset() closes it and forgets the count and why it opened', () => {
		const breaker = breakerWith(3);
		breaker.record(stuck, { trial: false, at: 0 });
		breaker.record(stuck, { trial: false, at: 0 });
		breaker.reset();
		expect(breaker.snapshot()).toMatchObject({
			state: 'closed',
			consecutiveFailures: 0,
			openReason: null,
			closedBy: 'reset',
		});
		breaker.record(breakerVerdict(failure('client_offline', 'account')), { trial: false, at: 0 });
		breaker.reset();
		expect(breaker.snapshot()).toMatchObject({ state: 'closed', openedAt: null, openReason: null });
	});
});

describe("go-cqhttp's blocked by server counts per target (Mrs4s/MiraiGo: client/group_msg.go sendGroupMessage)", () => {
	const blocked = (target: string) =>
		breakerVerdict(
			{ ...failure('risk_control', 'ambiguous'), detail: 'blocked_by_server' },
			target,
		);

	test('the verdict names the target whose echo was missing', () => {
		expect(blocked('group:1')).toMatchObject({ kind: 'failure', target: 'group:1' });
		// Other failures say nothing about one target.
		expect(breakerVerdict(failure('send_timeout', 'ambiguous'), 'group:1')).not.toHaveProperty(
			'target',
		);
	});

	test('one group failing again and again (a mute there, a slow echo) leaves the breaker closed', () => {
		const breaker = breakerWith(3);
		for (let i = 0; i < 6; i++) breaker.record(blocked('group:1'), { trial: false, at: 0 });
		expect(breaker.state).toBe('closed');
		expect(breaker.snapshot().consecutiveFailures).toBe(1);
	});

	test('several targets failing in a row open it', () => {
		const breaker = breakerWith(3);
		breaker.record(blocked('group:1'), { trial: false, at: 0 });
		breaker.record(blocked('group:1'), { trial: false, at: 0 });
		breaker.record(blocked('group:2'), { trial: false, at: 0 });
		expect(breaker.state).toBe('closed');
		const third = breaker.record(blocked('group:3'), { trial: false, at: 0 });
		expect(third).toMatchObject({ opened: true, snapshot: { openReason: 'risk_control' } });
	});

	test('a delivery forgets the failed targets; stuck failures still count with them', () => {
		const breaker = breakerWith(3);
		breaker.record(blocked('group:1'), { trial: false, at: 0 });
		breaker.record(success, { trial: false, at: 0 });
		breaker.record(blocked('group:1'), { trial: false, at: 0 });
		breaker.record(stuck, { trial: false, at: 0 });
		expect(breaker.state).toBe('closed');
		expect(breaker.record(blocked('group:2'), { trial: false, at: 0 }).opened).toBe(true);
	});

	test('a trial that fails on a target already failing hands the trial on instead of opening again', () => {
		const breaker = breakerWith(2, 0);
		breaker.record(blocked('group:1'), { trial: false, at: 0 });
		breaker.record(blocked('group:2'), { trial: false, at: 0 });
		expect(breaker.state).toBe('open');
		breaker.record(blocked('group:1'), { trial: true, at: 10 });
		expect(breaker.snapshot().openedAt).toBe(new Date(0).toISOString());
	});
});

describe('account registry: one limiter and one breaker per account, for every run in the process', () => {
	afterEach(() => resetAllAccountPacing());

	test('the same account gets the same objects; another account its own', () => {
		const a = accountPacing(10001);
		expect(accountPacing('10001')).toBe(a);
		expect(accountPacing(10002)).not.toBe(a);
		expect(knownAccountPacing(10003)).toBeUndefined();
	});

	test('closeAccountBreaker closes that account only', () => {
		const a = accountPacing(10001).breaker;
		const b = accountPacing(10002).breaker;
		a.configure({ threshold: 1, coolDownMs: 1000 });
		b.configure({ threshold: 1, coolDownMs: 1000 });
		a.record(stuck, { trial: false, at: 0 });
		b.record(stuck, { trial: false, at: 0 });
		expect(closeAccountBreaker(10001, 'probe_healthy')).toBe(true);
		expect(a.state).toBe('closed');
		expect(b.state).toBe('open');
		expect(closeAccountBreaker(10009, 'probe_healthy')).toBe(false);
	});
});
