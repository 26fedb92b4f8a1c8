// The command API's limits schema against the domain's bounds table: same fields, integer bounds equal,
// and a decimal limit's pattern takes its smallest and largest value and nothing with more whole digits
// than the largest. Out-of-range decimals that fit the pattern are the decider's to refuse (see the e2e).
import { describe, expect, it } from 'vitest';
import { limitDecimalPlaces } from '../../../../commands/http/convert.ts';
import { RiskLimitsBody } from '../../../../commands/http/schemas.ts';
import { formatUnits } from '../../../../domain/shared/money.ts';
import { RISK_LIMIT_BOUNDS, RISK_LIMIT_NAMES, type RiskLimitName } from '../../../../domain/trading/account/index.ts';

const DECIMAL_UNITS = new Set(['minor_units', 'qty_steps']);
const property = (name: RiskLimitName) =>
  RiskLimitsBody.properties[name] as unknown as { type: string; minimum?: number; maximum?: number; pattern?: string; maxLength?: number };
/** The string keywords as a JSON Schema validator applies them. */
const fits = (name: RiskLimitName, text: string): boolean => {
  const { pattern, maxLength } = property(name);
  return new RegExp(pattern ?? '').test(text) && text.length <= (maxLength ?? Infinity);
};

describe('limits schema: derived from the domain bounds', () => {
  it('names every limit the domain bounds, and no other', () => {
    expect(Object.keys(RiskLimitsBody.properties)).toEqual([...RISK_LIMIT_NAMES]);
  });

  for (const name of RISK_LIMIT_NAMES) {
    const { unit, min, max } = RISK_LIMIT_BOUNDS[name];
    if (DECIMAL_UNITS.has(unit)) {
      it(`${name}: decimal text from ${String(min)} to ${String(max)} ${unit} fits the pattern, one more whole digit does not`, () => {
        const places = limitDecimalPlaces(unit);
        expect(property(name).type).toBe('string');
        expect(fits(name, formatUnits(BigInt(min), places))).toBe(true);
        expect(fits(name, formatUnits(BigInt(max), places))).toBe(true);
        expect(fits(name, formatUnits(BigInt(max) * 10n, places))).toBe(false);
        expect(fits(name, formatUnits(-1n, places))).toBe(false);
      });
    } else {
      it(`${name}: integer from ${String(min)} to ${String(max)} ${unit}, as the domain bounds it`, () => {
        expect(property(name)).toMatchObject({ type: 'integer', minimum: Number(min), maximum: Number(max) });
      });
    }
  }
});
