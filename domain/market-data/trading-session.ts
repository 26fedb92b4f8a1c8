// When an instrument trades, in UTC minutes. A session is one weekly window plus breaks that recur every
// day inside it. Spot metals trade Sunday 23:00 to Friday 22:00 UTC with a daily 22:00-23:00 break; the
// desk keeps those hours in UTC and changes them through a recorded spec change (e.g. for US daylight
// saving) rather than deriving them from a time zone here.
import { ValidationError } from '../shared/errors.ts';

export const MINUTES_PER_DAY = 1_440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A daily break [startMinute, endMinute) in minutes after 00:00 UTC; start > end wraps past midnight. */
export type DailyBreak = {
  readonly startMinute: number;
  readonly endMinute: number;
};

/**
 * Minutes are counted from Sunday 00:00 UTC (the week of `Date.getUTCDay()`). The window is
 * [weeklyOpenMinute, weeklyCloseMinute); an open after the close wraps over the week end.
 * Open 0 and close MINUTES_PER_WEEK is a market that never closes.
 */
export type TradingSession = {
  readonly weeklyOpenMinute: number;
  readonly weeklyCloseMinute: number;
  readonly dailyBreaks: readonly DailyBreak[];
};

const SUNDAY = 0;
const FRIDAY = 5;
const MAX_DAILY_BREAKS = 8;

/** Minute of the week from a day (0 = Sunday), an hour and a minute, all UTC. */
export const weekMinute = (day: number, hour: number, minute = 0): number => day * MINUTES_PER_DAY + hour * 60 + minute;

/** Spot gold and silver: Sunday 23:00 to Friday 22:00 UTC, closed daily 22:00-23:00 UTC. */
export const SPOT_METALS_SESSION: TradingSession = {
  weeklyOpenMinute: weekMinute(SUNDAY, 23),
  weeklyCloseMinute: weekMinute(FRIDAY, 22),
  dailyBreaks: [{ startMinute: 22 * 60, endMinute: 23 * 60 }],
};

const inWrappingRange = (value: number, start: number, end: number): boolean =>
  start < end ? value >= start && value < end : value >= start || value < end;

/**
 * True when `at` falls inside the weekly window and outside every daily break. `at` is data (a tick's
 * timestamp, a command's `now`); an invalid Date is never inside a session.
 */
export function isWithinTradingSession(session: TradingSession, at: Date): boolean {
  if (Number.isNaN(at.getTime())) return false;
  const minuteOfDay = at.getUTCHours() * 60 + at.getUTCMinutes();
  const minuteOfWeek = at.getUTCDay() * MINUTES_PER_DAY + minuteOfDay;
  const fullWeek = session.weeklyOpenMinute === 0 && session.weeklyCloseMinute === MINUTES_PER_WEEK;
  if (!fullWeek && !inWrappingRange(minuteOfWeek, session.weeklyOpenMinute, session.weeklyCloseMinute)) return false;
  return !session.dailyBreaks.some((pause) => inWrappingRange(minuteOfDay, pause.startMinute, pause.endMinute));
}

function sessionInvalid(message: string, details: Record<string, unknown> = {}): never {
  throw new ValidationError('INSTRUMENT.SESSION_INVALID', message, { field: 'tradingSession', ...details });
}

const isMinute = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

/** Throws ValidationError INSTRUMENT.SESSION_INVALID unless the session is well formed. */
export function assertValidTradingSession(session: TradingSession): TradingSession {
  if (typeof session !== 'object' || session === null) sessionInvalid('trading session must be an object');
  const { weeklyOpenMinute: open, weeklyCloseMinute: close, dailyBreaks } = session;
  if (!isMinute(open, MINUTES_PER_WEEK - 1)) sessionInvalid('weeklyOpenMinute must be an integer minute of the week', { value: String(open) });
  if (!isMinute(close, MINUTES_PER_WEEK)) sessionInvalid('weeklyCloseMinute must be an integer minute of the week', { value: String(close) });
  if (open === close) sessionInvalid('weekly open and close are the same minute: the window would be empty');
  if (!Array.isArray(dailyBreaks) || dailyBreaks.length > MAX_DAILY_BREAKS) {
    sessionInvalid(`dailyBreaks must be a list of at most ${MAX_DAILY_BREAKS} breaks`);
  }
  session.dailyBreaks.forEach((pause, index) => {
    const start: unknown = pause?.startMinute;
    const end: unknown = pause?.endMinute;
    if (!isMinute(start, MINUTES_PER_DAY - 1) || !isMinute(end, MINUTES_PER_DAY) || start === end) {
      sessionInvalid(`daily break ${index} must be two different integer minutes of the day`, { index });
    }
  });
  return session;
}

export const sameTradingSession = (a: TradingSession, b: TradingSession): boolean =>
  a.weeklyOpenMinute === b.weeklyOpenMinute &&
  a.weeklyCloseMinute === b.weeklyCloseMinute &&
  a.dailyBreaks.length === b.dailyBreaks.length &&
  a.dailyBreaks.every((pause, i) => pause.startMinute === b.dailyBreaks[i]?.startMinute && pause.endMinute === b.dailyBreaks[i]?.endMinute);
