import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { randomBytes } from 'crypto';
import { InputError, parseTargetId } from '../../core/message';
import { DEFAULT_HYSTERESIS, renderCanaryText } from '../../core/probe';
import type { CanaryPlan, hysteresisKey } from '../../core/probe';
import { readNumber } from '../shared/parameters';
import type { FieldOf } from '../shared/parameters';

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

function positive(
	context: IExecuteFunctions,
	field: FieldOf<'probe'>,
	value: unknown,
	itemIndex: number,
): number {
	return readNumber(context, 'probe', field, value, itemIndex);
}

export function readParameters(
	context: IExecuteFunctions,
	itemIndex: number,
	now: number,
): ProbeParameters {
	const canary = context.getNodeParameter('canary', itemIndex) as string;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const wantsGroup = canary === 'group' || canary === 'groupAndPrivate';
	const wantsPrivate = canary === 'private' || canary === 'groupAndPrivate';
	if (!['none', 'group', 'private', 'groupAndPrivate'].includes(canary)) {
		throw new NodeOperationError(context.getNode(), `Unknown canary choice "${canary}"`, {
			itemIndex,
		});
	}
	const parameters: ProbeParameters = {
		canaries: {},
		needsWitness: false,
		historyKeyParts: {},
		timeoutMs:
			positive(context, 'options.requestTimeout', options.requestTimeout, itemIndex) * 1000,
		apiSlowMs: positive(context, 'options.apiSlowMs', options.apiSlowMs, itemIndex),
		canarySlowMs: positive(context, 'options.canarySlowMs', options.canarySlowMs, itemIndex),
		failureThreshold: positive(
			context,
			'options.failureThreshold',
			options.failureThreshold ?? DEFAULT_HYSTERESIS.failureThreshold,
			itemIndex,
		),
		recoveryThreshold: positive(
			context,
			'options.recoveryThreshold',
			options.recoveryThreshold ?? DEFAULT_HYSTERESIS.recoveryThreshold,
			itemIndex,
		),
		degradedToUnhealthy: context.getNodeParameter('degradedOutput', itemIndex) === 'unhealthy',
		reportOnDown: context.getNodeParameter('reportOnDown', itemIndex) as boolean,
	};
	if (wantsGroup || wantsPrivate)
		readCanaries(context, itemIndex, now, parameters, wantsGroup, wantsPrivate);
	return parameters;
}

/** The canaries asked for, their targets, and what they add to the history key; fills `parameters`. */
function readCanaries(
	context: IExecuteFunctions,
	itemIndex: number,
	now: number,
	parameters: ProbeParameters,
	wantsGroup: boolean,
	wantsPrivate: boolean,
): void {
	const template = String(context.getNodeParameter('canaryTemplate', itemIndex));
	if (!template.includes('{nonce}')) {
		throw new NodeOperationError(context.getNode(), 'The canary message must contain {nonce}', {
			itemIndex,
			description: `Item ${itemIndex}: "Canary Message" needs {nonce} so that each canary is unique and cannot be mistaken for an earlier one.`,
		});
	}
	const deadlineMs =
		positive(
			context,
			'canaryDeadline',
			context.getNodeParameter('canaryDeadline', itemIndex),
			itemIndex,
		) * 1000;
	const recall = context.getNodeParameter('recallCanary', itemIndex) as boolean;
	const plan = (
		target: CanaryPlan['target'],
		verification: CanaryPlan['verification'],
	): CanaryPlan => ({
		target,
		verification,
		// Each canary gets its own nonce: the group and private canaries are judged separately.
		text: renderCanaryText(template, {
			nowMs: now,
			nonce: randomBytes(4).toString('hex'),
			timeZone: context.getTimezone(),
		}),
		deadlineMs,
		recall,
	});
	try {
		if (wantsGroup) {
			const groupId = parseTargetId(
				context.getNodeParameter('groupId', itemIndex),
				'Probe Group ID',
			);
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
				const userId = parseTargetId(
					context.getNodeParameter('privateUserId', itemIndex),
					'Private Target User ID',
				);
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
}
