export * from './scope.ts';
export type * from './events.ts';
export * from './decider.ts';
export * from './stop-applies.ts';
