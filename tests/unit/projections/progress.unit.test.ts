import { describe, expect, it } from 'vitest';
import { etaSeconds, formatProgress } from '../../../projections/engine/progress.ts';
import { foldCandles } from '../../../projections/read-models/candles.ts';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';

describe('rebuild progress', () => {
  it('shows events/s and the time left at the rate so far', () => {
    const line = formatProgress('rebuild all', { applied: 250_000, total: 1_000_000, fraction: undefined, elapsedSeconds: 5 });
    expect(line).toContain('25.0%');
    expect(line).toContain('250000/1000000 events');
    expect(line).toContain('50000 ev/s');
    expect(line).toContain('ETA 00:15');
  });

  it('estimates from the share of the log when the store cannot count, and says so when nothing is known', () => {
    expect(etaSeconds({ applied: 10, total: undefined, fraction: 0.5, elapsedSeconds: 30 })).toBe(30);
    expect(formatProgress('x', { applied: 0, total: undefined, fraction: undefined, elapsedSeconds: 0 })).toContain('ETA --:--');
  });
});

describe('candle fold', () => {
  const tick = (position: number, timestamp: string, bid: bigint, ask: bigint) =>
    ({ globalPosition: BigInt(position), type: 'TickReceived', data: { symbol: 'XAUUSD', source: 's', sequence: 1n, bid, ask, timestamp } }) as unknown as RecordedEvent;

  it('opens and closes in log order even when a tick is stamped earlier than the one before', () => {
    const [oneMinute] = foldCandles([tick(1, '2026-03-02T09:00:30Z', 100n, 110n), tick(2, '2026-03-02T09:00:10Z', 90n, 100n)]);
    expect(oneMinute).toMatchObject({ timeframe: '1m', open: 105n, close: 95n, high: 105n, low: 95n, ticks: 2, firstPosition: 1n, lastPosition: 2n });
  });

  it('buckets by UTC day for 1d', () => {
    const candles = foldCandles([tick(1, '2026-03-02T23:59:59Z', 100n, 102n), tick(2, '2026-03-03T00:00:00Z', 100n, 102n)]);
    expect(candles.filter((c) => c.timeframe === '1d').map((c) => new Date(c.bucketMs).toISOString())).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z']);
  });
});
