// Post-trade control: what a broker reports is checked against the order and the market before it is
// booked. A fill is refused when it names another symbol or side than the order, when its price is worse
// than the order's limit (a buy above, a sell below), or when it lies outside a band around the latest
// market quote known when the fill is recorded (no quote at all refuses too: nothing to check against).
// A refused fill changes no figure; it is recorded as FillRefused for compliance and the desk to reconcile.
import type { Order, OrderSide } from '../orders/index.ts';
import { distanceFromMid, usableQuote, type Quote } from '../risk/index.ts';

/**
 * The band a fill may lie in around the quote's mid, in basis points, when the desk sets none for an
 * instrument: 1 %, about 24 USD on gold at 2,400, a few times the widest honest slippage of a market
 * order in a fast market, and far inside any fat-finger price (a misplaced digit is 900 % away).
 */
export const DEFAULT_FILL_BAND_BPS = 100n;
export const MAX_FILL_BAND_BPS = 10_000n;

export const FILL_REFUSAL_CODES = [
  'FILL.SYMBOL_MISMATCH',
  'FILL.SIDE_MISMATCH',
  'FILL.WORSE_THAN_LIMIT',
  'FILL.OUTSIDE_MARKET_BAND',
  'FILL.NO_MARKET_QUOTE',
] as const;
export type FillRefusalCode = (typeof FILL_REFUSAL_CODES)[number];

/** The market a fill is checked against: the latest quote of the order's instrument and its band. */
export interface FillMarket {
  readonly lastQuote?: Quote;
  readonly bandBps: bigint;
}

export interface ReportedFill {
  readonly price: bigint;
  /** What the broker said the fill was for; checked against the order when given. */
  readonly symbol?: string;
  readonly side?: OrderSide;
}

export interface FillRefusal {
  readonly code: FillRefusalCode;
  readonly message: string;
}

/** Why a fill may not be booked on `order`, or undefined when it may. */
export function fillRefusal(order: Order, fill: ReportedFill, market: FillMarket): FillRefusal | undefined {
  if (fill.symbol !== undefined && fill.symbol !== order.symbol) {
    return { code: 'FILL.SYMBOL_MISMATCH', message: `the fill is for ${fill.symbol}; order ${order.orderId} is for ${order.symbol}` };
  }
  if (fill.side !== undefined && fill.side !== order.side) {
    return { code: 'FILL.SIDE_MISMATCH', message: `the fill is a ${fill.side}; order ${order.orderId} is a ${order.side}` };
  }
  const limit = order.limitPrice;
  if (limit !== null && (order.side === 'buy' ? fill.price > limit : fill.price < limit)) {
    return { code: 'FILL.WORSE_THAN_LIMIT', message: `a ${order.side} limited at ${limit} cannot fill at ${fill.price} (price units)` };
  }
  const quote = usableQuote(market.lastQuote);
  if (quote === undefined) return { code: 'FILL.NO_MARKET_QUOTE', message: `no usable ${order.symbol} quote to check the fill price against` };
  // measured as the order's price collar is
  const distance = distanceFromMid(fill.price, quote, market.bandBps);
  if (!distance.within) {
    return { code: 'FILL.OUTSIDE_MARKET_BAND', message: `${fill.price} is ${distance.bps} bps from the ${order.symbol} mid; the band is ${market.bandBps} bps` };
  }
  return undefined;
}
