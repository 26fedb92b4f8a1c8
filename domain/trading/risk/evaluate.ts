// The pre-trade risk engine: every check runs and is listed, even after one has failed, so a recorded
// decision explains everything that was wrong with an order, not just the first thing.
import {
  checkDailyLoss,
  checkDrawdown,
  checkDuplicateClientOrderId,
  checkEmergencyStop,
  checkHalted,
  checkOpenOrders,
  checkPositionLimit,
  checkRateLimit,
  checkReduceOnly,
} from './account-checks.ts';
import { checkLimitsSet, checkNotional, checkPriceCollar, checkQtyMax, checkQtyMin, checkQtyStep, checkStaleMarketData } from './order-checks.ts';
import type { OrderRiskInput, RiskCheck, RiskOutcome } from './types.ts';

/** In the order of RISK_CHECK_NAMES; a decision lists its checks in this order. */
export const PRE_TRADE_CHECKS: readonly ((input: OrderRiskInput) => RiskCheck)[] = [
  checkLimitsSet,
  checkQtyMin,
  checkQtyMax,
  checkQtyStep,
  checkNotional,
  checkPositionLimit,
  checkOpenOrders,
  checkPriceCollar,
  checkStaleMarketData,
  checkRateLimit,
  checkDuplicateClientOrderId,
  checkReduceOnly,
  checkHalted,
  checkEmergencyStop,
  checkDailyLoss,
  checkDrawdown,
];

export function evaluateOrderRisk(input: OrderRiskInput): RiskOutcome {
  const checks = PRE_TRADE_CHECKS.map((run) => run(input));
  const reasons = checks.filter((c) => !c.passed).map((c) => c.name);
  return { checks, accepted: reasons.length === 0, reasons };
}
