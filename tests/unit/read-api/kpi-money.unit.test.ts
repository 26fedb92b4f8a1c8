// The KPI averages are numeric minor units in the read model and major units over GraphQL, printed like
// `cash` prints the money beside them, without losing the fraction of a cent.
import { describe, expect, it } from 'vitest';
import { cashDecimal } from '../../../read-api/accounts.ts';
import { cash } from '../../../read-api/format.ts';

describe('cashDecimal', () => {
  it('prints whole minor units as cash does', () => {
    expect(cashDecimal(2, '1500.000000')).toBe(cash(2, '1500'));
    expect(cashDecimal(2, '1500.000000')).toBe('15.00');
    expect(cashDecimal(2, '-40.000000')).toBe('-0.40');
    expect(cashDecimal(2, '0.000000')).toBe('0.00');
    expect(cashDecimal(0, '7.000000')).toBe('7');
  });

  it('keeps the digits below a minor unit that are not zero', () => {
    expect(cashDecimal(2, '33.333333')).toBe('0.33333333');
    expect(cashDecimal(2, '-123.500000')).toBe('-1.235');
    expect(cashDecimal(2, '-0.000001')).toBe('-0.00000001');
  });

  it('is null for a null column', () => {
    expect(cashDecimal(2, null)).toBeNull();
  });
});
