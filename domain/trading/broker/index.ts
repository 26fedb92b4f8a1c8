export * from './matching.ts';
export * from './routing.ts';
export type * from './port.ts';
