export { accountDecider, accountStreamId, decide } from './decider.ts';
export { evolve, orderFromEvents } from './evolve.ts';
export { ACCOUNT_FOLD_VERSION, accountSnapshots, heldEntries, plainAccountState } from './snapshot.ts';
export { CLIENT_ORDER_ID_WINDOW_MS, clientOrderIdsHeld } from './client-order-ids.ts';
export { initialAccountState, findOrder, openQtyBySide, type AccountState, type TradingDay, type TradingStatus } from './state.ts';
export { completeLimits, freeCash, limitsChangeNeedsSecondFactor } from './decide-account.ts';
export { RISK_LIMIT_BOUNDS, RISK_LIMIT_NAMES, type RiskLimitName, type RiskLimitUnit } from './limit-bounds.ts';
export { accountRiskView, validatePlaceOrder } from './decide-orders.ts';
export { accountFigures, dailyPnlAt, dayOrdersToExpire, equityOf, marketMarks, midPrice, totalUnrealized, tradingDayIndex, type AccountFigures } from './valuation.ts';
export { DEFAULT_FILL_BAND_BPS, FILL_REFUSAL_CODES, MAX_FILL_BAND_BPS, fillRefusal, type FillMarket, type FillRefusalCode } from './fill-checks.ts';
export { averageOpenPrice, bookFill, flatPosition, markValue, unrealizedPnl, type FillBooking, type Position } from './positions.ts';
export type {
  AccountCommand,
  CancelOrder,
  ConfirmCancel,
  Deposit,
  ExpireOrder,
  OpenAccount,
  PlaceOrder,
  PlaceOrderData,
  RecordFill,
  RejectOrder,
  RiskLimitsInput,
  SetRiskLimits,
  SetTradingState,
  Withdraw,
} from './commands.ts';
export {
  ORDER_LIFE_EVENT_TYPES,
  RISK_ENGINE_ACTOR,
  type AccountEvent,
  type AccountEventType,
  type AccountOpened,
  type FundsDeposited,
  type FundsWithdrawn,
  type OrderAccepted,
  type OrderCancelRequested,
  type OrderCanceled,
  type OrderDenied,
  type OrderExpired,
  type OrderFilled,
  type FillRefused,
  type OrderPlaced,
  type OrderRejected,
  type RecordedQuote,
  type RiskDecisionRecorded,
  type RiskLimitsSet,
  type TradingStateChanged,
} from './events.ts';
