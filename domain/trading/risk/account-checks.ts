// Checks on the account the order would join: exposure, activity, state, stops and losses.
import { absBig, maxBig } from '../../shared/money.ts';
import { drawdownBps, drawdownBreached, dailyLossBreached } from './loss-limits.ts';
import { check, withLimits } from './order-checks.ts';
import type { AccountRiskView, OrderRequest, OrderRiskInput, RiskCheck } from './types.ts';

/**
 * Worst-case net position if every working order on one side filled, the new one included: both
 * |position + all buys| and |position - all sells| must stay within the cap.
 */
export function worstCasePosition(order: OrderRequest, account: AccountRiskView): bigint {
  const buys = account.openBuyQty + (order.side === 'buy' ? order.qty : 0n);
  const sells = account.openSellQty + (order.side === 'sell' ? order.qty : 0n);
  return maxBig(absBig(account.positionQty + buys), absBig(account.positionQty - sells));
}

export function checkPositionLimit(input: OrderRiskInput): RiskCheck {
  return withLimits('RISK.POSITION_LIMIT', input, (limits) => {
    const worst = worstCasePosition(input.order, input.account);
    return check('RISK.POSITION_LIMIT', worst <= limits.maxPositionQty, String(worst), String(limits.maxPositionQty));
  });
}

export function checkOpenOrders(input: OrderRiskInput): RiskCheck {
  return withLimits('RISK.OPEN_ORDERS', input, (limits) => {
    const count = input.account.openOrderCount + 1;
    return check('RISK.OPEN_ORDERS', count <= limits.maxOpenOrders, String(count), String(limits.maxOpenOrders));
  });
}

/** Submissions in the window (now - submitWindowMs, now], this one included, on recorded event times. */
export function checkRateLimit(input: OrderRiskInput): RiskCheck {
  return withLimits('RISK.RATE_LIMIT', input, (limits) => {
    const since = input.now.getTime() - limits.submitWindowMs;
    const count = input.account.recentSubmitTimes.countAfter(since) + 1;
    return check('RISK.RATE_LIMIT', count <= limits.maxSubmitsPerWindow, String(count), `${limits.maxSubmitsPerWindow} per ${limits.submitWindowMs}ms`);
  });
}

export const checkDuplicateClientOrderId = ({ account }: OrderRiskInput): RiskCheck =>
  check('RISK.DUPLICATE_CLIENT_ORDER_ID', !account.clientOrderIdUsed, account.clientOrderIdUsed ? 'used before' : 'new', 'new');

/**
 * Risk-reducing: against the position and, with every working order on the same side, unable to take
 * it through zero. Required while REDUCING and for orders flagged reduce-only.
 */
export function reducesRisk(order: OrderRequest, account: AccountRiskView): boolean {
  const position = account.positionQty;
  if (position === 0n || (position > 0n) === (order.side === 'buy')) return false;
  const sameSideOpen = order.side === 'buy' ? account.openBuyQty : account.openSellQty;
  return order.qty + sameSideOpen <= absBig(position);
}

export function checkReduceOnly({ order, account }: OrderRiskInput): RiskCheck {
  const required = account.tradingState === 'REDUCING' || order.reduceOnly;
  const reducing = reducesRisk(order, account);
  const observed = `${reducing ? 'reduces' : 'does not reduce'} position ${account.positionQty}`;
  return check('RISK.REDUCE_ONLY', !required || reducing, observed, required ? 'reduce only' : 'not required');
}

export const checkHalted = ({ account }: OrderRiskInput): RiskCheck =>
  check('RISK.HALTED', account.tradingState !== 'HALTED', account.tradingState, 'not HALTED');

export const checkEmergencyStop = ({ controls }: OrderRiskInput): RiskCheck =>
  check('RISK.EMERGENCY_STOP', !controls.stopped, controls.stopped ? `engaged: ${controls.scope ?? 'unknown scope'}` : 'none', 'none');

export function checkDailyLoss(input: OrderRiskInput): RiskCheck {
  return withLimits('RISK.DAILY_LOSS', input, (limits) =>
    check('RISK.DAILY_LOSS', !dailyLossBreached(input.account.dailyPnl, limits), String(input.account.dailyPnl), String(-limits.maxDailyLoss)),
  );
}

export function checkDrawdown(input: OrderRiskInput): RiskCheck {
  const { equity, peakEquity } = input.account;
  return withLimits('RISK.DRAWDOWN', input, (limits) =>
    check('RISK.DRAWDOWN', !drawdownBreached(equity, peakEquity, limits), String(drawdownBps(equity, peakEquity)), String(limits.maxDrawdownBps)),
  );
}
