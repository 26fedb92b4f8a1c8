import { describe, expect, it } from 'vitest';
import {
  XAUUSD_SPEC, midOf, parseTickPrices, validateTick, type SourceCursor, type TickRejectReason,
} from '../../../../domain/market-data/index.ts';
import { mulberry32, startSyntheticFeed, syntheticTicks, type SyntheticTick } from '../../../../commands/market-data/synthetic-feed.ts';

const START = new Date('2026-11-24T10:00:00.000Z'); // a Tuesday, inside the session

const take = (count: number, seed: number, start = START): SyntheticTick[] => {
  const out: SyntheticTick[] = [];
  for (const tick of syntheticTicks({ seed, start })) {
    out.push(tick);
    if (out.length === count) break;
  }
  return out;
};

/** Runs the ticks through the domain validation the way the ingester does. */
function outcomes(ticks: readonly SyntheticTick[]): Map<TickRejectReason | 'accepted', number> {
  const counts = new Map<TickRejectReason | 'accepted', number>();
  let lastAccepted: SourceCursor | undefined;
  let recentMid: bigint | undefined;
  for (const tick of ticks) {
    const prices = parseTickPrices(XAUUSD_SPEC, tick.bid, tick.ask);
    if (!prices.ok) throw new Error(`feed produced an unreadable price: ${tick.bid}/${tick.ask}`);
    const result = validateTick({ ...tick, bid: prices.bid, ask: prices.ask }, { spec: XAUUSD_SPEC, receivedAt: tick.timestamp, lastAccepted, recentMid });
    const key = result.ok ? 'accepted' : result.reason;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (result.ok) {
      lastAccepted = { sequence: result.tick.sequence, timestamp: result.tick.timestamp };
      recentMid = midOf(result.tick.bid, result.tick.ask);
    }
  }
  return counts;
}

describe('synthetic XAUUSD feed', () => {
  it('gives the same ticks for the same seed and start, and different ones for another seed', () => {
    expect(take(500, 7)).toEqual(take(500, 7));
    expect(take(50, 8).map((t) => t.bid)).not.toEqual(take(50, 7).map((t) => t.bid));
  });

  it('moves forward in time with increasing sequences on the price grid', () => {
    const ticks = take(2_000, 1);
    for (let i = 1; i < ticks.length; i += 1) {
      expect(ticks[i]!.timestamp.getTime()).toBeGreaterThan(ticks[i - 1]!.timestamp.getTime());
      expect(ticks[i]!.sequence).toBe(ticks[i - 1]!.sequence + 1n);
    }
    expect(ticks.every((t) => /^\d+\.\d{2}$/.test(t.bid) && /^\d+\.\d{2}$/.test(t.ask))).toBe(true);
  });

  it('mostly passes validation but sends some crossed quotes and spikes', () => {
    const counts = outcomes(take(20_000, 1));
    expect(counts.get('accepted')).toBeGreaterThan(19_000);
    expect(counts.get('CROSSED')).toBeGreaterThan(10);
    expect(counts.get('SPIKE')).toBeGreaterThan(10);
  });

  it('widens spreads when the market turns fast', () => {
    const spreads = take(20_000, 3).map((t) => Number(t.ask) - Number(t.bid)).filter((s) => s > 0 && s < 5);
    expect(Math.max(...spreads)).toBeGreaterThan(0.45);
    expect(Math.min(...spreads)).toBeLessThan(0.36);
  });

  it('never reuses a sequence when restarted later', () => {
    const first = take(1_000, 1);
    const restarted = take(1, 1, new Date(START.getTime() + 1));
    expect(restarted[0]!.sequence).toBeGreaterThan(first[first.length - 1]!.sequence);
  });

  it('mulberry32 is a fixed sequence in [0, 1)', () => {
    const random = mulberry32(42);
    const draws = Array.from({ length: 1_000 }, random);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(42)()).toBe(draws[0]);
  });

  it('releases ticks as their time comes and stops cleanly', async () => {
    let now = START.getTime();
    const batches: SyntheticTick[][] = [];
    const feed = startSyntheticFeed({ rate: 50, seed: 1, clock: () => new Date(now), intervalMs: 5, publish: async (ticks) => { batches.push([...ticks]); } });
    now += 2_000;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await feed.stop();
    const released = batches.flat();
    expect(released.length).toBeGreaterThan(60);
    expect(released.length).toBeLessThan(160);
    expect(released.every((t) => t.timestamp.getTime() <= now)).toBe(true);
    expect(feed.published()).toBe(released.length);
  });
});
