import type { ICredentialType, Icon } from 'n8n-workflow';
import {
	oneBotAuthenticate,
	oneBotConnectionProperties,
	oneBotCredentialTest,
} from './oneBotConnection';

export class OneBotApi implements ICredentialType {
	name = 'oneBotApi';

	displayName = 'OneBot API';

	icon: Icon = { light: 'file:../icons/onebot.svg', dark: 'file:../icons/onebot.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-onebot-sentinel/n8n-nodes-onebot-sentinel/blob/main/docs/nodes/send-with-verification.md#credentials';

	properties = oneBotConnectionProperties;

	authenticate = oneBotAuthenticate;

	test = oneBotCredentialTest;
}
