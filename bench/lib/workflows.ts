/** The workflows the benchmark imports into n8n: N generated items into one measured node. */
import { randomUUID } from 'node:crypto';
import type { WorkflowJson } from '../../scripts/lib/n8n';
import { batchWorkflow } from '../../scripts/lib/workflows';

export const PACKAGE = 'n8n-nodes-onebot-sentinel';
export const MEASURED = 'Measured';

export interface CredentialRef {
	id: string;
	name: string;
}

/** Message text per item, unique per execution and item so the ground truth can be matched to outputs. */
export function messageText(tag: string): string {
	return `={{ "${tag}-" + $execution.id + "-" + $json.n }}`;
}

export interface SendOptions {
	tag: string;
	count: number;
	groupId: number;
	verification: 'api' | 'lookup' | 'witness';
	deadlineSeconds: number;
	minIntervalMs: number;
	pollIntervalMs: number;
	useEventStream: boolean;
	sender: CredentialRef;
	witness?: CredentialRef;
}

export function sendWorkflow(name: string, o: SendOptions): WorkflowJson {
	return batchWorkflow({
		name,
		count: o.count,
		node: {
			name: MEASURED,
			type: `${PACKAGE}.oneBotSendWithVerification`,
			typeVersion: 1,
			parameters: {
				targetType: 'group',
				targetId: String(o.groupId),
				messageMode: 'text',
				text: messageText(o.tag),
				verification: o.verification,
				deadlineSeconds: o.deadlineSeconds,
				// One attempt: the benchmark measures detection and cost, not the retry policy.
				retry: { maxAttempts: 1 },
				options: {
					minIntervalMs: o.minIntervalMs,
					pollIntervalMs: o.pollIntervalMs,
					useEventStream: o.useEventStream,
					reportFailures: false,
					requestTimeoutMs: 5000,
					// No account-wide circuit breaker: the benchmark measures detection of each failure; an open breaker
					// (held sends up to 10 minutes, shared by every run of the process) would stall the fault phases.
					breakerThreshold: 0,
				},
			},
			credentials: {
				oneBotApi: o.sender,
				...(o.witness ? { oneBotWitnessApi: o.witness } : {}),
			},
		},
	});
}

/** n8n's own HTTP Request node posting the same send_group_msg (same segments) to the same account. */
export function httpRequestWorkflow(
	name: string,
	o: { tag: string; count: number; groupId: number; baseUrl: string; token: string },
): WorkflowJson {
	const body = `={{ JSON.stringify({ group_id: ${o.groupId}, message: [{ type: "text", data: { text: "${o.tag}-" + $execution.id + "-" + $json.n } }] }) }}`;
	return batchWorkflow({
		name,
		count: o.count,
		node: {
			name: MEASURED,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: `${o.baseUrl}/send_group_msg`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${o.token}` }] },
				sendBody: true,
				specifyBody: 'json',
				jsonBody: body,
				options: {},
			},
		},
	});
}

/** The trigger's typeVersion the bench measures (1.1 skips n8n's per-request binaryData expression; see the node). */
export const TRIGGER_TYPE_VERSION = 1.1;

/** An active workflow: the Delivery Failure Trigger alone (the run is the measured part). */
export function triggerWorkflow(
	name: string,
	webhookId: string,
	sender: CredentialRef,
): WorkflowJson {
	return {
		name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Failures',
				type: `${PACKAGE}.oneBotDeliveryFailureTrigger`,
				typeVersion: TRIGGER_TYPE_VERSION,
				position: [0, 0],
				webhookId,
				parameters: {
					events: ['delivery_failed', 'client_offline', 'probe_down', 'restart_failed'],
					options: {},
				},
				credentials: { oneBotApi: sender },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

/** The baseline for the trigger: n8n's own Webhook node, answering on receipt, alone in an active workflow. */
export function webhookWorkflow(name: string, webhookPath: string): WorkflowJson {
	return {
		name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					httpMethod: 'POST',
					path: webhookPath,
					responseMode: 'onReceived',
					options: {},
				},
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}
