import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RAW_TEXT_LIMIT,
  XAUUSD_SPEC,
  midOf,
  tickEventFor,
  tickIdempotencyKey,
  tickReceived,
  tickRejected,
  tickStreamId,
  validateTick,
  type TickInput,
} from '../../../../domain/market-data/index.ts';
import type { EventData } from '../../../../domain/ports/event-store.ts';

const AT = new Date('2026-11-23T10:00:00.123Z');
const input: TickInput = { symbol: 'XAUUSD', source: 'lp-a', sequence: 42n, bid: 240_000n, ask: 240_030n, timestamp: AT };

describe('tick stream ids', () => {
  it('names one stream per instrument and UTC day', () => {
    expect(tickStreamId('XAUUSD', new Date('2026-11-22T00:00:00Z'))).toBe('ticks-XAUUSD-20261122');
    expect(tickStreamId('XAUUSD', new Date('2026-11-22T23:59:59.999Z'))).toBe('ticks-XAUUSD-20261122');
    expect(tickStreamId('XAUUSD', new Date('2026-11-23T00:00:00Z'))).toBe('ticks-XAUUSD-20261123');
  });

  it('uses the UTC day, whatever offset the time was written with', () => {
    expect(tickStreamId('XAGUSD', new Date('2026-11-23T01:30:00+03:00'))).toBe('ticks-XAGUSD-20261122');
  });

  it('refuses a symbol that would make the stream id ambiguous, and an invalid date', () => {
    expect(() => tickStreamId('XAU-USD', AT)).toThrow(expect.objectContaining({ code: 'TICK.STREAM_SYMBOL_INVALID' }));
    expect(() => tickStreamId('', AT)).toThrow(expect.objectContaining({ code: 'TICK.STREAM_SYMBOL_INVALID' }));
    expect(() => tickStreamId('XAUUSD', new Date('nope'))).toThrow(expect.objectContaining({ code: 'TICK.TIMESTAMP_INVALID' }));
  });
});

describe('mid price', () => {
  it('is the exact middle when the spread is even', () => {
    expect(midOf(240_000n, 240_030n)).toBe(240_015n);
  });

  it('rounds a half unit to the even neighbour', () => {
    expect(midOf(234_567n, 234_568n)).toBe(234_568n); // 2345.675 -> 2345.68
    expect(midOf(234_568n, 234_569n)).toBe(234_568n); // 2345.685 -> 2345.68
  });

  it('lies between bid and ask, within half a unit of the true middle', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (bid, spread) => {
        const ask = bid + spread;
        const mid = midOf(bid, ask);
        const error = 2n * mid - (bid + ask);
        expect(mid >= bid && mid <= ask).toBe(true);
        expect(error >= -1n && error <= 1n).toBe(true);
      }),
    );
  });
});

describe('TickReceived', () => {
  it('records the accepted tick with bigint numbers and an ISO timestamp', () => {
    const result = validateTick({ ...input, sequence: 42, volume: 300n }, { spec: XAUUSD_SPEC, receivedAt: AT });
    expect(tickEventFor(input, result)).toEqual({
      type: 'TickReceived',
      data: { symbol: 'XAUUSD', source: 'lp-a', sequence: 42n, bid: 240_000n, ask: 240_030n, timestamp: '2026-11-23T10:00:00.123Z', volume: 300n },
    });
  });

  it('leaves volume out entirely when the source gave none, so the stored JSON has no undefined', () => {
    const event = tickReceived({ ...input, sequence: 42n });
    expect('volume' in event.data).toBe(false);
    const data: EventData = event.data;
    expect(data).toEqual({ symbol: 'XAUUSD', source: 'lp-a', sequence: 42n, bid: 240_000n, ask: 240_030n, timestamp: '2026-11-23T10:00:00.123Z' });
  });
});

describe('TickRejected', () => {
  it('records the reason, the detail and every raw field that could be read', () => {
    const crossed = { ...input, bid: 240_030n, ask: 240_000n };
    const event = tickEventFor(crossed, validateTick(crossed, { spec: XAUUSD_SPEC, receivedAt: AT }));
    expect(event).toEqual({
      type: 'TickRejected',
      data: {
        reason: 'CROSSED',
        detail: 'ask 2400.00 is below bid 2400.30',
        symbol: 'XAUUSD',
        source: 'lp-a',
        sequence: 42n,
        bid: 240_030n,
        ask: 240_000n,
        timestamp: '2026-11-23T10:00:00.123Z',
      },
    });
  });

  it('keeps only well-typed fields of a malformed tick and never guesses the rest', () => {
    const event = tickRejected({ symbol: 'XAUUSD', sequence: 7, bid: '2400.00', ask: 2400.3, timestamp: new Date('bad') }, 'MALFORMED', 'bid must be price units');
    expect(event.data).toEqual({ reason: 'MALFORMED', detail: 'bid must be price units', symbol: 'XAUUSD', sequence: 7n });
    const data: EventData = event.data;
    expect(Object.values(data)).not.toContain(undefined);
  });

  it('keeps the original message text of an unreadable message, cut to a bounded length', () => {
    const raw = `{"symbol":"XAUUSD","bid":${'9'.repeat(5_000)}`;
    const event = tickRejected({}, 'MALFORMED', 'not JSON', raw);
    expect(event.data.raw).toHaveLength(RAW_TEXT_LIMIT);
    expect(raw.startsWith(event.data.raw!)).toBe(true);
  });
});

describe('tick idempotency key', () => {
  it('is the same for a redelivered tick and different for any other tick', () => {
    expect(tickIdempotencyKey('XAUUSD', 'lp-a', 42n)).toBe(tickIdempotencyKey('XAUUSD', 'lp-a', 42n));
    const keys = new Set([
      tickIdempotencyKey('XAUUSD', 'lp-a', 42n),
      tickIdempotencyKey('XAUUSD', 'lp-a', 43n),
      tickIdempotencyKey('XAUUSD', 'lp-b', 42n),
      tickIdempotencyKey('XAGUSD', 'lp-a', 42n),
    ]);
    expect(keys.size).toBe(4);
  });
});
