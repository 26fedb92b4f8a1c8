// Outcomes and account state as JSON: amounts as decimal text on their grid; raw integer units (event
// data) as integer strings. A repeated command gets the same body as its first answer, so nothing here
// depends on whether this request applied the command.
import type { Order } from '../../domain/trading/orders/index.ts';
import type { RiskLimits } from '../../domain/trading/risk/index.ts';
import type { AccountView, CommandOutcome, PlaceOrderOutcome, StopView } from '../trading/service.ts';
import { formatCash, formatLots, formatPrice } from './convert.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Event data as recorded: bigints (units) become integer strings, Dates ISO text. Loops, not entries and
 * fromEntries: this runs over every event of every answer, and the intermediate arrays were most of its cost. */
export function jsonSafe(value: unknown): Json {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) {
        const items = new Array<Json>(value.length);
        for (let i = 0; i < value.length; i += 1) items[i] = jsonSafe(value[i]);
        return items;
      }
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (key === '__proto__') Object.defineProperty(out, key, { value: jsonSafe(item), enumerable: true, writable: true, configurable: true });
        else out[key] = jsonSafe(item);
      }
      return out;
    }
    default:
      return value as Json;
  }
}

export const presentOutcome = (outcome: CommandOutcome) => ({
  commandId: outcome.commandId,
  streamId: outcome.streamId,
  revision: outcome.revision === undefined ? null : outcome.revision.toString(),
  events: outcome.events.map((e) => ({ type: e.type, data: jsonSafe(e.data) })),
});

export const presentOrderOutcome = (outcome: PlaceOrderOutcome) => ({
  ...presentOutcome(outcome),
  orderId: outcome.orderId,
  accepted: outcome.accepted,
  decision: { accepted: outcome.decision.accepted, reasons: [...outcome.decision.reasons], checks: outcome.decision.checks.map((c) => ({ ...c })) },
});

const priceOrNull = (units: bigint | null, symbol: string) => (units === null ? null : formatPrice(units, symbol));

export const presentOrder = (order: Order) => ({
  orderId: order.orderId,
  clientOrderId: order.clientOrderId,
  symbol: order.symbol,
  side: order.side,
  kind: order.kind,
  timeInForce: order.timeInForce,
  qty: formatLots(order.qty, order.symbol),
  limitPrice: priceOrNull(order.limitPrice, order.symbol),
  stopPrice: priceOrNull(order.stopPrice, order.symbol),
  reduceOnly: order.reduceOnly,
  status: order.status,
  filledQty: formatLots(order.filledQty, order.symbol),
  placedAt: order.placedAt,
});

const presentLimits = (limits: RiskLimits, currency: string) => ({
  maxOrderNotional: formatCash(limits.maxOrderNotional, currency),
  maxPositionQty: formatLots(limits.maxPositionQty),
  maxOpenOrders: limits.maxOpenOrders,
  priceCollarBps: Number(limits.priceCollarBps),
  maxQuoteAgeMs: limits.maxQuoteAgeMs,
  maxSubmitsPerWindow: limits.maxSubmitsPerWindow,
  submitWindowMs: limits.submitWindowMs,
  maxDailyLoss: formatCash(limits.maxDailyLoss, currency),
  maxDrawdownBps: Number(limits.maxDrawdownBps),
  dailyCutoffHourUtc: limits.dailyCutoffHourUtc,
});

export function presentAccount(view: AccountView) {
  const cash = (units: bigint) => formatCash(units, view.currency);
  const { figures } = view;
  return {
    accountId: view.accountId,
    currency: view.currency,
    revision: view.revision === undefined ? null : view.revision.toString(),
    balance: cash(view.balance),
    limits: view.limits === null ? null : presentLimits(view.limits, view.currency),
    limitsVersion: view.limitsVersion,
    trading: { state: view.trading.state, reason: view.trading.reason, reasonCode: view.trading.reasonCode, changedBy: { ...view.trading.changedBy }, since: view.trading.since },
    workingOrders: view.workingOrders.map(presentOrder),
    positions: view.positions.map((p) => ({ symbol: p.symbol, qty: formatLots(p.qty, p.symbol), costBasis: cash(p.costBasis), realizedPnl: cash(p.realizedPnl) })),
    figures: {
      balance: cash(figures.balance),
      equity: cash(figures.equity),
      unrealizedPnl: cash(figures.unrealizedPnl),
      realizedPnl: cash(figures.realizedPnl),
      feesPaid: cash(figures.feesPaid),
      peakEquity: cash(figures.peakEquity),
      drawdownBps: Number(figures.drawdownBps),
      dailyPnl: cash(figures.dailyPnl),
    },
  };
}

export const presentStop = (view: StopView) => ({
  scope: { ...view.scope },
  engaged: view.engaged,
  reason: view.reason,
  engagedBy: view.engagedBy ? { ...view.engagedBy } : null,
  engagedAt: view.engagedAt,
  pendingReleaseBy: view.pendingReleaseBy ? { ...view.pendingReleaseBy } : null,
});
