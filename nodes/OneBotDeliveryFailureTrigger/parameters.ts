import { NodeOperationError } from 'n8n-workflow';
import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import type { FailureFilters } from '../../core/trigger';
import { InputError, parseTargetId } from '../../core/message';
import type { FailureEventKind, ReasonClass } from '../../core/types';

const EVENT_KINDS: FailureEventKind[] = [
	'delivery_failed',
	'client_offline',
	'probe_down',
	'restart_failed',
];
const REASON_CLASSES: ReasonClass[] = ['terminal', 'ambiguous', 'transient', 'account'];

export interface TriggerOptions {
	groupIds?: string;
	userIds?: string;
	acceptUnsignedEvents?: boolean;
	offlineRepeatMinutes?: number;
}

export function readFilters(context: IWebhookFunctions | IHookFunctions): FailureFilters {
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const ids = (field: 'groupIds' | 'userIds', label: string): number[] => {
		const raw = options[field] ?? '';
		try {
			return raw
				.split(',')
				.map((part) => part.trim())
				.filter(Boolean)
				.map((part) => parseTargetId(part, label));
		} catch (error) {
			const message = error instanceof InputError ? error.message : String(error);
			throw new NodeOperationError(context.getNode(), `Options › ${label}: ${message}`);
		}
	};
	const selected = <T extends string>(name: string, allowed: readonly T[]): T[] => {
		const value = context.getNodeParameter(name, allowed) as unknown;
		return Array.isArray(value)
			? (value.filter((v) => allowed.includes(v as T)) as T[])
			: [...allowed];
	};
	return {
		events: selected('events', EVENT_KINDS),
		reasonClasses: selected('reasonClasses', REASON_CLASSES),
		groupIds: ids('groupIds', 'Group IDs'),
		userIds: ids('userIds', 'User IDs'),
	};
}
