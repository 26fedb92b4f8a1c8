import { describe, expect, it } from 'vitest';
import {
  TICK_REJECT_REASONS,
  XAGUSD_SPEC,
  XAUUSD_SPEC,
  parseTickPrices,
  validateTick,
  type TickInput,
  type TickValidationContext,
} from '../../../../domain/market-data/index.ts';

// Monday 2026-11-23 10:00 UTC: well inside the XAUUSD session.
const AT = new Date('2026-11-23T10:00:00.000Z');
const later = (ms: number): Date => new Date(AT.getTime() + ms);

const tick = (overrides: Partial<Record<keyof TickInput, unknown>> = {}): TickInput =>
  ({ symbol: 'XAUUSD', source: 'lp-a', sequence: 1_001n, bid: 240_000n, ask: 240_030n, timestamp: AT, ...overrides }) as TickInput;
const context = (overrides: Partial<TickValidationContext> = {}): TickValidationContext => ({
  spec: XAUUSD_SPEC,
  receivedAt: AT,
  lastAccepted: { sequence: 1_000n, timestamp: later(-500) },
  recentMid: 240_010n,
  ...overrides,
});
const reasonOf = (input: TickInput, ctx = context()): string => {
  const result = validateTick(input, ctx);
  return result.ok ? 'ACCEPTED' : result.reason;
};

describe('tick validation: accepted ticks', () => {
  it('accepts a clean tick and hands it back with a bigint sequence', () => {
    expect(validateTick(tick({ sequence: 1_001, volume: 25n }), context())).toEqual({
      ok: true,
      tick: { symbol: 'XAUUSD', source: 'lp-a', sequence: 1_001n, bid: 240_000n, ask: 240_030n, timestamp: AT, volume: 25n },
    });
  });

  it('accepts the first tick of a source with no history and no recent mid', () => {
    expect(reasonOf(tick({ sequence: 0n }), context({ lastAccepted: undefined, recentMid: undefined }))).toBe('ACCEPTED');
  });

  it('accepts a zero spread (ask equal to bid)', () => {
    expect(reasonOf(tick({ ask: 240_000n }))).toBe('ACCEPTED');
  });

  it('exports every reason code, each once', () => {
    expect([...TICK_REJECT_REASONS].sort()).toEqual(
      ['CROSSED', 'DUPLICATE', 'FUTURE_TIMESTAMP', 'MALFORMED', 'NON_POSITIVE_BID', 'OFF_GRID', 'OUTSIDE_TRADING_HOURS', 'OUT_OF_ORDER', 'SPIKE', 'SPREAD_TOO_WIDE', 'UNKNOWN_INSTRUMENT'].sort(),
    );
  });
});

describe('tick validation: one reason per refusal', () => {
  it.each([
    ['no symbol', { symbol: '' }],
    ['no source', { source: undefined }],
    ['negative sequence', { sequence: -1 }],
    ['fractional sequence', { sequence: 1_001.5 }],
    ['unsafe integer sequence', { sequence: 2 ** 60 }],
    ['bid as a float', { bid: 2400.0 }],
    ['ask as text', { ask: '2400.30' }],
    ['invalid timestamp', { timestamp: new Date('yesterday') }],
    ['timestamp as text', { timestamp: '2026-11-23T10:00:00Z' }],
    ['negative volume', { volume: -1n }],
  ])('MALFORMED: %s', (_name, override) => {
    expect(reasonOf(tick(override))).toBe('MALFORMED');
  });

  it('MALFORMED: not an object at all', () => {
    expect(reasonOf(null as unknown as TickInput)).toBe('MALFORMED');
  });

  it('UNKNOWN_INSTRUMENT: no spec for the symbol, or the spec of another symbol', () => {
    expect(reasonOf(tick({ symbol: 'XPTUSD' }), context({ spec: undefined }))).toBe('UNKNOWN_INSTRUMENT');
    expect(reasonOf(tick(), context({ spec: XAGUSD_SPEC }))).toBe('UNKNOWN_INSTRUMENT');
  });

  it('OFF_GRID: a price finer than the price unit; trailing zeros are fine', () => {
    expect(parseTickPrices(XAUUSD_SPEC, '2400.005', '2400.30')).toMatchObject({ ok: false, reason: 'OFF_GRID' });
    expect(parseTickPrices(XAUUSD_SPEC, '2400.00', '2400.301')).toMatchObject({ ok: false, reason: 'OFF_GRID' });
    expect(parseTickPrices(XAUUSD_SPEC, '2400.000', '2400.3')).toEqual({ ok: true, bid: 240_000n, ask: 240_030n });
    expect(parseTickPrices(XAGUSD_SPEC, '30.125', '30.150')).toEqual({ ok: true, bid: 30_125n, ask: 30_150n });
  });

  it('MALFORMED: a price that is not a decimal number', () => {
    for (const [bid, ask] of [['abc', '2400.30'], ['2400.00', ''], ['1e3', '1001'], ['2,400.00', '2400.30']] as const) {
      expect(parseTickPrices(XAUUSD_SPEC, bid, ask)).toMatchObject({ ok: false, reason: 'MALFORMED' });
    }
  });

  it('DUPLICATE: a sequence at or below the source\'s last accepted one', () => {
    expect(reasonOf(tick({ sequence: 1_000n }))).toBe('DUPLICATE');
    expect(reasonOf(tick({ sequence: 7 }))).toBe('DUPLICATE');
  });

  it('NON_POSITIVE_BID: zero or negative bid', () => {
    expect(reasonOf(tick({ bid: 0n, ask: 10n }), context({ recentMid: undefined }))).toBe('NON_POSITIVE_BID');
    expect(reasonOf(tick({ bid: -5n, ask: 10n }), context({ recentMid: undefined }))).toBe('NON_POSITIVE_BID');
  });

  it('CROSSED: ask below bid', () => {
    expect(reasonOf(tick({ bid: 240_030n, ask: 240_029n }))).toBe('CROSSED');
  });

  it('SPREAD_TOO_WIDE: one price unit beyond the maximum; the maximum itself passes', () => {
    expect(reasonOf(tick({ bid: 239_960n, ask: 240_060n }))).toBe('ACCEPTED'); // spread 1.00
    expect(reasonOf(tick({ bid: 239_960n, ask: 240_061n }))).toBe('SPREAD_TOO_WIDE'); // spread 1.01
  });

  it('FUTURE_TIMESTAMP: one millisecond beyond the allowed skew after receipt', () => {
    expect(reasonOf(tick({ timestamp: later(2_000) }))).toBe('ACCEPTED');
    expect(reasonOf(tick({ timestamp: later(2_001) }))).toBe('FUTURE_TIMESTAMP');
  });

  it('OUT_OF_ORDER: behind the source\'s last accepted tick by more than the tolerance', () => {
    const last = { sequence: 1_000n, timestamp: later(1_000) };
    expect(reasonOf(tick(), context({ lastAccepted: last }))).toBe('ACCEPTED'); // exactly 1,000 ms behind
    expect(reasonOf(tick({ timestamp: later(-1) }), context({ lastAccepted: last }))).toBe('OUT_OF_ORDER');
  });

  it('OUTSIDE_TRADING_HOURS: on Saturday, and in the daily break', () => {
    const saturday = new Date('2026-11-21T12:00:00Z');
    const dailyBreak = new Date('2026-11-24T22:30:00Z');
    expect(reasonOf(tick({ timestamp: saturday }), context({ receivedAt: saturday, lastAccepted: undefined }))).toBe('OUTSIDE_TRADING_HOURS');
    expect(reasonOf(tick({ timestamp: dailyBreak }), context({ receivedAt: dailyBreak, lastAccepted: undefined }))).toBe('OUTSIDE_TRADING_HOURS');
  });

  it('SPIKE: a mid more than the bound away from the recent mid, either way; the bound itself passes', () => {
    // recent mid 2400.00, bound 50 bps = 12.00 = 1,200 price units
    const ctx = context({ recentMid: 240_000n });
    expect(reasonOf(tick({ bid: 241_190n, ask: 241_210n }), ctx)).toBe('ACCEPTED'); // mid 2412.00: exactly 50 bps
    expect(reasonOf(tick({ bid: 241_190n, ask: 241_211n }), ctx)).toBe('SPIKE'); // mid 2412.005
    expect(reasonOf(tick({ bid: 238_790n, ask: 238_810n }), ctx)).toBe('ACCEPTED'); // mid 2388.00
    expect(reasonOf(tick({ bid: 238_789n, ask: 238_810n }), ctx)).toBe('SPIKE'); // mid 2387.995
  });
});

describe('tick validation: precedence and context', () => {
  it('reports the first failing check: a redelivered crossed tick is a DUPLICATE, not CROSSED', () => {
    expect(reasonOf(tick({ sequence: 1_000n, bid: 240_030n, ask: 240_000n }))).toBe('DUPLICATE');
  });

  it('explains a refusal in the instrument\'s own price format', () => {
    expect(validateTick(tick({ bid: 239_960n, ask: 240_061n }), context())).toEqual({
      ok: false,
      reason: 'SPREAD_TOO_WIDE',
      detail: 'spread 1.01 exceeds the maximum 1.00',
    });
  });

  it('a broken receivedAt is the caller\'s bug and throws, instead of refusing a good tick', () => {
    expect(() => validateTick(tick(), context({ receivedAt: new Date(Number.NaN) }))).toThrow(RangeError);
  });
});
