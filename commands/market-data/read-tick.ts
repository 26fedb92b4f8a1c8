// From what a source sent (JSON, a file line, an HTTP body) to a TickInput the domain validates. Prices
// arrive as decimal text ("2345.67") or as integer price units (bigint); a JSON number is read through
// its shortest decimal text, which is the decimal the sender wrote. Anything unreadable is MALFORMED.
import {
  parseTickPrices, type InstrumentSpec, type RawTickFields, type TickInput, type TickRejectReason,
} from '../../domain/market-data/index.ts';

/** A tick as submitted: every field still unchecked. */
export interface RawTick {
  readonly symbol: unknown;
  readonly source: unknown;
  readonly sequence: unknown;
  /** Decimal text or integer price units (bigint). */
  readonly bid: unknown;
  readonly ask: unknown;
  /** Date, ISO 8601 text, or epoch milliseconds (number or digits). */
  readonly timestamp: unknown;
  readonly volume?: unknown;
}

export type ReadTick =
  | { readonly ok: true; readonly input: TickInput }
  | { readonly ok: false; readonly reason: TickRejectReason; readonly detail: string; readonly fields: RawTickFields };

const DIGITS = /^\d{1,19}$/;
const MAX_INT64 = 9_223_372_036_854_775_807n;

export function readInteger(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value >= 0n && value <= MAX_INT64 ? value : undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'string' && DIGITS.test(value)) {
    const parsed = BigInt(value);
    return parsed <= MAX_INT64 ? parsed : undefined;
  }
  return undefined;
}

export function readTimestamp(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value);
  else if (typeof value === 'string' && /^\d{1,15}$/.test(value)) date = new Date(Number(value));
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[Tt ]/.test(value)) date = new Date(value);
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
}

function priceText(value: unknown): string | bigint | undefined {
  if (typeof value === 'bigint' || typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    return /e/i.test(text) ? undefined : text;
  }
  return undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** The fields that could be read, for the rejection event; nothing is guessed. */
export function readableFields(raw: RawTick): RawTickFields {
  return {
    symbol: text(raw.symbol),
    source: text(raw.source),
    sequence: readInteger(raw.sequence),
    bid: typeof raw.bid === 'bigint' ? raw.bid : undefined,
    ask: typeof raw.ask === 'bigint' ? raw.ask : undefined,
    timestamp: readTimestamp(raw.timestamp),
    volume: readInteger(raw.volume),
  };
}

function malformed(raw: RawTick, detail: string): ReadTick {
  return { ok: false, reason: 'MALFORMED', detail, fields: readableFields(raw) };
}

/** Reads a raw tick against its instrument's spec (undefined: not listed). */
export function readTick(raw: RawTick, spec: InstrumentSpec | undefined): ReadTick {
  const symbol = text(raw.symbol);
  const source = text(raw.source);
  if (symbol === undefined || source === undefined) return malformed(raw, 'symbol and source must be non-empty text');
  const sequence = readInteger(raw.sequence);
  if (sequence === undefined) return malformed(raw, 'sequence must be a non-negative integer');
  const timestamp = readTimestamp(raw.timestamp);
  if (timestamp === undefined) return malformed(raw, 'timestamp must be ISO 8601 text or epoch milliseconds');
  const volume = raw.volume === undefined || raw.volume === null ? undefined : readInteger(raw.volume);
  if (raw.volume !== undefined && raw.volume !== null && volume === undefined) return malformed(raw, 'volume must be a non-negative integer');
  if (spec === undefined || spec.symbol !== symbol) {
    return { ok: false, reason: 'UNKNOWN_INSTRUMENT', detail: `${symbol.slice(0, 40)} is not a listed instrument`, fields: readableFields(raw) };
  }
  const bidText = priceText(raw.bid);
  const askText = priceText(raw.ask);
  if (bidText === undefined || askText === undefined || typeof bidText !== typeof askText) {
    return malformed(raw, 'bid and ask must both be decimal text or both integer price units');
  }
  let bid: bigint;
  let ask: bigint;
  if (typeof bidText === 'bigint' && typeof askText === 'bigint') {
    [bid, ask] = [bidText, askText];
  } else {
    const prices = parseTickPrices(spec, String(bidText), String(askText));
    if (!prices.ok) return { ok: false, reason: prices.reason, detail: prices.detail, fields: readableFields(raw) };
    [bid, ask] = [prices.bid, prices.ask];
  }
  const input: TickInput = volume === undefined ? { symbol, source, sequence, bid, ask, timestamp } : { symbol, source, sequence, bid, ask, timestamp, volume };
  return { ok: true, input };
}
