// Which ticks the desk believes. Every tick is checked against its instrument's spec and the source's
// history; a refused tick gets one stable reason code so a rejection can be counted, alerted on and
// explained. All arithmetic is on bigint price units: the spike bound is compared by cross-multiplying,
// never by dividing, so no rounding can let a spike through or refuse an honest tick.
import { isLedgerError } from '../shared/errors.ts';
import { parseUnits } from '../shared/money.ts';
import { priceToText, type InstrumentSpec } from './instrument-spec.ts';
import { isWithinTradingSession } from './trading-session.ts';

/**
 * Stable reason codes, in the order the checks run: the first failing check names the rejection.
 * OFF_GRID comes from parseTickPrices, which runs before validateTick on prices given as text.
 */
export const TICK_REJECT_REASONS = [
  'MALFORMED',
  'UNKNOWN_INSTRUMENT',
  'OFF_GRID',
  'DUPLICATE',
  'NON_POSITIVE_BID',
  'CROSSED',
  'SPREAD_TOO_WIDE',
  'FUTURE_TIMESTAMP',
  'OUT_OF_ORDER',
  'OUTSIDE_TRADING_HOURS',
  'SPIKE',
] as const;
export type TickRejectReason = (typeof TICK_REJECT_REASONS)[number];

export const isTickRejectReason = (value: unknown): value is TickRejectReason =>
  typeof value === 'string' && (TICK_REJECT_REASONS as readonly string[]).includes(value);

/** A tick as a source reports it, prices already in price units. */
export type TickInput = {
  readonly symbol: string;
  readonly source: string;
  /** The source's own counter; strictly increasing per source. */
  readonly sequence: bigint | number;
  readonly bid: bigint;
  readonly ask: bigint;
  readonly timestamp: Date;
  /** Traded or quoted volume in quantity steps, when the source reports one. */
  readonly volume?: bigint;
};

/** A tick that passed every check, its sequence normalised to bigint. */
export type AcceptedTick = {
  readonly symbol: string;
  readonly source: string;
  readonly sequence: bigint;
  readonly bid: bigint;
  readonly ask: bigint;
  readonly timestamp: Date;
  readonly volume?: bigint;
  /** Back-filled: see movesLiveMarket. */
  readonly history?: true;
};

/** The last tick accepted from the same source. */
export type SourceCursor = { readonly sequence: bigint; readonly timestamp: Date };

export type TickValidationContext = {
  /** The spec of the tick's instrument; undefined when the symbol is not listed. */
  readonly spec: InstrumentSpec | undefined;
  /** When the desk received the tick: passed in, never read from a clock here. */
  readonly receivedAt: Date;
  /** Last accepted tick of this source; a sequence at or below it is a duplicate. */
  readonly lastAccepted?: SourceCursor;
  /**
   * The mid the spike filter measures against, in price units. The caller decides what "recent" means
   * (and should leave it out after a gap such as the weekend, or a real move would be refused forever).
   */
  readonly recentMid?: bigint;
};

export type TickRejection = { readonly ok: false; readonly reason: TickRejectReason; readonly detail: string };
export type TickValidation = { readonly ok: true; readonly tick: AcceptedTick } | TickRejection;

const reject = (reason: TickRejectReason, detail: string): TickRejection => ({ ok: false, reason, detail });

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '' && value.length <= 64;
const isValidDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

function normaliseSequence(sequence: unknown): bigint | undefined {
  if (typeof sequence === 'bigint') return sequence >= 0n ? sequence : undefined;
  if (typeof sequence === 'number' && Number.isSafeInteger(sequence) && sequence >= 0) return BigInt(sequence);
  return undefined;
}

/** Shape checks: anything the rest cannot even reason about is MALFORMED. */
function normalise(input: TickInput): AcceptedTick | TickRejection {
  if (typeof input !== 'object' || input === null) return reject('MALFORMED', 'tick is not an object');
  if (!isText(input.symbol)) return reject('MALFORMED', 'symbol must be non-empty text');
  if (!isText(input.source)) return reject('MALFORMED', 'source must be non-empty text');
  const sequence = normaliseSequence(input.sequence);
  if (sequence === undefined) return reject('MALFORMED', 'sequence must be a non-negative integer');
  if (typeof input.bid !== 'bigint' || typeof input.ask !== 'bigint') return reject('MALFORMED', 'bid and ask must be integer price units');
  if (!isValidDate(input.timestamp)) return reject('MALFORMED', 'timestamp must be a valid date');
  const { volume } = input;
  if (volume !== undefined && (typeof volume !== 'bigint' || volume < 0n)) return reject('MALFORMED', 'volume must be a non-negative integer');
  // Two literals rather than a spread: this runs once per tick.
  return volume === undefined
    ? { symbol: input.symbol, source: input.source, sequence, bid: input.bid, ask: input.ask, timestamp: input.timestamp }
    : { symbol: input.symbol, source: input.source, sequence, bid: input.bid, ask: input.ask, timestamp: input.timestamp, volume };
}

type Check = (tick: AcceptedTick, spec: InstrumentSpec, context: TickValidationContext) => TickRejection | undefined;

const checkDuplicate: Check = (tick, _spec, { lastAccepted }) =>
  lastAccepted !== undefined && tick.sequence <= lastAccepted.sequence
    ? reject('DUPLICATE', `sequence ${tick.sequence} from ${tick.source} is at or below the last accepted ${lastAccepted.sequence}`)
    : undefined;

const checkQuote: Check = ({ bid, ask }, spec) => {
  if (bid <= 0n) return reject('NON_POSITIVE_BID', `bid ${priceToText(spec, bid)} is not positive`);
  if (ask < bid) return reject('CROSSED', `ask ${priceToText(spec, ask)} is below bid ${priceToText(spec, bid)}`);
  const spread = ask - bid;
  if (spread > spec.maxSpread) {
    return reject('SPREAD_TOO_WIDE', `spread ${priceToText(spec, spread)} exceeds the maximum ${priceToText(spec, spec.maxSpread)}`);
  }
  return undefined;
};

const checkTimestamp: Check = ({ timestamp }, spec, { receivedAt, lastAccepted }) => {
  const ahead = timestamp.getTime() - receivedAt.getTime();
  if (ahead > spec.maxFutureSkewMs) {
    return reject('FUTURE_TIMESTAMP', `timestamp ${timestamp.toISOString()} is ${ahead} ms after receipt (tolerance ${spec.maxFutureSkewMs} ms)`);
  }
  const behind = lastAccepted === undefined ? 0 : lastAccepted.timestamp.getTime() - timestamp.getTime();
  if (behind > spec.maxBackwardsMs) {
    return reject('OUT_OF_ORDER', `timestamp ${timestamp.toISOString()} is ${behind} ms behind the source's last accepted tick (tolerance ${spec.maxBackwardsMs} ms)`);
  }
  return undefined;
};

const checkSession: Check = ({ timestamp }, spec) =>
  isWithinTradingSession(spec.tradingSession, timestamp)
    ? undefined
    : reject('OUTSIDE_TRADING_HOURS', `${timestamp.toISOString()} is outside ${spec.symbol} trading hours`);

const checkSpike: Check = ({ bid, ask }, spec, { recentMid }) => {
  if (recentMid === undefined || recentMid <= 0n) return undefined;
  // |(bid + ask) / 2 - recentMid| / recentMid > bps / 10_000, multiplied out by 2 * 10_000 * recentMid.
  const twiceMove = bid + ask - 2n * recentMid;
  const moveScaled = (twiceMove < 0n ? -twiceMove : twiceMove) * 10_000n;
  if (moveScaled <= BigInt(spec.spikeBoundBps) * 2n * recentMid) return undefined;
  return reject('SPIKE', `mid moved more than ${spec.spikeBoundBps} bps from the recent mid ${priceToText(spec, recentMid)}`);
};

const CHECKS: readonly Check[] = [checkDuplicate, checkQuote, checkTimestamp, checkSession, checkSpike];

/**
 * Accepts or refuses one tick. Pure and deterministic: the same input and context always give the same
 * answer. Throws only when the caller's own context is broken (an invalid `receivedAt`).
 */
export function validateTick(input: TickInput, context: TickValidationContext): TickValidation {
  if (!isValidDate(context.receivedAt)) throw new RangeError('validateTick: receivedAt must be a valid date');
  const tick = normalise(input);
  if ('ok' in tick) return tick;
  const { spec } = context;
  if (spec === undefined || spec.symbol !== tick.symbol) return reject('UNKNOWN_INSTRUMENT', `${tick.symbol} is not a listed instrument`);
  for (const check of CHECKS) {
    const rejection = check(tick, spec, context);
    if (rejection) return rejection;
  }
  return { ok: true, tick };
}

export type ParsedTickPrices = { readonly ok: true; readonly bid: bigint; readonly ask: bigint } | TickRejection;

function parsePrice(spec: InstrumentSpec, side: 'bid' | 'ask', text: string): bigint | TickRejection {
  try {
    return parseUnits(text, spec.priceScale);
  } catch (error) {
    if (isLedgerError(error) && error.code === 'NUMBER.TOO_PRECISE') {
      return reject('OFF_GRID', `${side} ${text} has more than ${spec.priceScale} decimal places`);
    }
    return reject('MALFORMED', `${side} ${JSON.stringify(String(text)).slice(0, 40)} is not a decimal price`);
  }
}

/**
 * Prices that arrive as decimal text ("2345.67") to price units. Digits beyond the price grid are
 * OFF_GRID (trailing zeros are fine); anything that is not a decimal number is MALFORMED.
 */
export function parseTickPrices(spec: InstrumentSpec, bidText: string, askText: string): ParsedTickPrices {
  const bid = parsePrice(spec, 'bid', bidText);
  if (typeof bid !== 'bigint') return bid;
  const ask = parsePrice(spec, 'ask', askText);
  if (typeof ask !== 'bigint') return ask;
  return { ok: true, bid, ask };
}
