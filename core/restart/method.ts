/** The one interface every restart method implements. */
import type { RestartAttempt } from './attempt';
import type { RestartMethodName } from './outcomes';

export interface RestartMethod {
	readonly name: RestartMethodName;
	/**
	 * Sends the restart request. In a dry run it sends nothing that restarts and returns
	 * `dryRunAttempt(...)` (or unsupported/failed when its checks already say so).
	 */
	restart(options: { dryRun: boolean }): Promise<RestartAttempt>;
}
