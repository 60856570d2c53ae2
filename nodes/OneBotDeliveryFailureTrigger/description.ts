import type { INodeProperties } from 'n8n-workflow';

/** Parameter names are a public contract: workflows and expressions refer to them. */
export const deliveryFailureTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Put this trigger\'s Production URL in the "Report URL" of the OneBot credential used by the sending nodes (same Report Secret on both sides), and optionally as an HTTP POST event URL in the OneBot implementation to catch offline notices',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		description: 'Which reported events start a run; the others are answered 204 and start nothing',
		required: true,
		default: ['delivery_failed', 'client_offline', 'probe_down', 'restart_failed'],
		options: [
			{
				name: 'Client Offline',
				value: 'client_offline',
				description:
					'The account went offline (OneBot offline notice or heartbeat with online: false)',
			},
			{
				name: 'Delivery Failed',
				value: 'delivery_failed',
				description: 'A send node could not prove that a message arrived',
			},
			{
				name: 'Probe Down',
				value: 'probe_down',
				description: 'A health probe found the account down',
			},
			{
				name: 'Restart Failed',
				value: 'restart_failed',
				description: 'A client restart did not bring the account back',
			},
		],
	},
	{
		displayName: 'Reason Classes',
		name: 'reasonClasses',
		type: 'multiOptions',
		default: ['terminal', 'ambiguous', 'transient', 'account'],
		description: 'Which delivery failures start a run, by the class of their reason',
		displayOptions: { show: { events: ['delivery_failed'] } },
		options: [
			{
				name: 'Account',
				value: 'account',
				description: 'The account is in trouble (risk control, offline): back off long',
			},
			{
				name: 'Ambiguous',
				value: 'ambiguous',
				description: 'The message may have arrived: verify before any resend',
			},
			{
				name: 'Terminal',
				value: 'terminal',
				description: 'Resending cannot help (auth, bad parameters, not in group, muted)',
			},
			{
				name: 'Transient',
				value: 'transient',
				description: 'Nothing was delivered and a retry may succeed',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		description: 'Signature, group filter and repeat settings',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Accept Unsigned OneBot Events',
				name: 'acceptUnsignedEvents',
				type: 'boolean',
				default: false,
				description:
					'Whether to accept OneBot events without an X-Signature header. Only for implementations that cannot sign; anyone who can reach the URL can then start runs.',
			},
			{
				displayName: 'Group IDs',
				name: 'groupIds',
				type: 'string',
				default: '',
				placeholder: '100200300, 100200301',
				description:
					'Comma-separated. When Group IDs or User IDs are set, failures for other chats start no run; events without a target (offline) still do.',
			},
			{
				displayName: 'Repeat Offline Heartbeat Runs After (Minutes)',
				name: 'offlineRepeatMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'Heartbeats say online: false every few seconds while the account is down. Start a run for the first, then again after this many minutes (0: every heartbeat).',
			},
			{
				displayName: 'User IDs',
				name: 'userIds',
				type: 'string',
				default: '',
				placeholder: '123456789',
				description: 'Comma-separated QQ numbers of private chats whose failures start a run',
			},
		],
	},
];
