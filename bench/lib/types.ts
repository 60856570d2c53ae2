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

export interface BenchResults {
	startedAt: string;
	quick: boolean;
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
	latency?: { items: number; pollIntervalMs: number; samples: LatencySample[]; missing: Record<Variant, number> };
	calls?: { items: number; minIntervalMs: number; pollIntervalMs: number; rows: CallsRow[] };
	drop?: { items: number; deadlineMs: number; samples: DropSample[]; wronglyDelivered: number };
	early?: { items: number; deadlineMs: number; rows: EarlyRow[] };
	trigger?: { concurrency: number; sustainMs: number; latency: TriggerLatency[]; sustained: TriggerSustained[] };
	memory?: { runs: number; itemsPerRun: number; samples: MemorySample[] };
}
