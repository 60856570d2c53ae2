import type { INodeProperties } from 'n8n-workflow';

export const withCanary = { canary: ['group', 'private', 'groupAndPrivate'] };
const withGroupCanary = { canary: ['group', 'groupAndPrivate'] };
const withPrivateCanary = { canary: ['private', 'groupAndPrivate'] };

/** Parameter names are a public contract: workflows and expressions refer to them. */
export const healthProbeProperties: INodeProperties[] = [
	{
		displayName:
			'Heartbeats and get_status cannot see a client whose group messages silently stop arriving. Only a canary that a second account (the witness) sees can: it is recommended.',
		name: 'canaryNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { canary: ['none'] } },
	},
	{
		displayName: 'Canary',
		name: 'canary',
		type: 'options',
		noDataExpression: true,
		default: 'none',
		description:
			'Which canary messages to send besides the API checks. Group and private canaries are judged separately.',
		options: [
			{
				name: 'None (API Checks Only)',
				value: 'none',
				description: 'No message is sent: only the API checks run (reachable, logged in, online)',
			},
			{
				name: 'Group',
				value: 'group',
				description: 'A message to a probe group, seen by the witness account',
			},
			{
				name: 'Private',
				value: 'private',
				description: 'A private message, by default to the witness account',
			},
			{
				name: 'Group and Private',
				value: 'groupAndPrivate',
				description:
					'Both; tells a stuck client (group blocked, private fine) apart from a dead one',
			},
		],
	},
	{
		displayName:
			'A canary is judged by a second QQ account (the OneBot Witness API credential). One QQ account only? Set Canary to None (API checks), or send the private canary to Another User (checked by lookup); for your sends, Send With Verification offers Kernel Confirmed, which needs no second account.',
		name: 'witnessNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: withCanary },
	},
	{
		displayName: 'Probe Group ID',
		name: 'groupId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '100200300',
		description:
			'Group the canary goes to. Both the bot and the witness account must be members; a quiet group made for probing is best.',
		displayOptions: { show: withGroupCanary },
	},
	{
		displayName: 'Private Canary Target',
		name: 'privateTarget',
		type: 'options',
		description: 'Who receives the private canary; only the witness account can prove it arrived',
		default: 'witness',
		options: [
			{
				name: 'Witness Account',
				value: 'witness',
				description: 'The witness account receives it and proves it arrived',
			},
			{
				name: 'Another User',
				value: 'user',
				description: "Arrival can only be checked through the bot's own API (lookup), not proved",
			},
		],
		displayOptions: { show: withPrivateCanary },
	},
	{
		displayName: 'Private Target User ID',
		name: 'privateUserId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '10002',
		description: 'QQ number of the user (a friend of the bot) the private canary goes to',
		displayOptions: { show: { ...withPrivateCanary, privateTarget: ['user'] } },
	},
	{
		displayName: 'Canary Message',
		name: 'canaryTemplate',
		type: 'string',
		default: 'Health probe {time} #{nonce}',
		description:
			'Text of the canary. {time} is the probe time in the workflow time zone; {nonce} (required) makes each canary unique.',
		displayOptions: { show: withCanary },
	},
	{
		displayName: 'Canary Deadline (Seconds)',
		name: 'canaryDeadline',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1 },
		description: 'How long the witness may take to see a canary before it counts as not arrived',
		displayOptions: { show: withCanary },
	},
	{
		displayName: 'Recall Canary',
		name: 'recallCanary',
		type: 'boolean',
		default: false,
		description:
			'Whether to recall (delete_msg) each canary once it has been judged, so the group stays clean',
		displayOptions: { show: withCanary },
	},
	{
		displayName: 'Send Degraded To',
		name: 'degradedOutput',
		type: 'options',
		default: 'healthy',
		description: 'Which output a degraded result (slow, or the witness unreadable) leaves on',
		options: [
			{
				name: 'Healthy',
				value: 'healthy',
				description: 'Degraded results leave on Healthy: watch, do not act',
			},
			{
				name: 'Unhealthy',
				value: 'unhealthy',
				description: 'Degraded results leave on Unhealthy, like down ones',
			},
		],
	},
	{
		displayName: 'Report When Down',
		name: 'reportOnDown',
		type: 'boolean',
		default: true,
		description:
			'Whether to post a signed probe_down report to the Delivery Failure Trigger when the state turns down (needs a report URL and secret in the OneBot API credential)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		description: 'Latency thresholds, hysteresis and timeouts; the defaults suit most bots',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'API Latency Threshold (Ms)',
				name: 'apiSlowMs',
				type: 'number',
				default: 3000,
				typeOptions: { minValue: 1 },
				description: 'An API check slower than this makes the result degraded (api_slow)',
			},
			{
				displayName: 'Canary Latency Threshold (Ms)',
				name: 'canarySlowMs',
				type: 'number',
				default: 15000,
				typeOptions: { minValue: 1 },
				description:
					'A canary that takes longer than this to arrive makes the result degraded (canary_slow)',
			},
			{
				displayName: 'Failure Threshold',
				name: 'failureThreshold',
				type: 'number',
				default: 3,
				typeOptions: { minValue: 1 },
				description:
					'Number of consecutive worse results (probe runs) before the state worsens (e.g. up → down). Kept only in active workflows.',
			},
			{
				displayName: 'Recovery Threshold',
				name: 'recoveryThreshold',
				type: 'number',
				default: 2,
				typeOptions: { minValue: 1 },
				description:
					'Number of consecutive better results (probe runs) before the state improves (e.g. down → up). Kept only in active workflows.',
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'requestTimeout',
				type: 'number',
				default: 10,
				typeOptions: { minValue: 1 },
				description: 'How long each API call may take before it counts as unanswered',
			},
		],
	},
];
