// How far a projection is behind the head. Positions are sparse (the PostgreSQL store numbers events
// (txid << 20) + index), so lag in events is a bounded count of the events after the checkpoint, never
// a subtraction of positions. Lag in seconds is how long the oldest unapplied event has waited.
import type { EventFilter, EventStore } from '../../domain/ports/event-store.ts';
import type { Projection } from './types.ts';

export interface Lag {
  readonly events: number;
  /** True when the count stopped at the bound: the lag is at least `events`. */
  readonly capped: boolean;
  readonly oldestRecordedAt: Date | undefined;
}

export type LagProbe = (after: bigint | undefined, filter: EventFilter | undefined, bound: number) => Promise<Lag>;

export const DEFAULT_LAG_BOUND = 10_000;
/** The generic probe decodes what it counts, so it counts less. */
export const STORE_PROBE_BOUND = 1_000;

/** Works on any store; decodes up to `bound` events, so adapters with a cheaper count should provide one. */
export const storeLagProbe = (store: EventStore): LagProbe => async (after, filter, bound) => {
  const page = await store.readAll({ after, filter, maxCount: Math.min(bound, STORE_PROBE_BOUND) });
  return { events: page.events.length, capped: page.hasMore, oldestRecordedAt: page.events[0]?.recordedAt };
};

export const filterOf = (projection: Projection): EventFilter | undefined =>
  projection.eventTypes === 'all' ? undefined : { eventTypes: projection.eventTypes };

export const lagSeconds = (lag: Lag, now: Date): number =>
  lag.oldestRecordedAt === undefined ? 0 : Math.max(0, (now.getTime() - lag.oldestRecordedAt.getTime()) / 1000);
