// The decider against its bounds table: every limit is taken at its smallest and largest value and
// refused one unit beyond either, with RISK_LIMITS.INVALID naming that field alone.
import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../../../../domain/shared/errors.ts';
import { completeLimits, RISK_LIMIT_BOUNDS, RISK_LIMIT_NAMES, type RiskLimitsInput } from '../../../../../domain/trading/account/index.ts';

const LIMITS: RiskLimitsInput = {
  maxOrderNotional: 50_000_000n,
  maxPositionQty: 300n,
  maxOpenOrders: 5,
  priceCollarBps: 100n,
  maxQuoteAgeMs: 2_000,
  maxSubmitsPerWindow: 10,
  submitWindowMs: 1_000,
  maxDailyLoss: 1_000_000n,
};

const shifted = (value: bigint | number, by: number): bigint | number => (typeof value === 'bigint' ? value + BigInt(by) : value + by);

function refusal(input: RiskLimitsInput): LedgerError {
  try {
    completeLimits(input);
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
  throw new Error(`taken: ${JSON.stringify(input, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
}

describe('account: risk limit bounds', () => {
  for (const name of RISK_LIMIT_NAMES) {
    const { unit, min, max } = RISK_LIMIT_BOUNDS[name];
    it(`${name}: takes ${String(min)} and ${String(max)} ${unit}, refuses one beyond either`, () => {
      for (const value of [min, max]) expect(completeLimits({ ...LIMITS, [name]: value })[name]).toBe(value);
      for (const value of [shifted(min, -1), shifted(max, 1)]) {
        const error = refusal({ ...LIMITS, [name]: value });
        expect({ code: error.code, category: error.category, details: error.details }).toEqual({ code: 'RISK_LIMITS.INVALID', category: 'validation', details: { fields: [name] } });
      }
    });

    it(`${name}: refuses a value of the wrong representation`, () => {
      const wrong = typeof min === 'bigint' ? Number(min) : BigInt(min);
      expect(refusal({ ...LIMITS, [name]: wrong }).details).toEqual({ fields: [name] });
    });
  }
});
