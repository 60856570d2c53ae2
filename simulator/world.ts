/**
 * The simulated QQ world, as one object for the servers and the control API. Its parts live in
 * simulator/world/: topology.ts (accounts, groups, friends), send.ts (the send path and its faults),
 * delivery.ts (server numbering, stores, delivery), history.ts (get_msg and history paging),
 * lifecycle.ts (restarts, quits, logins), events.ts (heartbeats and reports), groundTruth.ts (what
 * really happened), actions.ts (which part answers an action). This class builds them and resets them.
 */
import type { Clock } from './clock';
import { FaultSet } from './faults';
import type { Transport } from './implementations';
import type { CallRecord, GroupConfig, WorldConfig } from './types';
import { Actions } from './world/actions';
import type { ActionResult } from './world/answers';
import { Delivery } from './world/delivery';
import { Events } from './world/events';
import { GroundTruth } from './world/groundTruth';
import { Lifecycle, type RestartOptions } from './world/lifecycle';
import { SendPath } from './world/send';
import { Timers } from './world/timers';
import { Topology, type Account } from './world/topology';

export type { ActionResult } from './world/answers';
export { Account, DEFAULT_GROUP_ID, defaultWorld } from './world/topology';
export type { EventSink, ServerControl } from './world/topology';

export class World {
	readonly clock: Clock;
	readonly config: WorldConfig;
	readonly faults: FaultSet;
	log: (line: string) => void = () => {};
	/** NapCat WebUI session state: issued credentials (expiry on the simulated clock) and recent logins */
	webui = {
		credentials: new Map<string, number>(),
		loginWindow: null as { startedAt: number; count: number } | null,
	};
	private readonly topology: Topology;
	private readonly timers: Timers;
	private readonly truth: GroundTruth;
	private readonly events: Events;
	private readonly delivery: Delivery;
	private readonly lifecycle: Lifecycle;
	private readonly actions: Actions;
	/** Inject a message from an account straight into the world (no API, no faults). */
	readonly injectMessage: Delivery['injectMessage'];

	constructor(config: WorldConfig, clock: Clock) {
		this.config = config;
		this.clock = clock;
		this.faults = new FaultSet(config.seed ?? 1, () => clock.now());
		this.topology = new Topology(config, clock.now());
		for (const f of config.faults ?? []) this.faults.add(f);
		this.timers = new Timers(clock);
		this.truth = new GroundTruth(clock, this.topology, this.faults);
		this.events = new Events(clock, this.topology, this.faults, this.timers, this.truth);
		this.delivery = new Delivery(
			config,
			clock,
			this.topology,
			this.faults,
			this.timers,
			this.events,
			this.truth,
		);
		this.lifecycle = new Lifecycle(
			clock,
			this.topology,
			this.faults,
			this.timers,
			this.events,
			this.delivery,
			this.truth,
		);
		const sendPath = new SendPath(
			clock,
			this.topology,
			this.faults,
			this.timers,
			this.delivery,
			this.truth,
		);
		this.actions = new Actions(this.topology, this.events, sendPath, this.lifecycle);
		this.injectMessage = this.delivery.injectMessage.bind(this.delivery);
	}

	// topology and settings
	get accounts(): Map<string, Account> {
		return this.topology.accounts;
	}
	get groups(): Map<number, GroupConfig> {
		return this.topology.groups;
	}
	get kernelTimeoutMs(): number {
		return this.topology.kernelTimeoutMs;
	}
	heartbeatIntervalFor(acc: Account): number {
		return this.topology.heartbeatIntervalFor(acc);
	}
	restartDowntimeFor(acc: Account): number {
		return this.topology.restartDowntimeFor(acc);
	}
	account(name: string): Account {
		return this.topology.account(name);
	}

	// ground truth
	get calls(): CallRecord[] {
		return this.truth.calls;
	}
	get reports(): GroundTruth['reports'] {
		return this.truth.reports;
	}
	get restarts(): GroundTruth['restarts'] {
		return this.truth.restarts;
	}
	recordCall(c: Omit<CallRecord, 'n'>): CallRecord {
		return this.truth.recordCall(c);
	}
	groundTruth(): Record<string, unknown> {
		return this.truth.snapshot();
	}

	// timers
	later(ms: number, fn: () => void): NodeJS.Timeout {
		return this.timers.later(ms, fn);
	}
	sleep(ms: number): Promise<void> {
		return this.timers.sleep(ms);
	}

	// actions and messages
	handleAction(
		accName: string,
		action: string,
		params: Record<string, unknown>,
		transport: Transport,
	): Promise<ActionResult> {
		return this.actions.handleAction(accName, action, params, transport);
	}
	// events
	heartbeatEvent(acc: Account): Record<string, unknown> {
		return this.events.heartbeatEvent(acc);
	}
	lifecycleEvent(acc: Account, sub?: 'connect' | 'enable' | 'disable'): Record<string, unknown> {
		return this.events.lifecycleEvent(acc, sub);
	}
	heartbeatStopped(acc: Account): boolean {
		return this.events.heartbeatStopped(acc);
	}
	startHeartbeat(acc: Account): void {
		this.events.startHeartbeat(acc);
	}

	// lifecycle
	quit(acc: Account, via: string): Promise<void> {
		return this.lifecycle.quit(acc, via);
	}
	restart(name: string, opts?: RestartOptions): Promise<{ until: number; needsQrLogin: boolean }> {
		return this.lifecycle.restart(name, opts);
	}
	login(name: string): void {
		this.lifecycle.login(name);
	}
	kickOffline(name: string, message?: string): void {
		this.lifecycle.kickOffline(name, message);
	}
	applyDownFaults(): Promise<void> {
		return this.lifecycle.applyDownFaults();
	}

	close(): void {
		this.timers.close();
		for (const a of this.accounts.values()) {
			this.timers.cancel(a.heartbeatTimer);
			this.timers.cancel(a.restartTimer);
			a.endRestartWaits();
		}
	}

	/** Back to the start: no messages, calls, reports or restarts, the configured faults, every account up. */
	async reset(): Promise<void> {
		this.timers.generation++;
		this.webui = { credentials: new Map(), loginWindow: null };
		this.faults.clear();
		for (const f of this.config.faults ?? []) this.faults.add(f);
		this.truth.clear();
		this.delivery.reset();
		this.clock.reset();
		for (const a of this.accounts.values()) {
			this.timers.cancel(a.restartTimer);
			a.endRestartWaits();
			a.records = [];
			a.byMessageId.clear();
			a.inbox = [];
			a.pendingOffline = [];
			a.sendsSinceStart = 0;
			a.startedAt = this.clock.now();
			a.loggedIn = true;
			a.qrLoginPending = false;
			a.lastSentMessageId = undefined;
			a.process = 'running';
			this.events.startHeartbeat(a);
		}
		await this.applyDownFaults();
	}
}
