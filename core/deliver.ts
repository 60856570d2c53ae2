/**
 * Moved: the delivery engine is core/delivery/ (one file per stage). This re-export keeps `core/deliver`
 * importable for scripts/campaign.ts until it imports `core/delivery` itself.
 */
export * from './delivery';
