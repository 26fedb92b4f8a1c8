// Daily loss and drawdown: the two limits that halt an account by themselves. The pre-trade checks and
// the account's post-fill halt use these same functions, so they can never disagree about a breach.
// Reaching a limit counts as breaching it: a 1,000 USD daily loss limit halts at a loss of 1,000 USD.
import { mulDiv } from '../../shared/money.ts';
import type { RiskLimits } from './types.ts';

export type LossLimitCode = 'RISK.DAILY_LOSS' | 'RISK.DRAWDOWN';

export function dailyLossBreached(dailyPnl: bigint, limits: Pick<RiskLimits, 'maxDailyLoss'>): boolean {
  return dailyPnl <= -limits.maxDailyLoss;
}

/** Fall from peak equity in basis points, rounded up so a displayed figure never understates it. */
export function drawdownBps(equity: bigint, peakEquity: bigint): bigint {
  if (peakEquity <= 0n || equity >= peakEquity) return 0n;
  return mulDiv(peakEquity - equity, 10_000n, peakEquity, 'ceil');
}

/** Exact integer comparison; no rounded ratio decides a halt. An account that never had equity has no drawdown. */
export function drawdownBreached(equity: bigint, peakEquity: bigint, limits: Pick<RiskLimits, 'maxDrawdownBps'>): boolean {
  if (peakEquity <= 0n) return false;
  return (peakEquity - equity) * 10_000n >= limits.maxDrawdownBps * peakEquity;
}

export interface LossLimitBreach {
  readonly code: LossLimitCode;
  readonly observed: string;
  readonly limit: string;
}

export function lossLimitBreaches(
  figures: { readonly dailyPnl: bigint; readonly equity: bigint; readonly peakEquity: bigint },
  limits: RiskLimits,
): LossLimitBreach[] {
  const breaches: LossLimitBreach[] = [];
  if (dailyLossBreached(figures.dailyPnl, limits)) {
    breaches.push({ code: 'RISK.DAILY_LOSS', observed: String(figures.dailyPnl), limit: String(-limits.maxDailyLoss) });
  }
  if (drawdownBreached(figures.equity, figures.peakEquity, limits)) {
    breaches.push({ code: 'RISK.DRAWDOWN', observed: String(drawdownBps(figures.equity, figures.peakEquity)), limit: String(limits.maxDrawdownBps) });
  }
  return breaches;
}
