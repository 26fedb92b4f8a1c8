// The account as its events leave it: cash, limits, trading state, orders, positions, marks and the
// running figures (peak equity, the trading day) the loss limits are judged on.
import type { Actor } from '../../ports/event-store.ts';
import type { InstrumentFacts, Order } from '../orders/index.ts';
import { SubmitTimes, type RiskLimits, type TradingState } from '../risk/index.ts';
import { emptyIndex, lookup, type GrowOnlyIndex } from './grow-only-index.ts';
import type { Position } from './positions.ts';
import { WorkingOrders } from './working-orders.ts';

export interface TradingStatus {
  readonly state: TradingState;
  readonly reason: string;
  readonly reasonCode: string | null;
  readonly changedBy: Actor;
  readonly since: string;
}

export interface TradingDay {
  /** Days since the epoch, counted from the cut-off hour. */
  readonly index: number;
  /** Equity when the day began, and deposits minus withdrawals since: daily P&L is neither. */
  readonly startEquity: bigint;
  readonly netFunding: bigint;
}

export interface AccountState {
  readonly status: 'not_opened' | 'open';
  readonly accountId: string;
  readonly currency: string;
  /** Starting balance + deposits - withdrawals + realized P&L - fees, minor units. */
  readonly balance: bigint;
  readonly feesPaid: bigint;
  readonly limits: RiskLimits | null;
  readonly limitsVersion: number;
  readonly trading: TradingStatus;
  /** Orders that can still fill; bounded by the open-order limit. */
  readonly workingOrders: WorkingOrders;
  readonly finishedOrders: GrowOnlyIndex<Order>;
  /** clientOrderId -> orderId, for every order ever placed, denied ones included. */
  readonly clientOrderIds: GrowOnlyIndex<string>;
  /** fillId -> orderId, for every fill booked. */
  readonly fillIds: GrowOnlyIndex<string>;
  readonly positions: ReadonlyMap<string, Position>;
  readonly instruments: ReadonlyMap<string, Required<InstrumentFacts>>;
  /** Last price per instrument: the mid of the last quote an order was judged on, or the last fill. */
  readonly marks: ReadonlyMap<string, bigint>;
  readonly peakEquity: bigint;
  readonly day: TradingDay;
  /** Epoch ms of submissions still inside the rate window. */
  readonly recentSubmitTimes: SubmitTimes;
}

export const initialAccountState = (): AccountState => ({
  status: 'not_opened',
  accountId: '',
  currency: '',
  balance: 0n,
  feesPaid: 0n,
  limits: null,
  limitsVersion: 0,
  trading: { state: 'ACTIVE', reason: 'account opened', reasonCode: null, changedBy: { userId: 'system', role: 'system' }, since: '' },
  workingOrders: WorkingOrders.EMPTY,
  finishedOrders: emptyIndex(),
  clientOrderIds: emptyIndex(),
  fillIds: emptyIndex(),
  positions: new Map(),
  instruments: new Map(),
  marks: new Map(),
  peakEquity: 0n,
  day: { index: 0, startEquity: 0n, netFunding: 0n },
  recentSubmitTimes: SubmitTimes.EMPTY,
});

/** Any order the account has placed, working or finished. */
export function findOrder(state: AccountState, orderId: string): Order | undefined {
  return state.workingOrders.get(orderId) ?? lookup(state.finishedOrders, orderId);
}

/** Remaining quantity of the account's working orders in this instrument, per side. */
export const openQtyBySide = (state: AccountState, symbol: string): { buy: bigint; sell: bigint } => state.workingOrders.openQty(symbol);
