// The few instrument facts an order needs: its grid and how quantity × price becomes cash. The
// market-data module owns full instrument specs; the handler copies these fields out of one, so the
// trading domain does not depend on market data (an InstrumentSpec plus a qtyStep fits this shape).
import { ValidationError } from '../../shared/errors.ts';
import { mulDiv } from '../../shared/money.ts';

export interface InstrumentFacts {
  readonly symbol: string;
  /** Units of the underlying in one lot (XAUUSD: 100 oz). */
  readonly contractSize: bigint;
  /** Decimal places of one price unit: 2 => one price unit is 0.01 of the quote currency per underlying unit. */
  readonly priceScale: number;
  /** Decimal places of one quantity unit, in lots: 2 => one quantity unit is 0.01 lot. */
  readonly qtyScale: number;
  /** Decimal places of the quote currency's minor unit, the unit cash and P&L are counted in (USD: 2). */
  readonly quoteCurrencyScale: number;
  /** Smallest and largest order, in quantity units. */
  readonly minOrderQty: bigint;
  readonly maxOrderQty: bigint;
  /** Orders must be a whole multiple of this many quantity units; 1 when absent. */
  readonly qtyStep?: bigint;
}

/** Spot gold as the desk trades it: 0.01 lot of 100 oz at 0.01 USD is exactly one cent. */
export const XAUUSD_FACTS: InstrumentFacts = {
  symbol: 'XAUUSD',
  contractSize: 100n,
  priceScale: 2,
  qtyScale: 2,
  quoteCurrencyScale: 2,
  minOrderQty: 1n,
  maxOrderQty: 5_000n,
  qtyStep: 1n,
};

export const qtyStepOf = (facts: InstrumentFacts): bigint => facts.qtyStep ?? 1n;

/** Copies only the facts out of a richer spec, so a recorded event carries nothing else. */
export function pickInstrumentFacts(facts: InstrumentFacts): Required<InstrumentFacts> {
  return {
    symbol: facts.symbol,
    contractSize: facts.contractSize,
    priceScale: facts.priceScale,
    qtyScale: facts.qtyScale,
    quoteCurrencyScale: facts.quoteCurrencyScale,
    minOrderQty: facts.minOrderQty,
    maxOrderQty: facts.maxOrderQty,
    qtyStep: qtyStepOf(facts),
  };
}

const isScale = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 18;

export function assertValidInstrumentFacts(facts: InstrumentFacts): void {
  const problems: string[] = [];
  if (typeof facts.symbol !== 'string' || facts.symbol.length === 0) problems.push('symbol');
  if (facts.contractSize <= 0n) problems.push('contractSize');
  if (!isScale(facts.priceScale)) problems.push('priceScale');
  if (!isScale(facts.qtyScale)) problems.push('qtyScale');
  if (!isScale(facts.quoteCurrencyScale)) problems.push('quoteCurrencyScale');
  if (facts.minOrderQty <= 0n || facts.maxOrderQty < facts.minOrderQty) problems.push('minOrderQty/maxOrderQty');
  if (qtyStepOf(facts) <= 0n) problems.push('qtyStep');
  if (problems.length > 0) throw new ValidationError('INSTRUMENT.FACTS_INVALID', `instrument facts invalid: ${problems.join(', ')}`, { fields: problems });
}

/**
 * Cash value in minor units of `qty` quantity units at `price` price units, rounded half-even once.
 * Every ledger amount that comes from a fill or a mark goes through here, so sums of these values are
 * the definition of cash flow and P&L identities hold exactly in integers.
 */
export function cashValue(qty: bigint, price: bigint, facts: InstrumentFacts): bigint {
  const multiplier = facts.contractSize * 10n ** BigInt(facts.quoteCurrencyScale);
  const divisor = 10n ** BigInt(facts.qtyScale + facts.priceScale);
  return mulDiv(qty * price, multiplier, divisor, 'half_even');
}
