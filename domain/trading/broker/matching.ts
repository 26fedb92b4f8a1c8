// The paper broker's matching, as a pure function of one working order and one quote. Prices are integer
// price units, quantities integer quantity steps. The paper broker fills full size: an order either fills
// its whole remaining quantity on a quote or does not fill on it.
//
// - market: buy at ask + slippage, sell at bid - slippage (never below one price unit).
// - limit: buy when ask <= limit, at the ask (the better of limit and ask); sell when bid >= limit, at the bid.
// - stop: buy triggers when ask >= stop, sell when bid <= stop; a triggered stop fills like a market order.
// - IOC / FOK are judged on the quote they are matched against (the broker matches them on the quote
//   current when it routes them): what cannot fill then is canceled. With full-size fills both fill
//   completely or cancel.
// - DAY orders expire at their session end (data on the order); a quote at or after it expires them
//   before any fill is considered.
import { assertNever } from '../../shared/decider.ts';
import { ValidationError } from '../../shared/errors.ts';
import { maxBig, minBig } from '../../shared/money.ts';

export type OrderSide = 'buy' | 'sell';
export type OrderKind = 'market' | 'limit' | 'stop';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';

/** The part of an accepted order the broker needs; the account aggregate owns the full order. */
export type WorkingOrder = {
  readonly orderId: string;
  readonly side: OrderSide;
  readonly kind: OrderKind;
  readonly timeInForce: TimeInForce;
  readonly limitPrice?: bigint;
  readonly stopPrice?: bigint;
  readonly remainingQty: bigint;
  /** Fills already reported for this order; the next fill's sequence number is this plus one. */
  readonly fillCount: number;
  /** The end of the trading day a DAY order was placed in; required for DAY orders. */
  readonly sessionEndsAt?: Date;
};

/** Top of book: best bid and ask in price units, and the time the quote was taken. */
export type QuoteTop = { readonly bid: bigint; readonly ask: bigint; readonly at: Date };

export type MatchingConfig = { readonly slippagePriceUnits: bigint };

export type CancelReason = 'IOC_NOT_FILLED' | 'FOK_NOT_FILLED';

export type MatchResult =
  | { readonly kind: 'fill'; readonly fillId: string; readonly price: bigint; readonly qty: bigint }
  | { readonly kind: 'none' }
  | { readonly kind: 'cancel'; readonly reason: CancelReason }
  | { readonly kind: 'expire' };

const NONE: MatchResult = { kind: 'none' };
const MIN_PRICE = 1n;

/**
 * The fill id of an order's n-th fill (1-based). Deterministic, so a broker replaying the same quotes
 * reports the same fill ids and RecordFill stays idempotent.
 */
export const fillIdFor = (orderId: string, sequence: number): string => `${orderId}/fill/${sequence}`;

/** Decides what one quote does to one working order. Throws ValidationError on a malformed order or quote. */
export function matchOrder(order: WorkingOrder, quote: QuoteTop, config: MatchingConfig): MatchResult {
  assertMatchable(order, quote, config);
  if (isExpired(order, quote.at)) return { kind: 'expire' };
  const price = executionPrice(order, quote, config.slippagePriceUnits);
  if (price !== undefined) {
    return { kind: 'fill', fillId: fillIdFor(order.orderId, order.fillCount + 1), price, qty: order.remainingQty };
  }
  if (order.timeInForce === 'IOC') return { kind: 'cancel', reason: 'IOC_NOT_FILLED' };
  if (order.timeInForce === 'FOK') return { kind: 'cancel', reason: 'FOK_NOT_FILLED' };
  return NONE;
}

/** True for a DAY order at or after its session end; other orders never expire by time. */
export function isExpired(order: WorkingOrder, at: Date): boolean {
  return order.timeInForce === 'DAY' && order.sessionEndsAt !== undefined && at.getTime() >= order.sessionEndsAt.getTime();
}

/** The price this quote fills the order at, or undefined when it does not cross. */
function executionPrice(order: WorkingOrder, quote: QuoteTop, slippage: bigint): bigint | undefined {
  const marketPrice = order.side === 'buy' ? quote.ask + slippage : maxBig(quote.bid - slippage, MIN_PRICE);
  switch (order.kind) {
    case 'market':
      return marketPrice;
    case 'limit':
      return limitPrice(order.side, requiredPrice(order, 'limitPrice'), quote);
    case 'stop':
      return stopTriggered(order.side, requiredPrice(order, 'stopPrice'), quote) ? marketPrice : undefined;
    default:
      return assertNever(order.kind, 'order kind');
  }
}

function limitPrice(side: OrderSide, limit: bigint, quote: QuoteTop): bigint | undefined {
  if (side === 'buy') return quote.ask <= limit ? minBig(limit, quote.ask) : undefined;
  return quote.bid >= limit ? maxBig(limit, quote.bid) : undefined;
}

const stopTriggered = (side: OrderSide, stop: bigint, quote: QuoteTop): boolean => (side === 'buy' ? quote.ask >= stop : quote.bid <= stop);

function requiredPrice(order: WorkingOrder, field: 'limitPrice' | 'stopPrice'): bigint {
  const price = order[field];
  if (price === undefined || price < MIN_PRICE) invalid('BROKER.ORDER_INVALID', `a ${order.kind} order needs a positive ${field}`, { orderId: order.orderId, field });
  return price;
}

const SIDES: readonly string[] = ['buy', 'sell'];
const KINDS: readonly string[] = ['market', 'limit', 'stop'];
const TIMES_IN_FORCE: readonly string[] = ['GTC', 'IOC', 'FOK', 'DAY'];

function assertMatchable(order: WorkingOrder, quote: QuoteTop, config: MatchingConfig): void {
  if (!SIDES.includes(order.side) || !KINDS.includes(order.kind) || !TIMES_IN_FORCE.includes(order.timeInForce)) {
    invalid('BROKER.ORDER_INVALID', 'unknown side, order kind or time in force', { orderId: order.orderId });
  }
  if (order.remainingQty <= 0n) invalid('BROKER.ORDER_INVALID', 'nothing left to fill', { orderId: order.orderId, field: 'remainingQty' });
  if (!Number.isSafeInteger(order.fillCount) || order.fillCount < 0) invalid('BROKER.ORDER_INVALID', 'fillCount must be a count', { orderId: order.orderId, field: 'fillCount' });
  if (order.timeInForce === 'DAY' && order.sessionEndsAt === undefined) {
    invalid('BROKER.ORDER_INVALID', 'a DAY order needs the session end it expires at', { orderId: order.orderId, field: 'sessionEndsAt' });
  }
  if (quote.bid < MIN_PRICE || quote.ask < quote.bid || Number.isNaN(quote.at.getTime())) {
    invalid('BROKER.QUOTE_INVALID', 'a quote needs a positive bid, an ask not below it and a valid time', { bid: String(quote.bid), ask: String(quote.ask) });
  }
  if (config.slippagePriceUnits < 0n) invalid('BROKER.CONFIG_INVALID', 'slippage cannot be negative', { field: 'slippagePriceUnits' });
}

function invalid(code: string, message: string, details: Record<string, unknown>): never {
  throw new ValidationError(code, message, details);
}
