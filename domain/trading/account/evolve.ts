// Folds account events into state. Events are facts: evolve applies what they say (including the
// position bookkeeping a fill recorded) and never re-decides anything.
import { assertNever } from '../../shared/decider.ts';
import { isFinal, newOrder, transition, type Order, type OrderTransition } from '../orders/index.ts';
import type { AccountEvent, OrderFilled, OrderPlaced } from './events.ts';
import { rememberClientOrderId } from './client-order-ids.ts';
import { flatPosition } from './positions.ts';
import type { AccountState } from './state.ts';
import { cutoffHourOf, equityOf, midPrice, tradingDayIndex } from './valuation.ts';

export function evolve(state: AccountState, event: AccountEvent): AccountState {
  const rolled = event.type === 'AccountOpened' ? state : rollTradingDay(state, Date.parse(event.data.at));
  const next = apply(rolled, event);
  const equity = equityOf(next);
  return equity > next.peakEquity ? { ...next, peakEquity: equity } : next;
}

/** The first event after the cut-off starts a new trading day at the equity the account had then. */
function rollTradingDay(state: AccountState, epochMs: number): AccountState {
  const index = tradingDayIndex(epochMs, cutoffHourOf(state));
  if (index === state.day.index) return state;
  return { ...state, day: { index, startEquity: equityOf(state), netFunding: 0n } };
}

function apply(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountOpened': {
      const { accountId, currency, startingBalance, at } = event.data;
      const day = { index: tradingDayIndex(Date.parse(at), cutoffHourOf(state)), startEquity: startingBalance, netFunding: 0n };
      return { ...state, status: 'open', accountId, currency, balance: startingBalance, peakEquity: startingBalance, day, trading: { ...state.trading, since: at } };
    }
    case 'FundsDeposited':
      return moveFunds(state, event.data.amount);
    case 'FundsWithdrawn':
      return moveFunds(state, -event.data.amount);
    case 'RiskLimitsSet':
      return { ...state, limits: event.data.limits, limitsVersion: event.data.version };
    case 'OrderPlaced':
      return placeOrder(state, event);
    case 'RiskDecisionRecorded':
      return state;
    case 'OrderAccepted':
    case 'OrderDenied':
    case 'OrderCancelRequested':
    case 'OrderCanceled':
    case 'OrderRejected':
    case 'OrderExpired':
      return moveOrder(state, event.data.orderId, orderMoveOf(event)!);
    case 'OrderFilled':
      return bookFilled(state, event);
    case 'FillRefused':
      return state;
    case 'TradingStateChanged': {
      const { to, reason, reasonCode, changedBy, at } = event.data;
      return { ...state, trading: { state: to, reason, reasonCode, changedBy, since: at } };
    }
    default:
      return assertNever(event, 'account event');
  }
}

/** Deposits and withdrawals move the peak with them: drawdown measures trading, not funding. */
function moveFunds(state: AccountState, amount: bigint): AccountState {
  return {
    ...state,
    balance: state.balance + amount,
    peakEquity: state.peakEquity + amount,
    day: { ...state.day, netFunding: state.day.netFunding + amount },
  };
}

/** The order as its OrderPlaced records it, before any move. */
export function placedOrder(event: OrderPlaced): Order {
  const { instrument: _instrument, quote: _quote, at, ...fields } = event.data;
  return newOrder({ ...fields, placedAt: at });
}

/** The move an event of an order's life makes it take; undefined for events that move no order. */
export function orderMoveOf(event: AccountEvent): OrderTransition | undefined {
  switch (event.type) {
    case 'OrderAccepted': return { type: 'accept' };
    case 'OrderDenied': return { type: 'deny' };
    case 'OrderCancelRequested': return { type: 'request_cancel' };
    case 'OrderCanceled': return { type: 'confirm_cancel' };
    case 'OrderRejected': return { type: 'reject' };
    case 'OrderExpired': return { type: 'expire' };
    case 'OrderFilled': return { type: 'fill', fillId: event.data.fillId, qty: event.data.qty, price: event.data.price };
    default: return undefined;
  }
}

/**
 * One order as its own events leave it (its OrderPlaced first, then its moves, oldest first): how a
 * finished order, no longer in the state, is read back from the stream. Undefined without its OrderPlaced.
 */
export function orderFromEvents(events: Iterable<AccountEvent>): Order | undefined {
  let order: Order | undefined;
  for (const event of events) {
    if (event.type === 'OrderPlaced') order ??= placedOrder(event);
    else if (order !== undefined && (event.data as { orderId?: string }).orderId === order.orderId) {
      const move = orderMoveOf(event);
      if (move !== undefined) order = transition(order, move);
    }
  }
  return order;
}

function placeOrder(state: AccountState, event: OrderPlaced): AccountState {
  const { instrument, quote, at } = event.data;
  const order = placedOrder(event);
  const placedMs = Date.parse(at);
  const windowStart = placedMs - (state.limits?.submitWindowMs ?? 0);
  const mark = quote !== null && quote.bid > 0n && quote.ask >= quote.bid ? midPrice(quote.bid, quote.ask) : undefined;
  return {
    ...state,
    workingOrders: state.workingOrders.with(order),
    clientOrderIds: rememberClientOrderId(state.clientOrderIds, order.clientOrderId, placedMs),
    recentSubmitTimes: state.recentSubmitTimes.record(placedMs, windowStart),
    // Most orders change neither: keep the maps then rather than copy them.
    instruments: sameFacts(state.instruments.get(order.symbol), instrument) ? state.instruments : new Map(state.instruments).set(order.symbol, instrument),
    marks: mark === undefined || state.marks.get(order.symbol) === mark ? state.marks : new Map(state.marks).set(order.symbol, mark),
  };
}

function sameFacts(known: Readonly<Record<string, unknown>> | undefined, facts: Readonly<Record<string, unknown>>): boolean {
  if (known === undefined) return false;
  const keys = Object.keys(facts);
  return keys.length === Object.keys(known).length && keys.every((key) => known[key] === facts[key]);
}

function workingOrder(state: AccountState, orderId: string): Order {
  const order = state.workingOrders.get(orderId);
  if (order === undefined) throw new Error(`account ${state.accountId}: event for order ${orderId}, which is not working`);
  return order;
}

/**
 * Finished orders leave the state altogether: the working set stays as small as the open-order limit,
 * and the account's history stays in its stream (commands that name a finished order bring it along).
 */
function withOrder(state: AccountState, order: Order): AccountState {
  if (!isFinal(order.status)) return { ...state, workingOrders: state.workingOrders.with(order) };
  return { ...state, workingOrders: state.workingOrders.without(order.orderId) };
}

const moveOrder = (state: AccountState, orderId: string, move: OrderTransition): AccountState =>
  withOrder(state, transition(workingOrder(state, orderId), move));

function bookFilled(state: AccountState, event: OrderFilled): AccountState {
  const { fillId, orderId, symbol, qty, price, fee, realizedPnl, positionQty, positionCostBasis, markPrice } = event.data;
  const booked = withOrder(state, transition(workingOrder(state, orderId), { type: 'fill', fillId, qty, price }));
  const before = state.positions.get(symbol) ?? flatPosition(symbol);
  const position = { symbol, qty: positionQty, costBasis: positionCostBasis, realizedPnl: before.realizedPnl + realizedPnl };
  return {
    ...booked,
    balance: booked.balance + realizedPnl - fee,
    feesPaid: booked.feesPaid + fee,
    positions: new Map(booked.positions).set(symbol, position),
    // Fills recorded before fills were checked against the market carry no mark: their price is the mark.
    marks: new Map(booked.marks).set(symbol, markPrice ?? price),
  };
}
