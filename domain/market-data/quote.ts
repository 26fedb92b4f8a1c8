// The last good price of an instrument: what the risk engine's price collar and stale-data check and
// the paper broker read. Kept per instrument across sources; only ever moves forward in tick time.
import { midOf } from './tick-events.ts';
import type { AcceptedTick } from './tick-validation.ts';

export type LatestQuote = {
  readonly symbol: string;
  readonly bid: bigint;
  readonly ask: bigint;
  readonly mid: bigint;
  /** The tick's own time, not the time the quote was stored. */
  readonly timestamp: Date;
  readonly source: string;
  readonly sequence: bigint;
};

export const quoteFromTick = (tick: AcceptedTick): LatestQuote => ({
  symbol: tick.symbol,
  bid: tick.bid,
  ask: tick.ask,
  mid: midOf(tick.bid, tick.ask),
  timestamp: tick.timestamp,
  source: tick.source,
  sequence: tick.sequence,
});

/**
 * Milliseconds since the quote's tick, at `now`. A tick stamped slightly ahead of `now` (allowed clock
 * skew) has age 0 rather than a negative age, so it reads as fresh, not as something stranger.
 */
export function quoteAge(quote: LatestQuote, now: Date): number {
  const age = now.getTime() - quote.timestamp.getTime();
  return age > 0 ? age : 0;
}

/** Stale data denies new risk, it never fails open: a missing quote or an invalid `now` is not fresh. */
export function isQuoteFresh(quote: LatestQuote | undefined, now: Date, maxAgeMs: number): boolean {
  if (quote === undefined || Number.isNaN(now.getTime())) return false;
  return quoteAge(quote, now) <= maxAgeMs;
}

/**
 * The quote to keep when `candidate` arrives: the later one by tick time. With several sources a
 * slower feed's older tick must not replace a newer price; on equal times the candidate wins.
 */
export const newerQuote = (current: LatestQuote | undefined, candidate: LatestQuote): LatestQuote =>
  current === undefined || candidate.timestamp.getTime() >= current.timestamp.getTime() ? candidate : current;
