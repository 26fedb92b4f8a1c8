import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../../domain/shared/errors.ts';
import { XAUUSD_FACTS, assertValidInstrumentFacts, cashValue, pickInstrumentFacts } from '../../../../../domain/trading/orders/index.ts';

describe('instrument facts', () => {
  it('values one lot of gold at 2,400.00 as 240,000.00 USD', () => {
    expect(cashValue(100n, 240_000n, XAUUSD_FACTS)).toBe(24_000_000n);
  });

  it('rounds a value finer than a cent half-even, once', () => {
    // Silver: 5,000 oz lots, 0.001 USD price unit. 0.01 lot (50 oz) at 28.123 = 1,406.15 exactly; 0.001 USD per oz -> 0.05 USD per step.
    const silver = { ...XAUUSD_FACTS, symbol: 'XAGUSD', contractSize: 5_000n, priceScale: 3 };
    expect(cashValue(1n, 28_123n, silver)).toBe(140_615n);
    // A 1 oz contract at 0.001 USD steps: 1 step x 0.005 USD = half a cent, rounds to even (0), 0.015 -> 2 cents.
    const tiny = { ...silver, contractSize: 1n, qtyScale: 0 };
    expect(cashValue(1n, 5n, tiny)).toBe(0n);
    expect(cashValue(1n, 15n, tiny)).toBe(2n);
  });

  it('keeps only the facts when copying from a richer spec, with the step defaulted to 1', () => {
    const { qtyStep: _omit, ...withoutStep } = XAUUSD_FACTS;
    const spec = { ...withoutStep, description: 'Spot gold', maxSpread: 100n };
    expect(pickInstrumentFacts(spec)).toEqual({ ...XAUUSD_FACTS, qtyStep: 1n });
  });

  it('refuses facts that cannot value an order', () => {
    expect(() => assertValidInstrumentFacts({ ...XAUUSD_FACTS, contractSize: 0n })).toThrow(ValidationError);
    expect(() => assertValidInstrumentFacts({ ...XAUUSD_FACTS, minOrderQty: 10n, maxOrderQty: 5n })).toThrow(ValidationError);
    expect(() => assertValidInstrumentFacts({ ...XAUUSD_FACTS, qtyStep: 0n })).toThrow(ValidationError);
  });
});
