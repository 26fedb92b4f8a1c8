export * from './decider.ts';
export * from './errors.ts';
export * from './proof.ts';
export type * from './events.ts';
