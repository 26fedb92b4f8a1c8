// PlaceOrder: every well-formed order is recorded with its risk decision, accepted or denied. A denial
// is a successful command; only a malformed order or a reused order id is refused outright.
import { DomainError, ValidationError } from '../../shared/errors.ts';
import { ORDER_KINDS, ORDER_SIDES, TIMES_IN_FORCE, assertValidInstrumentFacts, pickInstrumentFacts } from '../orders/index.ts';
import { evaluateOrderRisk, usableQuote, type AccountRiskView, type OrderRequest, type OrderRiskInput } from '../risk/index.ts';
import type { PlaceOrder, PlaceOrderData } from './commands.ts';
import type { AccountEvent, OrderPlaced } from './events.ts';
import { clientOrderIdTaken } from './client-order-ids.ts';
import { haltOnLossLimits } from './loss-halt.ts';
import { findOrder, openQtyBySide, type AccountState } from './state.ts';
import { cutoffHourOf, dailyPnlAt, equityOf, midPrice, tradingDayEnd } from './valuation.ts';

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
const positive = (value: unknown): value is bigint => typeof value === 'bigint' && value > 0n;

function invalid(code: string, message: string): never {
  throw new ValidationError(code, message);
}

export function validatePlaceOrder(data: PlaceOrderData): OrderRequest {
  const { clientOrderId, symbol, side, kind, timeInForce, qty, limitPrice, stopPrice } = data;
  if (!nonEmpty(clientOrderId)) invalid('ORDER.CLIENT_ORDER_ID_INVALID', 'clientOrderId must be a non-empty string');
  if (!nonEmpty(symbol)) invalid('ORDER.SYMBOL_INVALID', 'symbol must be a non-empty string');
  if (!ORDER_SIDES.includes(side)) invalid('ORDER.SIDE_INVALID', `side must be one of ${ORDER_SIDES.join(', ')}`);
  if (!ORDER_KINDS.includes(kind)) invalid('ORDER.KIND_INVALID', `kind must be one of ${ORDER_KINDS.join(', ')}`);
  if (!TIMES_IN_FORCE.includes(timeInForce)) invalid('ORDER.TIME_IN_FORCE_INVALID', `timeInForce must be one of ${TIMES_IN_FORCE.join(', ')}`);
  if (!positive(qty)) invalid('ORDER.QTY_INVALID', 'qty must be a positive integer of quantity units');
  if ((kind === 'limit') !== (limitPrice !== undefined)) invalid('ORDER.LIMIT_PRICE', 'a limit price is required for, and only for, limit orders');
  if ((kind === 'stop') !== (stopPrice !== undefined)) invalid('ORDER.STOP_PRICE', 'a stop price is required for, and only for, stop orders');
  if (limitPrice !== undefined && !positive(limitPrice)) invalid('ORDER.PRICE_INVALID', 'limitPrice must be a positive integer of price units');
  if (stopPrice !== undefined && !positive(stopPrice)) invalid('ORDER.PRICE_INVALID', 'stopPrice must be a positive integer of price units');
  assertValidInstrumentFacts(data.market.instrument);
  if (data.market.instrument.symbol !== symbol) invalid('ORDER.SYMBOL_MISMATCH', `instrument facts are for ${data.market.instrument.symbol}, not ${symbol}`);
  if (typeof data.controls?.stopped !== 'boolean') invalid('ORDER.CONTROLS_MISSING', 'the emergency-stop state must be supplied with every order');
  const quote = data.market.lastQuote;
  if (quote !== undefined && !(quote.timestamp instanceof Date && !Number.isNaN(quote.timestamp.getTime()))) {
    invalid('MARKET.QUOTE_INVALID', 'lastQuote.timestamp must be a valid date');
  }
  return { clientOrderId, symbol, side, kind, qty, limitPrice: limitPrice ?? null, stopPrice: stopPrice ?? null, reduceOnly: data.reduceOnly === true };
}

/** The account at the moment of the decision, marked at the order's quote when it has a usable one. */
export function accountRiskView(state: AccountState, order: OrderRequest, data: PlaceOrderData, now: Date): AccountRiskView {
  const quote = usableQuote(data.market.lastQuote);
  const marks = quote === undefined ? state.marks : new Map(state.marks).set(order.symbol, midPrice(quote.bid, quote.ask));
  const equity = equityOf(state, marks);
  const open = openQtyBySide(state, order.symbol);
  return {
    tradingState: state.trading.state,
    positionQty: state.positions.get(order.symbol)?.qty ?? 0n,
    openBuyQty: open.buy,
    openSellQty: open.sell,
    openOrderCount: state.workingOrders.size,
    recentSubmitTimes: state.recentSubmitTimes,
    clientOrderIdUsed: clientOrderIdTaken(state.clientOrderIds, order.clientOrderId, now.getTime()) || state.workingOrders.holdsClientOrderId(order.clientOrderId),
    dailyPnl: dailyPnlAt(state, equity, now.getTime()),
    equity,
    peakEquity: equity > state.peakEquity ? equity : state.peakEquity,
  };
}

function orderPlaced(orderId: string, order: OrderRequest, data: PlaceOrderData, now: Date, cutoffHourUtc: number): OrderPlaced {
  const quote = data.market.lastQuote;
  return {
    type: 'OrderPlaced',
    data: {
      orderId,
      ...order,
      timeInForce: data.timeInForce,
      instrument: pickInstrumentFacts(data.market.instrument),
      quote: quote === undefined ? null : { bid: quote.bid, ask: quote.ask, timestamp: quote.timestamp.toISOString() },
      ...(data.timeInForce === 'DAY' ? { expiresAt: new Date(tradingDayEnd(now.getTime(), cutoffHourUtc)).toISOString() } : {}),
      at: now.toISOString(),
    },
  };
}

export function placeOrder(command: PlaceOrder, state: AccountState): AccountEvent[] {
  const { data, metadata } = command;
  const order = validatePlaceOrder(data);
  const orderId = data.orderId ?? metadata.commandId;
  if (!nonEmpty(orderId)) invalid('ORDER.ID_INVALID', 'orderId must be a non-empty string');
  if (findOrder(state, orderId, data.recordedOrder) !== undefined) throw new DomainError('ORDER.ALREADY_EXISTS', `order ${orderId} already exists`, { orderId });
  const account = accountRiskView(state, order, data, metadata.now);
  const input: OrderRiskInput = { order, instrument: data.market.instrument, quote: data.market.lastQuote, now: metadata.now, limits: state.limits, account, controls: data.controls };
  const outcome = evaluateOrderRisk(input);
  const at = metadata.now.toISOString();
  const { checks, accepted, reasons } = outcome;
  return [
    orderPlaced(orderId, order, data, metadata.now, cutoffHourOf(state)),
    { type: 'RiskDecisionRecorded', data: { orderId, accepted, checks, reasons, at } },
    accepted ? { type: 'OrderAccepted', data: { orderId, at } } : { type: 'OrderDenied', data: { orderId, reasons, at } },
    ...haltOnLossLimits(state, account, at),
  ];
}
