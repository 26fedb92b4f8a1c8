// What happens to an order after the decision: cancels, broker rejections, expiries and fills. Brokers
// deliver at least once, so a repeated fill id, a repeated rejection or expiry is a no-op, not an error.
import { NotFoundError, ValidationError } from '../../shared/errors.ts';
import { transition, type Order, type OrderStatus } from '../orders/index.ts';
import type { CancelOrder, ConfirmCancel, ExpireOrder, RecordFill, RejectOrder } from './commands.ts';
import { usableQuote } from '../risk/index.ts';
import type { AccountEvent, FillRefused, OrderCancelRequested, OrderCanceled, OrderExpired, OrderFilled, OrderRejected } from './events.ts';
import { fillRefusal, MAX_FILL_BAND_BPS, type FillRefusal } from './fill-checks.ts';
import { haltOnLossLimits, type LossFigures } from './loss-halt.ts';
import { bookFill, flatPosition } from './positions.ts';
import { findOrder, type AccountState } from './state.ts';
import { dailyPnlAt, equityOf, midPrice } from './valuation.ts';

/** The working order of this id, or the finished one the handler read from the stream (recordedOrder). */
function knownOrder(state: AccountState, orderId: string, recorded: Order | undefined): Order {
  const order = findOrder(state, orderId, recorded);
  if (order === undefined) throw new NotFoundError('ORDER.UNKNOWN', `no order ${orderId} on account ${state.accountId}`, { orderId });
  return order;
}

/** The order is already where the command would take it: nothing to record. */
const alreadyAt = (order: Order, status: OrderStatus): boolean => order.status === status;

export function cancelOrder(command: CancelOrder, state: AccountState): OrderCancelRequested[] {
  const order = knownOrder(state, command.data.orderId, command.data.recordedOrder);
  if (alreadyAt(order, 'pending_cancel')) return [];
  transition(order, { type: 'request_cancel' });
  return [{ type: 'OrderCancelRequested', data: { orderId: order.orderId, reason: command.data.reason ?? null, at: command.metadata.now.toISOString() } }];
}

export function confirmCancel(command: ConfirmCancel, state: AccountState): OrderCanceled[] {
  const order = knownOrder(state, command.data.orderId, command.data.recordedOrder);
  if (alreadyAt(order, 'canceled')) return [];
  transition(order, { type: 'confirm_cancel' });
  return [{ type: 'OrderCanceled', data: { orderId: order.orderId, at: command.metadata.now.toISOString() } }];
}

export function rejectOrder(command: RejectOrder, state: AccountState): OrderRejected[] {
  const order = knownOrder(state, command.data.orderId, command.data.recordedOrder);
  if (alreadyAt(order, 'rejected')) return [];
  if (typeof command.data.reason !== 'string' || command.data.reason.length === 0) throw new ValidationError('ORDER.REJECT_REASON_REQUIRED', 'a rejection needs a reason');
  transition(order, { type: 'reject' });
  return [{ type: 'OrderRejected', data: { orderId: order.orderId, reason: command.data.reason, at: command.metadata.now.toISOString() } }];
}

export function expireOrder(command: ExpireOrder, state: AccountState): OrderExpired[] {
  const order = knownOrder(state, command.data.orderId, command.data.recordedOrder);
  if (alreadyAt(order, 'expired')) return [];
  transition(order, { type: 'expire' });
  return [{ type: 'OrderExpired', data: { orderId: order.orderId, reason: command.data.reason ?? null, at: command.metadata.now.toISOString() } }];
}

/**
 * Books a fill, including one racing a cancel, once the post-trade checks pass (fill-checks.ts): a fill
 * they refuse is recorded as FillRefused and books nothing. The position bookkeeping is computed here and
 * recorded in the event; the position is marked at the market quote's mid, and if the fill leaves the
 * account past its daily loss or drawdown limit, it halts.
 */
export function recordFill(command: RecordFill, state: AccountState): AccountEvent[] {
  const { fillId, orderId, qty, price, market } = command.data;
  const fee = command.data.fee ?? 0n;
  if (typeof fillId !== 'string' || fillId.length === 0) throw new ValidationError('FILL.ID_INVALID', 'fillId must be a non-empty string');
  if (typeof fee !== 'bigint' || fee < 0n) throw new ValidationError('FILL.FEE_INVALID', 'fee must be a non-negative integer of minor units', { fillId });
  if (typeof price !== 'bigint' || price <= 0n) throw new ValidationError('FILL.PRICE_INVALID', 'price must be a positive integer of price units', { fillId });
  if (typeof market?.bandBps !== 'bigint' || market.bandBps < 1n || market.bandBps > MAX_FILL_BAND_BPS) {
    throw new ValidationError('FILL.MARKET_MISSING', `a fill is checked against the market: the band must be 1 to ${MAX_FILL_BAND_BPS} bps`, { fillId });
  }
  const order = knownOrder(state, orderId, command.data.recordedOrder);
  // A fill id its order has booked: the broker sent it again. (One booked on another order is refused by
  // the store: the OrderFilled event's id derives from the fill id, see commands/handling/event-ids.ts.)
  if (order.fillIds.includes(fillId)) return [];
  const after = transition(order, { type: 'fill', fillId, qty, price });
  const at = command.metadata.now.toISOString();
  const refusal = fillRefusal(order, command.data, market);
  if (refusal !== undefined) return [fillRefused(command, order, refusal, at)];
  const facts = state.instruments.get(order.symbol);
  if (facts === undefined) throw new Error(`order ${orderId} has no recorded instrument facts`);
  const booking = bookFill(state.positions.get(order.symbol) ?? flatPosition(order.symbol), order.side, qty, price, facts);
  const quote = usableQuote(market.lastQuote)!; // a fill without a usable quote was refused above
  const filled: OrderFilled = {
    type: 'OrderFilled',
    data: {
      fillId,
      orderId,
      symbol: order.symbol,
      side: order.side,
      qty,
      price,
      fee,
      cashFlow: booking.cashFlow,
      orderStatus: after.status,
      orderFilledQty: after.filledQty,
      closedQty: booking.closedQty,
      openedQty: booking.openedQty,
      realizedPnl: booking.realizedPnl,
      positionQty: booking.position.qty,
      positionCostBasis: booking.position.costBasis,
      markPrice: midPrice(quote.bid, quote.ask),
      at,
    },
  };
  return [filled, ...haltOnLossLimits(state, figuresAfterFill(state, filled.data, command.metadata.now), at)];
}

function fillRefused(command: RecordFill, order: Order, refusal: FillRefusal, at: string): FillRefused {
  const { fillId, qty, price, market } = command.data;
  const quote = market.lastQuote;
  return {
    type: 'FillRefused',
    data: {
      fillId,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      qty,
      price,
      reportedSymbol: command.data.symbol ?? null,
      reportedSide: command.data.side ?? null,
      limitPrice: order.limitPrice,
      quote: quote === undefined ? null : { bid: quote.bid, ask: quote.ask, timestamp: quote.timestamp.toISOString() },
      bandBps: market.bandBps,
      code: refusal.code,
      reason: refusal.message,
      reportedBy: command.metadata.actor,
      at,
    },
  };
}

/**
 * Equity, peak and daily P&L as the fill leaves them, worked out on a throwaway copy of the parts a fill
 * changes. (Evolving the whole state here would also grow the shared history indexes a second time.)
 */
function figuresAfterFill(state: AccountState, fill: OrderFilled['data'], now: Date): LossFigures {
  const before = state.positions.get(fill.symbol) ?? flatPosition(fill.symbol);
  const position = { ...before, qty: fill.positionQty, costBasis: fill.positionCostBasis, realizedPnl: before.realizedPnl + fill.realizedPnl };
  const after: AccountState = {
    ...state,
    balance: state.balance + fill.realizedPnl - fill.fee,
    positions: new Map(state.positions).set(fill.symbol, position),
    marks: new Map(state.marks).set(fill.symbol, fill.markPrice ?? fill.price),
  };
  const equity = equityOf(after);
  return { equity, peakEquity: equity > state.peakEquity ? equity : state.peakEquity, dailyPnl: dailyPnlAt(state, equity, now.getTime()) };
}
