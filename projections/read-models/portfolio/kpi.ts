// Performance figures of an account, as docs/read-models.md defines them. Money stays integer (minor
// units); ratios are decimal text with KPI_SCALE places. Sharpe uses floating point: it is a statistic
// of returns, not a ledger amount, and it is computed in log order so a rebuild gives the same digits.
import { formatUnits, mulDiv } from '../../../domain/shared/money.ts';

export const KPI_SCALE = 6;
export const TRADING_DAYS_PER_YEAR = 252;

export interface TradeStats {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** Sum of winning trades' P&L, minor units. */
  readonly grossProfit: bigint;
  /** Sum of losing trades' P&L as a positive amount, minor units. */
  readonly grossLoss: bigint;
}

/** Daily returns, accumulated with Welford's method (count, mean, sum of squared deviations). */
export interface ReturnStats {
  readonly days: number;
  readonly mean: number;
  readonly m2: number;
}

export interface DrawdownState {
  readonly peak: bigint;
  readonly maxDrawdown: bigint;
  /** maxDrawdown / the peak it fell from, decimal text; null while there was no drawdown from a positive peak. */
  readonly maxDrawdownRatio: string | null;
}

export interface Kpis {
  readonly profitFactor: string | null;
  readonly winRate: string | null;
  readonly expectancy: string | null;
  readonly netTradePnl: bigint;
  readonly sharpe: string | null;
}

export const NO_TRADES: TradeStats = { trades: 0, wins: 0, losses: 0, grossProfit: 0n, grossLoss: 0n };
export const NO_RETURNS: ReturnStats = { days: 0, mean: 0, m2: 0 };

/** A trade is a fill that closed quantity; its P&L is the realized P&L of that fill, before fees. */
export function addTrade(stats: TradeStats, pnl: bigint): TradeStats {
  return {
    trades: stats.trades + 1,
    wins: stats.wins + (pnl > 0n ? 1 : 0),
    losses: stats.losses + (pnl < 0n ? 1 : 0),
    grossProfit: stats.grossProfit + (pnl > 0n ? pnl : 0n),
    grossLoss: stats.grossLoss + (pnl < 0n ? -pnl : 0n),
  };
}

/** Return of one closed day: trading gain over the equity the day opened with; undefined when that was not positive. */
export function dailyReturn(openEquity: bigint, closeEquity: bigint, netFunding: bigint): number | undefined {
  if (openEquity <= 0n) return undefined;
  return Number(closeEquity - openEquity - netFunding) / Number(openEquity);
}

export function addReturn(stats: ReturnStats, r: number): ReturnStats {
  const days = stats.days + 1;
  const delta = r - stats.mean;
  const mean = stats.mean + delta / days;
  return { days, mean, m2: stats.m2 + delta * (r - mean) };
}

/** A new equity point: the peak follows it up, the worst fall from a peak is kept. */
export function trackEquity(state: DrawdownState, equity: bigint): DrawdownState {
  if (equity > state.peak) return { ...state, peak: equity };
  const drawdown = state.peak - equity;
  if (drawdown <= state.maxDrawdown) return state;
  return { peak: state.peak, maxDrawdown: drawdown, maxDrawdownRatio: state.peak > 0n ? ratio(drawdown, state.peak) : null };
}

/** a / b as decimal text with KPI_SCALE places, rounded half to even. */
export const ratio = (a: bigint, b: bigint): string => formatUnits(mulDiv(a, 10n ** BigInt(KPI_SCALE), b, 'half_even'), KPI_SCALE);

export function sharpe(stats: ReturnStats): string | null {
  if (stats.days < 2) return null;
  const deviation = Math.sqrt(stats.m2 / (stats.days - 1));
  if (!(deviation > 0) || !Number.isFinite(deviation)) return null;
  return ((stats.mean / deviation) * Math.sqrt(TRADING_DAYS_PER_YEAR)).toFixed(KPI_SCALE);
}

export function kpis(trades: TradeStats, returns: ReturnStats): Kpis {
  const net = trades.grossProfit - trades.grossLoss;
  return {
    profitFactor: trades.grossLoss > 0n ? ratio(trades.grossProfit, trades.grossLoss) : null,
    winRate: trades.trades > 0 ? ratio(BigInt(trades.wins), BigInt(trades.trades)) : null,
    expectancy: trades.trades > 0 ? ratio(net, BigInt(trades.trades)) : null,
    netTradePnl: net,
    sharpe: sharpe(returns),
  };
}
