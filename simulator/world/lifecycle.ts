/**
 * An account's client process and login: set_restart per implementation, restarts (downtime, QR login
 * after), a client that quits, logging in again, being kicked offline, and `down` faults closing ports.
 */
import type { Clock } from '../clock';
import { curedByRestart, type FaultSet } from '../faults';
import {
	errorBody,
	major,
	okBody,
	unknownAction,
	versionAtLeast,
	type Transport,
} from '../implementations';
import type { ActionResult } from './answers';
import type { Delivery } from './delivery';
import type { Events } from './events';
import type { GroundTruth } from './groundTruth';
import type { Timers } from './timers';
import type { Account, Topology } from './topology';

export interface RestartOptions {
	via?: string;
	downtimeMs?: number;
	needsQrLogin?: boolean;
}

export class Lifecycle {
	constructor(
		private readonly clock: Clock,
		private readonly topology: Topology,
		private readonly faults: FaultSet,
		private readonly timers: Timers,
		private readonly events: Events,
		private readonly delivery: Delivery,
		private readonly truth: GroundTruth,
	) {}

	async setRestart(acc: Account, transport: Transport): Promise<ActionResult> {
		const f = acc.implementation;
		const unknown = (): ActionResult => ({
			...unknownAction(f, 'set_restart', transport),
			faults: [],
		});
		const fault = this.faults.fire(['set_restart_unsupported'], {
			account: acc.name,
			action: 'set_restart',
		});
		if (fault) return { ...unknown(), faults: [fault.id] };
		const ok: ActionResult = { httpStatus: 200, body: okBody(f, null), faults: [] };
		switch (f.name) {
			case 'llonebot':
				if (major(f.version) >= 5) return ok; // only toggles auto-login
				this.timers.later(50, () => void this.quit(acc, 'set_restart'));
				return ok;
			case 'napcat':
				if (!versionAtLeast(f.version, '4.10.32')) return unknown();
				if (acc.cfg.napcatMultiProcess === false)
					return {
						httpStatus: 200,
						body: errorBody(f, { retcode: 200, message: '重启功能未初始化' }, transport),
						faults: [],
					};
				this.timers.later(50, () => void this.restart(acc.name, { via: 'set_restart' }));
				return ok;
			case 'gocq':
				return unknown();
			case 'lagrange':
				// Lagrange stops and starts its host inside the action and answers only afterwards, on a connection
				// the stop has closed: the caller gets no answer (LagrangeDev/Lagrange.Core:
				// Lagrange.OneBot/Core/Operation/Generic/SetRestartOperation.cs).
				await this.restart(acc.name, { via: 'set_restart' });
				return ok;
		}
	}

	/** The client process exits and nothing relaunches it (LLOneBot 4.x set_restart). */
	async quit(acc: Account, via: string): Promise<void> {
		this.timers.cancel(acc.restartTimer);
		acc.endRestartWaits();
		acc.process = 'stopped';
		acc.loggedIn = false;
		this.truth.restarts.push({
			account: acc.name,
			via: `${via}:quit`,
			at: this.clock.now(),
			until: Infinity,
			needsQrLogin: false,
		});
		this.events.stopHeartbeat(acc);
		await acc.server?.stop();
	}

	async restart(
		name: string,
		opts: RestartOptions = {},
	): Promise<{ until: number; needsQrLogin: boolean }> {
		const acc = this.topology.account(name);
		const downtime = opts.downtimeMs ?? this.topology.restartDowntimeFor(acc);
		// NapCat's own restart (WebUI Process/Restart, set_restart) drops the quick-login argument: without an
		// auto-login account it waits for a QR scan (see napcatQuickLogin in types.ts).
		const ownRestart =
			acc.cfg.flavour === 'napcat' && (opts.via === 'webui' || opts.via === 'set_restart');
		const needsQr =
			opts.needsQrLogin ??
			acc.cfg.needsQrLoginAfterRestart ??
			(ownRestart && acc.cfg.napcatQuickLogin !== true);
		// No bot_offline for a restart: NapCat emits it only when kicked (onKickedOffLine), the others never (docs/compatibility.md, Offline signals).
		this.timers.cancel(acc.restartTimer);
		acc.process = 'restarting';
		acc.loggedIn = false;
		acc.stat.disconnect_times++;
		this.events.stopHeartbeat(acc);
		// restart-curable faults of this account go away; degradation counters restart from zero
		this.faults.removeWhere(
			(fa) =>
				fa.spec.scope?.account === name &&
				fa.spec.kind !== 'degrade_after' &&
				curedByRestart(fa.spec),
		);
		const until = this.clock.now() + downtime;
		this.truth.restarts.push({
			account: name,
			via: opts.via ?? 'control',
			at: this.clock.now(),
			until,
			needsQrLogin: needsQr,
		});
		await acc.server?.stop();
		await new Promise<void>((resolve) => {
			acc.restartWaiters.push(resolve);
			acc.restartTimer = this.timers.later(downtime, () => void this.comeBack(acc, needsQr));
		});
		return { until, needsQrLogin: needsQr };
	}

	/** The end of a restart's downtime: the client runs again, logged in unless it waits for a QR login. */
	private async comeBack(acc: Account, needsQr: boolean): Promise<void> {
		acc.sendsSinceStart = 0;
		acc.startedAt = this.clock.now();
		acc.process = 'running';
		if (!this.isDown(acc)) await acc.server?.start();
		if (needsQr) {
			acc.loggedIn = false;
			acc.qrLoginPending = true;
		} else {
			acc.loggedIn = true;
			acc.qrLoginPending = false;
			this.delivery.flushPending(acc);
		}
		this.events.startHeartbeat(acc);
		acc.endRestartWaits();
	}

	login(name: string): void {
		const acc = this.topology.account(name);
		acc.loggedIn = true;
		acc.qrLoginPending = false;
		this.delivery.flushPending(acc);
	}

	kickOffline(name: string, message = '你的账号在其他地方登录'): void {
		const acc = this.topology.account(name);
		// NapCat: bot_offline only here, when kicked (NapNeko/NapCatQQ: packages/napcat-onebot/index.ts onKickedOffLine).
		// LLOneBot, go-cqhttp and Lagrange emit no bot_offline in any version (docs/compatibility.md, Offline signals).
		if (acc.cfg.flavour === 'napcat') this.events.emit(acc, this.events.botOffline(acc, message));
		acc.loggedIn = false;
		acc.qrLoginPending = true;
	}

	/** Whether a `down` fault keeps this account's port closed (connections refused). */
	isDown(acc: Account): boolean {
		return this.faults
			.list()
			.some(
				(f) =>
					f.spec.kind === 'down' && (!f.spec.scope?.account || f.spec.scope.account === acc.name),
			);
	}

	/** Closes the ports of accounts a `down` fault covers and reopens the others' once it is gone. */
	async applyDownFaults(): Promise<void> {
		for (const acc of this.topology.accounts.values()) {
			if (acc.process !== 'running') continue;
			if (this.isDown(acc)) await acc.server?.stop();
			else await acc.server?.start();
		}
	}
}
