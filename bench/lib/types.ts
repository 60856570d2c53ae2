import type { ProfileSummary } from './profile';
/** The shape of bench/results.json: raw samples of every phase, rendered by lib/render.ts. */
export type Variant = 'stream' | 'polling';

export interface OverheadRow {
	rep: number;
	variant: 'send' | 'http';
	perItemMs: number;
	totalMs: number;
	ok: number;
}

export interface LatencySample {
	rep: number;
	variant: Variant;
	latencyMs: number;
	via: string;
	sendToVerifiedMs: number;
}

export interface CallsRow {
	rep: number;
	variant: Variant;
	verified: number;
	calls: number;
	byAction: Record<string, number>;
}

export interface DropSample {
	rep: number;
	variant: Variant;
	afterAnswerMs: number;
	overshootMs: number;
	reason: string;
}

export interface EarlyRow {
	scenario: string;
	signal: string;
	failed: number;
	delivered: number;
	early: number;
	reasons: Record<string, number>;
	afterAnswerMs: number[];
	laterSeen: number;
}

/** Our Delivery Failure Trigger, or n8n's own Webhook node as the baseline. */
export type TriggerVariant = 'trigger' | 'webhook';

export interface TriggerLatency {
	rep: number;
	variant: TriggerVariant;
	answeredMs: number;
	startMs: number;
	finishMs: number;
}

export interface TriggerSustained {
	rep: number;
	variant: TriggerVariant;
	accepted: number;
	refused: number;
	postRate: number;
	execRate: number;
	drainMs: number;
}

export interface MemorySample {
	items: number;
	mainRssMb: number;
	groupRssMb: number;
	/** V8 heap in use (n8n's /metrics), lowest of a few samples. */
	heapUsedMb?: number;
	executionTime: number;
	delivered: number;
}

export interface TriggerResult {
	concurrency: number;
	sustainMs: number;
	latency: TriggerLatency[];
	sustained: TriggerSustained[];
}

/** One fresh n8n: a warm-up batch, then runs of items; memory after a forced GC before and after. */
export interface MemoryRep {
	rep: number;
	before: { rssMb: number; heapUsedMb: number };
	after: { rssMb: number; heapUsedMb: number };
	peakRssMb: number;
	items: number;
	delivered: number;
	samples: Array<{
		items: number;
		rssMb: number;
		heapUsedMb: number;
		executionTime: number;
		delivered: number;
	}>;
}

export interface ScalingRow {
	variant: Variant;
	items: number;
	executionTime: number;
	perItemMs: number;
	delivered: number;
	failed: number;
	calls: number;
	byAction: Record<string, number>;
	/** Messages that reached the witness more than once (ground truth). */
	duplicates: number;
}

export interface BusyRow {
	variant: Variant;
	items: number;
	otherPerSecond: number;
	otherInjected: number;
	delivered: number;
	failed: number;
	/** Not Delivered although the witness received it (ground truth): a read that was too shallow, or a wrong verdict. */
	missedButArrived: number;
	duplicates: number;
	historyReads: number;
	executionTime: number;
}

/** A flavour/version of the simulator (e.g. LLOneBot 4.4.3 with hashed ids): verified, missed, calls. */
export interface FlavourRow {
	flavour: string;
	version: string;
	variant: Variant;
	items: number;
	delivered: number;
	failed: number;
	reasons: Record<string, number>;
	calls: number;
	duplicates: number;
	p50LatencyMs: number;
}

export interface BenchResults {
	startedAt: string;
	quick: boolean;
	/** The phases this run measured (--only), or ['all']. */
	phases?: string[];
	/** Free text from --note= (e.g. why a subset was run), shown under the machine line. */
	note?: string;
	params: Record<string, number>;
	settings: Record<string, number | string>;
	machine: {
		cpu: string;
		memoryGb: number;
		os: string;
		node: string;
		n8n: string;
		loadAtStart: number[];
		loadAtEnd: number[];
	};
	timings: Record<string, number>;
	source?: { commit: string; from: string; dirty: boolean };
	overhead?: { items: number; rows: OverheadRow[] };
	latency?: {
		items: number;
		pollIntervalMs: number;
		samples: LatencySample[];
		missing: Record<Variant, number>;
	};
	calls?: { items: number; minIntervalMs: number; pollIntervalMs: number; rows: CallsRow[] };
	drop?: { items: number; deadlineMs: number; samples: DropSample[]; wronglyDelivered: number };
	early?: { items: number; deadlineMs: number; rows: EarlyRow[] };
	trigger?: TriggerResult;
	/**
	 * --profile: where n8n's main process spends CPU per report, from a V8 CPU profile over sequential reports
	 * to each variant in a fresh n8n (bench/lib/profile.ts).
	 */
	triggerProfile?: Record<string, ProfileSummary>;
	/** The trigger again in fresh n8n instances started with expression-engine settings (env name → value). */
	triggerTuned?: Array<{ label: string; env: Record<string, string>; result: TriggerResult }>;
	memory?: { runs: number; itemsPerRun: number; samples: MemorySample[] };
	/** Memory measured per repetition in its own fresh n8n (replaces `memory`). */
	memoryReps?: {
		reps: number;
		runs: number;
		itemsPerRun: number;
		warmupItems: number;
		rows: MemoryRep[];
	};
	scaling?: { rows: ScalingRow[]; minIntervalMs: number; pollIntervalMs: number };
	busy?: { rows: BusyRow[]; pollIntervalMs: number; minIntervalMs: number };
	flavours?: { rows: FlavourRow[] };
}
