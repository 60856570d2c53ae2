/**
 * The trigger's replay memory: each signed report is taken once. A signature is kept for as long as the
 * age check would accept its report, that is until its timestamp plus the allowed age: a report signed
 * ahead of the receiver's clock (the age check allows that much into the future) is kept past the age
 * window counted from its receipt.
 */

/**
 * How many report signatures the replay memory holds at most. Reports are signed, so only the holder of
 * the secret can fill it; past this many within the age window the oldest are forgotten (a replay of one
 * of those is still refused once it is older than the window).
 */
export const MAX_REMEMBERED_SIGNATURES = 10_000;

/**
 * Remembers accepted report signatures so the same signed report is taken once.
 * `seen` maps signature (the digest as canonical hex) → the report's timestamp; an entry is dropped once
 * its timestamp is more than the window behind now (the age check refuses its report from then on), and
 * at most MAX_REMEMBERED_SIGNATURES are kept. Returns false when the signature was already taken.
 */
export function rememberReportSignature(
	seen: Record<string, number> | ReplayMemory,
	signature: string,
	timestampSeconds: number,
	nowSeconds: number,
	maxAgeSeconds: number,
): boolean {
	if (seen instanceof ReplayMemory)
		return seen.remember(signature, nowSeconds, maxAgeSeconds, timestampSeconds);
	for (const [key, at] of Object.entries(seen)) {
		if (typeof at !== 'number' || nowSeconds - at > maxAgeSeconds) delete seen[key];
	}
	if (Object.prototype.hasOwnProperty.call(seen, signature)) return false;
	seen[signature] = timestampSeconds;
	dropOldest(seen, MAX_REMEMBERED_SIGNATURES);
	return true;
}

/**
 * The trigger's replay memory: signatures in the order they were taken, each with when it may be
 * forgotten (its report's timestamp plus the allowed age). Expired entries leave from the front and the
 * size is capped, so each request costs O(1) however full the memory is (a plain object would be scanned
 * on every request). An expired entry behind a younger one stays a little longer, which only refuses
 * what the age check refuses anyway.
 */
export class ReplayMemory {
	private readonly keepUntil = new Map<string, number>();

	constructor(private readonly max = MAX_REMEMBERED_SIGNATURES) {}

	get size(): number {
		return this.keepUntil.size;
	}

	/**
	 * False when `key` was already taken. The key is kept until `timestampSeconds + windowSeconds`
	 * (default timestamp: now), the end of the window in which the age check accepts its report.
	 */
	remember(
		key: string,
		nowSeconds: number,
		windowSeconds: number,
		timestampSeconds = nowSeconds,
	): boolean {
		for (const [oldest, until] of this.keepUntil) {
			if (nowSeconds <= until) break;
			this.keepUntil.delete(oldest);
		}
		if (this.keepUntil.has(key)) return false;
		this.keepUntil.set(key, timestampSeconds + windowSeconds);
		while (this.keepUntil.size > this.max)
			this.keepUntil.delete(this.keepUntil.keys().next().value as string);
		return true;
	}
}

/** Keeps the `max` newest entries of a key → epoch-seconds memory (ties: the later inserted stays). */
export function dropOldest(memory: Record<string, number>, max: number): void {
	const keys = Object.keys(memory);
	if (keys.length <= max) return;
	const byAge = keys
		.map((key, order) => ({ key, at: memory[key], order }))
		.sort((a, b) => a.at - b.at || a.order - b.order);
	for (const { key } of byAge.slice(0, keys.length - max)) delete memory[key];
}
