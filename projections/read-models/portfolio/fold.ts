// The portfolio fold: positions marked to the last tick, account equity, its curve and daily closes,
// and the KPI accumulators, advanced event by event in log order. Equity points are taken at events
// (account opened, funds moved, fills) and at each UTC day close, never at batch ends, so the rows do
// not depend on where batches were cut.
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import { midOf, movesLiveMarket, type TickReceivedData } from '../../../domain/market-data/tick-events.ts';
import type { InstrumentListed } from '../../../domain/market-data/instrument.ts';
import type { AccountEvent } from '../../../domain/trading/account/events.ts';
import { unrealizedPnl } from '../../../domain/trading/account/positions.ts';
import { pickInstrumentFacts, type InstrumentFacts } from '../../../domain/trading/orders/index.ts';
import { accountIdOf, eventTime } from '../support.ts';
import { addFill, addReturn, dailyReturn, NO_RETURNS, NO_TRADES, trackEquity, type DrawdownState, type ReturnStats, type TradeStats } from './kpi.ts';

const DAY_MS = 86_400_000;

export interface PositionState {
  accountId: string; symbol: string; qty: bigint; costBasis: bigint; realizedPnl: bigint; lastFillPrice: bigint;
  /** P&L so far of the round trip open on this position, after fees; 0 when flat. Counted in the KPIs once it closes. */
  openTradePnl: bigint;
}
export interface AccountState {
  accountId: string; currency: string; balance: bigint; realizedPnl: bigint; feesPaid: bigint;
  day: number; dayOpenEquity: bigint; dayFunding: bigint; drawdown: DrawdownState; trades: TradeStats; returns: ReturnStats;
}
export interface EquityPoint { accountId: string; position: bigint; kind: string; at: string; balance: bigint; unrealized: bigint; equity: bigint; peak: bigint }
export interface ClosedDay { accountId: string; day: number; openEquity: bigint; closeEquity: bigint; funding: bigint; dailyReturn: number | undefined }

export interface PortfolioState {
  facts: Map<string, InstrumentFacts>;
  marks: Map<string, { bid: bigint; ask: bigint; mid: bigint; at: string; position: bigint }>;
  positions: Map<string, PositionState>;
  /** The keys of `positions` per account: an account's equity adds up its own positions, not everyone's. */
  positionKeys: Map<string, Set<string>>;
  accounts: Map<string, AccountState>;
  /** The UTC day of the latest event time seen (times only move forward here). */
  clock: { day: number | undefined; atMs: number | undefined };
  points: EquityPoint[];
  closedDays: ClosedDay[];
  changedMarks: Set<string>;
  changedFacts: Set<string>;
}

export const positionKey = (accountId: string, symbol: string) => `${accountId}|${symbol}`;

/** Records a position and indexes it under its account. */
export function setPosition(state: PortfolioState, position: PositionState): void {
  const key = positionKey(position.accountId, position.symbol);
  state.positions.set(key, position);
  let keys = state.positionKeys.get(position.accountId);
  if (!keys) state.positionKeys.set(position.accountId, (keys = new Set()));
  keys.add(key);
}

export function markOf(state: PortfolioState, position: PositionState): bigint {
  return state.marks.get(position.symbol)?.mid ?? position.lastFillPrice;
}

export function unrealizedOf(state: PortfolioState, position: PositionState): bigint {
  const facts = state.facts.get(position.symbol);
  if (position.qty === 0n && position.costBasis === 0n) return 0n;
  if (!facts) return 0n; // no facts seen for the instrument: nothing to value it with
  return unrealizedPnl(position, markOf(state, position), facts);
}

export function accountUnrealized(state: PortfolioState, accountId: string): bigint {
  let total = 0n;
  for (const key of state.positionKeys.get(accountId) ?? []) total += unrealizedOf(state, state.positions.get(key)!);
  return total;
}

function point(state: PortfolioState, account: AccountState, position: bigint, kind: string, at: string): bigint {
  const unrealized = accountUnrealized(state, account.accountId);
  const equity = account.balance + unrealized;
  account.drawdown = trackEquity(account.drawdown, equity);
  state.points.push({ accountId: account.accountId, position, kind, at, balance: account.balance, unrealized, equity, peak: account.drawdown.peak });
  return equity;
}

/** Closes the day for every account at the marks of the moment, and opens the next. */
function rollDay(state: PortfolioState, day: number, position: bigint): void {
  const closingAt = new Date(state.clock.atMs ?? day * DAY_MS).toISOString();
  for (const account of state.accounts.values()) {
    const close = point(state, account, position, 'day_close', closingAt);
    const r = dailyReturn(account.dayOpenEquity, close, account.dayFunding);
    state.closedDays.push({ accountId: account.accountId, day: account.day, openEquity: account.dayOpenEquity, closeEquity: close, funding: account.dayFunding, dailyReturn: r });
    if (r !== undefined) account.returns = addReturn(account.returns, r);
    Object.assign(account, { day, dayOpenEquity: close, dayFunding: 0n });
  }
}

function advanceClock(state: PortfolioState, event: RecordedEvent): void {
  // Only business times move the clock: an event without one (a listing) carries the time it was appended.
  const data = event.data as { at?: unknown; timestamp?: unknown };
  if (typeof data.at !== 'string' && typeof data.timestamp !== 'string') return;
  const ms = eventTime(event).getTime();
  if (state.clock.atMs !== undefined && ms <= state.clock.atMs) return;
  const day = Math.floor(ms / DAY_MS);
  if (state.clock.day !== undefined && day > state.clock.day) rollDay(state, day, event.globalPosition);
  state.clock = { day, atMs: ms };
}

function fund(state: PortfolioState, e: RecordedEvent, amount: bigint, balanceAfter: bigint, kind: string): void {
  const account = state.accounts.get(accountIdOf(e.streamId));
  if (!account) return;
  account.balance = balanceAfter;
  account.dayFunding += amount;
  // Funding moves the peak with it: drawdown measures trading, not deposits and withdrawals.
  account.drawdown = { ...account.drawdown, peak: account.drawdown.peak + amount };
  point(state, account, e.globalPosition, kind, eventTime(e).toISOString());
}

function openAccount(state: PortfolioState, e: RecordedEvent & { data: { accountId: string; currency: string; startingBalance: bigint } }): void {
  const { accountId, currency, startingBalance } = e.data;
  const account: AccountState = {
    accountId, currency, balance: startingBalance, realizedPnl: 0n, feesPaid: 0n, day: state.clock.day ?? 0, dayOpenEquity: startingBalance, dayFunding: 0n,
    drawdown: { peak: startingBalance, maxDrawdown: 0n, maxDrawdownRatio: null }, trades: NO_TRADES, returns: NO_RETURNS,
  };
  state.accounts.set(accountId, account);
  point(state, account, e.globalPosition, 'open', eventTime(e).toISOString());
}

function fill(state: PortfolioState, e: RecordedEvent, event: Extract<AccountEvent, { type: 'OrderFilled' }>): void {
  const account = state.accounts.get(accountIdOf(e.streamId));
  if (!account) return;
  const d = event.data;
  const before = state.positions.get(positionKey(account.accountId, d.symbol));
  const roundTrip = addFill(account.trades, before?.openTradePnl ?? 0n, d);
  account.trades = roundTrip.trades;
  setPosition(state, {
    accountId: account.accountId, symbol: d.symbol, qty: d.positionQty, costBasis: d.positionCostBasis, realizedPnl: (before?.realizedPnl ?? 0n) + d.realizedPnl, lastFillPrice: d.price,
    openTradePnl: roundTrip.openTradePnl,
  });
  account.balance += d.realizedPnl - d.fee;
  account.realizedPnl += d.realizedPnl;
  account.feesPaid += d.fee;
  point(state, account, e.globalPosition, 'fill', eventTime(e).toISOString());
}

function tick(state: PortfolioState, e: RecordedEvent): void {
  const d = e.data as unknown as TickReceivedData;
  if (!movesLiveMarket(d)) return; // a back-filled tick never moves a live mark
  state.marks.set(d.symbol, { bid: d.bid, ask: d.ask, mid: midOf(d.bid, d.ask), at: d.timestamp, position: e.globalPosition });
  state.changedMarks.add(d.symbol);
}

function learnFacts(state: PortfolioState, facts: InstrumentFacts): void {
  state.facts.set(facts.symbol, pickInstrumentFacts(facts));
  state.changedFacts.add(facts.symbol);
}

export function foldPortfolio(state: PortfolioState, batch: readonly RecordedEvent[]): void {
  for (const e of batch) {
    advanceClock(state, e);
    const event = e as unknown as AccountEvent | InstrumentListed | { type: 'TickReceived' };
    switch (event.type) {
      case 'TickReceived': tick(state, e); break;
      case 'InstrumentListed': learnFacts(state, { ...event.data.spec, qtyStep: 1n }); break;
      case 'OrderPlaced': if (!state.facts.has(event.data.symbol)) learnFacts(state, event.data.instrument); break;
      case 'AccountOpened': openAccount(state, e as never); break;
      case 'FundsDeposited': fund(state, e, event.data.amount, event.data.balanceAfter, 'deposit'); break;
      case 'FundsWithdrawn': fund(state, e, -event.data.amount, event.data.balanceAfter, 'withdrawal'); break;
      case 'OrderFilled': fill(state, e, event); break;
      default: break;
    }
  }
}
