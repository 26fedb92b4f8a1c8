// Line parsers for tick files. Each turns one line into a tick, a line to skip (header, blank), or a
// malformed line with the reason. The one thing they throw on is a CSV header naming no column set they
// know (IMPORT.UNKNOWN_HEADER): then the whole file is the wrong input, and it is refused at its first
// line, before any tick is submitted. Times in files are taken as UTC (MT5 exports the broker's server
// time: convert such files first, or pick a broker whose server runs on UTC).
import { ValidationError } from '../../../domain/shared/errors.ts';
import type { RawTick } from '../read-tick.ts';

export const IMPORT_FORMATS = ['mt5', 'dukascopy', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const isImportFormat = (value: unknown): value is ImportFormat => (IMPORT_FORMATS as readonly unknown[]).includes(value);

/** A tick as read from a file line: prices and volume still as the file wrote them. */
export interface FileTick extends RawTick {
  readonly symbol: string;
  readonly source: string;
  readonly sequence: number;
  readonly bid: string;
  readonly ask: string;
  readonly timestamp: Date;
  readonly volume?: string;
}

export type ParsedLine =
  | { readonly kind: 'skip' }
  | { readonly kind: 'tick'; readonly tick: FileTick }
  | { readonly kind: 'malformed'; readonly detail: string };

export interface LineContext {
  readonly symbol: string;
  readonly source: string;
}

/** Parses lines of one file in order: some formats carry state from row to row (MT5's unchanged prices). */
export type LineParser = (line: string, lineNumber: number) => ParsedLine;

const SKIP: ParsedLine = { kind: 'skip' };
const malformed = (detail: string): ParsedLine => ({ kind: 'malformed', detail });
const PRICE = /^\d+(\.\d+)?$/;
const DOTTED_YMD = /^(\d{4})\.(\d{2})\.(\d{2})$/;
const DOTTED_DMY = /^(\d{2})\.(\d{2})\.(\d{4})$/;
const CLOCK = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** A UTC instant from calendar parts; undefined unless every part is in range (no 30 February). */
function utc(year: number, month: number, day: number, clock: string): Date | undefined {
  const time = CLOCK.exec(clock);
  if (!time) return undefined;
  const [hours, minutes, seconds] = [Number(time[1]), Number(time[2]), Number(time[3])];
  const millis = Number((time[4] ?? '0').padEnd(3, '0'));
  const date = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds, millis));
  const sameDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return sameDay && hours < 24 && minutes < 60 && seconds < 60 ? date : undefined;
}

const digitAt = (text: string, at: number): number => {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
};
const digitsAt = (text: string, at: number, count: number): number => {
  let value = 0;
  for (let i = 0; i < count; i += 1) value = value * 10 + digitAt(text, at + i);
  return value;
};

/**
 * `2024-03-04T09:15:02.500Z` or `2024-03-04T09:15:02Z` read by hand (most CSV exports, once per line),
 * the instant `new Date` gives for it; undefined for anything else, and for the dates `new Date` reads
 * in its own way (a day past the 28th rolls into the next month, 24:00, years before 1000): those go
 * the general way below, as before.
 */
function strictIsoTime(text: string): Date | undefined {
  const millis = text.length === 24;
  if (!millis && text.length !== 20) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58
    || text.charCodeAt(16) !== 58 || text.charCodeAt(text.length - 1) !== 90 || (millis && text.charCodeAt(19) !== 46)) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const seconds = digitsAt(text, 17, 2);
  const ms = millis ? digitsAt(text, 20, 3) : 0;
  // NaN (a non-digit) fails every one of these comparisons.
  if (!(year >= 1_000 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hours <= 23 && minutes <= 59 && seconds <= 59 && ms >= 0)) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds, ms));
}

/** "2024.01.02" + "01:02:03.456", "02.01.2024 01:02:03.456 GMT", ISO 8601, or epoch milliseconds. */
export function parseFileTime(text: string, clock?: string): Date | undefined {
  if (clock === undefined) {
    const strict = strictIsoTime(text);
    if (strict !== undefined) return strict;
  }
  const trimmed = text.trim().replace(/\s+(GMT|UTC)$/i, '');
  if (/^\d{10,15}$/.test(trimmed)) return new Date(Number(trimmed));
  if (/^\d{4}-\d{2}-\d{2}[Tt ]/.test(trimmed)) {
    const date = new Date(trimmed);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const [day, time = clock] = clock === undefined ? trimmed.split(/\s+/, 2) : [trimmed, clock];
  if (day === undefined || time === undefined) return undefined;
  const ymd = DOTTED_YMD.exec(day);
  if (ymd) return utc(Number(ymd[1]), Number(ymd[2]), Number(ymd[3]), time);
  const dmy = DOTTED_DMY.exec(day);
  if (dmy) return utc(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]), time);
  return undefined;
}

const tick = (context: LineContext, lineNumber: number, timestamp: Date, bid: string, ask: string, volume?: string): ParsedLine => ({
  kind: 'tick',
  tick: volume // one literal, no spread: this runs once per line
    ? { symbol: context.symbol, source: context.source, sequence: lineNumber, bid, ask, timestamp, volume }
    : { symbol: context.symbol, source: context.source, sequence: lineNumber, bid, ask, timestamp },
});

/** MT5 tick export: <DATE> <TIME> <BID> <ASK> <LAST> <VOLUME> <FLAGS>, tab separated; an empty BID or ASK is unchanged. */
export function mt5Parser(context: LineContext): LineParser {
  let bid: string | undefined;
  let ask: string | undefined;
  return (line, lineNumber) => {
    if (line.trim() === '' || line.startsWith('<')) return SKIP;
    const [date = '', time = '', bidText = '', askText = ''] = line.split('\t');
    const timestamp = parseFileTime(date, time);
    if (!timestamp) return malformed(`unreadable date/time ${JSON.stringify(`${date} ${time}`.slice(0, 40))}`);
    for (const [side, value] of [['BID', bidText], ['ASK', askText]] as const) {
      if (value !== '' && !PRICE.test(value)) return malformed(`${side} ${JSON.stringify(value.slice(0, 20))} is not a price`);
    }
    const nextBid = bidText === '' ? bid : bidText;
    const nextAsk = askText === '' ? ask : askText;
    if (nextBid === undefined || nextAsk === undefined) return malformed('no BID or ASK yet: an empty price means "unchanged", but there is no earlier one');
    [bid, ask] = [nextBid, nextAsk];
    return { kind: 'tick', tick: { symbol: context.symbol, source: context.source, sequence: lineNumber, bid, ask, timestamp } };
  };
}

/** Dukascopy CSV: timestamp, ask, bid, ask volume, bid volume (volumes are not carried: they are not in lots). */
export function dukascopyParser(context: LineContext): LineParser {
  return (line, lineNumber) => {
    const cells = line.split(',').map((cell) => cell.trim());
    if (line.trim() === '' || (lineNumber === 1 && !/^\d/.test(cells[0] ?? ''))) return SKIP;
    const [time = '', ask = '', bid = ''] = cells;
    const timestamp = parseFileTime(time);
    if (!timestamp) return malformed(`unreadable timestamp ${JSON.stringify(time.slice(0, 40))}`);
    if (!PRICE.test(ask) || !PRICE.test(bid)) return malformed('ask and bid must be prices');
    return tick(context, lineNumber, timestamp, bid, ask);
  };
}

interface CsvColumns {
  readonly timestamp: number;
  readonly bid: number;
  readonly ask: number;
  /** -1: the file has none, or one that is not in quantity steps. */
  readonly volume: number;
}

/**
 * The CSV headers the importer knows, matched by name (case-insensitive, any order, other columns
 * ignored). dukascopy-node writes `timestamp,askPrice,bidPrice[,askVolume,bidVolume]`; its volumes are not
 * in lots and are not carried (as with the dukascopy format).
 */
export const CSV_COLUMN_SETS = [
  { name: 'plain', timestamp: 'timestamp', bid: 'bid', ask: 'ask', volume: 'volume' },
  { name: 'dukascopy-node', timestamp: 'timestamp', bid: 'bidPrice', ask: 'askPrice', volume: undefined },
] as const;

const describeColumnSet = (set: (typeof CSV_COLUMN_SETS)[number]): string =>
  [set.timestamp, set.bid, set.ask].join(',') + (set.volume ? `[,${set.volume}]` : '');

/** The columns of a CSV header line, or IMPORT.UNKNOWN_HEADER naming what it found and what is accepted. */
export function readCsvHeader(line: string): CsvColumns {
  const found = line.split(',').map((cell) => cell.trim());
  const names = found.map((cell) => cell.toLowerCase());
  for (const set of CSV_COLUMN_SETS) {
    const [timestamp, bid, ask] = [set.timestamp, set.bid, set.ask].map((name) => names.indexOf(name.toLowerCase())) as [number, number, number];
    if (timestamp >= 0 && bid >= 0 && ask >= 0) return { timestamp, bid, ask, volume: set.volume ? names.indexOf(set.volume) : -1 };
  }
  const accepted = CSV_COLUMN_SETS.map(describeColumnSet);
  throw new ValidationError(
    'IMPORT.UNKNOWN_HEADER',
    `the CSV header names ${JSON.stringify(found.join(',').slice(0, 200))}; expected a header with the columns ${accepted.join(' or ')} (any order): nothing was imported`,
    { found: found.slice(0, 50), accepted },
  );
}

/** CSV with a header naming one of CSV_COLUMN_SETS; volume (plain CSV only) is in integer quantity steps. */
export function csvParser(context: LineContext): LineParser {
  let columns: CsvColumns | undefined;
  return (line, lineNumber) => {
    if (line.trim() === '') return SKIP;
    if (columns === undefined) {
      columns = readCsvHeader(line);
      return SKIP;
    }
    const cells = line.split(',');
    const time = cells[columns.timestamp] ?? '';
    const timestamp = parseFileTime(time);
    if (!timestamp) return malformed(`unreadable timestamp ${JSON.stringify(time.trim().slice(0, 40))}`);
    const bid = (cells[columns.bid] ?? '').trim();
    const ask = (cells[columns.ask] ?? '').trim();
    if (!PRICE.test(bid) || !PRICE.test(ask)) return malformed('bid and ask must be prices');
    const volume = columns.volume >= 0 ? cells[columns.volume]?.trim() : undefined;
    if (volume !== undefined && volume !== '' && !/^\d{1,18}$/.test(volume)) return malformed('volume must be a whole number of quantity steps');
    return tick(context, lineNumber, timestamp, bid, ask, volume || undefined);
  };
}

export function lineParser(format: ImportFormat, context: LineContext): LineParser {
  const parse = format === 'mt5' ? mt5Parser(context) : format === 'dukascopy' ? dukascopyParser(context) : csvParser(context);
  // Each parser numbers a tick by its line: ticks are checked for order within their file (see tick-identity.ts).
  return (line, lineNumber) => parse(line.endsWith('\r') ? line.slice(0, -1) : line, lineNumber);
}
