import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * A node's outputs as n8n hands them on. Run as an AI-agent tool (the node's `...Tool` type, connected through
 * ai_tool to an agent or the MCP Server Trigger), n8n answers the caller with the first output's items only
 * (n8n-core: get-input-connection-data.js, mapResult), so a failure routed to the second output would reach the
 * agent as an empty answer. There every item goes to the first output, in input order; each item's `status`
 * still says which output it belongs to. In a workflow the outputs stay as they are.
 */
export function outputsForCaller(
	context: IExecuteFunctions,
	outputs: INodeExecutionData[][],
): INodeExecutionData[][] {
	if (!context.isToolExecution?.()) return outputs;
	const all = outputs.flat();
	const index = (item: INodeExecutionData) => {
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		return typeof paired === 'number' ? paired : (paired?.item ?? 0);
	};
	return [
		all
			.map((item, position) => ({ item, position }))
			.sort((a, b) => index(a.item) - index(b.item) || a.position - b.position)
			.map(({ item }) => item),
		...outputs.slice(1).map(() => []),
	];
}
