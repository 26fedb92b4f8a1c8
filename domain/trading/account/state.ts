// The account as its events leave it: cash, limits, trading state, working orders, positions, marks and
// the running figures (peak equity, the trading day) the loss limits are judged on. Only what decisions
// need is held, so its size does not grow with the account's history: finished orders leave the state
// (the command side reads them from the account stream when a command names one, see
// commands/trading/recorded-orders.ts), client order ids stay for the duplicate check's window (one day,
// client-order-ids.ts), and a fill id is kept only by its order while it works; the OrderFilled event's
// id derives from the fill id, so the store itself refuses to book a fill id twice.
import type { Actor } from '../../ports/event-store.ts';
import type { InstrumentFacts, Order } from '../orders/index.ts';
import { SubmitTimes, type RiskLimits, type TradingState } from '../risk/index.ts';
import { EMPTY_CLIENT_ORDER_IDS, type ClientOrderIdWindow } from './client-order-ids.ts';
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
  /** Client order ids of the orders placed in the last 24 h (up to 25), denied ones included. */
  readonly clientOrderIds: ClientOrderIdWindow;
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
  clientOrderIds: EMPTY_CLIENT_ORDER_IDS,
  positions: new Map(),
  instruments: new Map(),
  marks: new Map(),
  peakEquity: 0n,
  day: { index: 0, startEquity: 0n, netFunding: 0n },
  recentSubmitTimes: SubmitTimes.EMPTY,
});

/**
 * The order of this id: a working one from the state, else `recorded`, the order as its events left it
 * (the command side reads a finished order from the stream and hands it in with the command).
 */
export function findOrder(state: AccountState, orderId: string, recorded?: Order): Order | undefined {
  return state.workingOrders.get(orderId) ?? (recorded?.orderId === orderId ? recorded : undefined);
}

/** Remaining quantity of the account's working orders in this instrument, per side. */
export const openQtyBySide = (state: AccountState, symbol: string): { buy: bigint; sell: bigint } => state.workingOrders.openQty(symbol);
