// The digest of a command body is kept in its idempotency record for a day: a retry is matched against
// it, possibly by a newer build. Its text must therefore stay exactly what it has been: JSON.stringify of
// a copy with sorted keys, undefined members dropped, bigints tagged and Dates as ISO text.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../../commands/trading/json.ts';

/** The digest as first defined (the reference the records written so far were made with). */
function reference(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, canonical(x)]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('base64url');
}

const leaf = fc.oneof(
  fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt(),
  fc.date({ noInvalidDate: true }),
);
const body = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.nat({ max: 20 }).map(String)), tie('value'), { maxKeys: 6 }),
})).object;

describe('command digest', () => {
  it('is the reference digest for any body (keys in any order, bigints, dates, undefined members)', () => {
    fc.assert(fc.property(body, (value) => { expect(digestOf(value)).toBe(reference(value)); }), { numRuns: 500 });
  });

  it('does not depend on key order, and tells different bodies apart', () => {
    const a = { kind: 'PlaceOrder', body: { userId: 'u', input: { qty: 10n, symbol: 'XAUUSD', note: undefined } } };
    const b = { body: { input: { symbol: 'XAUUSD', qty: 10n }, userId: 'u' }, kind: 'PlaceOrder' };
    expect(digestOf(a)).toBe(digestOf(b));
    expect(digestOf({ ...a, kind: 'Deposit' })).not.toBe(digestOf(a));
    expect(digestOf({ qty: 10n })).not.toBe(digestOf({ qty: '10' }));
  });
});
