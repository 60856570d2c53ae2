/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a tool that runs outside n8n */
/**
 * The campaign's stand-in for example 3 (Delivery Failure Trigger → Restart Client) without n8n around
 * it, and the proxy that posts some reports twice or minutes later.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { restartAccountKey, RestartLeases } from '../../../core/restart';
import type { RestartGuardPolicy, RestartRunResult } from '../../../core/restart';
import type { HttpRequest, HttpResponse, RequestFn } from '../../../core/transport';
import { receiveTriggerRequest, ReplayMemory } from '../../../core/trigger';
import type { Simulator } from '../../../simulator';
import { fetchRequest } from '../../../test/support/fetchRequest';
import {
	LATE_REPLAY_SHARE,
	RESET_AFTER_RECEIVED_SHARE,
	resetAfterReceived,
} from '../campaignEdges';
import { simulatorClient } from '../simulatorParties';
import { simulatorDockerRestarter } from '../simulatorRestart';
import { REPLAY_SHARE, REPORT_SECRET } from './plan';

export interface ReportReceiver {
	url: string;
	/** Accepted reports per correlation id. */
	accepted: Map<string, number>;
	/** Refusals: HTTP status and message. */
	refused: Array<{ status: number; message: string }>;
	/** One restart run per accepted report, started as the report arrives. */
	runs: Array<Promise<RestartRunResult>>;
	/** How late the receiver takes requests to arrive (a proxy replaying a captured report minutes later). */
	lateness: { ms: number };
	/** Restart requests the supervisor answered, and those of them whose connection was then reset. */
	restartRequests: { reached: number; resetAfterReceived: number };
	close(): Promise<void>;
}

/** The Docker request and the recovery of the receiver's restarts. */
const CAMPAIGN_RESTART_TIMINGS = {
	requestTimeoutMs: 3000,
	recovery: {
		deadlineMs: 5000,
		initialDelayMs: 100,
		pollBaseMs: 50,
		pollCapMs: 200,
		checkTimeoutMs: 1000,
		loginGraceMs: 0,
	},
};

/**
 * What example 3 does with the Delivery Failure Trigger and the Restart Client, without n8n around it:
 * each request is verified by the trigger's core (signature, age, replay memory, body), and each report
 * taken starts the Restart Client's core run (guard, per-account lease, Docker restart, recovery) at once,
 * so runs overlap when reports arrive together.
 */
export async function startReportReceiver(
	sim: Simulator,
	guard: RestartGuardPolicy,
	random: () => number,
): Promise<ReportReceiver> {
	const replay = new ReplayMemory();
	const leases = new RestartLeases();
	const restartRequests = { reached: 0, resetAfterReceived: 0 };
	const bot = sim.urls.accounts.bot;
	const restart = simulatorDockerRestarter(
		sim.urls.docker,
		resetAfterReceived(fetchRequest, () => random() < RESET_AFTER_RECEIVED_SHARE, restartRequests),
		CAMPAIGN_RESTART_TIMINGS,
	);
	const run = {
		accountKey: restartAccountKey(null, bot.http),
		leases,
		client: simulatorClient(bot),
		guard,
	};
	const receiver: Omit<ReportReceiver, 'url' | 'close'> = {
		accepted: new Map(),
		refused: [],
		runs: [],
		lateness: { ms: 0 },
		restartRequests,
	};
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const decision = receiveTriggerRequest(
				{ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') },
				{ reportSecret: REPORT_SECRET },
				{ nowMs: Date.now() + receiver.lateness.ms, seenReportSignatures: replay },
			);
			if ('start' in decision) {
				const id = String(decision.start.correlationId);
				receiver.accepted.set(id, (receiver.accepted.get(id) ?? 0) + 1);
				receiver.runs.push(restart(run));
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end('{"ok":true}');
				return;
			}
			receiver.refused.push({ status: decision.status, message: decision.message });
			res.writeHead(decision.status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ message: decision.message }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	// The receiver itself, not a copy: its lateness is set later.
	return Object.assign(receiver, {
		url: `http://127.0.0.1:${port}/report`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	});
}

/**
 * Posts a report like fetchRequest, and now and then posts the very same request (headers and body) a
 * second time, as a retrying proxy would: the receiver must refuse that copy as a replay.
 */
export function replayingRequest(
	random: () => number,
	onReplay: (response: HttpResponse | null) => void,
	lateReplay: (request: HttpRequest) => void,
): RequestFn {
	return async (request: HttpRequest) => {
		const response = await fetchRequest(request);
		if (response.status === 200 && random() < LATE_REPLAY_SHARE) lateReplay(request);
		if (random() < REPLAY_SHARE) {
			try {
				onReplay(await fetchRequest(request));
			} catch {
				onReplay(null);
			}
		}
		return response;
	};
}

/** The correlation id a posted report carries (its body as sent, text or object). */
export function reportId(body: unknown): string {
	const event = typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
	return String((event as { correlationId?: unknown } | undefined)?.correlationId);
}
