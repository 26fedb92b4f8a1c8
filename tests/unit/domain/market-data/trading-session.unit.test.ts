import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MINUTES_PER_WEEK,
  SPOT_METALS_SESSION,
  assertValidTradingSession,
  isWithinTradingSession,
  weekMinute,
  type TradingSession,
} from '../../../../domain/market-data/index.ts';

const open = (iso: string, session: TradingSession = SPOT_METALS_SESSION): boolean => isWithinTradingSession(session, new Date(iso));
// Friday 2026-11-20 22:00 UTC: the weekly close; the market reopens Sunday 2026-11-22 23:00 UTC.
const FRIDAY_CLOSE = Date.parse('2026-11-20T22:00:00Z');
const WEEKEND_GAP_MS = (2 * 24 + 1) * 3_600_000;
const WEEK_MS = 7 * 86_400_000;
const anyWeek = fc.integer({ min: -520, max: 520 }); // ten years either side

describe('trading session: spot metals hours', () => {
  it.each([
    ['2026-11-23T10:00:00Z', true, 'Monday morning'],
    ['2026-11-23T21:59:59.999Z', true, 'Monday just before the daily break'],
    ['2026-11-23T22:00:00Z', false, 'Monday daily break starts'],
    ['2026-11-23T22:59:59.999Z', false, 'Monday end of the daily break'],
    ['2026-11-23T23:00:00Z', true, 'Monday reopening after the break'],
    ['2026-11-20T21:59:59Z', true, 'Friday just before the weekly close'],
    ['2026-11-20T22:00:00Z', false, 'Friday weekly close'],
    ['2026-11-21T12:00:00Z', false, 'Saturday'],
    ['2026-11-22T22:59:59Z', false, 'Sunday before the open'],
    ['2026-11-22T23:00:00Z', true, 'Sunday open'],
  ])('%s is open: %s (%s)', (iso, expected) => {
    expect(open(iso)).toBe(expected);
  });

  it('an invalid date is never inside a session', () => {
    expect(isWithinTradingSession(SPOT_METALS_SESSION, new Date('not a date'))).toBe(false);
  });

  it('any instant from Friday 22:00 to Sunday 23:00 UTC, in any week, is outside', () => {
    fc.assert(
      fc.property(anyWeek, fc.integer({ min: 0, max: WEEKEND_GAP_MS - 1 }), (week, offset) => {
        expect(isWithinTradingSession(SPOT_METALS_SESSION, new Date(FRIDAY_CLOSE + week * WEEK_MS + offset))).toBe(false);
      }),
    );
  });

  it('agrees with the desk calendar written out day by day', () => {
    const deskCalendar = (at: Date): boolean => {
      const [day, hour] = [at.getUTCDay(), at.getUTCHours()];
      if (day === 6) return false; // Saturday
      if (day === 0) return hour >= 23; // Sunday opens at 23:00
      if (day === 5) return hour < 22; // Friday closes at 22:00
      return hour !== 22; // Monday-Thursday: daily break 22:00-23:00
    };
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (at) => {
        expect(isWithinTradingSession(SPOT_METALS_SESSION, at)).toBe(deskCalendar(at));
      }),
    );
  });
});

describe('trading session: other shapes', () => {
  it('a round-the-clock market with no break is always open', () => {
    const always: TradingSession = { weeklyOpenMinute: 0, weeklyCloseMinute: MINUTES_PER_WEEK, dailyBreaks: [] };
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (at) => {
        expect(isWithinTradingSession(always, at)).toBe(true);
      }),
    );
  });

  it('a weekly window may wrap over the week end (a weekend-only market)', () => {
    const weekend: TradingSession = { weeklyOpenMinute: weekMinute(5, 10), weeklyCloseMinute: weekMinute(1, 10), dailyBreaks: [] };
    expect(open('2026-11-21T12:00:00Z', weekend)).toBe(true); // Saturday
    expect(open('2026-11-23T09:59:00Z', weekend)).toBe(true); // Monday before 10:00
    expect(open('2026-11-23T10:00:00Z', weekend)).toBe(false);
    expect(open('2026-11-25T12:00:00Z', weekend)).toBe(false); // Wednesday
  });

  it('a daily break may wrap past midnight', () => {
    const midnightBreak: TradingSession = { weeklyOpenMinute: 0, weeklyCloseMinute: MINUTES_PER_WEEK, dailyBreaks: [{ startMinute: 23 * 60 + 30, endMinute: 30 }] };
    expect(open('2026-11-24T23:45:00Z', midnightBreak)).toBe(false);
    expect(open('2026-11-25T00:15:00Z', midnightBreak)).toBe(false);
    expect(open('2026-11-25T00:30:00Z', midnightBreak)).toBe(true);
    expect(open('2026-11-25T12:00:00Z', midnightBreak)).toBe(true);
  });
});

describe('trading session: validation', () => {
  const codeOf = (session: unknown): unknown => {
    try {
      assertValidTradingSession(session as TradingSession);
      return 'valid';
    } catch (error) {
      return (error as { code?: unknown }).code;
    }
  };

  it('accepts the spot metals session', () => {
    expect(codeOf(SPOT_METALS_SESSION)).toBe('valid');
  });

  it.each([
    ['open equals close', { weeklyOpenMinute: 100, weeklyCloseMinute: 100, dailyBreaks: [] }],
    ['open past the week', { weeklyOpenMinute: MINUTES_PER_WEEK, weeklyCloseMinute: 100, dailyBreaks: [] }],
    ['close as a fraction', { weeklyOpenMinute: 0, weeklyCloseMinute: 99.5, dailyBreaks: [] }],
    ['a break of no length', { weeklyOpenMinute: 0, weeklyCloseMinute: 100, dailyBreaks: [{ startMinute: 60, endMinute: 60 }] }],
    ['a break past the day', { weeklyOpenMinute: 0, weeklyCloseMinute: 100, dailyBreaks: [{ startMinute: 1440, endMinute: 10 }] }],
    ['breaks not a list', { weeklyOpenMinute: 0, weeklyCloseMinute: 100, dailyBreaks: 'none' }],
    ['too many breaks', { weeklyOpenMinute: 0, weeklyCloseMinute: 100, dailyBreaks: Array.from({ length: 9 }, (_, i) => ({ startMinute: i * 10, endMinute: i * 10 + 5 })) }],
    ['not an object', 'always'],
  ])('refuses %s', (_name, session) => {
    expect(codeOf(session)).toBe('INSTRUMENT.SESSION_INVALID');
  });
});
