/**
 * What really happened, as the control API tells it: every message (and to whom it arrived, was dropped
 * or is pending), every OneBot call, every event report posted, every restart.
 */
import type { Clock } from '../clock';
import type { FaultSet } from '../faults';
import { plainText } from '../message';
import type { CallRecord, ReportRecord, StoredMessage } from '../types';
import type { Topology } from './topology';

/** A message in the ground truth, with the accounts it reached, was dropped for, or waits for. */
export type TrackedMessage = StoredMessage & {
	deliveredTo: string[];
	droppedFor: string[];
	pendingFor: string[];
};

export interface RestartRecord {
	account: string;
	via: string;
	at: number;
	until: number;
	needsQrLogin: boolean;
}

/** The logs keep the latest this many entries each. */
const KEPT = 20000;

function keepLatest<T>(list: T[]): void {
	if (list.length > KEPT) list.splice(0, list.length - KEPT);
}

export class GroundTruth {
	messages: TrackedMessage[] = [];
	calls: CallRecord[] = [];
	reports: ReportRecord[] = [];
	restarts: RestartRecord[] = [];
	private callCounter = 0;

	constructor(
		private readonly clock: Clock,
		private readonly topology: Topology,
		private readonly faults: FaultSet,
	) {}

	recordCall(c: Omit<CallRecord, 'n'>): CallRecord {
		const rec = { n: ++this.callCounter, ...c };
		this.calls.push(rec);
		keepLatest(this.calls);
		return rec;
	}

	recordReport(rec: ReportRecord): void {
		this.reports.push(rec);
		keepLatest(this.reports);
	}

	recordMessage(msg: TrackedMessage): void {
		this.messages.push(msg);
		keepLatest(this.messages);
	}

	/** A send the server never accepted, listed with the fault that stopped it. */
	recordUnaccepted(draft: StoredMessage, kind: string): void {
		draft.fault = kind;
		this.messages.push({ ...draft, deliveredTo: [], droppedFor: [], pendingFor: [] });
	}

	/** Forgets everything but the call numbering (call numbers stay unique across resets). */
	clear(): void {
		this.messages = [];
		this.calls = [];
		this.reports = [];
		this.restarts = [];
	}

	snapshot(): Record<string, unknown> {
		const accounts: Record<string, unknown> = {};
		for (const a of this.topology.accounts.values()) {
			accounts[a.name] = {
				selfId: a.selfId,
				flavour: a.cfg.flavour,
				version: a.cfg.version,
				process: a.process,
				online: a.loggedIn,
				qrLoginPending: a.qrLoginPending,
				uptimeMs: this.clock.now() - a.startedAt,
				sendsSinceStart: a.sendsSinceStart,
				reportUrls: a.cfg.reportUrls ?? [],
				inbox: a.inbox,
				pending: a.pendingOffline.map((m) => m.key),
			};
		}
		return {
			now: this.clock.now(),
			clockFactor: this.clock.factor,
			accounts,
			messages: this.messages.map((m) => ({ ...m, text: plainText(m.segments) })),
			restarts: this.restarts.map((r) => ({
				...r,
				until: Number.isFinite(r.until) ? r.until : null,
			})),
			faults: this.faults.describe(),
		};
	}
}
