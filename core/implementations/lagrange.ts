/**
 * Lagrange.OneBot (LagrangeDev/Lagrange.Core, branch v1): `app_name: "Lagrange.OneBot"`.
 * Errors carry no message text: the retcode is 9000 (no sequence), 9057 (no answer packet) or the raw
 * protocol result code.
 */
import { noKernelProof } from './noKernel';
import type { ErrorWording, ImplementationProfile } from './types';

export const LAGRANGE_APP_NAME = /lagrange/i;

const ERRORS: ErrorWording[] = [
	{
		detail: 'lagrange_no_sequence',
		on: 'retcode',
		retcode: 9000,
		sendOnly: true,
		reason: 'empty_response',
		maySendAnyway: true,
		meaning: 'The server returned no sequence for the send (`data: null`): unconfirmed.',
		versions: 'v1',
		source:
			'LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/Message/SendGroupMessageOperation.cs, SendMessageOperation.cs (docs/compatibility.md, row "Lagrange retcode 9000")',
		verified: true,
	},
	{
		detail: 'lagrange_no_answer',
		on: 'retcode',
		retcode: 9057,
		sendOnly: true,
		reason: 'send_timeout',
		maySendAnyway: true,
		meaning: 'No answer packet from the server: the message may or may not have arrived.',
		versions: 'v1',
		source:
			'LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/Message/SendGroupMessageOperation.cs (result passed through; docs/compatibility.md, row "Lagrange retcode 9057")',
		verified: true,
	},
];

export function lagrangeProfile(
	appName: string | null,
	version: string | null,
	protocolVersion: string | null,
): ImplementationProfile {
	return {
		name: 'lagrange',
		label: version ? `Lagrange.OneBot ${version}` : 'Lagrange.OneBot',
		appName,
		version,
		protocolVersion,
		// message_id = real_id = (seq<<16)|msgId, lossy: no ordered field.
		seqField: 'none',
		historyAnchor: { param: 'message_id', from: 'message_id' },
		negativeMessageIds: true,
		privateNonFriendTimeout: false,
		kernelProof: noKernelProof(
			'LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/Message/SendGroupMessageOperation.cs (ok = the server returned a sequence)',
		),
		historyOlderParams: null,
		historyPagesForward: false,
		errors: ERRORS,
		restart: {
			setRestart: 'restarts_answer_after',
			setRestartRefusal: null,
			webui: false,
			loginMayNeedQr: false,
			source:
				'LagrangeDev/Lagrange.Core: Lagrange.OneBot/Core/Operation/Generic/SetRestartOperation.cs',
		},
		offline: {
			getStatusOnline: 'hard_coded',
			heartbeatHttp: 'on',
			heartbeatWs: 'on',
			botOffline: 'never',
			source:
				'LagrangeDev/Lagrange.Core: Lagrange.OneBot get_status and heartbeat status hard-code online: true (docs/compatibility.md, table "Offline signals", row "Lagrange")',
		},
	};
}
