/**
 * The campaign's edges (scripts/campaign.ts): runs stopped at random points, overlapping runs sending
 * identical texts, restart requests whose connection is reset after the supervisor took them, report
 * senders whose clocks are minutes off; and the ground-truth checks these edges need:
 * - nothing is sent after a stop;
 * - every Delivered is backed by its own copy (a distinct message in the witness's inbox);
 * - no breaker is left half-open once nothing runs;
 * - every restart that reached the supervisor is one the guard counted (the spacing check in
 *   scripts/campaign.ts then covers requests that may have been sent).
 */
import { DeliveryStopped } from '../../core/delivery';
import type { DeliveryOutcome } from '../../core/delivery';
import type { BreakerSnapshot } from '../../core/pacing/breaker';
import type { AccountPacing } from '../../core/pacing/registry';
import { TransportError } from '../../core/transport';
import type { HttpRequest, HttpResponse, RequestFn } from '../../core/transport';
import type { DeliveryResult } from '../../core/types';

/** Share of runs stopped at a random point while they run. */
export const STOP_SHARE = 0.2;
/** Longest time after a run starts at which it may be stopped. */
export const STOP_WITHIN_MS = 1500;
/** Share of items that send the very text another run has in flight. */
export const SHARED_TEXT_SHARE = 0.25;
/** Share of Docker restart requests whose connection is reset after the supervisor took them. */
export const RESET_AFTER_RECEIVED_SHARE = 0.3;
/** Report senders' clocks are off by up to this much, either way. */
export const REPORT_SKEW_MS = 240_000;
/** Share of reports a proxy posts again minutes later (after the receiver's replay window from receipt). */
export const LATE_REPLAY_SHARE = 0.1;

/** One send request a run made, as its client saw it leave. */
export interface SendSeen {
	action: string;
	at: number;
	text: string | null;
	/** The run had been stopped when this request was made. */
	afterStop: boolean;
}

function actionOf(url: string): string {
	try {
		const path = new URL(url).pathname;
		return path.slice(path.lastIndexOf('/') + 1);
	} catch {
		return '';
	}
}

function textOf(body: unknown): string | null {
	const parsed = typeof body === 'string' ? safeJson(body) : body;
	const message = (parsed as { message?: unknown } | undefined)?.message;
	if (!Array.isArray(message)) return null;
	const text = (message[0] as { data?: { text?: unknown } } | undefined)?.data?.text;
	return typeof text === 'string' ? text : null;
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** A sender RequestFn that records every send action a run makes, and whether its run was stopped by then. */
export function recordingSender(
	inner: RequestFn,
	signal: AbortSignal,
	seen: SendSeen[],
	clock: () => number = Date.now,
): RequestFn {
	return (request: HttpRequest) => {
		const action = actionOf(request.url);
		if (action.startsWith('send_'))
			seen.push({ action, at: clock(), text: textOf(request.body), afterStop: signal.aborted });
		return inner(request);
	};
}

/**
 * A restart RequestFn whose chosen requests reach the supervisor (and restart the client) and then lose
 * their connection: the caller sees ECONNRESET, as when the supervisor restarts the process that answers.
 */
export function resetAfterReceived(
	inner: RequestFn,
	choose: () => boolean,
	counts: { reached: number; resetAfterReceived: number },
): RequestFn {
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const response = await inner(request);
		if (request.method !== 'POST' || !/\/(restart|Restart)\b/.test(request.url)) return response;
		counts.reached++;
		if (choose()) {
			counts.resetAfterReceived++;
			throw new TransportError(
				`${request.method} ${request.url}: other side closed (ECONNRESET)`,
				'ECONNRESET',
			);
		}
		return response;
	};
}

export interface StoppedRun {
	run: string;
	stoppedAt: number;
	sends: SendSeen[];
}

/** Nothing is sent after a stop: every send a stopped run made after its stop is a violation. */
export function checkNothingSentAfterStop(label: string, runs: StoppedRun[]): string[] {
	const violations: string[] = [];
	for (const run of runs)
		for (const send of run.sends.filter((s) => s.afterStop))
			violations.push(
				`${label}: run ${run.run} sent ${send.action} "${send.text ?? '?'}" ${send.at - run.stoppedAt} ms after it was stopped`,
			);
	return violations;
}

/** One item's end, with the text it sent. */
export interface SentText {
	text: string;
	outcome: DeliveryOutcome;
	/** The run and batch that sent it (r<run>@<first index>), for the violation's details. */
	run?: string;
}

/** What the witness received, as the simulator's ground truth lists it. */
export interface InboxCopy {
	text: string;
	messageId?: number;
	seq?: number;
	receivedAt?: number;
	whileOffline?: boolean;
}

function describeItem({ outcome, run }: SentText): string {
	if (!outcome.ok) return `${run ?? '?'}: ${String(outcome.error)}`;
	const r = outcome.result;
	const attempts = (r.attempts ?? [])
		.map(
			(a) => `#${a.attempt} ${a.outcome}${a.reason ? ` ${a.reason}` : ''} id=${a.messageId ?? '-'}`,
		)
		.join(', ');
	return `${run ?? '?'} ${r.correlationId}: ${r.status} ${r.reason ?? ''} (${r.verification}) id=${r.messageId ?? '-'} evidence=${JSON.stringify(r.evidence)} attempts [${attempts}]`;
}

/** A text's items, the send calls that carried it and the copies that arrived: what a violation needs to be read. */
export function describeText(
	text: string,
	sent: SentText[],
	inbox: InboxCopy[],
	sends: SendSeen[] = [],
): string {
	const items = sent.map((item) => `    item ${describeItem(item)}`);
	const calls = sends
		.filter((s) => s.text === text)
		.map((s) => `    call ${s.action} at ${s.at}${s.afterStop ? ' (after stop)' : ''}`);
	const copies = inbox
		.filter((c) => c.text === text)
		.map(
			(c) =>
				`    copy id=${c.messageId ?? '?'} seq=${c.seq ?? '?'} at ${c.receivedAt ?? '?'}${c.whileOffline ? ' (while offline)' : ''}`,
		);
	return [...items, ...calls, ...copies].join('\n');
}

export interface CopyTally {
	sends: number;
	delivered: number;
	notDelivered: number;
	notDeliveredArrivedAmbiguous: number;
	stopped: number;
	errors: number;
	duplicates: number;
	lost: number;
	wrongNotDelivered: number;
	sharedTexts: number;
	reasons: Record<string, number>;
}

function isAmbiguousFailure(result: DeliveryResult): boolean {
	const check = result.evidence.check as { result?: string } | undefined;
	return (
		result.reasonClass === 'ambiguous' ||
		result.reasonClass === 'account' ||
		check?.result === 'unknown'
	);
}

/**
 * Items against the witness's inbox, text by text (several items may send one text: overlapping runs):
 * copies never outnumber the items that sent the text (no duplicates); every Delivered has its own copy
 * (Delivered items never outnumber copies); every copy is owned by an item that is Delivered, says that
 * whether it arrived is unknown, or was stopped (its send may have left before the stop).
 */
export function checkCopies(
	label: string,
	items: SentText[],
	inbox: InboxCopy[],
	tally: CopyTally,
	sends: SendSeen[] = [],
): string[] {
	const violations: string[] = [];
	const copies = new Map<string, number>();
	for (const entry of inbox) copies.set(entry.text, (copies.get(entry.text) ?? 0) + 1);
	const byText = new Map<string, SentText[]>();
	for (const item of items) byText.set(item.text, [...(byText.get(item.text) ?? []), item]);
	for (const [text, sent] of byText) {
		const arrived = copies.get(text) ?? 0;
		if (sent.length > 1) tally.sharedTexts += sent.length;
		let delivered = 0;
		let mayHaveArrived = 0;
		let notDeliveredClear = 0;
		for (const { outcome } of sent) {
			tally.sends++;
			if (!outcome.ok) {
				if (outcome.error instanceof DeliveryStopped) {
					tally.stopped++;
					mayHaveArrived++;
					continue;
				}
				tally.errors++;
				violations.push(`${label}: "${text}" ended with an error: ${String(outcome.error)}`);
				continue;
			}
			if (outcome.result.status === 'delivered') {
				tally.delivered++;
				delivered++;
				continue;
			}
			tally.notDelivered++;
			const reason = String(outcome.result.reason);
			tally.reasons[reason] = (tally.reasons[reason] ?? 0) + 1;
			if (isAmbiguousFailure(outcome.result)) mayHaveArrived++;
			else notDeliveredClear++;
		}
		const who = sent.length > 1 ? ` (sent by ${sent.length} items)` : '';
		if (arrived > sent.length) {
			tally.duplicates++;
			violations.push(
				`${label}: "${text}"${who} arrived ${arrived} times\n${describeText(text, sent, inbox, sends)}`,
			);
		}
		if (delivered > arrived) {
			tally.lost++;
			violations.push(
				(arrived === 0
					? `${label}: "${text}" was Delivered but never arrived`
					: `${label}: "${text}"${who}: ${delivered} items Delivered, ${arrived} copies arrived (a Delivered without its own copy)`) +
					`\n${describeText(text, sent, inbox, sends)}`,
			);
		}
		const unowned = arrived - delivered - mayHaveArrived;
		if (unowned > 0 && notDeliveredClear > 0) {
			tally.wrongNotDelivered += Math.min(unowned, notDeliveredClear);
			violations.push(
				`${label}: "${text}"${who} was Not Delivered but arrived\n${describeText(text, sent, inbox, sends)}`,
			);
		} else if (arrived > 0 && mayHaveArrived > 0 && delivered < arrived) {
			tally.notDeliveredArrivedAmbiguous += Math.min(arrived - delivered, mayHaveArrived);
		}
	}
	return violations;
}

/** A breaker as seen once nothing runs: its snapshot, and whether a send would be let through to try. */
export interface SettledBreaker {
	selfId: string;
	snapshot: BreakerSnapshot;
	/** A send asking now would take the trial (false: a trial is held by a send that no longer runs). */
	trialFree: boolean;
}

/**
 * Reads each breaker once nothing runs. A half-open breaker whose trial ended without a verdict that
 * moves it (a neutral one) lets the next send try at once; one whose trial is still marked in flight holds
 * every send. Asking for admission with no hold tells the two apart; an admitted trial is handed back
 * with a neutral verdict, which leaves the breaker as it was.
 */
export async function settledBreakers(
	accounts: Map<string, AccountPacing>,
	clock: () => number = Date.now,
): Promise<SettledBreaker[]> {
	const out: SettledBreaker[] = [];
	for (const [selfId, { breaker }] of accounts) {
		const snapshot = breaker.snapshot();
		let trialFree = true;
		if (snapshot.state === 'half_open') {
			const admission = await breaker.admit({
				holdMs: 0,
				pollMs: 1,
				clock,
				sleep: () => Promise.resolve(),
			});
			trialFree = admission.admitted;
			if (admission.admitted && admission.trial)
				breaker.record({ kind: 'neutral' }, { trial: true, at: clock() });
		}
		out.push({ selfId, snapshot, trialFree });
	}
	return out;
}

/** No breaker is left half-open with no trial running: its trial, held by no send, holds the account forever. */
export function checkBreakersSettled(label: string, breakers: SettledBreaker[]): string[] {
	return breakers
		.filter(({ snapshot, trialFree }) => snapshot.state === 'half_open' && !trialFree)
		.map(
			({ selfId, snapshot }) =>
				`${label}: the breaker of ${selfId} was left half_open with no trial running (its trial is held by no send; ${snapshot.waiting} waiting, opened ${snapshot.openedAt ?? '?'})`,
		);
}

/**
 * Restart requests against the supervisor's log: it logged one restart per request it answered; every
 * answered request that was not reset is one a run says it sent, and no run says it sent one that never
 * reached the supervisor. (A request reset after it was taken may be counted either way; the spacing
 * check in scripts/campaign.ts then shows whether the guard counted it.)
 */
export function checkRestartsAccounted(
	label: string,
	seen: { logged: number; saidSent: number; reached: number; resetAfterReceived: number },
): string[] {
	const { logged, saidSent, reached, resetAfterReceived } = seen;
	const violations: string[] = [];
	if (logged !== reached)
		violations.push(
			`${label}: the simulator logged ${logged} Docker restarts, ${reached} restart requests reached it`,
		);
	if (saidSent > reached || saidSent < reached - resetAfterReceived)
		violations.push(
			`${label}: the Restart Client runs say they sent ${saidSent} restarts; ${reached} reached the simulator, ${resetAfterReceived} of them reset after it took them`,
		);
	return violations;
}

/** A report replayed minutes after it was taken: it must be refused, or it starts a second run. */
export function checkLateReplays(
	label: string,
	replays: Array<{ lateByMs: number; skewMs: number; status: number | null }>,
): string[] {
	return replays
		.filter((r) => r.status !== null && r.status >= 200 && r.status < 300)
		.map(
			(r) =>
				`${label}: a report from a sender ${Math.round(r.skewMs / 1000)} s off was taken again when replayed ${Math.round(r.lateByMs / 1000)} s later`,
		);
}
