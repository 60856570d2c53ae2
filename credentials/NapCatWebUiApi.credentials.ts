import type { ICredentialTestRequest, ICredentialType, Icon } from 'n8n-workflow';
import { baseUrlTest, failWhenBody, secretField, urlField } from './fields';

/**
 * The NapCat WebUI (v4.10.32+) of one account. The node logs in with sha256(token + ".napcat") and
 * uses the short-lived credential it gets back; the token itself never leaves this credential.
 */
export class NapCatWebUiApi implements ICredentialType {
	name = 'napCatWebUiApi';

	displayName = 'NapCat WebUI API';

	icon: Icon = { light: 'file:../icons/onebot.svg', dark: 'file:../icons/onebot.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-onebot-sentinel/n8n-nodes-onebot-sentinel/blob/main/docs/nodes/restart-client.md#credentials';

	properties = [
		urlField(
			'baseUrl',
			'WebUI Base URL',
			'http://127.0.0.1:6099',
			'Where the NapCat WebUI listens (port 6099 by default), without /webui',
		),
		secretField(
			'token',
			'WebUI Token',
			'The WebUI login token (webui.json "token", printed in the NapCat log at start). Two-factor login cannot be used for unattended restarts.',
			{ required: true },
		),
	];

	/**
	 * Logs in as the WebUI's own page does. The WebUI answers HTTP 200 with {code: -1} on failure.
	 * Each test is a login and counts against the WebUI's login rate limit.
	 */
	test: ICredentialTestRequest = {
		request: baseUrlTest('POST', '/api/auth/login', {
			hash: '={{($credentials.token + ".napcat").hash("sha256")}}',
		}),
		rules: [
			failWhenBody(
				'code',
				-1,
				'The NapCat WebUI refused the login: check the token (or wait a minute if it says "login rate limit").',
			),
		],
	};
}
