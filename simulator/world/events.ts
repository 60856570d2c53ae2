/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The events an account pushes: heartbeats, lifecycle, bot_offline, messages; to its WebSocket
 * connections and, signed the way its implementation signs them, to its HTTP POST report URLs.
 */
import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { Clock } from '../clock';
import type { FaultSet } from '../faults';
import { major, statusData } from '../implementations';
import type { ReportRecord } from '../types';
import type { GroundTruth } from './groundTruth';
import type { Timers } from './timers';
import type { Account, Topology } from './topology';

export class Events {
	constructor(
		private readonly clock: Clock,
		private readonly topology: Topology,
		private readonly faults: FaultSet,
		private readonly timers: Timers,
		private readonly truth: GroundTruth,
	) {}

	/**
	 * `online` in get_status and heartbeats, per implementation (docs/compatibility.md, Offline signals): Lagrange hard-codes true;
	 * LLOneBot 4.x never sets it false (LLOneBot/LLOneBot: src/onebot11/connect/ws.ts `selfInfo.online`, v4.4.3);
	 * NapCat turns it false on a network drop (the `online_false` fault) or a kick; go-cqhttp tracks the login.
	 */
	reportedOnline(acc: Account): boolean {
		if (acc.cfg.flavour === 'lagrange') return true;
		if (acc.cfg.flavour === 'llonebot' && major(acc.cfg.version) < 5) return true;
		if (this.faults.fire(['online_false'], { account: acc.name })) return false;
		return acc.loggedIn;
	}

	/**
	 * Whether heartbeats go out over HTTP POST reporting (docs/compatibility.md, Offline signals): NapCat never (WebSocket only:
	 * NapNeko/NapCatQQ: packages/napcat-onebot/network); LLOneBot only with `enableHttpHeart`, off by default
	 * (LLOneBot/LLOneBot: src/onebot11/connect/http.ts, src/common/config.ts); go-cqhttp and Lagrange yes.
	 */
	httpHeartbeats(acc: Account): boolean {
		switch (acc.cfg.flavour) {
			case 'napcat':
				return false;
			case 'llonebot':
				return acc.cfg.reportHeartbeat === true;
			default:
				return acc.cfg.reportHeartbeat !== false;
		}
	}

	heartbeatEvent(acc: Account): Record<string, unknown> {
		const online = this.reportedOnline(acc);
		const interval = this.topology.heartbeatIntervalFor(acc);
		const status: Record<string, unknown> =
			acc.cfg.flavour === 'gocq'
				? statusData(acc.implementation, online, { ...acc.stat })
				: { online, good: true };
		return {
			time: Math.floor(this.clock.now() / 1000),
			self_id: acc.selfId,
			post_type: 'meta_event',
			meta_event_type: 'heartbeat',
			status,
			interval,
		};
	}

	lifecycleEvent(
		acc: Account,
		sub: 'connect' | 'enable' | 'disable' = 'connect',
	): Record<string, unknown> {
		return {
			time: Math.floor(this.clock.now() / 1000),
			self_id: acc.selfId,
			post_type: 'meta_event',
			meta_event_type: 'lifecycle',
			sub_type: sub,
		};
	}

	botOffline(acc: Account, message: string): Record<string, unknown> {
		return {
			time: Math.floor(this.clock.now() / 1000),
			self_id: acc.selfId,
			post_type: 'notice',
			notice_type: 'bot_offline',
			user_id: acc.selfId,
			tag: 'BotOfflineEvent',
			message,
		};
	}

	heartbeatStopped(acc: Account): boolean {
		return !!this.faults.fire(['heartbeat_stop'], { account: acc.name });
	}

	startHeartbeat(acc: Account): void {
		this.stopHeartbeat(acc);
		if (this.timers.closed) return;
		acc.heartbeatTimer = this.timers.every(this.topology.heartbeatIntervalFor(acc), () => {
			if (acc.process !== 'running') return;
			if (!(acc.cfg.reportUrls ?? []).length || !this.httpHeartbeats(acc)) return;
			if (this.heartbeatStopped(acc)) return;
			this.report(acc, this.heartbeatEvent(acc));
		});
	}

	stopHeartbeat(acc: Account): void {
		this.timers.cancel(acc.heartbeatTimer);
		acc.heartbeatTimer = undefined;
	}

	emit(acc: Account, ev: Record<string, unknown>): void {
		if (acc.process === 'running') for (const s of acc.sinks) s.send(ev);
		this.report(acc, ev);
	}

	/** HTTP POST event reporting, signed like the implementation does. */
	report(acc: Account, ev: Record<string, unknown>): void {
		const urls = acc.cfg.reportUrls ?? [];
		if (!urls.length || acc.process !== 'running') return;
		const body = JSON.stringify(ev);
		for (const url of urls) {
			const headers: Record<string, string> = {
				'Content-Type': 'application/json',
				'X-Self-ID': String(acc.selfId),
			};
			const key = acc.signingKey;
			if (key)
				headers['X-Signature'] = 'sha1=' + createHmac('sha1', key).update(body).digest('hex');
			if (acc.cfg.flavour === 'gocq') headers['User-Agent'] = 'CQHttp/4.15.0';
			const rec: ReportRecord = { account: acc.name, url, body, headers, at: this.clock.now() };
			this.truth.recordReport(rec);
			postJson(url, body, headers).then(
				(status) => (rec.status = status),
				(e: Error) => (rec.error = e.message),
			);
		}
	}
}

function postJson(url: string, body: string, headers: Record<string, string>): Promise<number> {
	return new Promise((resolve, reject) => {
		let u: URL;
		try {
			u = new URL(url);
		} catch (e) {
			reject(e as Error);
			return;
		}
		const req = http.request(
			u,
			{
				method: 'POST',
				headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
				agent: false,
				timeout: 5000,
			},
			(res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
			},
		);
		req.on('timeout', () => req.destroy(new Error('report timeout')));
		req.on('error', reject);
		req.end(body);
	});
}
