import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { randomBytes } from 'crypto';
import { InputError, parseTargetId } from '../../core/message';
import { DEFAULT_HYSTERESIS, renderCanaryText } from '../../core/probe';
import type { CanaryPlan, hysteresisKey } from '../../core/probe';

export interface ProbeParameters {
	canaries: { group?: CanaryPlan; private?: CanaryPlan };
	needsWitness: boolean;
	historyKeyParts: Parameters<typeof hysteresisKey>[1];
	timeoutMs: number;
	apiSlowMs: number;
	canarySlowMs: number;
	failureThreshold: number;
	recoveryThreshold: number;
	degradedToUnhealthy: boolean;
	reportOnDown: boolean;
}

function positive(context: IExecuteFunctions, value: unknown, field: string, itemIndex: number): number {
	const number = Number(value);
	if (!Number.isFinite(number) || number <= 0) {
		throw new NodeOperationError(context.getNode(), `"${field}" must be a positive number, got "${String(value)}"`, {
			itemIndex,
			description: `Item ${itemIndex}: fix the "${field}" parameter.`,
		});
	}
	return number;
}

export function readParameters(context: IExecuteFunctions, itemIndex: number, now: number): ProbeParameters {
	const canary = context.getNodeParameter('canary', itemIndex) as string;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const wantsGroup = canary === 'group' || canary === 'groupAndPrivate';
	const wantsPrivate = canary === 'private' || canary === 'groupAndPrivate';
	if (!['none', 'group', 'private', 'groupAndPrivate'].includes(canary)) {
		throw new NodeOperationError(context.getNode(), `Unknown canary choice "${canary}"`, { itemIndex });
	}
	const parameters: ProbeParameters = {
		canaries: {},
		needsWitness: false,
		historyKeyParts: {},
		timeoutMs: positive(context, options.requestTimeout ?? 10, 'Request Timeout', itemIndex) * 1000,
		apiSlowMs: positive(context, options.apiSlowMs ?? 3000, 'API Latency Threshold', itemIndex),
		canarySlowMs: positive(context, options.canarySlowMs ?? 15000, 'Canary Latency Threshold', itemIndex),
		failureThreshold: Math.floor(
			positive(context, options.failureThreshold ?? DEFAULT_HYSTERESIS.failureThreshold, 'Failure Threshold', itemIndex),
		),
		recoveryThreshold: Math.floor(
			positive(context, options.recoveryThreshold ?? DEFAULT_HYSTERESIS.recoveryThreshold, 'Recovery Threshold', itemIndex),
		),
		degradedToUnhealthy: context.getNodeParameter('degradedOutput', itemIndex) === 'unhealthy',
		reportOnDown: context.getNodeParameter('reportOnDown', itemIndex) as boolean,
	};
	if (!wantsGroup && !wantsPrivate) return parameters;

	const template = String(context.getNodeParameter('canaryTemplate', itemIndex));
	if (!template.includes('{nonce}')) {
		throw new NodeOperationError(context.getNode(), 'The canary message must contain {nonce}', {
			itemIndex,
			description: `Item ${itemIndex}: "Canary Message" needs {nonce} so that each canary is unique and cannot be mistaken for an earlier one.`,
		});
	}
	const deadlineMs = positive(context, context.getNodeParameter('canaryDeadline', itemIndex), 'Canary Deadline', itemIndex) * 1000;
	const recall = context.getNodeParameter('recallCanary', itemIndex) as boolean;
	const plan = (target: CanaryPlan['target'], verification: CanaryPlan['verification']): CanaryPlan => ({
		target,
		verification,
		// Each canary gets its own nonce: the group and private canaries are judged separately.
		text: renderCanaryText(template, { nowMs: now, nonce: randomBytes(4).toString('hex'), timeZone: context.getTimezone() }),
		deadlineMs,
		recall,
	});
	try {
		if (wantsGroup) {
			const groupId = parseTargetId(context.getNodeParameter('groupId', itemIndex), 'Probe Group ID');
			parameters.canaries.group = plan({ type: 'group', id: groupId }, 'witness');
			parameters.historyKeyParts.group = parameters.canaries.group.target;
			parameters.needsWitness = true;
		}
		if (wantsPrivate) {
			const toWitness = context.getNodeParameter('privateTarget', itemIndex) === 'witness';
			if (toWitness) {
				// The witness's own number is learned from its get_login_info when the canary is sent.
				parameters.canaries.private = plan({ type: 'private', id: 0 }, 'witness');
				parameters.historyKeyParts.private = 'witness';
				parameters.needsWitness = true;
			} else {
				const userId = parseTargetId(context.getNodeParameter('privateUserId', itemIndex), 'Private Target User ID');
				parameters.canaries.private = plan({ type: 'private', id: userId }, 'lookup');
				parameters.historyKeyParts.private = parameters.canaries.private.target;
			}
		}
	} catch (error) {
		const field = error instanceof InputError ? (error.field ?? 'parameter') : 'parameter';
		throw new NodeOperationError(context.getNode(), (error as Error).message, {
			itemIndex,
			description: `Item ${itemIndex}: fix the "${field}" field.`,
		});
	}
	return parameters;
}
