export * from './types';
export * from './transport';
export * from './classify';
export * from './message';
export * from './witness';
export * from './retry';
export * from './signing';
export * from './report';
