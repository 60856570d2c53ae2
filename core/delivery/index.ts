/** The delivery engine's public surface: the engine, its settings and outcomes (one file per stage beside it). */
export { DeliveryEngine } from './engine';
export { trimEvidence } from './finish';
export { DeliveryStopped } from './types';
export type {
	AccountAccess,
	BreakerOpening,
	DeliveryEnvironment,
	DeliveryOutcome,
	DeliveryRequest,
	DeliverySettings,
	PacingSettings,
} from './types';
