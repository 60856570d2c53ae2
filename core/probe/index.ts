/**
 * Health probe of one OneBot account: the health checks (core/health), canary results, a diagnosis, and
 * the hysteresis that turns a run's result into a debounced state across runs.
 */
export * from './canary';
export * from './diagnosis';
export * from './hysteresis';
export * from './run';
