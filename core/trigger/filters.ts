/** Which failure events start a run of the trigger, and how often an offline account does. */
import type { FailureEvent, FailureEventKind, ReasonClass } from '../types';
import { dropOldest } from './replay';

export interface FailureFilters {
	events: readonly FailureEventKind[];
	/** Applies to delivery_failed only. */
	reasonClasses: readonly ReasonClass[];
	groupIds: readonly number[];
	userIds: readonly number[];
}

/**
 * Whether an event should start a run. When chat filters are set, an event that names a target passes
 * only if its group or user is listed; events without a target (offline, probe without a canary) concern
 * the whole account and pass.
 */
export function matchesFilters(
	event: FailureEvent,
	filters: FailureFilters,
): { match: boolean; detail: string } {
	if (!filters.events.includes(event.event))
		return { match: false, detail: `${event.event} is not selected` };
	if (
		event.event === 'delivery_failed' &&
		event.reasonClass &&
		!filters.reasonClasses.includes(event.reasonClass)
	) {
		return { match: false, detail: `reason class ${event.reasonClass} is not selected` };
	}
	const target = event.target;
	if (target && (filters.groupIds.length || filters.userIds.length)) {
		const listed = target.type === 'group' ? filters.groupIds : filters.userIds;
		if (!listed.includes(target.id))
			return { match: false, detail: `${target.type} ${target.id} is not selected` };
	}
	return { match: true, detail: 'selected' };
}

/**
 * Offline heartbeats repeat every few seconds while the account is down: start a run for the first,
 * then again only after `repeatSeconds` (0 = every one). Offline notices always start one and also
 * reset the clock. `lastRun` maps self id → epoch seconds of the last offline run; updated in place.
 */
export function offlineRunDue(
	event: FailureEvent,
	lastRun: Record<string, number>,
	nowMs: number,
	repeatSeconds: number,
	/**
	 * A digest of the notice's raw body. OneBot signs no timestamp, so a captured notice can be posted
	 * again: the same bytes for the same account are held back for the repeat interval (a replay), while a
	 * new notice (other time, tag or message) still starts a run.
	 */
	noticeFingerprint?: string,
): boolean {
	if (event.event !== 'client_offline' || event.source !== 'onebot_event') return true;
	const key = String(event.selfId ?? 'unknown');
	const nowSeconds = Math.floor(nowMs / 1000);
	// Forget what the repeat interval no longer covers, and never hold more than MAX_OFFLINE_KEYS entries
	// (unsigned mode lets anyone name any self_id).
	const keepSeconds = Math.max(repeatSeconds, 1);
	for (const [name, at] of Object.entries(lastRun)) {
		if (typeof at !== 'number' || nowSeconds - at >= keepSeconds) delete lastRun[name];
	}
	const isHeartbeat = event.details?.trigger === 'heartbeat_offline';
	const noticeKey = noticeFingerprint ? `${key}#notice:${noticeFingerprint}` : undefined;
	const lastFor = (name: string) =>
		Object.prototype.hasOwnProperty.call(lastRun, name) ? lastRun[name] : undefined;
	const last = isHeartbeat ? lastFor(key) : noticeKey ? lastFor(noticeKey) : undefined;
	if (repeatSeconds > 0 && typeof last === 'number' && nowSeconds - last < repeatSeconds)
		return false;
	lastRun[key] = nowSeconds;
	if (!isHeartbeat && noticeKey) lastRun[noticeKey] = nowSeconds;
	dropOldest(lastRun, MAX_OFFLINE_KEYS);
	return true;
}

/** At most this many accounts (and replayed-notice digests) in the offline-repeat memory. */
export const MAX_OFFLINE_KEYS = 1000;
