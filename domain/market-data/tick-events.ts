// Tick events, stream `ticks-{symbol}-{yyyymmdd}` (one stream per instrument and UTC day keeps every
// stream bounded). Accepted ticks are TickReceived; refused ones are TickRejected with their reason, so
// the log shows everything a source sent, not just what the desk believed.
import type { DomainEvent } from '../shared/decider.ts';
import { ValidationError } from '../shared/errors.ts';
import { isoTime } from '../shared/iso-time.ts';
import { mulDiv } from '../shared/money.ts';
import type { AcceptedTick, TickInput, TickRejectReason, TickValidation } from './tick-validation.ts';

export type TickReceivedData = {
  readonly symbol: string;
  readonly source: string;
  readonly sequence: bigint;
  readonly bid: bigint;
  readonly ask: bigint;
  /** The tick's own time (ISO 8601, UTC), as the source stamped it. */
  readonly timestamp: string;
  readonly volume?: bigint;
  /** Back-filled (an import): feeds history (ticks, candles, training data), never the live market. */
  readonly history?: true;
};

/**
 * The rule for back-filled data: a tick marked history (every imported tick is) feeds history only; the
 * live market (quotes, marks, staleness, signals, the paper broker, replayed valuations) moves on live
 * ticks alone, whatever their source time.
 */
export const movesLiveMarket = (data: { readonly history?: boolean }): boolean => data.history !== true;

/** The raw fields are present as far as they could be read; a malformed message may have none. */
export type TickRejectedData = {
  readonly reason: TickRejectReason;
  readonly detail: string;
  readonly symbol?: string;
  readonly source?: string;
  readonly sequence?: bigint;
  readonly bid?: bigint;
  readonly ask?: bigint;
  readonly timestamp?: string;
  readonly volume?: bigint;
  /** The original message text when it could not be read into fields, cut to RAW_TEXT_LIMIT characters. */
  readonly raw?: string;
};

export type TickReceived = DomainEvent<'TickReceived', TickReceivedData>;
export type TickRejected = DomainEvent<'TickRejected', TickRejectedData>;
export type TickEvent = TickReceived | TickRejected;
export const TICK_EVENT_TYPES = ['TickReceived', 'TickRejected'] as const;

export const RAW_TEXT_LIMIT = 1_024;

const STREAM_SYMBOL = /^[A-Za-z0-9._]{1,32}$/;

/** `ticks-XAUUSD-20261122`: the stream of one instrument's ticks for the UTC day of `at`. */
export function tickStreamId(symbol: string, at: Date): string {
  if (!STREAM_SYMBOL.test(symbol)) throw new ValidationError('TICK.STREAM_SYMBOL_INVALID', `cannot name a tick stream for ${JSON.stringify(symbol)}`);
  if (Number.isNaN(at.getTime())) throw new ValidationError('TICK.TIMESTAMP_INVALID', 'cannot name a tick stream for an invalid date');
  const day = at.toISOString().slice(0, 10).replaceAll('-', '');
  return `ticks-${symbol}-${day}`;
}

/**
 * Idempotency key of a tick: a source's sequence names one tick of one instrument. Adapters derive
 * event ids from it (uuid v5) so a redelivered or re-imported tick writes nothing twice. Unambiguous as
 * long as the symbol has no colon (listed symbols cannot) since the sequence is digits only.
 */
export const tickIdempotencyKey = (symbol: string, source: string, sequence: bigint): string => `tick:${symbol}:${source}:${sequence}`;

/**
 * Mid price in price units, (bid + ask) / 2 rounded half to even: a half unit goes to the even
 * neighbour, so mids of many one-unit spreads do not lean up or down on average.
 */
export const midOf = (bid: bigint, ask: bigint): bigint => mulDiv(bid + ask, 1n, 2n, 'half_even');

/** `history`: recorded as back-fill (an import) whether or not `tick` carries the flag itself. */
export function tickReceived(tick: AcceptedTick, history = tick.history === true): TickReceived {
  // Built in one object, fields added in place (no spreads): this runs once per ingested tick. The key
  // order (and so the stored JSON) is the same: volume and history last, each only when present.
  const data: { -readonly [K in keyof TickReceivedData]: TickReceivedData[K] } = {
    symbol: tick.symbol, source: tick.source, sequence: tick.sequence, bid: tick.bid, ask: tick.ask, timestamp: isoTime(tick.timestamp),
  };
  if (tick.volume !== undefined) data.volume = tick.volume;
  if (history) data.history = true;
  return { type: 'TickReceived', data };
}

/** What could be read of a refused tick; fields of the wrong type are left out, never guessed. */
export type RawTickFields = { readonly [K in keyof TickInput]?: unknown };

function readableFields(raw: RawTickFields): Omit<TickRejectedData, 'reason' | 'detail' | 'raw'> {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value.slice(0, 64) : undefined);
  const integer = (value: unknown): bigint | undefined =>
    typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  const time = raw.timestamp instanceof Date && !Number.isNaN(raw.timestamp.getTime()) ? isoTime(raw.timestamp) : undefined;
  const fields = {
    symbol: text(raw.symbol),
    source: text(raw.source),
    sequence: integer(raw.sequence),
    bid: typeof raw.bid === 'bigint' ? raw.bid : undefined,
    ask: typeof raw.ask === 'bigint' ? raw.ask : undefined,
    timestamp: time,
    volume: typeof raw.volume === 'bigint' ? raw.volume : undefined,
  };
  // Absent rather than undefined: the event is stored as JSON.
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

export function tickRejected(raw: RawTickFields, reason: TickRejectReason, detail: string, rawText?: string): TickRejected {
  const data: TickRejectedData = { reason, detail, ...readableFields(raw) };
  return { type: 'TickRejected', data: rawText === undefined ? data : { ...data, raw: rawText.slice(0, RAW_TEXT_LIMIT) } };
}

/** The event that records a validation outcome. */
export const tickEventFor = (input: RawTickFields, validation: TickValidation): TickEvent =>
  validation.ok ? tickReceived(validation.tick) : tickRejected(input, validation.reason, validation.detail);
