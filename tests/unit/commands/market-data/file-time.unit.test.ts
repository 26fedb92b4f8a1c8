// The time of an imported tick is part of its content identity (its event id): the hand-read ISO form
// must give the instant the general reading gave, for every text, or a file imported before would be
// imported again as new ticks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFileTime } from '../../../../commands/market-data/importers/formats.ts';

/** The general reading for ISO and epoch texts (as before the hand-read form), without a separate clock. */
function generalReading(text: string): number | undefined {
  const trimmed = text.trim().replace(/\s+(GMT|UTC)$/i, '');
  if (/^\d{10,15}$/.test(trimmed)) return Number(trimmed);
  if (/^\d{4}-\d{2}-\d{2}[Tt ]/.test(trimmed)) {
    const time = new Date(trimmed).getTime();
    return Number.isNaN(time) ? undefined : time;
  }
  return 'not ISO' as never;
}

describe('parseFileTime on ISO 8601 text', () => {
  it('reads every ISO instant of years 1000-9999, with and without milliseconds, as new Date does', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
      const text = date.toISOString();
      expect(parseFileTime(text)?.getTime()).toBe(date.getTime());
      const seconds = `${text.slice(0, 19)}Z`;
      expect(parseFileTime(seconds)?.getTime()).toBe(generalReading(seconds));
    }), { numRuns: 50_000 });
  });

  it('gives the general reading for any digits in any field: days past the 28th, 24:00, month 13, years before 1000', () => {
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
    const text = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two, two, two, two, two, fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')), fc.boolean())
      .map(([y, mo, d, h, mi, s, ms, millis]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${millis ? `.${ms}` : ''}Z`);
    fc.assert(fc.property(text, (value) => { expect(parseFileTime(value)?.getTime()).toBe(generalReading(value)); }), { numRuns: 50_000 });
  });

  it('gives the general reading for near-ISO text: other separators, lower-case t, spaces, no zone', () => {
    const base = '2024-03-04T09:15:02.500Z';
    const variants = fc.tuple(fc.nat({ max: base.length - 1 }), fc.constantFrom(' ', 't', 'x', '+', '-', ':', '.', '0', '9', '')).map(([at, char]) => base.slice(0, at) + char + base.slice(at + 1));
    fc.assert(fc.property(variants, (value) => {
      const general = generalReading(value);
      if (general === ('not ISO' as never)) return;
      expect(parseFileTime(value)?.getTime()).toBe(general);
    }), { numRuns: 20_000 });
    for (const value of [` ${base}`, `${base} `, '2024-03-04T09:15:02.500', '2024-03-04 09:15:02.500Z', '2024-03-04t09:15:02.500Z']) {
      expect(parseFileTime(value)?.getTime()).toBe(generalReading(value));
    }
  });
});
