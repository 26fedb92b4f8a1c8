// Net positions per instrument. A position keeps its cost basis (minor units actually paid for the
// open quantity, negative for a short) rather than a rounded average price, so the average open price
// is exact on demand and realized + unrealized P&L always equals the cash-flow definition in integers.
import { absBig, mulDiv, type Rounding } from '../../shared/money.ts';
import { cashValue, type InstrumentFacts, type OrderSide } from '../orders/index.ts';

export interface Position {
  readonly symbol: string;
  /** Signed quantity units: positive long, negative short. */
  readonly qty: bigint;
  /** Minor units paid to open the current quantity (received, so negative, for a short). */
  readonly costBasis: bigint;
  /** Realized P&L of this instrument since the account opened, before fees. */
  readonly realizedPnl: bigint;
}

export const flatPosition = (symbol: string): Position => ({ symbol, qty: 0n, costBasis: 0n, realizedPnl: 0n });

export interface FillBooking {
  /** Quantity of the fill that closed existing position, and quantity that opened new position. */
  readonly closedQty: bigint;
  readonly openedQty: bigint;
  /** Cash of the whole fill, minor units: positive received (sell), negative paid (buy). */
  readonly cashFlow: bigint;
  readonly realizedPnl: bigint;
  readonly position: Position;
}

/**
 * Books one fill. A fill against the position closes first; what is left over opens the other way (a
 * fill bigger than the position splits into a close and an open). The close releases the matching
 * share of the cost basis; the open's cash is the fill's cash minus the close's, so no unit is lost.
 */
export function bookFill(position: Position, side: OrderSide, qty: bigint, price: bigint, facts: InstrumentFacts): FillBooking {
  const flowSign = side === 'sell' ? 1n : -1n;
  const total = cashValue(qty, price, facts);
  const againstPosition = position.qty !== 0n && (position.qty > 0n) !== (side === 'buy');
  const closedQty = againstPosition ? (qty < absBig(position.qty) ? qty : absBig(position.qty)) : 0n;
  const closeCash = closedQty === qty ? total : cashValue(closedQty, price, facts);
  const released = closedQty === 0n ? 0n : mulDiv(position.costBasis, closedQty, absBig(position.qty), 'half_even');
  const realizedPnl = closedQty === 0n ? 0n : flowSign * closeCash - released;
  return {
    closedQty,
    openedQty: qty - closedQty,
    cashFlow: flowSign * total,
    realizedPnl,
    position: {
      symbol: position.symbol,
      qty: position.qty - flowSign * qty,
      costBasis: position.costBasis - released - flowSign * (total - closeCash),
      realizedPnl: position.realizedPnl + realizedPnl,
    },
  };
}

/** What the open quantity is worth at `mark`, signed like the position. */
export function markValue(position: Position, mark: bigint, facts: InstrumentFacts): bigint {
  const value = cashValue(absBig(position.qty), mark, facts);
  return position.qty < 0n ? -value : value;
}

export const unrealizedPnl = (position: Position, mark: bigint, facts: InstrumentFacts): bigint => markValue(position, mark, facts) - position.costBasis;

/** Average open price in price units, rounded only here, for display; null when flat. */
export function averageOpenPrice(position: Position, facts: InstrumentFacts, rounding: Rounding = 'half_even'): bigint | null {
  if (position.qty === 0n) return null;
  const perUnitScale = 10n ** BigInt(facts.qtyScale + facts.priceScale);
  const cashPerPriceQty = facts.contractSize * 10n ** BigInt(facts.quoteCurrencyScale);
  return mulDiv(absBig(position.costBasis), perUnitScale, absBig(position.qty) * cashPerPriceQty, rounding);
}
