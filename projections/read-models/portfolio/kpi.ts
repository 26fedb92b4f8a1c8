// Performance figures of an account, as docs/read-models.md defines them. Money stays integer (minor
// units) or, where a division makes it fractional (averages, expectancy), decimal text of minor units
// with KPI_SCALE places, like the ratios. Sharpe uses floating point: it is a statistic
// of returns, not a ledger amount, and it is computed in log order so a rebuild gives the same digits.
import { formatUnits, mulDiv } from '../../../domain/shared/money.ts';

export const KPI_SCALE = 6;
export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Closed round trips of an account. A round trip is one position in one instrument from flat to flat: it
 * opens with the fill that leaves flat and closes with the fill that returns to flat, or with the fill
 * that flips the position (which opens the next round trip with the remainder). Its P&L is the realized
 * P&L of its closing fills less the fees of all its fills.
 */
export interface TradeStats {
  /** Closed round trips (wins + losses + breakeven). */
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** Round trips that closed at exactly 0: trades, neither wins nor losses. */
  readonly breakeven: number;
  /** Sum of winning round trips' P&L, minor units. */
  readonly grossProfit: bigint;
  /** Sum of losing round trips' P&L as a positive amount, minor units. */
  readonly grossLoss: bigint;
  /** Per fill, not per trade: fills that closed quantity (13 partial closes of one round trip count 13 here). */
  readonly closingFills: number;
}

/** What the KPIs need of one fill: the account's own bookkeeping of it, as OrderFilled records it. */
export interface RoundTripFill {
  readonly fee: bigint;
  readonly closedQty: bigint;
  readonly openedQty: bigint;
  readonly realizedPnl: bigint;
  /** Signed position after the fill. */
  readonly positionQty: bigint;
}

/** The trade statistics after a fill, and the P&L so far of the round trip open on the position (0 when flat). */
export interface RoundTripStep {
  readonly trades: TradeStats;
  readonly openTradePnl: bigint;
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

/** Money figures are minor units (decimal text where a division makes them fractional); ratios are plain. */
export interface Kpis {
  readonly profitFactor: string | null;
  readonly winRate: string | null;
  /** Gross profit / wins, minor units. */
  readonly averageWin: string | null;
  /** Gross loss / losses, minor units, a positive amount like grossLoss. */
  readonly averageLoss: string | null;
  /** Net round-trip P&L / trades, minor units per round trip. */
  readonly expectancy: string | null;
  readonly netTradePnl: bigint;
  readonly sharpe: string | null;
}

export const NO_TRADES: TradeStats = { trades: 0, wins: 0, losses: 0, breakeven: 0, grossProfit: 0n, grossLoss: 0n, closingFills: 0 };
export const NO_RETURNS: ReturnStats = { days: 0, mean: 0, m2: 0 };

/** Counts one closed round trip of P&L `pnl` (minor units, after fees). */
export function closeRoundTrip(stats: TradeStats, pnl: bigint): TradeStats {
  return {
    ...stats,
    trades: stats.trades + 1,
    wins: stats.wins + (pnl > 0n ? 1 : 0),
    losses: stats.losses + (pnl < 0n ? 1 : 0),
    breakeven: stats.breakeven + (pnl === 0n ? 1 : 0),
    grossProfit: stats.grossProfit + (pnl > 0n ? pnl : 0n),
    grossLoss: stats.grossLoss + (pnl < 0n ? -pnl : 0n),
  };
}

/**
 * Advances the round trip of one position by one of its fills. A flipping fill's fee is shared between the
 * round trip it closes and the one it opens in proportion to the quantity of each (rounded half to even;
 * the opening part takes the rest), so no fee is counted twice or lost.
 */
export function addFill(stats: TradeStats, openTradePnl: bigint, fill: RoundTripFill): RoundTripStep {
  if (fill.closedQty === 0n) return { trades: stats, openTradePnl: openTradePnl + fill.realizedPnl - fill.fee };
  const closingFee = fill.openedQty > 0n ? mulDiv(fill.fee, fill.closedQty, fill.closedQty + fill.openedQty, 'half_even') : fill.fee;
  const running = openTradePnl + fill.realizedPnl - closingFee;
  const counted = { ...stats, closingFills: stats.closingFills + 1 };
  const closes = fill.positionQty === 0n || fill.openedQty > 0n;
  if (!closes) return { trades: counted, openTradePnl: running };
  return { trades: closeRoundTrip(counted, running), openTradePnl: -(fill.fee - closingFee) };
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
    averageWin: trades.wins > 0 ? ratio(trades.grossProfit, BigInt(trades.wins)) : null,
    averageLoss: trades.losses > 0 ? ratio(trades.grossLoss, BigInt(trades.losses)) : null,
    expectancy: trades.trades > 0 ? ratio(net, BigInt(trades.trades)) : null,
    netTradePnl: net,
    sharpe: sharpe(returns),
  };
}
