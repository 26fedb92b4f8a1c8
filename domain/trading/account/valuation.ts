// Equity, daily P&L and the trading day. Equity = balance + unrealized P&L at the last marks; daily
// P&L is the change in equity since the day's cut-off, not counting deposits and withdrawals.
import { mulDiv } from '../../shared/money.ts';
import { isWorking } from '../orders/index.ts';
import { DEFAULT_DAILY_CUTOFF_HOUR_UTC, drawdownBps, usableQuote, type Quote } from '../risk/index.ts';
import { unrealizedPnl } from './positions.ts';
import type { AccountState } from './state.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function tradingDayIndex(epochMs: number, cutoffHourUtc: number): number {
  return Math.floor((epochMs - cutoffHourUtc * HOUR_MS) / DAY_MS);
}

/** When the trading day that holds `epochMs` ends: the next cut-off. A DAY order expires then. */
export function tradingDayEnd(epochMs: number, cutoffHourUtc: number): number {
  return (tradingDayIndex(epochMs, cutoffHourUtc) + 1) * DAY_MS + cutoffHourUtc * HOUR_MS;
}

export const cutoffHourOf = (state: AccountState): number => state.limits?.dailyCutoffHourUtc ?? DEFAULT_DAILY_CUTOFF_HOUR_UTC;

/** Mid of a quote, rounded half-even: the mark a quote gives an open position. */
export const midPrice = (bid: bigint, ask: bigint): bigint => mulDiv(bid + ask, 1n, 2n, 'half_even');

/** Unrealized P&L over all positions; `marks` may replace some of the account's last marks. */
export function totalUnrealized(state: AccountState, marks: ReadonlyMap<string, bigint> = state.marks): bigint {
  let total = 0n;
  for (const position of state.positions.values()) {
    if (position.qty === 0n && position.costBasis === 0n) continue;
    const facts = state.instruments.get(position.symbol);
    const mark = marks.get(position.symbol) ?? state.marks.get(position.symbol);
    // A position is only ever opened by a fill, which records both; without them the stream is corrupt.
    if (facts === undefined || mark === undefined) throw new Error(`position ${position.symbol} has no instrument facts or mark`);
    total += unrealizedPnl(position, mark, facts);
  }
  return total;
}

export const equityOf = (state: AccountState, marks?: ReadonlyMap<string, bigint>): bigint => state.balance + totalUnrealized(state, marks);

/** Daily P&L at `epochMs`: if the cut-off has passed since the last event, the day starts at current equity. */
export function dailyPnlAt(state: AccountState, equity: bigint, epochMs: number): bigint {
  if (tradingDayIndex(epochMs, cutoffHourOf(state)) !== state.day.index) return equity - equityOf(state);
  return equity - state.day.startEquity - state.day.netFunding;
}

export interface AccountFigures {
  readonly balance: bigint;
  readonly unrealizedPnl: bigint;
  readonly realizedPnl: bigint;
  readonly feesPaid: bigint;
  readonly equity: bigint;
  readonly peakEquity: bigint;
  readonly drawdownBps: bigint;
  readonly dailyPnl: bigint;
}

/**
 * The desk's one valuation: an open position is marked at the mid of the latest usable market quote known
 * at the instant (the command API's quote book now, the tick log at a replayed instant, the read model's
 * last tick); where none is known, at the account's last recorded mark (the quote mid its last order or
 * fill was judged at). `quotes` maps a symbol to its latest quote.
 */
export function marketMarks(state: AccountState, quotes: ReadonlyMap<string, Quote | undefined>): Map<string, bigint> {
  const marks = new Map(state.marks);
  for (const [symbol, quote] of quotes) {
    const usable = usableQuote(quote);
    if (usable !== undefined) marks.set(symbol, midPrice(usable.bid, usable.ask));
  }
  return marks;
}

/** The account's figures at `now`, at `marks` (see marketMarks), by default its last recorded marks. */
export function accountFigures(state: AccountState, now: Date, marks: ReadonlyMap<string, bigint> = state.marks): AccountFigures {
  const unrealized = totalUnrealized(state, marks);
  const equity = state.balance + unrealized;
  const peakEquity = equity > state.peakEquity ? equity : state.peakEquity;
  let realized = 0n;
  for (const position of state.positions.values()) realized += position.realizedPnl;
  return {
    balance: state.balance,
    unrealizedPnl: unrealized,
    realizedPnl: realized,
    feesPaid: state.feesPaid,
    equity,
    peakEquity,
    drawdownBps: drawdownBps(equity, peakEquity),
    dailyPnl: dailyPnlAt(state, equity, now.getTime()),
  };
}

/** DAY orders still working from an earlier trading day: what a scheduler should send ExpireOrder for. */
export function dayOrdersToExpire(state: AccountState, now: Date): string[] {
  const today = tradingDayIndex(now.getTime(), cutoffHourOf(state));
  const expired: string[] = [];
  for (const order of state.workingOrders.values()) {
    if (order.timeInForce !== 'DAY' || !isWorking(order)) continue;
    if (tradingDayIndex(Date.parse(order.placedAt), cutoffHourOf(state)) < today) expired.push(order.orderId);
  }
  return expired;
}
