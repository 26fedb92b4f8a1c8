export { evaluateOrderRisk, PRE_TRADE_CHECKS } from './evaluate.ts';
export { SubmitTimes } from './submit-times.ts';
export {
  checkDailyLoss,
  checkDrawdown,
  checkDuplicateClientOrderId,
  checkEmergencyStop,
  checkHalted,
  checkOpenOrders,
  checkPositionLimit,
  checkRateLimit,
  checkReduceOnly,
  reducesRisk,
  worstCasePosition,
} from './account-checks.ts';
export { checkLimitsSet, checkNotional, checkPriceCollar, distanceFromMid, checkQtyMax, checkQtyMin, checkQtyStep, checkStaleMarketData, referencePrice, usableQuote } from './order-checks.ts';
export { dailyLossBreached, drawdownBps, drawdownBreached, lossLimitBreaches, type LossLimitBreach, type LossLimitCode } from './loss-limits.ts';
export {
  DEFAULT_DAILY_CUTOFF_HOUR_UTC,
  DEFAULT_MAX_DRAWDOWN_BPS,
  RISK_CHECK_NAMES,
  TRADING_STATES,
  type AccountRiskView,
  type EmergencyControls,
  type OrderRequest,
  type OrderRiskInput,
  type Quote,
  type RiskCheck,
  type RiskCheckName,
  type RiskLimits,
  type RiskOutcome,
  type TradingState,
} from './types.ts';
