import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  XAGUSD_SPEC,
  XAUUSD_SPEC,
  assertValidInstrumentSpec,
  cashToText,
  lotsToSteps,
  notionalMinor,
  priceFromText,
  priceToText,
  stepsToLots,
  type InstrumentSpec,
} from '../../../../domain/market-data/index.ts';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
};

describe('instrument spec: defaults', () => {
  it('XAUUSD: 100 oz lots, 0.01 USD price unit, 0.01 lot step, Sunday 23:00 to Friday 22:00 UTC', () => {
    expect(assertValidInstrumentSpec(XAUUSD_SPEC)).toBe(XAUUSD_SPEC);
    expect(priceToText(XAUUSD_SPEC, 1n)).toBe('0.01');
    expect(stepsToLots(XAUUSD_SPEC, 1n)).toBe('0.01');
    expect(XAUUSD_SPEC.contractSize).toBe(100n);
    expect(XAUUSD_SPEC.tradingSession).toEqual({ weeklyOpenMinute: 1380, weeklyCloseMinute: 5 * 1440 + 1320, dailyBreaks: [{ startMinute: 1320, endMinute: 1380 }] });
  });

  it('XAGUSD: 5,000 oz lots and a 0.001 USD price unit', () => {
    expect(assertValidInstrumentSpec(XAGUSD_SPEC)).toBe(XAGUSD_SPEC);
    expect(priceToText(XAGUSD_SPEC, 1n)).toBe('0.001');
    expect(XAGUSD_SPEC.contractSize).toBe(5_000n);
  });
});

describe('instrument spec: validation codes', () => {
  const cases: [string, Partial<Record<keyof InstrumentSpec, unknown>>, string][] = [
    ['lower-case symbol', { symbol: 'xauusd' }, 'INSTRUMENT.SYMBOL_INVALID'],
    ['symbol with a dash (would break stream ids)', { symbol: 'XAU-USD' }, 'INSTRUMENT.SYMBOL_INVALID'],
    ['blank description', { description: '   ' }, 'INSTRUMENT.DESCRIPTION_INVALID'],
    ['currency not ISO 4217', { quoteCurrency: 'usd' }, 'INSTRUMENT.CURRENCY_INVALID'],
    ['negative price scale', { priceScale: -1 }, 'INSTRUMENT.SCALE_INVALID'],
    ['fractional qty scale', { qtyScale: 1.5 }, 'INSTRUMENT.SCALE_INVALID'],
    ['absurd cash scale', { quoteCurrencyScale: 13 }, 'INSTRUMENT.SCALE_INVALID'],
    ['zero contract size', { contractSize: 0n }, 'INSTRUMENT.CONTRACT_SIZE_INVALID'],
    ['contract size as a float', { contractSize: 100 }, 'INSTRUMENT.CONTRACT_SIZE_INVALID'],
    ['zero minimum order', { minOrderQty: 0n }, 'INSTRUMENT.ORDER_QTY_INVALID'],
    ['maximum below minimum', { minOrderQty: 10n, maxOrderQty: 9n }, 'INSTRUMENT.ORDER_QTY_INVALID'],
    ['zero max spread', { maxSpread: 0n }, 'INSTRUMENT.MAX_SPREAD_INVALID'],
    ['spike bound of zero', { spikeBoundBps: 0 }, 'INSTRUMENT.SPIKE_BOUND_INVALID'],
    ['spike bound above 100%', { spikeBoundBps: 10_001 }, 'INSTRUMENT.SPIKE_BOUND_INVALID'],
    ['negative future skew', { maxFutureSkewMs: -1 }, 'INSTRUMENT.TIME_TOLERANCE_INVALID'],
    ['backwards tolerance over a day', { maxBackwardsMs: 86_400_001 }, 'INSTRUMENT.TIME_TOLERANCE_INVALID'],
    ['session that never opens', { tradingSession: { weeklyOpenMinute: 0, weeklyCloseMinute: 0, dailyBreaks: [] } }, 'INSTRUMENT.SESSION_INVALID'],
    ['session missing', { tradingSession: undefined }, 'INSTRUMENT.SESSION_INVALID'],
  ];
  it.each(cases)('%s is %s', (_name, override, code) => {
    const candidate = { ...XAUUSD_SPEC, ...override } as InstrumentSpec;
    expect(codeOf(() => assertValidInstrumentSpec(candidate))).toBe(code);
  });

  it('a spec that is not an object is malformed', () => {
    expect(codeOf(() => assertValidInstrumentSpec(null as unknown as InstrumentSpec))).toBe('INSTRUMENT.SPEC_MALFORMED');
  });

  it('error details stay JSON-serialisable even for bigint values', () => {
    try {
      assertValidInstrumentSpec({ ...XAUUSD_SPEC, maxSpread: -5n });
      expect.unreachable();
    } catch (error) {
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'INSTRUMENT.MAX_SPREAD_INVALID', details: { field: 'maxSpread', value: '-5' } });
    }
  });
});

describe('instrument spec: conversions', () => {
  it('reads prices and lots on the grid and refuses anything finer', () => {
    expect(priceFromText(XAUUSD_SPEC, '2345.67')).toBe(234_567n);
    expect(priceFromText(XAUUSD_SPEC, '2345.670')).toBe(234_567n);
    expect(priceFromText(XAGUSD_SPEC, '30.125')).toBe(30_125n);
    expect(codeOf(() => priceFromText(XAUUSD_SPEC, '2345.675'))).toBe('NUMBER.TOO_PRECISE');
    expect(lotsToSteps(XAUUSD_SPEC, '0.25')).toBe(25n);
    expect(lotsToSteps(XAUUSD_SPEC, '3')).toBe(300n);
    expect(codeOf(() => lotsToSteps(XAUUSD_SPEC, '0.005'))).toBe('NUMBER.TOO_PRECISE');
    expect(stepsToLots(XAUUSD_SPEC, 25n)).toBe('0.25');
  });

  it('values one lot of gold at 2345.67 as 234,567.00 USD and one lot of silver at 30.125 as 150,625.00 USD', () => {
    expect(cashToText(XAUUSD_SPEC, notionalMinor(234_567n, 100n, XAUUSD_SPEC))).toBe('234567.00');
    expect(cashToText(XAGUSD_SPEC, notionalMinor(30_125n, 100n, XAGUSD_SPEC))).toBe('150625.00');
  });

  it('for XAUUSD one step is one ounce, so the notional in cents is price units times steps, exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), fc.bigInt({ min: -(10n ** 7n), max: 10n ** 7n }), (price, qty) => {
        expect(notionalMinor(price, qty, XAUUSD_SPEC)).toBe(price * qty);
      }),
    );
  });

  it('rounds a fractional cent half to even, and the rounding direction is chosen by the caller', () => {
    // 0.00001 USD price unit, 1-unit contract: 1 unit * 1 step (0.01) = 0.0000001 USD, far below a cent.
    const fine: InstrumentSpec = { ...XAUUSD_SPEC, priceScale: 5, contractSize: 1n };
    expect(notionalMinor(50_000n, 100n, fine)).toBe(50n); // 0.50000 USD * 1 = 50 cents, exact
    expect(notionalMinor(500n, 100n, fine)).toBe(0n); // 0.5 cent: half to even -> 0
    expect(notionalMinor(1_500n, 100n, fine)).toBe(2n); // 1.5 cents -> 2
    expect(notionalMinor(500n, 100n, fine, 'up')).toBe(1n);
    expect(notionalMinor(-1_500n, 100n, fine)).toBe(-2n);
  });

  it('the rounded notional is within half a minor unit of the exact value, for any grid', () => {
    const grid = fc.record({ priceScale: fc.integer({ min: 0, max: 6 }), qtyScale: fc.integer({ min: 0, max: 4 }), contractSize: fc.bigInt({ min: 1n, max: 100_000n }) });
    fc.assert(
      fc.property(grid, fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (g, price, qty) => {
        const spec = { ...XAUUSD_SPEC, ...g };
        const exactNumerator = price * qty * spec.contractSize * 100n; // in cents * 10^(priceScale+qtyScale)
        const denominator = 10n ** BigInt(g.priceScale + g.qtyScale);
        const error = notionalMinor(price, qty, spec) * denominator - exactNumerator;
        expect(2n * (error < 0n ? -error : error) <= denominator).toBe(true);
      }),
    );
  });
});
