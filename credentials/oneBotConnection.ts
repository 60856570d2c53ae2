import type { ICredentialTestRequest, INodeProperties } from 'n8n-workflow';
import {
	authorizationHeader,
	baseUrlTest,
	failWhenBody,
	secretField,
	textField,
	urlField,
} from './fields';

/** The connection fields every OneBot account credential has (the bot's and the witness's). */
export const oneBotConnectionProperties: INodeProperties[] = [
	urlField(
		'baseUrl',
		'HTTP API Base URL',
		'http://127.0.0.1:3000',
		'Where the OneBot v11 HTTP API of this account listens (LLOneBot, NapCat, Lagrange or go-cqhttp)',
	),
	secretField(
		'accessToken',
		'Access Token',
		'The access token configured in the implementation; sent as "Authorization: Bearer". Leave empty when none is set.',
	),
	textField(
		'wsUrl',
		'Event WebSocket URL',
		'ws://127.0.0.1:3001',
		'Optional forward WebSocket of this account. A witness confirms messages from its live event stream instead of only polling history. The bot account\'s own stream lets Kernel Confirmed verification (and the check after a timed-out send) see the kernel confirm a message late; switch self-reporting on for it: NapCat "reportSelfMessage" on this WebSocket server, LLOneBot "report self messages" (reportSelfMessage).',
	),
	textField(
		'reportUrl',
		'Report URL',
		'http://127.0.0.1:5678/webhook/<trigger webhook id>/onebot-failures',
		'Production URL of a OneBot Delivery Failure Trigger, copied from the trigger (it contains the webhook id). When set, nodes post a signed report there for every delivery failure.',
	),
	secretField(
		'reportSecret',
		'Report Secret',
		'Shared secret that signs failure reports (HMAC-SHA256). The trigger must use a credential with the same secret.',
	),
	secretField(
		'eventSecret',
		'Event Signing Secret',
		'Key the implementation signs its HTTP POST events with (X-Signature), checked by the Delivery Failure Trigger. go-cqhttp and Lagrange: their "secret"; NapCat: the token of its HTTP client; LLOneBot: its token (older versions: the HTTP "secret"). Leave empty to use the access token.',
	),
];

export const oneBotAuthenticate = authorizationHeader('=Bearer {{$credentials.accessToken}}');

/**
 * get_login_info proves reachability, the token and a logged-in account. HTTP 401/403 fail the test
 * by status; an HTTP 200 envelope with status "failed" fails it by the body rule.
 */
export const oneBotCredentialTest: ICredentialTestRequest = {
	request: baseUrlTest('POST', '/get_login_info', {}),
	rules: [
		failWhenBody(
			'status',
			'failed',
			'The OneBot API answered but refused get_login_info: the account may not be logged in. Check the QQ client.',
		),
	],
};
