// An instant as UTC ISO 8601 text, the text Date.prototype.toISOString writes ("2024-03-04T09:15:02.500Z"),
// built from the day's text, cached, and the time of day's digits from tables: about a tenth of
// toISOString's cost (~0.9 µs), which ran three times for every tick ingested (its content identity, its
// payload, its occurrence time). Outside 1970-9999 (and for an invalid date) it is toISOString itself.
const DAY_MS = 86_400_000;
const LAST_SUPPORTED_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const pad = (width: number) => (_: unknown, n: number) => String(n).padStart(width, '0');
const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, pad(2));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1_000 }, pad(3));

let cachedDay = Number.NaN;
let cachedDayText = '';

export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms <= LAST_SUPPORTED_MS)) return date.toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDayText = date.toISOString().slice(0, 11); // "2024-03-04T"
    cachedDay = day;
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1_000);
  return `${cachedDayText}${TWO_DIGITS[hours]!}:${TWO_DIGITS[minutes]!}:${TWO_DIGITS[seconds]!}.${THREE_DIGITS[rest - seconds * 1_000]!}Z`;
}
