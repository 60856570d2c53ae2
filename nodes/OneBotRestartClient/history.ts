import type { IExecuteFunctions } from 'n8n-workflow';

const HISTORY_KEY = 'restartHistory';

export function guardHistory(context: IExecuteFunctions): Record<string, unknown[]> {
	const staticData = context.getWorkflowStaticData('node');
	const stored = staticData[HISTORY_KEY];
	if (!stored || typeof stored !== 'object' || Array.isArray(stored)) staticData[HISTORY_KEY] = {};
	return staticData[HISTORY_KEY] as Record<string, unknown[]>;
}

/** Static data is saved only for active workflows outside manual runs (n8n community node docs). */
export function historyPersists(context: IExecuteFunctions): boolean {
	if (context.getMode() === 'manual') return false;
	const workflow = context.getWorkflow() as { active?: boolean };
	return workflow.active !== false;
}
