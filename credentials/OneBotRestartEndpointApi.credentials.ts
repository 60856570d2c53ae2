import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

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

	properties: INodeProperties[] = [
		{
			displayName: 'Restart URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://supervisor.example.com/restart/qq',
			required: true,
			description: 'The URL that restarts the client. A 2xx answer counts as accepted.',
		},
		{
			displayName: 'Authorization Header Value',
			name: 'authorizationToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'Bearer 0123456789abcdef',
			description:
				'Full value of the Authorization header the endpoint expects. Leave empty when it needs none.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '={{$credentials.authorizationToken}}',
			},
		},
	};
}
