import { DEFAULT_RETRY_POLICY, backoffDelay, decideRetry } from '../../core/retry';
import type { RetryPolicy } from '../../core/retry';
import type { Classification, ReasonClass } from '../../core/types';

const policy: RetryPolicy = {
	maxAttempts: 4,
	baseMs: 1000,
	capMs: 5000,
	accountBackoffMs: 60000,
	retryOn: ['ambiguous', 'transient', 'account'],
};

const failure = (reasonClass: ReasonClass): Classification => ({
	reason:
		reasonClass === 'terminal'
			? 'auth_failed'
			: reasonClass === 'account'
				? 'risk_control'
				: reasonClass === 'ambiguous'
					? 'send_timeout'
					: 'unreachable',
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
		expect(
			decideRetry(failure('terminal'), 1, { ...policy, retryOn: ['terminal', 'transient'] }),
		).toMatchObject({ action: 'stop' });
	});

	test('ambiguous verifies first', () => {
		expect(decideRetry(failure('ambiguous'), 1, policy, () => 0.5)).toMatchObject({
			action: 'retry',
			checkFirst: true,
			delayMs: 500,
		});
	});

	test('a send that may have landed is checked first, whether it is resent or not', () => {
		expect(decideRetry(failure('account'), 1, policy, () => 0)).toMatchObject({
			action: 'retry',
			checkFirst: true,
		});
		expect(decideRetry(failure('ambiguous'), 4, policy)).toMatchObject({
			action: 'stop',
			checkFirst: true,
		});
		expect(decideRetry(failure('ambiguous'), 1, { ...policy, retryOn: [] })).toMatchObject({
			action: 'stop',
			checkFirst: true,
		});
		expect(decideRetry(failure('transient'), 1, policy)).toMatchObject({ checkFirst: false });
		expect(decideRetry(failure('terminal'), 1, policy)).toMatchObject({ checkFirst: false });
	});

	test('transient retries with backoff', () => {
		expect(decideRetry(failure('transient'), 2, policy, () => 0.5)).toMatchObject({
			action: 'retry',
			delayMs: 1000,
		});
	});

	test('account backs off long and never below half the step', () => {
		expect(decideRetry(failure('account'), 1, policy, () => 0)).toMatchObject({
			action: 'retry',
			delayMs: 30000,
		});
		expect(decideRetry(failure('account'), 2, policy, () => 0.999999).delayMs).toBeLessThanOrEqual(
			120000,
		);
		expect(decideRetry(failure('account'), 2, policy, () => 0).delayMs).toBe(60000);
	});

	test('stops when attempts are used up or the class is not retried', () => {
		expect(decideRetry(failure('transient'), 4, policy)).toMatchObject({
			action: 'stop',
			why: 'attempts exhausted',
		});
		expect(decideRetry(failure('account'), 1, { ...policy, retryOn: ['transient'] })).toMatchObject(
			{ action: 'stop' },
		);
	});

	test('the default policy retries ambiguous, transient and account', () => {
		expect(DEFAULT_RETRY_POLICY.retryOn).toEqual(['ambiguous', 'transient', 'account']);
	});
});
