// A tick's content identity holds its prices as canonical decimals: the text must never change for a
// price it has named before, or a tick imported before would be imported again as new.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimal } from '../../../../commands/market-data/importers/tick-identity.ts';

/** The first version (split and two regular expressions), which the ids of the first imports came from. */
function firstVersion(text: string): string {
  const [whole = '', fraction = ''] = text.trim().split('.', 2);
  const digits = whole.replace(/^0+(?=\d)/, '');
  const decimals = fraction.replace(/0+$/, '');
  return decimals === '' ? digits : `${digits}.${decimals}`;
}

describe('canonicalDecimal', () => {
  it('writes one text per price: no leading zeros before a digit, no trailing zeros after the point', () => {
    expect(['02400.10', '2400.00', '2400.', '0.50', '0000', '2400.1', '2400'].map(canonicalDecimal))
      .toEqual(['2400.1', '2400', '2400', '0.5', '0', '2400.1', '2400']);
  });

  it('gives the same text as the first version for any text of digits, zeros, points, spaces and signs', () => {
    const text = fc.array(fc.constantFrom('0', '0', '0', '1', '5', '9', '.', ' ', '-', '+', 'e'), { maxLength: 14 }).map((chars) => chars.join(''));
    fc.assert(fc.property(text, (value) => { expect(canonicalDecimal(value)).toBe(firstVersion(value)); }), { numRuns: 50_000 });
    fc.assert(fc.property(fc.nat({ max: 10_000_000 }), fc.nat({ max: 3 }), (units, pad) => {
      const price = `${'0'.repeat(pad)}${Math.floor(units / 100)}.${String(units % 100).padStart(2, '0')}${'0'.repeat(pad)}`;
      expect(canonicalDecimal(price)).toBe(firstVersion(price));
    }), { numRuns: 20_000 });
  });
});
