/**
 * Reading and checking numeric parameters, for all four nodes. Every numeric parameter has its bounds in
 * NUMBER_LIMITS (one table, documented in docs/bad-input.md), enforced here whether the value was typed or
 * came from an expression. An empty value (undefined, null, '') means "not set" and takes the default:
 * `Number(null)` is 0, which would silently turn a guard such as "Max Restarts per Hour" off.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

type Context = IExecuteFunctions | IWebhookFunctions | IHookFunctions;

export interface NumberLimit {
	/** What the editor shows. */
	label: string;
	min: number;
	max: number;
	/** The minimum itself is not allowed (e.g. a timeout of 0). */
	minExclusive?: boolean;
	integer?: boolean;
	unit: string;
	default: number;
}

/** The longest a single timer may wait in Node.js (2^31-1 ms); a longer setTimeout fires after ~1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

const HOUR_S = 3600;

/** Every node's Request Timeout: more than 0, at most 300 s; only the default differs. */
function requestTimeoutBounds(defaultS: number) {
	return {
		label: 'Request Timeout',
		min: 0,
		minExclusive: true,
		max: 300,
		unit: 's',
		default: defaultS,
	} as const;
}
const DAY_S = 86400;

/** Bounds of every numeric parameter, per node, by parameter path (as in the node's description). */
export const NUMBER_LIMITS = {
	send: {
		deadlineSeconds: {
			label: 'Deadline (Seconds)',
			min: 0.01,
			max: HOUR_S,
			unit: 's',
			default: 30,
		},
		'retry.maxAttempts': {
			label: 'Max Attempts',
			min: 1,
			max: 10,
			integer: true,
			unit: '',
			default: 3,
		},
		'retry.backoffMs': {
			label: 'Backoff (Ms)',
			min: 0,
			max: HOUR_S * 1000,
			unit: 'ms',
			default: 2000,
		},
		'retry.backoffCapMs': {
			label: 'Backoff Cap (Ms)',
			min: 0,
			max: HOUR_S * 1000,
			unit: 'ms',
			default: 60000,
		},
		'retry.accountBackoffMs': {
			label: 'Account Backoff (Ms)',
			min: 0,
			max: DAY_S * 1000,
			unit: 'ms',
			default: 300000,
		},
		'options.pollIntervalMs': {
			label: 'Poll Interval (Ms)',
			min: 10,
			max: 60000,
			unit: 'ms',
			default: 1000,
		},
		'options.minIntervalMs': {
			label: 'Minimum Interval (Ms)',
			min: 0,
			max: 600000,
			unit: 'ms',
			default: 1000,
		},
		'options.requestTimeoutMs': {
			label: 'Request Timeout (Ms)',
			min: 100,
			max: 300000,
			unit: 'ms',
			default: 30000,
		},
		'options.accountRatePerMinute': {
			label: 'Account Rate per Minute',
			min: 0,
			max: 600,
			unit: '/min',
			default: 0,
		},
		'options.breakerThreshold': {
			label: 'Breaker Threshold',
			min: 0,
			max: 1000,
			integer: true,
			unit: '',
			default: 5,
		},
		'options.breakerCoolDownSeconds': {
			label: 'Breaker Cool-Down (Seconds)',
			min: 0,
			max: DAY_S,
			unit: 's',
			default: 60,
		},
		'options.breakerHoldSeconds': {
			label: 'Breaker Hold (Seconds)',
			min: 0,
			max: DAY_S,
			unit: 's',
			default: 600,
		},
	},
	probe: {
		canaryDeadline: {
			label: 'Canary Deadline',
			min: 0,
			minExclusive: true,
			max: HOUR_S,
			unit: 's',
			default: 30,
		},
		'options.requestTimeout': requestTimeoutBounds(10),
		'options.apiSlowMs': {
			label: 'API Latency Threshold',
			min: 0,
			minExclusive: true,
			max: 600000,
			unit: 'ms',
			default: 3000,
		},
		'options.canarySlowMs': {
			label: 'Canary Latency Threshold',
			min: 0,
			minExclusive: true,
			max: HOUR_S * 1000,
			unit: 'ms',
			default: 15000,
		},
		'options.failureThreshold': {
			label: 'Failure Threshold',
			min: 1,
			max: 100,
			integer: true,
			unit: '',
			default: 3,
		},
		'options.recoveryThreshold': {
			label: 'Recovery Threshold',
			min: 1,
			max: 100,
			integer: true,
			unit: '',
			default: 2,
		},
	},
	restart: {
		minIntervalMinutes: { label: 'Minimum Interval', min: 0, max: 1440, unit: 'min', default: 10 },
		maxPerHour: {
			label: 'Max Restarts per Hour',
			min: 0,
			max: 60,
			integer: true,
			unit: '',
			default: 3,
		},
		recoveryDeadline: {
			label: 'Recovery Deadline',
			min: 0,
			minExclusive: true,
			max: HOUR_S,
			unit: 's',
			default: 120,
		},
		stopTimeout: { label: 'Stop Timeout', min: 0, max: 600, unit: 's', default: 10 },
		'options.initialWait': { label: 'Initial Wait', min: 0, max: 600, unit: 's', default: 5 },
		'options.loginGrace': { label: 'Login Grace', min: 0, max: 600, unit: 's', default: 20 },
		'options.pollBase': {
			label: 'Poll Interval',
			min: 0,
			minExclusive: true,
			max: 300,
			unit: 's',
			default: 2,
		},
		'options.pollCap': {
			label: 'Max Poll Interval',
			min: 0,
			minExclusive: true,
			max: 600,
			unit: 's',
			default: 15,
		},
		'options.rateLimitWait': {
			label: 'Rate Limit Wait',
			min: 0,
			max: HOUR_S,
			unit: 's',
			default: 60,
		},
		'options.requestTimeout': requestTimeoutBounds(15),
		'options.expectedSelfId': {
			label: 'Account QQ Number',
			min: 0,
			max: 4294967295,
			integer: true,
			unit: '',
			default: 0,
		},
	},
	trigger: {
		'options.offlineRepeatMinutes': {
			label: 'Repeat Offline Heartbeat Runs After (Minutes)',
			min: 0,
			max: 1440,
			unit: 'min',
			default: 10,
		},
	},
} as const satisfies Record<string, Record<string, NumberLimit>>;

export type NodeKey = keyof typeof NUMBER_LIMITS;
export type FieldOf<N extends NodeKey> = keyof (typeof NUMBER_LIMITS)[N] & string;

/** The error every node gives for a bad parameter: it names the item and the field. */
export function parameterError(
	context: Context,
	itemIndex: number,
	field: string,
	message: string,
): NodeOperationError {
	return new NodeOperationError(context.getNode(), `Item ${itemIndex}: ${message}`, {
		itemIndex,
		description: `Check the "${field}" parameter of item ${itemIndex}.`,
	});
}

function describeRange(limit: NumberLimit): string {
	const unit = limit.unit ? ` ${limit.unit}` : '';
	const low = limit.minExclusive ? `more than ${limit.min}` : `at least ${limit.min}`;
	return `${limit.integer ? 'a whole number' : 'a number'} ${low} and at most ${limit.max}${unit}`;
}

/** Why `value` is not acceptable for `limit`, or the number it stands for. */
export function checkNumber(
	value: unknown,
	limit: NumberLimit,
): { ok: true; value: number } | { ok: false; problem: string } {
	if (value === undefined || value === null || value === '')
		return { ok: true, value: limit.default };
	let number: number;
	if (typeof value === 'number') number = value;
	else if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value))
		number = Number(value);
	else
		return {
			ok: false,
			problem: `must be ${describeRange(limit)}, got ${JSON.stringify(value) ?? String(value)}`,
		};
	const tooLow = limit.minExclusive ? number <= limit.min : number < limit.min;
	if (
		!Number.isFinite(number) ||
		tooLow ||
		number > limit.max ||
		(limit.integer && !Number.isInteger(number))
	) {
		return { ok: false, problem: `must be ${describeRange(limit)}, got ${String(value)}` };
	}
	return { ok: true, value: number };
}

/**
 * A numeric parameter of `node`, checked against its bounds. `value` is what the node read (a top-level
 * parameter or a collection member); empty means the default.
 */
export function readNumber<N extends NodeKey>(
	context: Context,
	node: N,
	field: FieldOf<N>,
	value: unknown,
	itemIndex = 0,
): number {
	const limit = NUMBER_LIMITS[node][field] as NumberLimit;
	const checked = checkNumber(value, limit);
	if (!checked.ok) {
		throw parameterError(
			context,
			itemIndex,
			field,
			`"${limit.label}" (${field}) ${checked.problem}`,
		);
	}
	return checked.value;
}

/** Like readNumber, but undefined when the value is empty (an option left unset keeps another default). */
export function readOptionalNumber<N extends NodeKey>(
	context: Context,
	node: N,
	field: FieldOf<N>,
	value: unknown,
	itemIndex = 0,
): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return readNumber(context, node, field, value, itemIndex);
}

/** One of `allowed`, or a NodeOperationError naming item and field (own values only, never a prototype member). */
export function readChoice<T extends string>(
	context: Context,
	field: string,
	value: unknown,
	allowed: readonly T[],
	itemIndex = 0,
): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	throw parameterError(
		context,
		itemIndex,
		field,
		`"${field}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value) ?? String(value)}`,
	);
}
