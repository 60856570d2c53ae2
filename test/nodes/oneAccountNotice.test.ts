/**
 * The one-account advice in the editor: n8n shows a notice by its displayOptions over the node's parameters
 * (n8n-workflow NodeHelpers.displayParameter, what the editor calls; the editor's node values carry no
 * credentials, so a notice cannot depend on whether a witness credential is set). The advice therefore
 * shows whenever the level or canary needs a witness, and names the one-account options.
 */
import { NodeHelpers } from 'n8n-workflow';
import type { INode, INodeProperties } from 'n8n-workflow';
import { sendWithVerificationProperties } from '../../nodes/OneBotSendWithVerification/description';
import { healthProbeProperties } from '../../nodes/OneBotHealthProbe/description';

const node = { typeVersion: 1 } as INode;

function shown(properties: INodeProperties[], name: string, values: Record<string, unknown>) {
	const notice = properties.find((p) => p.name === name && p.type === 'notice')!;
	expect(notice).toBeDefined();
	return NodeHelpers.displayParameter(values as never, notice, node, null)
		? notice.displayName
		: null;
}

test('Send: the witness notice names Kernel Confirmed, shown with Witness only', () => {
	expect(
		shown(sendWithVerificationProperties, 'witnessNotice', { verification: 'witness' }),
	).toMatch(/One QQ account only\? Choose Kernel Confirmed/);
	for (const verification of ['kernel', 'lookup', 'api'])
		expect(shown(sendWithVerificationProperties, 'witnessNotice', { verification })).toBeNull();
});

test('Health Probe: the witness notice shows with a canary and names the one-account options', () => {
	for (const canary of ['group', 'private', 'groupAndPrivate'])
		expect(shown(healthProbeProperties, 'witnessNotice', { canary })).toMatch(
			/One QQ account only\? Set Canary to None.*Kernel Confirmed/,
		);
	expect(shown(healthProbeProperties, 'witnessNotice', { canary: 'none' })).toBeNull();
});
