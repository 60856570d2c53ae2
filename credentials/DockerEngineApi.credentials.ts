import type { ICredentialType, Icon } from 'n8n-workflow';
import { authorizationHeader, baseUrlTest, secretField, urlField } from './fields';

/**
 * A Docker Engine API endpoint over TCP, meant to be a socket proxy that allows container restarts
 * and nothing else. Never point this at a raw Docker socket: whoever can call it is root on the host.
 */
export class DockerEngineApi implements ICredentialType {
	name = 'dockerEngineApi';

	displayName = 'Docker Engine API';

	icon: Icon = { light: 'file:../icons/onebot.svg', dark: 'file:../icons/onebot.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-onebot-sentinel/n8n-nodes-onebot-sentinel/blob/main/docs/nodes/restart-client.md#never-expose-the-raw-docker-socket';

	properties = [
		urlField(
			'baseUrl',
			'Docker API Base URL',
			'http://docker-socket-proxy:2375',
			'A socket proxy reached over TCP that allows only GET /containers/<name>/json and POST /containers/<name>/restart for the one container (e.g. wollomatic/socket-proxy with -allowGET and -allowPOST rules), never container create or exec. Add an API version path such as /v1.43 to pin one.',
		),
		secretField(
			'accessToken',
			'Access Token',
			'Sent as "Authorization: Bearer" when the proxy sits behind an authenticating reverse proxy. Leave empty otherwise.',
		),
	];

	authenticate = authorizationHeader('=Bearer {{$credentials.accessToken}}');

	/** GET /_ping answers "OK"; socket proxies allow it by default (PING=1). */
	test = { request: baseUrlTest('GET', '/_ping') };
}
