/**
 * What a node remembers between its runs inside one n8n process: probe hysteresis and the message_ids a
 * send already got. n8n's static data cannot hold it alone: it is loaded when an execution starts and
 * written back whole when it ends (last writer wins), so two overlapping runs each see only what was saved
 * before both began, and queue-mode workers start every execution from `{}`. This registry lives in the
 * module (one instance per n8n process); every read-modify-write on it is synchronous, so overlapping runs
 * of one process never lose each other's updates. Static data stays a merged copy: what it offers is merged
 * in when a run loads it, never written over process memory. Bounded: at most `maxKeys` keys (the least
 * recently used goes first). No timers.
 */
import type { HysteresisMemory } from './probe';

export class BoundedRegistry<V> {
	private readonly entries = new Map<string, V>();

	constructor(readonly maxKeys: number) {}

	get size(): number {
		return this.entries.size;
	}

	/** The value under `key`, now the most recently used. */
	get(key: string): V | undefined {
		const value = this.entries.get(key);
		if (value !== undefined) {
			this.entries.delete(key);
			this.entries.set(key, value);
		}
		return value;
	}

	/** Stores `value` as the most recently used; evicts the least recently used keys beyond the bound. */
	set(key: string, value: V): void {
		this.entries.delete(key);
		this.entries.set(key, value);
		while (this.entries.size > this.maxKeys) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
	}

	/** Forgets everything (tests). */
	clear(): void {
		this.entries.clear();
	}
}

/** One node of one workflow, for one account (or probe configuration). */
export function runMemoryKey(
	workflowId: string | undefined,
	nodeId: string,
	accountKey: string,
): string {
	return `${workflowId ?? '-'}|${nodeId}|${accountKey}`;
}

// ------------------------------------------------------------------------------------- hysteresis

export const MAX_PROBE_MEMORIES = 500;

export const processProbeMemory = new BoundedRegistry<HysteresisMemory>(MAX_PROBE_MEMORIES);

function validMemory(value: unknown): value is HysteresisMemory {
	if (!value || typeof value !== 'object') return false;
	const memory = value as Partial<HysteresisMemory>;
	return (
		typeof memory.state === 'string' &&
		Array.isArray(memory.recent) &&
		typeof memory.updatedAt === 'string'
	);
}

/**
 * One probe configuration's hysteresis, as the process and the stored copy offer it: the newer of the two
 * (by `updatedAt`; the process memory on a tie). A newer stored copy is another process's later run.
 */
export function mergeHysteresis(
	inProcess: HysteresisMemory | undefined,
	stored: unknown,
): HysteresisMemory | undefined {
	const copy = validMemory(stored) ? stored : undefined;
	if (!inProcess) return copy;
	if (!copy) return inProcess;
	return Date.parse(copy.updatedAt) > Date.parse(inProcess.updatedAt) ? copy : inProcess;
}

/**
 * Applies one observed result to a configuration's memory in one synchronous step: load (process memory
 * merged with the stored copy), `apply`, store. Returns what `apply` returned.
 */
export function updateProbeMemory<T extends { memory: HysteresisMemory }>(
	key: string,
	stored: unknown,
	apply: (memory: HysteresisMemory | undefined) => T,
	registry: BoundedRegistry<HysteresisMemory> = processProbeMemory,
): T {
	const outcome = apply(mergeHysteresis(registry.get(key), stored));
	registry.set(key, outcome.memory);
	return outcome;
}

// ------------------------------------------------------------------------------------- message ids

export const MAX_MESSAGE_ID_ACCOUNTS = 200;
export const MESSAGE_IDS_KEPT = 500;

/**
 * The message_ids one account's sends got, oldest first, at most `limit` of them: a Set whose `add` drops
 * the oldest id beyond the bound. Shared by every run of the node in this process, so a send that gets an
 * id an overlapping run already got is caught.
 */
export class RecentIds extends Set<number> {
	constructor(readonly limit: number = MESSAGE_IDS_KEPT) {
		super();
	}

	add(id: number): this {
		if (this.has(id)) super.delete(id);
		super.add(id);
		while (this.size > this.limit) super.delete(this.values().next().value as number);
		return this;
	}
}

export const processMessageIds = new BoundedRegistry<RecentIds>(MAX_MESSAGE_ID_ACCOUNTS);

/**
 * The account's shared id memory, with the ids a stored copy offers merged in (ids already held keep their
 * place; stored ids the process does not hold go in as older ones).
 */
export function messageIdMemory(
	key: string,
	stored: unknown,
	registry: BoundedRegistry<RecentIds> = processMessageIds,
): RecentIds {
	let ids = registry.get(key);
	if (!ids) {
		ids = new RecentIds();
		registry.set(key, ids);
	}
	const offered = (Array.isArray(stored) ? stored : []).filter(
		(id): id is number => typeof id === 'number' && Number.isFinite(id) && !ids!.has(id),
	);
	if (offered.length > 0) {
		const held = [...ids];
		ids.clear();
		for (const id of [...offered, ...held]) ids.add(id);
	}
	return ids;
}
