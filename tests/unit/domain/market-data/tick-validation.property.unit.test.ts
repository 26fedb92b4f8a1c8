import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  XAGUSD_SPEC,
  XAUUSD_SPEC,
  isWithinTradingSession,
  parseTickPrices,
  priceToText,
  validateTick,
  type InstrumentSpec,
  type TickInput,
  type TickValidationContext,
} from '../../../../domain/market-data/index.ts';

const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const FRIDAY_CLOSE = Date.parse('2026-11-20T22:00:00Z');
const WEEKEND_GAP_MS = 49 * 3_600_000;

const specs = fc.constantFrom<InstrumentSpec>(XAUUSD_SPEC, XAGUSD_SPEC);
// Mostly sane prices, with enough zero and negative bids to exercise that check every run.
const price = fc.oneof({ arbitrary: fc.bigInt({ min: -1_000n, max: 0n }), weight: 1 }, { arbitrary: fc.bigInt({ min: 1n, max: 1_000_000n }), weight: 9 });
const instant = fc.integer({ min: MONDAY - 3 * 86_400_000, max: MONDAY + 5 * 86_400_000 }).map((ms) => new Date(ms));

const offset = (maxMs: number) => fc.integer({ min: -maxMs, max: maxMs });

/**
 * Ticks and contexts of every kind, good and bad, for one instrument: prices, times and sequences are
 * drawn near each other so that each check both passes and fails often.
 */
const scenario = specs.chain((spec) =>
  fc
    .record({
      source: fc.constantFrom('lp-a', 'lp-b'),
      sequence: fc.oneof(fc.bigInt({ min: 0n, max: 50n }), fc.integer({ min: 0, max: 50 })),
      bid: price,
      spread: fc.bigInt({ min: -20n, max: spec.maxSpread + 20n }),
      timestamp: instant,
      volume: fc.option(fc.bigInt({ min: 0n, max: 10_000n }), { nil: undefined }),
      skewMs: offset(4_000),
      last: fc.option(fc.record({ sequence: fc.bigInt({ min: 0n, max: 50n }), behindMs: offset(3_000) }), { nil: undefined }),
      midMoveBps: fc.option(fc.integer({ min: -3 * spec.spikeBoundBps, max: 3 * spec.spikeBoundBps }), { nil: undefined }),
    })
    .map(({ source, sequence, bid, spread, timestamp, volume, skewMs, last, midMoveBps }) => {
      const input: TickInput = { symbol: spec.symbol, source, sequence, bid, ask: bid + spread, timestamp, ...(volume === undefined ? {} : { volume }) };
      const context: TickValidationContext = {
        spec,
        receivedAt: new Date(timestamp.getTime() - skewMs),
        ...(last === undefined ? {} : { lastAccepted: { sequence: last.sequence, timestamp: new Date(timestamp.getTime() + last.behindMs) } }),
        ...(midMoveBps === undefined ? {} : { recentMid: bid + (bid * BigInt(midMoveBps)) / 10_000n }),
      };
      return { input, context };
    }),
);

/** Clean ticks on a weekday session, where only the prices vary. */
const weekdayTick = (spec: InstrumentSpec, bid: bigint, ask: bigint): [TickInput, TickValidationContext] => {
  const at = new Date(MONDAY + 10 * 3_600_000);
  return [
    { symbol: spec.symbol, source: 'lp-a', sequence: 1n, bid, ask, timestamp: at },
    { spec, receivedAt: at },
  ];
};

describe('tick validation: properties', () => {
  it('any accepted tick has ask >= bid > 0, a spread within the maximum and a timestamp inside the session', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(scenario, ({ input, context }) => {
        const result = validateTick(input, context);
        outcomes.add(result.ok ? 'ACCEPTED' : result.reason);
        if (!result.ok) return;
        const { bid, ask, timestamp } = result.tick;
        expect(bid > 0n && ask >= bid && ask - bid <= context.spec!.maxSpread).toBe(true);
        expect(isWithinTradingSession(context.spec!.tradingSession, timestamp)).toBe(true);
        expect(timestamp.getTime() - context.receivedAt.getTime()).toBeLessThanOrEqual(context.spec!.maxFutureSkewMs);
        if (context.lastAccepted) expect(result.tick.sequence > context.lastAccepted.sequence).toBe(true);
      }),
      { numRuns: 3_000 },
    );
    // The generator must exercise acceptance and every check validateTick runs, or the property says little.
    expect([...outcomes].sort()).toEqual(
      ['ACCEPTED', 'CROSSED', 'DUPLICATE', 'FUTURE_TIMESTAMP', 'NON_POSITIVE_BID', 'OUTSIDE_TRADING_HOURS', 'OUT_OF_ORDER', 'SPIKE', 'SPREAD_TOO_WIDE'].sort(),
    );
  });

  it('a tick with a positive bid and ask below it is always refused CROSSED', () => {
    fc.assert(
      fc.property(specs, fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (spec, bid, below) => {
        const [input, context] = weekdayTick(spec, bid, bid - below);
        expect(validateTick(input, context)).toMatchObject({ ok: false, reason: 'CROSSED' });
      }),
    );
  });

  it('validation is deterministic: the same tick and context give the same answer', () => {
    fc.assert(
      fc.property(scenario, ({ input, context }) => {
        expect(validateTick(input, context)).toEqual(validateTick({ ...input }, { ...context }));
      }),
    );
  });

  it('the spike filter is symmetric: a move up and the same move down get the same verdict', () => {
    fc.assert(
      fc.property(specs, fc.bigInt({ min: 1_000n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (spec, mid, move) => {
        const verdict = (m: bigint): boolean => {
          const [input, context] = weekdayTick(spec, m, m);
          return validateTick(input, { ...context, recentMid: mid }).ok;
        };
        fc.pre(mid - move > 0n);
        expect(verdict(mid + move)).toBe(verdict(mid - move));
      }),
    );
  });

  it('the spike bound matches the definition: |move| * 10,000 <= bps * recent mid', () => {
    fc.assert(
      fc.property(specs, fc.bigInt({ min: 1_000n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (spec, recentMid, quote) => {
        const [input, context] = weekdayTick(spec, quote, quote);
        const accepted = validateTick(input, { ...context, recentMid }).ok;
        const move = quote > recentMid ? quote - recentMid : recentMid - quote;
        expect(accepted).toBe(move * 10_000n <= BigInt(spec.spikeBoundBps) * recentMid);
      }),
    );
  });

  it('ticks stamped in the Friday 22:00 - Sunday 23:00 gap are never accepted', () => {
    fc.assert(
      fc.property(specs, fc.integer({ min: 0, max: WEEKEND_GAP_MS - 1 }), (spec, offset) => {
        const at = new Date(FRIDAY_CLOSE + offset);
        const input = { symbol: spec.symbol, source: 'lp-a', sequence: 1n, bid: 100_000n, ask: 100_001n, timestamp: at };
        expect(validateTick(input, { spec, receivedAt: at })).toMatchObject({ ok: false, reason: 'OUTSIDE_TRADING_HOURS' });
      }),
    );
  });
});

describe('tick price parsing: properties', () => {
  it('any price written on the grid reads back to the same price units', () => {
    fc.assert(
      fc.property(specs, fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (spec, bid, spread) => {
        const ask = bid + spread;
        expect(parseTickPrices(spec, priceToText(spec, bid), priceToText(spec, ask))).toEqual({ ok: true, bid, ask });
      }),
    );
  });

  it('one more non-zero decimal than the grid allows is always OFF_GRID', () => {
    fc.assert(
      fc.property(specs, fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 1, max: 9 }), (spec, units, extra) => {
        const offGrid = `${priceToText(spec, units)}${extra}`;
        expect(parseTickPrices(spec, offGrid, priceToText(spec, units + 1n))).toMatchObject({ ok: false, reason: 'OFF_GRID' });
      }),
    );
  });
});
