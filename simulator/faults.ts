/** Seeded, scoped fault injection. */
import type { FaultKind, FaultScope, FaultSpec } from './types';
import { hashSeed, mulberry32, type Rng } from './rng';

export interface ActiveFault {
	id: string;
	spec: FaultSpec;
	rng: Rng;
	remaining: number | null;
	applied: number;
	createdAt: number;
}

export interface FaultContext {
	account: string;
	action?: string;
	messageType?: 'group' | 'private';
	group?: number;
	user?: number;
	transport?: 'http' | 'ws';
}

/** Send faults of a stuck client: a restart clears them. */
const STUCK_SEND_KINDS: readonly FaultKind[] = [
	'silent_drop',
	'timeout_not_delivered',
	'timeout_delivered',
	'stuck_group',
	'data_null',
	'message_id_zero',
];

export const SEND_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
	...STUCK_SEND_KINDS,
	'repeated_message_id',
	'risk_control',
	'not_in_group',
	'muted',
]);

export const TRANSPORT_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
	'latency',
	'hang',
	'connection_reset',
	'http_500',
	'malformed_json',
]);

/** Kinds a restart clears by default (the stuck client); others (server side) survive it. */
const CURED_BY_RESTART: ReadonlySet<FaultKind> = new Set<FaultKind>([
	...STUCK_SEND_KINDS,
	'online_false',
	'heartbeat_stop',
	...TRANSPORT_KINDS,
	'down',
]);

export const ALL_KINDS: ReadonlySet<string> = new Set<string>([
	...SEND_KINDS,
	...TRANSPORT_KINDS,
	'receive_drop',
	'online_false',
	'heartbeat_stop',
	'degrade_after',
	'down',
	'set_restart_unsupported',
	'docker_500',
	'webui_down',
	'restart_reset',
]);

export function curedByRestart(spec: FaultSpec): boolean {
	return spec.curedByRestart ?? CURED_BY_RESTART.has(spec.kind);
}

export class FaultSet {
	private faults: ActiveFault[] = [];
	private counter = 0;

	constructor(
		private worldSeed: number,
		private now: () => number,
	) {}

	add(spec: FaultSpec): ActiveFault {
		if (!spec || typeof spec.kind !== 'string' || !ALL_KINDS.has(spec.kind))
			throw new Error(`unknown fault kind: ${spec?.kind}`);
		if (spec.kind === 'degrade_after') {
			const p = spec.params ?? {};
			if (typeof p.sends !== 'number' && typeof p.uptimeMs !== 'number')
				throw new Error('degrade_after needs params.sends or params.uptimeMs');
		}
		const id = spec.id ?? `f${++this.counter}`;
		this.remove(id);
		const seed = spec.seed ?? hashSeed(this.worldSeed, id);
		const f: ActiveFault = {
			id,
			spec: { ...spec, id },
			rng: mulberry32(seed),
			remaining: typeof spec.count === 'number' ? spec.count : null,
			applied: 0,
			createdAt: this.now(),
		};
		this.faults.push(f);
		return f;
	}

	remove(id: string): boolean {
		const before = this.faults.length;
		this.faults = this.faults.filter((f) => f.id !== id);
		return this.faults.length !== before;
	}

	clear(): void {
		this.faults = [];
	}

	list(): ActiveFault[] {
		return [...this.faults];
	}

	removeWhere(pred: (f: ActiveFault) => boolean): ActiveFault[] {
		const gone = this.faults.filter(pred);
		this.faults = this.faults.filter((f) => !pred(f));
		return gone;
	}

	/** Faults of the given kinds whose scope matches (no probability draw). */
	matching(kinds: ReadonlySet<FaultKind> | FaultKind[], ctx: FaultContext): ActiveFault[] {
		const set = Array.isArray(kinds) ? new Set(kinds) : kinds;
		return this.faults.filter((f) => set.has(f.spec.kind) && scopeMatches(f.spec.scope, ctx));
	}

	/** First matching fault that fires (probability draw, count consumption). */
	fire(kinds: ReadonlySet<FaultKind> | FaultKind[], ctx: FaultContext): ActiveFault | undefined {
		for (const f of this.matching(kinds, ctx)) {
			if (this.tryFire(f)) return f;
		}
		return undefined;
	}

	tryFire(f: ActiveFault): boolean {
		const p = f.spec.probability ?? 1;
		if (p < 1 && f.rng() >= p) return false;
		f.applied++;
		if (f.remaining !== null) {
			f.remaining--;
			if (f.remaining <= 0) this.remove(f.id);
		}
		return true;
	}

	describe(): Array<Record<string, unknown>> {
		return this.faults.map((f) => ({ ...f.spec, applied: f.applied, remaining: f.remaining }));
	}
}

export function scopeMatches(scope: FaultScope | undefined, ctx: FaultContext): boolean {
	if (!scope) return true;
	if (scope.account !== undefined && scope.account !== ctx.account) return false;
	if (scope.action !== undefined && scope.action !== ctx.action) return false;
	if (
		scope.transport !== undefined &&
		ctx.transport !== undefined &&
		scope.transport !== ctx.transport
	)
		return false;
	if (scope.messageType !== undefined && scope.messageType !== ctx.messageType) return false;
	if (
		scope.group !== undefined &&
		(ctx.messageType !== 'group' || Number(scope.group) !== ctx.group)
	)
		return false;
	if (
		scope.user !== undefined &&
		(ctx.messageType !== 'private' || Number(scope.user) !== ctx.user)
	)
		return false;
	return true;
}
