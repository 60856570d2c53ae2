import type { ICredentialType, Icon } from 'n8n-workflow';
import {
	oneBotAuthenticate,
	oneBotConnectionProperties,
	oneBotCredentialTest,
} from './oneBotConnection';

/** A second QQ account in the same groups; what it receives is the proof that a message arrived. */
export class OneBotWitnessApi implements ICredentialType {
	name = 'oneBotWitnessApi';

	displayName = 'OneBot Witness API';

	icon: Icon = { light: 'file:../icons/onebot.svg', dark: 'file:../icons/onebot.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-onebot-sentinel/n8n-nodes-onebot-sentinel/blob/main/docs/nodes/send-with-verification.md#credentials';

	properties = oneBotConnectionProperties;

	authenticate = oneBotAuthenticate;

	test = oneBotCredentialTest;
}
