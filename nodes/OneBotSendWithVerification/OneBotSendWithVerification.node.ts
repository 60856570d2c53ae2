import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { outputsForCaller } from '../shared/toolOutput';
import { sendWithVerificationProperties } from './description';
import { errorItem, itemFailure } from './output';
import { sendItems } from './run';

export class OneBotSendWithVerification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OneBot Send With Verification',
		name: 'oneBotSendWithVerification',
		icon: { light: 'file:../../icons/onebot.svg', dark: 'file:../../icons/onebot.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{$parameter["targetType"] + " " + $parameter["targetId"] + " · " + $parameter["verification"]}}',
		description:
			'Send a QQ message through OneBot v11 and prove it arrived: API accepted, sender lookup, or a witness account saw it. Retries only what is safe. Returns one item per message: status delivered, or failed with reason and reasonClass.',
		defaults: { name: 'OneBot Send With Verification' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Delivered', 'Not Delivered'],
		credentials: [
			{ name: 'oneBotApi', required: true, displayName: 'Bot Account (Sends the Message)' },
			{
				name: 'oneBotWitnessApi',
				required: false,
				displayName: 'Witness Account (Confirms Arrival)',
			},
		],
		properties: sendWithVerificationProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const progress = { sending: false };
		if (!this.continueOnFail()) return await sendItems(this, progress);
		try {
			return await sendItems(this, progress);
		} catch (error) {
			// n8n 2.41 hands the input of a node that failed as a whole to its first output under Continue
			// (n8n-core WorkflowExecute.handleNodeExecutionError), which here is Delivered: every item goes to Not
			// Delivered with the error instead (a Stop included: "stopped", not resent).
			const failed = this.getInputData().map((_, itemIndex) => ({
				json: errorItem(
					this,
					itemIndex,
					itemFailure(this, itemIndex, error),
					Date.now(),
					progress.sending,
				),
				pairedItem: { item: itemIndex },
			}));
			return outputsForCaller(this, [[], failed]);
		}
	}
}
