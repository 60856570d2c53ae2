/**
 * How each implementation (LLOneBot, NapCat, go-cqhttp, Lagrange) answers, by concern: versions,
 * envelopes, auth, send failures, message ids, message shapes. Every answer cites its upstream source.
 */
export * from './versions';
export * from './envelopes';
export * from './auth';
export * from './sendErrors';
export * from './messageIds';
export * from './shapes';
