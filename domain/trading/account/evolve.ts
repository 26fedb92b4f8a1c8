// Folds account events into state. Events are facts: evolve applies what they say (including the
// position bookkeeping a fill recorded) and never re-decides anything.
import { assertNever } from '../../shared/decider.ts';
import { isFinal, newOrder, transition, type Order, type OrderTransition } from '../orders/index.ts';
import type { AccountEvent, OrderFilled, OrderPlaced } from './events.ts';
import { including } from './grow-only-index.ts';
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
      return moveOrder(state, event.data.orderId, { type: 'accept' });
    case 'OrderDenied':
      return moveOrder(state, event.data.orderId, { type: 'deny' });
    case 'OrderCancelRequested':
      return moveOrder(state, event.data.orderId, { type: 'request_cancel' });
    case 'OrderCanceled':
      return moveOrder(state, event.data.orderId, { type: 'confirm_cancel' });
    case 'OrderRejected':
      return moveOrder(state, event.data.orderId, { type: 'reject' });
    case 'OrderExpired':
      return moveOrder(state, event.data.orderId, { type: 'expire' });
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

function placeOrder(state: AccountState, event: OrderPlaced): AccountState {
  const { instrument, quote, at, ...fields } = event.data;
  const order = newOrder({ ...fields, placedAt: at });
  const placedMs = Date.parse(at);
  const windowStart = placedMs - (state.limits?.submitWindowMs ?? 0);
  const mark = quote !== null && quote.bid > 0n && quote.ask >= quote.bid ? midPrice(quote.bid, quote.ask) : undefined;
  return {
    ...state,
    workingOrders: state.workingOrders.with(order),
    clientOrderIds: including(state.clientOrderIds, order.clientOrderId, order.orderId),
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

/** Finished orders leave the working set, so it stays as small as the open-order limit. */
function withOrder(state: AccountState, order: Order): AccountState {
  if (!isFinal(order.status)) return { ...state, workingOrders: state.workingOrders.with(order) };
  return { ...state, workingOrders: state.workingOrders.without(order.orderId), finishedOrders: including(state.finishedOrders, order.orderId, order) };
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
    fillIds: including(booked.fillIds, fillId, orderId),
  };
}
