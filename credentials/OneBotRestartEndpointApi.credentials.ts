import type { ICredentialType, Icon } from 'n8n-workflow';
import { authorizationHeader, secretField, textField } from './fields';

/**
 * Any other supervisor that restarts the QQ client on an HTTP request (a systemd webhook, Portainer,
 * a PaaS API...). Tested without contacting it: a test request would restart the client.
 */
export class OneBotRestartEndpointApi implements ICredentialType {
	name = 'oneBotRestartEndpointApi';

	displayName = 'OneBot Restart Endpoint API';

	icon: Icon = { light: 'file:../icons/onebot.svg', dark: 'file:../icons/onebot.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-onebot-sentinel/n8n-nodes-onebot-sentinel/blob/main/docs/nodes/restart-client.md';

	properties = [
		textField(
			'url',
			'Restart URL',
			'https://supervisor.example.com/restart/qq',
			'The URL that restarts the client. A 2xx answer counts as accepted.',
			{ required: true },
		),
		secretField(
			'authorizationToken',
			'Authorization Header Value',
			'Full value of the Authorization header the endpoint expects. Leave empty when it needs none.',
			{ placeholder: 'Bearer 0123456789abcdef' },
		),
	];

	authenticate = authorizationHeader('={{$credentials.authorizationToken}}');
}
