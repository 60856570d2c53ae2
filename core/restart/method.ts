/** The one interface every restart method implements. */
import type { RestartRequest } from './request';
import type { RestartMethodName } from './outcomes';

export interface RestartMethod {
	readonly name: RestartMethodName;
	/**
	 * Sends the restart request. In a dry run it sends nothing that restarts and returns
	 * `dryRunRequest(...)` (or unsupported/failed when its checks already say so).
	 */
	restart(options: { dryRun: boolean }): Promise<RestartRequest>;
	/**
	 * Longest time `restart` may take (its requests, a WebUI login rate-limit wait, Docker's stop timeout):
	 * the restart lease is held at least this long while the request runs.
	 */
	readonly requestBudgetMs?: number;
	/**
	 * When the target says the client last started (epoch ms); null when it cannot tell (no such endpoint,
	 * refused by a proxy, unreadable). Only methods whose target knows it implement this (Docker).
	 */
	lastStartedAt?(): Promise<number | null>;
}
