import type { INodeProperties } from 'n8n-workflow';

/** The message in the form Message Mode picked: required, and shown only for that mode. */
function messageInput(
	mode: 'text' | 'segments' | 'cq',
	field: Pick<
		INodeProperties,
		'displayName' | 'name' | 'type' | 'typeOptions' | 'default' | 'description'
	>,
): INodeProperties {
	const { displayName, name, type, typeOptions, description } = field;
	return {
		displayName,
		name,
		type,
		...(typeOptions ? { typeOptions } : {}),
		default: field.default,
		required: true,
		displayOptions: { show: { messageMode: [mode] } },
		description,
	};
}

/** Parameter names are a public contract: workflows and expressions refer to them. */
export const sendWithVerificationProperties: INodeProperties[] = [
	{
		displayName: 'Target Type',
		name: 'targetType',
		type: 'options',
		noDataExpression: false,
		options: [
			{ name: 'Group', value: 'group', description: 'Send to a QQ group' },
			{
				name: 'Private',
				value: 'private',
				description: 'Send to one QQ user (a friend of the bot)',
			},
		],
		default: 'group',
		description: 'Whether the message goes to a group or to one user; decides what Target ID means',
	},
	{
		displayName: 'Target ID',
		name: 'targetId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '100200300',
		description: 'The group number, or the QQ number of the recipient',
	},
	{
		displayName: 'Message Format',
		name: 'messageMode',
		type: 'options',
		description: 'How the message is written: plain text, OneBot segments, or a CQ code string',
		options: [
			{
				name: 'Text',
				value: 'text',
				description: 'Literal text, sent exactly as written ([CQ:...] in it stays text)',
			},
			{
				name: 'Segments (JSON)',
				value: 'segments',
				description: 'OneBot message segments as JSON',
			},
			{
				name: 'CQ Code String',
				value: 'cq',
				description: 'A string with CQ codes, such as [CQ:at,qq=123] hello',
			},
		],
		default: 'text',
	},
	messageInput('text', {
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The message text',
	}),
	messageInput('segments', {
		displayName: 'Segments',
		name: 'segments',
		type: 'json',
		default: '[\n  {"type": "text", "data": {"text": "Hello"}}\n]',
		description: 'An array of OneBot v11 segments, each {"type": ..., "data": {...}}',
	}),
	messageInput('cq', {
		displayName: 'CQ Message',
		name: 'cqMessage',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'A message with CQ codes. Escape literal & [ ] , as &amp; &#91; &#93; &#44;.',
	}),
	{
		displayName: 'Verification',
		name: 'verification',
		type: 'options',
		options: [
			{
				name: 'Witness',
				value: 'witness',
				description:
					'A second account (the OneBot Witness API credential) received it before the deadline. The only proof of arrival.',
			},
			{
				name: 'Kernel Confirmed',
				value: 'kernel',
				description:
					"The QQ kernel confirmed it: the send was answered ok, or after a timeout the sender's own self message (message_sent) or raw record arrived before the deadline. Proves the server acknowledged it, not that a member received it. No second account needed.",
			},
			{
				name: 'Sender Lookup',
				value: 'lookup',
				description:
					"The API accepted it and the sender's get_msg finds it. Cannot see a stuck client, which shows unsent messages as sent.",
			},
			{
				name: 'API Accepted',
				value: 'api',
				description:
					'Status ok, retcode 0 and a fresh, non-zero message_id. Says nothing about arrival.',
			},
		],
		default: 'witness',
		description:
			'What counts as delivered. May differ per item (an expression): items with different levels are sent side by side in one run.',
	},
	{
		displayName:
			'Witness verification needs the OneBot Witness API credential: a second QQ account in the target group, or the recipient of a private message. One QQ account only? Choose Kernel Confirmed: no second account needed. (Without a witness credential, Witness items are refused with this advice; the level is never changed for you.)',
		name: 'witnessNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { verification: ['witness'] } },
	},
	{
		displayName:
			"Kernel Confirmed reads the sender's own self messages: set the OneBot API credential's Event WebSocket URL and switch self-reporting on (NapCat: reportSelfMessage on that WebSocket; LLOneBot: report self messages; LLOneBot's debug also shows raw records). Without them, an ok answer still counts, but a timed-out send ends not_confirmed.",
		name: 'kernelNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { verification: ['kernel'] } },
	},
	{
		displayName: 'Deadline (Seconds)',
		name: 'deadlineSeconds',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 2 },
		default: 30,
		description:
			'How long after the send is answered the witness (or, for checks before a resend, the sender history) may take to show the message. May differ per item.',
	},
	{
		displayName: 'Retry Policy',
		name: 'retry',
		type: 'collection',
		description:
			'How often and how soon a failed send is retried; only failures that are safe to resend are retried. May differ per item.',
		placeholder: 'Change Retry Policy',
		default: {},
		options: [
			{
				displayName: 'Account Backoff (Ms)',
				name: 'accountBackoffMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 300000,
				description:
					'Base wait before retrying an account-level failure (risk control, offline). Waits grow from there; half of each wait is always kept.',
			},
			{
				displayName: 'Backoff (Ms)',
				name: 'backoffMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 2000,
				description: 'Base of the exponential backoff with full jitter',
			},
			{
				displayName: 'Backoff Cap (Ms)',
				name: 'backoffCapMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60000,
				description: 'Longest wait between two attempts for transient and ambiguous failures',
			},
			{
				displayName: 'Max Attempts',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 3,
				description: 'Sends per item at most, the first one included',
			},
			{
				displayName: 'Retry On',
				name: 'retryOn',
				type: 'multiOptions',
				options: [
					{
						name: 'Ambiguous (Checked First)',
						value: 'ambiguous',
						description:
							'Timeouts, empty answers, not seen by the witness: resent only when a check shows it did not arrive',
					},
					{ name: 'Transient', value: 'transient', description: 'Refused connections, HTTP 5xx' },
					{
						name: 'Account',
						value: 'account',
						description: 'Risk control or offline: retried after the account backoff',
					},
				],
				default: ['ambiguous', 'transient', 'account'],
				description: 'Which failure classes get another attempt. Terminal failures never do.',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		description:
			'Timing, pacing and reporting settings; the defaults suit most bots. All but Correlation ID, Include Attempt Log and Include Input are shared by every item of a run: items that give another value than the first item are refused.',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Account Rate (Messages per Minute)',
				name: 'accountRatePerMinute',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Most messages per minute this QQ account sends, counted across every run of every workflow in this n8n process and spaced evenly (20 = one every 3 s). 0 = no account-wide limit. Not set: the account keeps the rate another run set (none at first). In queue mode each worker counts its own. Shared by every item of a run.',
			},
			{
				displayName: 'Breaker Cool-Down (S)',
				name: 'breakerCoolDownSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description:
					"Seconds the account's circuit breaker stays open before one trial send may go out; its delivery closes the breaker. Not set: as another run set it (60 at first). Shared by every item of a run.",
			},
			{
				displayName: 'Breaker Hold (S)',
				name: 'breakerHoldSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 600,
				description:
					'Seconds a message waits while the breaker is open before it leaves on Not Delivered with reason circuit_open, unsent (0 = do not wait). Shared by every item of a run.',
			},
			{
				displayName: 'Breaker Threshold (Failures)',
				name: 'breakerThreshold',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 5,
				description:
					"Failed sends in a row (not_observed, send_timeout, client_timeout, unreachable) that open the account's circuit breaker; risk control or an offline account opens it at once. 0 = no breaker. Not set: as another run set it (5 at first). Shared by every item of a run.",
			},
			{
				displayName: 'Correlation ID',
				name: 'correlationId',
				type: 'string',
				default: '',
				description:
					'Your own ID for this message, echoed in the output and in failure reports. A random one is generated when empty.',
			},
			{
				displayName: 'Include Attempt Log',
				name: 'includeAttemptLog',
				type: 'boolean',
				default: false,
				description:
					"Whether every attempt carries its own full evidence and the item's evidence keeps the diagnostic counters (history reads, the witness's own message ID). Off: the decisive facts only.",
			},
			{
				displayName: 'Include Input',
				name: 'includeInput',
				type: 'boolean',
				default: false,
				description:
					"Whether to copy each input item's JSON into its output item as \"input\". Off, the output stays small; an expression reaches the input through $('Node Name').item.",
			},
			{
				displayName: 'Minimum Interval (Ms)',
				name: 'minIntervalMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1000,
				description:
					'Least time in milliseconds between two sends from this account to the same target, across every run in this n8n process (bursts invite risk control). Shared by every item of a run.',
			},
			{
				displayName: 'Poll Interval (Ms)',
				name: 'pollIntervalMs',
				type: 'number',
				typeOptions: { minValue: 10 },
				default: 1000,
				description:
					'Time between history reads while messages are waiting to be seen. One read serves every waiting message of a chat. Shared by every item of a run.',
			},
			{
				displayName: 'Report Failures',
				name: 'reportFailures',
				type: 'boolean',
				default: true,
				description:
					"Whether to post every Not Delivered item as a signed failure event to the credential's Report URL (when it has one). Shared by every item of a run.",
			},
			{
				displayName: 'Request Timeout (Ms)',
				name: 'requestTimeoutMs',
				type: 'number',
				typeOptions: { minValue: 100 },
				default: 30000,
				description:
					'Our own limit for each OneBot call. Keep it above the implementation send timeout (about 10 s) so its own answer arrives. Shared by every item of a run.',
			},
			{
				displayName: 'Reset Breaker',
				name: 'resetBreaker',
				type: 'boolean',
				default: false,
				description:
					"Whether to close the account's circuit breaker and forget its failure count before this run sends (after fixing the client by hand). Shared by every item of a run.",
			},
			{
				displayName: "Use Sender's Self Messages",
				name: 'useSelfEvents',
				type: 'boolean',
				default: true,
				description:
					"Whether a timed-out send is first checked against the sender's own message_sent events (its credential's Event WebSocket URL, with self-reporting on): a late kernel confirmation ends Delivered without a resend. Shared by every item of a run.",
			},
			{
				displayName: 'Use Witness Event Stream',
				name: 'useEventStream',
				type: 'boolean',
				default: true,
				description:
					"Whether to watch the witness's forward WebSocket (its credential's Event WebSocket URL) as well as polling its history. Shared by every item of a run.",
			},
		],
	},
];
