// The range each risk limit may be set to, inclusive, in the integer unit the domain holds it in. The
// decider refuses anything outside it and the command API's schema derives its bounds from it, so what
// the API takes is what the desk takes. A bound here is a statement about which settings can be meant,
// not a default: README.md ("Risk limits") lists the same table for the desk.
import type { RiskLimits } from '../risk/index.ts';

/**
 * minor_units: the account currency's minor unit (USD cents); qty_steps: the desk instrument's quantity
 * step (0.01 lot); bps: basis points; count: a plain number of orders or submissions; ms: milliseconds;
 * hour_utc: an hour of the UTC day.
 */
export type RiskLimitUnit = 'minor_units' | 'qty_steps' | 'bps' | 'count' | 'ms' | 'hour_utc';

/** Bounds carry the limit's own representation: bigint limits have bigint bounds, number limits number ones. */
export interface RiskLimitBound<Value extends bigint | number> {
  readonly unit: RiskLimitUnit;
  readonly min: Value;
  readonly max: Value;
}

export type RiskLimitName = keyof RiskLimits;
export type RiskLimitBounds = { readonly [Name in RiskLimitName]: RiskLimitBound<RiskLimits[Name]> };

const ONE_DAY_MS = 86_400_000;
/** One trillion in the account currency: beyond any account of this desk, so only a typo reaches it. */
const MONEY_CEILING = 100_000_000_000_000n;

/**
 * In the order the decider reports invalid fields. A zero where one is allowed stops the activity it
 * limits (no new orders, no position, only orders at the mid) and is a setting a risk officer can mean;
 * a zero daily loss, drawdown, quote age or window would halt or deny at once and cannot be.
 */
export const RISK_LIMIT_BOUNDS: RiskLimitBounds = {
  maxOrderNotional: { unit: 'minor_units', min: 0n, max: MONEY_CEILING },
  maxPositionQty: { unit: 'qty_steps', min: 0n, max: 100_000_000n }, // 1,000,000 lots
  maxOpenOrders: { unit: 'count', min: 0, max: 1_000_000 },
  // Beyond 100% a sell limit or stop could sit at or below zero.
  priceCollarBps: { unit: 'bps', min: 0n, max: 10_000n },
  maxQuoteAgeMs: { unit: 'ms', min: 1, max: ONE_DAY_MS },
  maxSubmitsPerWindow: { unit: 'count', min: 0, max: 1_000_000 },
  submitWindowMs: { unit: 'ms', min: 1, max: ONE_DAY_MS },
  maxDailyLoss: { unit: 'minor_units', min: 1n, max: MONEY_CEILING },
  maxDrawdownBps: { unit: 'bps', min: 1n, max: 10_000n },
  dailyCutoffHourUtc: { unit: 'hour_utc', min: 0, max: 23 },
};

export const RISK_LIMIT_NAMES = Object.keys(RISK_LIMIT_BOUNDS) as readonly RiskLimitName[];

/** A limit of the wrong representation (a number where the domain counts in bigint) is out of bounds too. */
function withinBounds(value: unknown, bound: RiskLimitBound<bigint> | RiskLimitBound<number>): boolean {
  const { min, max } = bound;
  if (typeof min === 'bigint' && typeof max === 'bigint') return typeof value === 'bigint' && value >= min && value <= max;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** The names of the limits outside their bounds, in table order. */
export const limitsOutOfBounds = (limits: RiskLimits): RiskLimitName[] =>
  RISK_LIMIT_NAMES.filter((name) => !withinBounds(limits[name], RISK_LIMIT_BOUNDS[name]));

/** "1..10000 bps": the range as the error message states it, in the domain's units. */
export const boundText = (name: RiskLimitName): string => {
  const { unit, min, max } = RISK_LIMIT_BOUNDS[name];
  return `${String(min)}..${String(max)} ${unit}`;
};
