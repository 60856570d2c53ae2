import type { INodeProperties } from 'n8n-workflow';

/** Parameter names are a public contract: workflows and expressions refer to them. */
export const restartClientProperties: INodeProperties[] = [
	{
		displayName:
			'The OneBot API credential is the account to bring back: the node checks it until it is logged in and online again. Its report URL and secret sign the report sent when it does not recover.',
		name: 'accountNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Restart Method',
		name: 'method',
		type: 'options',
		description:
			'What performs the restart; pick what your setup supports (see the method descriptions)',
		noDataExpression: true,
		options: [
			{
				name: 'Custom HTTP Request',
				value: 'customHttp',
				description: 'Any other supervisor with an HTTP endpoint that restarts the client',
			},
			{
				name: 'Docker Engine API',
				value: 'docker',
				description: 'Restart the container through a restart-only Docker socket proxy',
			},
			{
				name: 'NapCat WebUI',
				value: 'napcatWebUi',
				description:
					'NapCat v4.10.32+ WebUI process restart (multi-process mode); also tells a needed QR login apart',
			},
			{
				name: 'OneBot Set_restart',
				value: 'onebot',
				description:
					'Only where it really restarts: NapCat v4.10.32+ in multi-process mode, Lagrange. Refused for LLOneBot and go-cqhttp.',
			},
		],
		default: 'napcatWebUi',
	},
	{
		displayName: 'Container',
		name: 'container',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'napcat',
		description: 'Name or ID of the container that runs the QQ client',
		displayOptions: { show: { method: ['docker'] } },
	},
	{
		displayName: 'Stop Timeout (Seconds)',
		name: 'stopTimeout',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 10,
		description: 'How long Docker waits for the client to stop before killing it',
		displayOptions: { show: { method: ['docker'] } },
	},
	{
		displayName: 'HTTP Method',
		name: 'httpMethod',
		type: 'options',
		options: [
			{ name: 'GET', value: 'GET', description: 'Send the restart request as a GET' },
			{ name: 'POST', value: 'POST', description: 'Send the restart request as a POST' },
		],
		default: 'POST',
		description: 'The method the restart endpoint expects',
		displayOptions: { show: { method: ['customHttp'] } },
	},
	{
		displayName: 'Body (JSON)',
		name: 'requestBody',
		type: 'json',
		default: '',
		description: 'Optional JSON body for a POST. Leave empty to send none.',
		displayOptions: { show: { method: ['customHttp'], httpMethod: ['POST'] } },
	},
	{
		displayName: 'Minimum Interval (Minutes)',
		name: 'minIntervalMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 10,
		description:
			'No restart of the same account sooner than this after the previous one (0 = no minimum). A refused restart leaves on Not Recovered with outcome skipped_cooldown.',
	},
	{
		displayName: 'Max Restarts per Hour',
		name: 'maxPerHour',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3,
		description: 'At most this many restarts of the same account in any hour (0 = no cap)',
	},
	{
		displayName: 'Recovery Deadline (Seconds)',
		name: 'recoveryDeadline',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 120,
		description:
			'How long to wait for the account to be logged in and online again, counted from the restart request',
	},
	{
		// The WebUI method always uses its credential (restart and login state).
		displayName: 'Check Login in NapCat WebUI',
		name: 'webUiLoginCheck',
		type: 'hidden',
		default: true,
		description: 'The NapCat WebUI method always reads the login state while waiting for recovery',
		displayOptions: { show: { method: ['napcatWebUi'] } },
	},
	{
		displayName: 'Check Login in NapCat WebUI',
		name: 'webUiLoginCheck',
		type: 'boolean',
		default: false,
		description:
			'Whether to read the QQ login state from the NapCat WebUI while waiting for recovery, so that a restart that ends at a QR login says needs_login (with the QR code URL) instead of not_recovered. NapCat drops its quick login on its own restarts, and a Docker restart without a persisted login cache asks for a QR scan too.',
		displayOptions: { show: { method: ['docker', 'onebot', 'customHttp'] } },
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description:
			'Whether to check the guard and the method (version check, WebUI login) without restarting anything',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		description: 'Account, guard and recovery settings; the defaults suit most setups',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Account QQ Number',
				name: 'expectedSelfId',
				type: 'number',
				default: 0,
				description:
					'When set, the account must come back as this QQ number, and the restart guard is kept per QQ number instead of per API base URL',
			},
			{
				displayName: 'Initial Wait (Seconds)',
				name: 'initialWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 5,
				description:
					'Wait before the first check, so that a process that has not gone down yet is not taken for the restarted one',
			},
			{
				displayName: 'Login Grace (Seconds)',
				name: 'loginGrace',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 20,
				description:
					'NapCat WebUI only: how long the WebUI may offer a QR code before the result is needs_login (a quick login may still be going on)',
			},
			{
				displayName: 'Max Poll Interval (Seconds)',
				name: 'pollCap',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 15,
				description: 'The longest wait between two checks',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollBase',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 2,
				description: 'First wait between checks; it doubles (with jitter) up to the maximum',
			},
			{
				displayName: 'Rate Limit Wait (Seconds)',
				name: 'rateLimitWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description:
					'NapCat WebUI only: how long to wait for the WebUI login rate limit to clear before giving up',
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'requestTimeout',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 15,
				description: 'Timeout of each API call (Docker additionally waits the stop timeout)',
			},
			{
				displayName: 'Send Failure Report',
				name: 'sendReport',
				type: 'boolean',
				default: true,
				description:
					'Whether to post a signed report to the OneBot Delivery Failure Trigger (report URL of the OneBot credential) when the outcome is restart_failed, needs_login or not_recovered',
			},
		],
	},
];
