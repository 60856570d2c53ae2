/**
 * Restarting the QQ client and waiting until the account is really back (docs/compatibility.md, table 'Restart methods').
 *
 * Four ways to restart, because each implementation and deployment differs, each behind the one
 * `RestartMethod` interface: OneBot `set_restart` (only where it really restarts), the NapCat WebUI,
 * the Docker Engine API (through a restart-only socket proxy) and a custom HTTP request to any other
 * supervisor. A guard refuses restart loops (minimum interval, hourly cap). After a restart the account
 * is polled with backoff until it is logged in and online, up to a deadline.
 *
 * No timers and no I/O of its own: requests, sleep, clock and randomness are injected.
 */
export * from './outcomes';
export * from './guard';
export * from './lease';
export * from './accountKey';
export * from './implementation';
export * from './request';
export type { RestartMethod } from './method';
export * from './methods/setRestart';
export * from './methods/napcatWebUi';
export * from './methods/docker';
export * from './methods/customHttp';
export * from './recovery';
export * from './run';
