// Daily loss and drawdown halt the account by themselves: whenever a decision leaves the account past
// either limit, a TradingStateChanged to HALTED follows in the same append.
import { lossLimitBreaches } from '../risk/index.ts';
import { RISK_ENGINE_ACTOR, type TradingStateChanged } from './events.ts';
import type { AccountState } from './state.ts';

export interface LossFigures {
  readonly dailyPnl: bigint;
  readonly equity: bigint;
  readonly peakEquity: bigint;
}

export function haltOnLossLimits(state: AccountState, figures: LossFigures, at: string): TradingStateChanged[] {
  if (state.limits === null || state.trading.state === 'HALTED') return [];
  const breaches = lossLimitBreaches(figures, state.limits);
  const first = breaches[0];
  if (first === undefined) return [];
  const reason = breaches.map((b) => `${b.code} observed ${b.observed}, limit ${b.limit}`).join('; ');
  return [{ type: 'TradingStateChanged', data: { from: state.trading.state, to: 'HALTED', reason, reasonCode: first.code, changedBy: RISK_ENGINE_ACTOR, at } }];
}
