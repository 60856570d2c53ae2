/**
 * What the Delivery Failure Trigger does with a request, without n8n: the inbox (signed reports and
 * OneBot events turned into failure events), the filters that decide which events start a run, and the
 * replay memory that takes each signed report once.
 */
export * from './inbox';
export * from './filters';
export * from './replay';
