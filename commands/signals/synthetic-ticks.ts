// A seeded synthetic XAUUSD tick series for the shipped demo model and for tests: a random walk of the mid
// in price units whose one-tick moves are slightly autocorrelated (so there is something to learn), with a
// spread of 20-40 units and 250-1250 ms between ticks. The same seed always gives the same ticks.
import type { FeatureTick } from '../../domain/signals/index.ts';

/** The same seeded generator as the synthetic feed (mulberry32), so a seed means one series everywhere. */
export { mulberry32 as seededRandom } from '../market-data/synthetic-feed.ts';
import { mulberry32 as seededRandom } from '../market-data/synthetic-feed.ts';

export interface SyntheticOptions {
  readonly seed: number;
  readonly ticks: number;
  readonly start?: Date;
  /** Starting mid in price units (XAUUSD 0.01 USD). */
  readonly startMid?: bigint;
  /** Autocorrelation of one-tick moves. */
  readonly momentum?: number;
}

export function syntheticTicks(options: SyntheticOptions): FeatureTick[] {
  const random = seededRandom(options.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const momentum = options.momentum ?? 0.35;
  let mid = Number(options.startMid ?? 234_500n);
  let move = 0;
  let time = (options.start ?? new Date('2026-01-05T00:00:00Z')).getTime();
  const ticks: FeatureTick[] = [];
  for (let i = 0; i < options.ticks; i += 1) {
    move = momentum * move + gaussian() * 4;
    mid += Math.round(move);
    const halfSpread = 10 + Math.floor(random() * 11);
    ticks.push({ bid: BigInt(mid - halfSpread), ask: BigInt(mid + halfSpread), timeMs: time });
    time += 250 + Math.floor(random() * 1_000);
  }
  return ticks;
}
