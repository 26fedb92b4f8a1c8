// isoTime is the text of every tick's time in its content identity (so in its event id), its payload and
// its stored occurrence time: it must be exactly what toISOString writes, or a tick imported before would
// be named anew and imported twice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../../domain/shared/iso-time.ts';

describe('isoTime', () => {
  it('writes what toISOString writes, for any instant of any year', () => {
    fc.assert(fc.property(fc.date({ noInvalidDate: true }), (date) => { expect(isoTime(date)).toBe(date.toISOString()); }), { numRuns: 50_000 });
    fc.assert(fc.property(
      fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
      (ms) => { expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString()); },
    ), { numRuns: 50_000 });
  });

  it('is right at the edges of a day, of its cache and of the years it formats itself', () => {
    const edges = [0, 1, 999, 1_000, 59_999, 3_599_999, 86_399_999, 86_400_000, -1, -86_400_001,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10_000, 0, 1)];
    // In turn and back again: the cached day must never leak into another day's text.
    for (const ms of [...edges, ...edges.reverse()]) expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it('refuses an invalid date as toISOString does', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
