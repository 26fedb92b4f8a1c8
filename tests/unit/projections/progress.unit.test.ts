import { describe, expect, it } from 'vitest';
import { etaSeconds, formatProgress, progressBar } from '../../../projections/engine/progress.ts';
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

  it('says what it does once the events are replayed, at once even between redraws', () => {
    const lines: string[] = [];
    const bar = progressBar('rebuild all', { isTTY: false, write: (t: string) => lines.push(t) }, 60_000);
    const p = { applied: 10, total: 10, fraction: undefined, elapsedSeconds: 1 };
    bar.update(p);
    bar.update({ ...p, stage: 'building indexes' });
    bar.update({ ...p, stage: 'building indexes' });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/100\.0% 10\/10 events .*, building indexes\n$/);
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

  it('keeps each symbol and bucket apart when two symbols interleave and a tick comes back to an older minute', () => {
    const at = (symbol: string, position: number, timestamp: string, bid: bigint) =>
      ({ ...tick(position, timestamp, bid, bid + 2n), data: { symbol, source: 's', sequence: 1n, bid, ask: bid + 2n, timestamp } }) as unknown as RecordedEvent;
    const candles = foldCandles([
      at('XAUUSD', 1, '2026-03-02T09:00:05Z', 100n), at('XAGUSD', 2, '2026-03-02T09:00:06Z', 10n),
      at('XAUUSD', 3, '2026-03-02T09:01:05Z', 120n), at('XAUUSD', 4, '2026-03-02T09:00:59Z', 90n),
      at('XAGUSD', 5, '2026-03-02T09:01:01Z', 12n), at('XAUUSD', 6, '2026-03-02T09:01:30Z', 130n),
    ]).filter((c) => c.timeframe === '1m').map((c) => [c.symbol, new Date(c.bucketMs).toISOString().slice(11, 16), c.open, c.close, c.high, c.low, c.ticks]);
    expect(candles).toEqual([
      ['XAUUSD', '09:00', 101n, 91n, 101n, 91n, 2], ['XAGUSD', '09:00', 11n, 11n, 11n, 11n, 1],
      ['XAUUSD', '09:01', 121n, 131n, 131n, 121n, 2], ['XAGUSD', '09:01', 13n, 13n, 13n, 13n, 1],
    ]);
  });
});
