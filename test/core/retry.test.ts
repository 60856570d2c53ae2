import { DEFAULT_RETRY_POLICY, backoffDelay, decideRetry, runWithRetry } from '../../core/retry';
import type { AttemptOutcome, RetryPolicy } from '../../core/retry';
import type { Classification, ReasonClass } from '../../core/types';

const policy: RetryPolicy = {
	maxAttempts: 4,
	baseMs: 1000,
	capMs: 5000,
	accountBackoffMs: 60000,
	retryOn: ['ambiguous', 'transient', 'account'],
};

const failure = (reasonClass: ReasonClass): Classification => ({
	reason: reasonClass === 'terminal' ? 'auth_failed' : reasonClass === 'account' ? 'risk_control' : reasonClass === 'ambiguous' ? 'send_timeout' : 'unreachable',
	reasonClass,
	raw: {},
});

describe('backoffDelay', () => {
	test('full jitter: uniform in [0, min(cap, base·factor^n)]', () => {
		expect(backoffDelay(1, { baseMs: 1000, capMs: 5000 }, () => 0.999999)).toBe(999);
		expect(backoffDelay(2, { baseMs: 1000, capMs: 5000 }, () => 0.5)).toBe(1000);
		expect(backoffDelay(3, { baseMs: 1000, capMs: 5000 }, () => 0.5)).toBe(2000);
		expect(backoffDelay(10, { baseMs: 1000, capMs: 5000 }, () => 0.5)).toBe(2500);
		expect(backoffDelay(3, { baseMs: 1000, capMs: 100000, factor: 3 }, () => 0.5)).toBe(4500);
		expect(backoffDelay(5, { baseMs: 1000, capMs: 5000 }, () => 0)).toBe(0);
	});
});

describe('decideRetry', () => {
	test('terminal never retries, even when listed', () => {
		expect(decideRetry(failure('terminal'), 1, { ...policy, retryOn: ['terminal', 'transient'] })).toMatchObject({ action: 'stop' });
	});

	test('ambiguous verifies first', () => {
		expect(decideRetry(failure('ambiguous'), 1, policy, () => 0.5)).toMatchObject({ action: 'verify_then_retry', delayMs: 500 });
	});

	test('transient retries with backoff', () => {
		expect(decideRetry(failure('transient'), 2, policy, () => 0.5)).toMatchObject({ action: 'retry', delayMs: 1000 });
	});

	test('account backs off long and never below half the step', () => {
		expect(decideRetry(failure('account'), 1, policy, () => 0)).toMatchObject({ action: 'retry', delayMs: 30000 });
		expect(decideRetry(failure('account'), 2, policy, () => 0.999999).delayMs).toBeLessThanOrEqual(120000);
		expect(decideRetry(failure('account'), 2, policy, () => 0).delayMs).toBe(60000);
	});

	test('stops when attempts are used up or the class is not retried', () => {
		expect(decideRetry(failure('transient'), 4, policy)).toMatchObject({ action: 'stop', why: 'attempts exhausted' });
		expect(decideRetry(failure('account'), 1, { ...policy, retryOn: ['transient'] })).toMatchObject({ action: 'stop' });
	});

	test('the default policy retries ambiguous, transient and account', () => {
		expect(DEFAULT_RETRY_POLICY.retryOn).toEqual(['ambiguous', 'transient', 'account']);
	});
});

describe('runWithRetry', () => {
	function script(outcomes: Array<AttemptOutcome<string>>) {
		const calls: number[] = [];
		return {
			calls,
			attempt: async (n: number) => {
				calls.push(n);
				return outcomes[n - 1];
			},
		};
	}

	test('transient failures are retried after injected sleeps, then succeed', async () => {
		const sleeps: number[] = [];
		const run = script([{ ok: false, classification: failure('transient') }, { ok: false, classification: failure('transient') }, { ok: true, value: 'id-1' }]);
		const result = await runWithRetry({ policy, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, attempt: run.attempt });
		expect(result).toMatchObject({ ok: true, value: 'id-1', attempts: 3, landedAfterCheck: false });
		expect(sleeps).toEqual([500, 1000]);
	});

	test('an ambiguous failure that landed is not resent', async () => {
		const run = script([{ ok: false, classification: failure('ambiguous') }, { ok: true, value: 'dup' }]);
		const result = await runWithRetry({ policy, sleep: async () => undefined, attempt: run.attempt, verify: async () => true });
		expect(result).toMatchObject({ ok: true, landedAfterCheck: true, attempts: 1 });
		expect(run.calls).toEqual([1]);
	});

	test('an ambiguous failure that did not land is resent', async () => {
		const run = script([{ ok: false, classification: failure('ambiguous') }, { ok: true, value: 'id-2' }]);
		const result = await runWithRetry({ policy, sleep: async () => undefined, attempt: run.attempt, verify: async () => false });
		expect(result).toMatchObject({ ok: true, value: 'id-2', attempts: 2 });
		expect(result.steps[0]).toMatchObject({ landed: false, decision: { action: 'verify_then_retry' } });
	});

	test('without a way to verify, an ambiguous failure is never resent blindly', async () => {
		const run = script([{ ok: false, classification: failure('ambiguous') }, { ok: true, value: 'x' }]);
		const result = await runWithRetry({ policy, sleep: async () => undefined, attempt: run.attempt });
		expect(result.ok).toBe(false);
		expect(run.calls).toEqual([1]);
	});

	test('terminal stops at once', async () => {
		const run = script([{ ok: false, classification: failure('terminal') }]);
		const result = await runWithRetry({ policy, sleep: async () => undefined, attempt: run.attempt, verify: async () => true });
		expect(result).toMatchObject({ ok: false, attempts: 1, classification: { reasonClass: 'terminal' } });
	});

	test('the last ambiguous attempt is still checked before reporting failure', async () => {
		const run = script([{ ok: false, classification: failure('ambiguous') }]);
		const verified: number[] = [];
		const result = await runWithRetry({
			policy: { ...policy, maxAttempts: 1 },
			sleep: async () => undefined,
			attempt: run.attempt,
			verify: async (n) => {
				verified.push(n);
				return true;
			},
		});
		expect(result).toMatchObject({ ok: true, landedAfterCheck: true });
		expect(verified).toEqual([1]);
	});
});
