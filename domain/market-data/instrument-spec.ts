// What the desk trades and on which grid. A price is an integer count of price units (10^-priceScale of
// the quote currency per unit of the underlying, e.g. 0.01 USD/oz), a quantity an integer count of
// quantity steps (10^-qtyScale lot), cash an integer count of the quote currency's minor unit.
// Conversions between text, price units, quantity steps and cash live here and nowhere else.
import { ValidationError } from '../shared/errors.ts';
import { formatUnits, mulDiv, parseUnits, type Rounding } from '../shared/money.ts';
import { assertValidTradingSession, SPOT_METALS_SESSION, type TradingSession } from './trading-session.ts';

export type InstrumentSpec = {
  readonly symbol: string;
  readonly description: string;
  /** ISO 4217 code of the currency prices, notional and P&L are counted in. */
  readonly quoteCurrency: string;
  /** Decimal places of the quote currency's minor unit (USD 2: cents). */
  readonly quoteCurrencyScale: number;
  /** Decimal places of one price unit: XAUUSD 2 => one price unit is 0.01 USD/oz. */
  readonly priceScale: number;
  /** Units of the underlying in one lot (XAUUSD: 100 oz). */
  readonly contractSize: bigint;
  /** Decimal places of one quantity step, in lots: 2 => one step is 0.01 lot. */
  readonly qtyScale: number;
  /** Smallest and largest order, in quantity steps. */
  readonly minOrderQty: bigint;
  readonly maxOrderQty: bigint;
  /** Widest acceptable bid/ask spread, in price units. */
  readonly maxSpread: bigint;
  /** A tick whose mid moves more than this (basis points) from the recent mid is a spike. */
  readonly spikeBoundBps: number;
  /** How far ahead of its receipt a tick's timestamp may be (clock skew between source and desk). */
  readonly maxFutureSkewMs: number;
  /** How far behind the source's last accepted tick a timestamp may fall before it is out of order. */
  readonly maxBackwardsMs: number;
  readonly tradingSession: TradingSession;
};

/** Spot gold: 100 oz lots, 0.01 USD price unit, 0.01 lot step, orders from 0.01 to 50 lots. */
export const XAUUSD_SPEC: InstrumentSpec = {
  symbol: 'XAUUSD',
  description: 'Spot gold against US dollar',
  quoteCurrency: 'USD',
  quoteCurrencyScale: 2,
  priceScale: 2,
  contractSize: 100n,
  qtyScale: 2,
  minOrderQty: 1n,
  maxOrderQty: 5_000n,
  maxSpread: 100n, // 1.00 USD: several times a normal spread, still far from a broken quote
  spikeBoundBps: 50, // about 12 USD at 2,400: more than any single honest tick-to-tick jump
  maxFutureSkewMs: 2_000,
  maxBackwardsMs: 1_000,
  tradingSession: SPOT_METALS_SESSION,
};

/** Spot silver: 5,000 oz lots, 0.001 USD price unit, 0.01 lot step. */
export const XAGUSD_SPEC: InstrumentSpec = {
  symbol: 'XAGUSD',
  description: 'Spot silver against US dollar',
  quoteCurrency: 'USD',
  quoteCurrencyScale: 2,
  priceScale: 3,
  contractSize: 5_000n,
  qtyScale: 2,
  minOrderQty: 1n,
  maxOrderQty: 5_000n,
  maxSpread: 100n, // 0.100 USD
  spikeBoundBps: 100, // silver moves about twice as fast as gold
  maxFutureSkewMs: 2_000,
  maxBackwardsMs: 1_000,
  tradingSession: SPOT_METALS_SESSION,
};

export const DEFAULT_INSTRUMENTS: readonly InstrumentSpec[] = [XAUUSD_SPEC, XAGUSD_SPEC];

/** Stable codes of invalid specs (ValidationError). */
export const INSTRUMENT_VALIDATION_CODES = [
  'INSTRUMENT.SPEC_MALFORMED',
  'INSTRUMENT.SYMBOL_INVALID',
  'INSTRUMENT.DESCRIPTION_INVALID',
  'INSTRUMENT.CURRENCY_INVALID',
  'INSTRUMENT.SCALE_INVALID',
  'INSTRUMENT.CONTRACT_SIZE_INVALID',
  'INSTRUMENT.ORDER_QTY_INVALID',
  'INSTRUMENT.MAX_SPREAD_INVALID',
  'INSTRUMENT.SPIKE_BOUND_INVALID',
  'INSTRUMENT.TIME_TOLERANCE_INVALID',
  'INSTRUMENT.SESSION_INVALID',
  'INSTRUMENT.UNKNOWN_FIELD',
] as const;
export type InstrumentValidationCode = (typeof INSTRUMENT_VALIDATION_CODES)[number];

// No dash: stream ids (`ticks-XAUUSD-20261122`) stay splittable.
export const INSTRUMENT_SYMBOL = /^[A-Z][A-Z0-9._]{1,19}$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_SCALE = 12;
const MAX_BPS = 10_000;
const MAX_TOLERANCE_MS = 86_400_000;

// Details stay JSON-safe: bigints and numbers as text, anything else only by its type.
const describe = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : typeof value;

function invalid(code: InstrumentValidationCode, field: string, message: string, value?: unknown): never {
  throw new ValidationError(code, message, value === undefined ? { field } : { field, value: describe(value) });
}

const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const isPositiveBigint = (value: unknown): value is bigint => typeof value === 'bigint' && value > 0n;

function checkNames(spec: InstrumentSpec): void {
  if (typeof spec.symbol !== 'string' || !INSTRUMENT_SYMBOL.test(spec.symbol)) {
    invalid('INSTRUMENT.SYMBOL_INVALID', 'symbol', 'symbol must be 2-20 capitals, digits, dots or underscores', spec.symbol);
  }
  const { description } = spec;
  if (typeof description !== 'string' || description.trim() === '' || description.length > 200) {
    invalid('INSTRUMENT.DESCRIPTION_INVALID', 'description', 'description must be 1-200 characters');
  }
  if (typeof spec.quoteCurrency !== 'string' || !CURRENCY.test(spec.quoteCurrency)) {
    invalid('INSTRUMENT.CURRENCY_INVALID', 'quoteCurrency', 'quoteCurrency must be a three-letter ISO 4217 code', spec.quoteCurrency);
  }
}

function checkUnits(spec: InstrumentSpec): void {
  for (const field of ['quoteCurrencyScale', 'priceScale', 'qtyScale'] as const) {
    if (!isIntegerIn(spec[field], 0, MAX_SCALE)) {
      invalid('INSTRUMENT.SCALE_INVALID', field, `${field} must be an integer from 0 to ${MAX_SCALE}`, spec[field]);
    }
  }
  if (!isPositiveBigint(spec.contractSize)) {
    invalid('INSTRUMENT.CONTRACT_SIZE_INVALID', 'contractSize', 'contractSize must be a positive integer (bigint)', spec.contractSize);
  }
}

function checkLimits(spec: InstrumentSpec): void {
  if (!isPositiveBigint(spec.minOrderQty)) {
    invalid('INSTRUMENT.ORDER_QTY_INVALID', 'minOrderQty', 'minOrderQty must be a positive number of steps (bigint)', spec.minOrderQty);
  }
  if (!isPositiveBigint(spec.maxOrderQty) || spec.maxOrderQty < spec.minOrderQty) {
    invalid('INSTRUMENT.ORDER_QTY_INVALID', 'maxOrderQty', 'maxOrderQty must be a bigint no smaller than minOrderQty', spec.maxOrderQty);
  }
  if (!isPositiveBigint(spec.maxSpread)) {
    invalid('INSTRUMENT.MAX_SPREAD_INVALID', 'maxSpread', 'maxSpread must be a positive number of price units (bigint)', spec.maxSpread);
  }
  if (!isIntegerIn(spec.spikeBoundBps, 1, MAX_BPS)) {
    invalid('INSTRUMENT.SPIKE_BOUND_INVALID', 'spikeBoundBps', `spikeBoundBps must be an integer from 1 to ${MAX_BPS}`, spec.spikeBoundBps);
  }
  for (const field of ['maxFutureSkewMs', 'maxBackwardsMs'] as const) {
    if (!isIntegerIn(spec[field], 0, MAX_TOLERANCE_MS)) {
      invalid('INSTRUMENT.TIME_TOLERANCE_INVALID', field, `${field} must be whole milliseconds from 0 to one day`, spec[field]);
    }
  }
}

/** Returns the spec unchanged when it is valid; otherwise throws a ValidationError with an INSTRUMENT.* code. */
export function assertValidInstrumentSpec(spec: InstrumentSpec): InstrumentSpec {
  if (typeof spec !== 'object' || spec === null) invalid('INSTRUMENT.SPEC_MALFORMED', 'spec', 'instrument spec must be an object');
  checkNames(spec);
  checkUnits(spec);
  checkLimits(spec);
  assertValidTradingSession(spec.tradingSession);
  return spec;
}

/** Decimal text ("2345.67") to price units; more decimals than the price grid is NUMBER.TOO_PRECISE. */
export const priceFromText = (spec: InstrumentSpec, text: string): bigint => parseUnits(text, spec.priceScale);
export const priceToText = (spec: InstrumentSpec, priceUnits: bigint): string => formatUnits(priceUnits, spec.priceScale);

/** Lots as decimal text ("0.25") to quantity steps; a quantity off the step grid is NUMBER.TOO_PRECISE. */
export const lotsToSteps = (spec: InstrumentSpec, lots: string): bigint => parseUnits(lots, spec.qtyScale);
export const stepsToLots = (spec: InstrumentSpec, steps: bigint): string => formatUnits(steps, spec.qtyScale);

export const cashFromText = (spec: InstrumentSpec, text: string): bigint => parseUnits(text, spec.quoteCurrencyScale);
export const cashToText = (spec: InstrumentSpec, minorUnits: bigint): string => formatUnits(minorUnits, spec.quoteCurrencyScale);

/**
 * Value in minor units of the quote currency of `qtySteps` at `priceUnits`:
 *   price * 10^-priceScale * steps * 10^-qtyScale * contractSize * 10^quoteCurrencyScale.
 * One division, last, so nothing is lost before it. The result is exact whenever contractSize *
 * 10^quoteCurrencyScale is a multiple of 10^(priceScale + qtyScale) (XAUUSD and XAGUSD: always);
 * otherwise it rounds with `rounding`, half to even by default so sums of many notionals do not drift.
 * Signed inputs give a signed result, so a price difference times a quantity is a P&L.
 */
export function notionalMinor(priceUnits: bigint, qtySteps: bigint, spec: InstrumentSpec, rounding: Rounding = 'half_even'): bigint {
  const toMinor = spec.contractSize * 10n ** BigInt(spec.quoteCurrencyScale);
  const fromGrid = 10n ** BigInt(spec.priceScale + spec.qtyScale);
  return mulDiv(priceUnits * qtySteps, toMinor, fromGrid, rounding);
}
