/**
 * Bounds and cancellation (issue 14, item 5): every numeric parameter is checked against one table
 * (nodes/shared/parameters.ts), expressions included; empty values take the default instead of 0; no
 * timer exceeds 2^31-1 ms; a cancelled execution ends every wait.
 */
import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { readParameters as readRestartParameters } from '../../nodes/OneBotRestartClient/parameters';
import { readParameters as readProbeParameters } from '../../nodes/OneBotHealthProbe/parameters';
import {
	readItemSettings as readSendItemSettings,
	readSettings as readSendSettings,
} from '../../nodes/OneBotSendWithVerification/parameters';
import {
	MAX_TIMER_MS,
	NUMBER_LIMITS,
	checkNumber,
	readChoice,
} from '../../nodes/shared/parameters';
import { ExecutionCancelled, stoppableSleep } from '../../nodes/shared/sleep';

/** The two calls parameter readers make, over fixed values (the node harness covers n8n's own loading). */
function context(parameters: IDataObject): IExecuteFunctions {
	return {
		getNode: () => ({
			name: 'Node',
			type: 'test',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		getNodeParameter: (name: string, _item: number, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
	} as unknown as IExecuteFunctions;
}

function errorOf(run: () => unknown): NodeOperationError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('expected a NodeOperationError');
}

const restartBase = {
	method: 'onebot',
	dryRun: false,
	minIntervalMinutes: 10,
	maxPerHour: 3,
	recoveryDeadline: 120,
	options: {},
};
const sendBase = { verification: 'api', deadlineSeconds: 30, retry: {}, options: {} };
const probeBase = { canary: 'none', degradedOutput: 'healthy', reportOnDown: false, options: {} };

describe('one table of numeric bounds', () => {
	test('every entry is sane: min <= default <= max <= the timer limit when it is a duration', () => {
		for (const [node, fields] of Object.entries(NUMBER_LIMITS)) {
			for (const [field, limit] of Object.entries(fields)) {
				expect([node, field, limit.min <= limit.default && limit.default <= limit.max]).toEqual([
					node,
					field,
					true,
				]);
				const ms =
					limit.unit === 's'
						? limit.max * 1000
						: limit.unit === 'min'
							? limit.max * 60000
							: limit.unit === 'ms'
								? limit.max
								: 0;
				expect(ms).toBeLessThanOrEqual(MAX_TIMER_MS);
			}
		}
	});

	test.each([
		[null, 3],
		[undefined, 3],
		['', 3],
		['7', 7],
		[' 7 ', 7],
	])('%p reads as %p (empty means the default, never 0)', (value, expected) => {
		expect(checkNumber(value, NUMBER_LIMITS.restart.maxPerHour)).toEqual({
			ok: true,
			value: expected,
		});
	});

	test.each([[true], [[3]], [{}], ['3 per hour'], ['0x10'], [NaN], [Infinity], [61], [-1], [2.5]])(
		'%p is refused for maxPerHour',
		(value) => {
			expect(checkNumber(value, NUMBER_LIMITS.restart.maxPerHour)).toMatchObject({ ok: false });
		},
	);
});

describe('Restart Client: guard fields', () => {
	test('Max Restarts per Hour and Minimum Interval left empty by an expression keep their defaults (the guard stays on)', () => {
		const parameters = readRestartParameters(
			context({ ...restartBase, maxPerHour: null, minIntervalMinutes: null }),
			0,
		);
		expect(parameters.maxPerHour).toBe(3);
		expect(parameters.minIntervalMs).toBe(10 * 60000);
	});

	test('an expression giving a huge interval or deadline is refused, naming item and field', () => {
		const error = errorOf(() =>
			readRestartParameters(context({ ...restartBase, recoveryDeadline: 1e9 }), 0),
		);
		expect(error.message).toBe(
			'Item 0: "Recovery Deadline" (recoveryDeadline) must be a number more than 0 and at most 3600 s, got 1000000000',
		);
		expect(
			errorOf(() => readRestartParameters(context({ ...restartBase, minIntervalMinutes: 1e6 }), 0))
				.message,
		).toMatch(/^Item 0: "Minimum Interval"/);
		expect(
			errorOf(() =>
				readRestartParameters(context({ ...restartBase, options: { expectedSelfId: 'me' } }), 0),
			).message,
		).toMatch(/Account QQ Number/);
	});

	test('an unknown method and an unknown HTTP method are refused by name', () => {
		expect(
			errorOf(() => readRestartParameters(context({ ...restartBase, method: 'toString' }), 0))
				.message,
		).toMatch(/^Item 0: "method" must be one of/);
		expect(() =>
			readChoice(context({}), 'httpMethod', 'DELETE', ['GET', 'POST'] as const, 2),
		).toThrow('Item 2: "httpMethod" must be one of GET, POST, got "DELETE"');
	});
});

describe('Send With Verification and Health Probe', () => {
	test('Max Attempts 1e6 from an expression is refused; so are huge backoffs and deadlines', () => {
		expect(
			errorOf(() => readSendItemSettings(context({ ...sendBase, retry: { maxAttempts: 1e6 } }), 0))
				.message,
		).toBe(
			'Item 0: "Max Attempts" (retry.maxAttempts) must be a whole number at least 1 and at most 10, got 1000000',
		);
		expect(
			errorOf(() =>
				readSendItemSettings(context({ ...sendBase, retry: { accountBackoffMs: 2 ** 31 } }), 0),
			).message,
		).toMatch(/Account Backoff/);
		expect(
			errorOf(() => readSendItemSettings(context({ ...sendBase, deadlineSeconds: 86400 }), 0))
				.message,
		).toMatch(/Deadline/);
		expect(
			errorOf(() =>
				readSendSettings(context({ ...sendBase, options: { requestTimeoutMs: 'soon' } })),
			).message,
		).toMatch(/Request Timeout/);
	});

	test('Probe thresholds: null takes the default; 0 and 1e9 are refused', () => {
		expect(
			readProbeParameters(
				context({ ...probeBase, options: { failureThreshold: null } }),
				0,
				Date.now(),
			).failureThreshold,
		).toBe(3);
		expect(
			errorOf(() =>
				readProbeParameters(
					context({ ...probeBase, options: { failureThreshold: 0 } }),
					0,
					Date.now(),
				),
			).message,
		).toMatch(/Failure Threshold/);
		expect(
			errorOf(() =>
				readProbeParameters(context({ ...probeBase, options: { apiSlowMs: 1e9 } }), 0, Date.now()),
			).message,
		).toMatch(/API Latency/);
	});
});

describe('waits', () => {
	test('a wait longer than 2^31-1 ms does not fire early (Node would fire such a timer after ~1 ms)', async () => {
		const controller = new AbortController();
		let settled = false;
		const wait = stoppableSleep(controller.signal)(2 ** 31 + 5000).then(
			() => (settled = true),
			(error: Error) => error,
		);
		await sleep(400);
		expect(settled).toBe(false);
		controller.abort();
		const started = Date.now();
		expect(await wait).toBeInstanceOf(ExecutionCancelled);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	test('a cancelled execution refuses to start a wait', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(stoppableSleep(controller.signal)(10)).rejects.toBeInstanceOf(ExecutionCancelled);
	});
});
