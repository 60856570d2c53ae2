/** Workflow shapes shared by the benchmark and the e2e suites. */
import { randomUUID } from 'node:crypto';
import type { WorkflowJson } from './n8n';

/**
 * Manual Trigger → Set (an array of N numbers, an expression in n8n's main process) → Split Out → one node,
 * which receives N items `{ n: 0 … N-1 }`. `node` needs at least its name, type, typeVersion and parameters.
 */
export function batchWorkflow(options: {
	name: string;
	count: number;
	node: Record<string, unknown> & { name: string };
	id?: string;
}): WorkflowJson {
	const { name, count, node, id } = options;
	return {
		...(id ? { id } : {}),
		name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Manual Trigger',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: randomUUID(),
				name: 'Numbers',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [
							{
								id: 'n',
								name: 'n',
								type: 'array',
								value: `={{ Array.from({ length: ${count} }, (_, i) => i) }}`,
							},
						],
					},
					options: {},
				},
			},
			{
				id: randomUUID(),
				name: 'Items',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [400, 0],
				parameters: { fieldToSplitOut: 'n', options: {} },
			},
			{ id: randomUUID(), position: [600, 0], ...node },
		],
		connections: {
			'Manual Trigger': { main: [[{ node: 'Numbers', type: 'main', index: 0 }]] },
			Numbers: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: node.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
