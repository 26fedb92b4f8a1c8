// What the pre-trade risk engine reads and what it answers. Everything it needs comes in as data: the
// account's state as of the decision, the market's last quote, the stop state and the time.
import type { InstrumentFacts, OrderKind, OrderSide } from '../orders/index.ts';
import type { SubmitTimes } from './submit-times.ts';

export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
/** ACTIVE trades freely; REDUCING accepts only orders that shrink a position; HALTED accepts no orders (cancels still work). */
export type TradingState = (typeof TRADING_STATES)[number];

export interface RiskLimits {
  /** Largest value of one order, in minor units of the quote currency. */
  readonly maxOrderNotional: bigint;
  /** Largest net position per instrument, in quantity units, counting every working order's worst case. */
  readonly maxPositionQty: bigint;
  /** Working orders across the account, the new one included. */
  readonly maxOpenOrders: number;
  /** Farthest a limit or stop price may sit from the last mid, in basis points. */
  readonly priceCollarBps: bigint;
  /** Oldest quote an order may be judged against. */
  readonly maxQuoteAgeMs: number;
  /** Submissions (accepted or denied, the new one included) allowed in any sliding window of submitWindowMs. */
  readonly maxSubmitsPerWindow: number;
  readonly submitWindowMs: number;
  /** Loss over the trading day, in minor units, at which the account halts. Positive. */
  readonly maxDailyLoss: bigint;
  /** Fall from peak equity, in basis points, at which the account halts. */
  readonly maxDrawdownBps: bigint;
  /** Hour (UTC, 0-23) at which the trading day, and the daily P&L, starts over. */
  readonly dailyCutoffHourUtc: number;
}

export const DEFAULT_MAX_DRAWDOWN_BPS = 1_000n; // 10% from peak equity
export const DEFAULT_DAILY_CUTOFF_HOUR_UTC = 0;

export const RISK_CHECK_NAMES = [
  'RISK.LIMITS_NOT_SET',
  'RISK.QTY_MIN',
  'RISK.QTY_MAX',
  'RISK.QTY_STEP',
  'RISK.NOTIONAL',
  'RISK.POSITION_LIMIT',
  'RISK.OPEN_ORDERS',
  'RISK.PRICE_COLLAR',
  'RISK.STALE_MARKET_DATA',
  'RISK.RATE_LIMIT',
  'RISK.DUPLICATE_CLIENT_ORDER_ID',
  'RISK.REDUCE_ONLY',
  'RISK.HALTED',
  'RISK.EMERGENCY_STOP',
  'RISK.DAILY_LOSS',
  'RISK.DRAWDOWN',
] as const;
export type RiskCheckName = (typeof RISK_CHECK_NAMES)[number];

/** One line of a risk decision. Values are text so the recorded decision reads the same everywhere. */
export interface RiskCheck {
  readonly name: RiskCheckName;
  readonly passed: boolean;
  readonly observed: string;
  readonly limit: string;
}

export interface Quote {
  readonly bid: bigint;
  readonly ask: bigint;
  readonly timestamp: Date;
}

export interface OrderRequest {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly kind: OrderKind;
  readonly qty: bigint;
  readonly limitPrice: bigint | null;
  readonly stopPrice: bigint | null;
  readonly reduceOnly: boolean;
}

/** The account as the risk engine sees it at the moment of the decision. */
export interface AccountRiskView {
  readonly tradingState: TradingState;
  /** Signed net position in the order's instrument, quantity units. */
  readonly positionQty: bigint;
  /** Unfilled quantity of working buy / sell orders in the order's instrument. */
  readonly openBuyQty: bigint;
  readonly openSellQty: bigint;
  /** Working orders across the account, before this one. */
  readonly openOrderCount: number;
  /** Epoch ms of earlier submissions; older than any window of interest may be left out. */
  readonly recentSubmitTimes: SubmitTimes;
  readonly clientOrderIdUsed: boolean;
  /** Equity change since the trading day started, net of deposits and withdrawals, minor units. */
  readonly dailyPnl: bigint;
  readonly equity: bigint;
  readonly peakEquity: bigint;
}

export interface EmergencyControls {
  readonly stopped: boolean;
  /** Which stop applies, e.g. "global", "instrument:XAUUSD", "account:A1"; recorded in the decision. */
  readonly scope?: string;
}

export interface OrderRiskInput {
  readonly order: OrderRequest;
  readonly instrument: InstrumentFacts;
  readonly quote: Quote | undefined;
  readonly now: Date;
  /** Null until the account's first RiskLimitsSet: every limit-bound check then fails. */
  readonly limits: RiskLimits | null;
  readonly account: AccountRiskView;
  readonly controls: EmergencyControls;
}

export interface RiskOutcome {
  readonly checks: readonly RiskCheck[];
  readonly accepted: boolean;
  /** Names of the failed checks, in check order. */
  readonly reasons: readonly RiskCheckName[];
}
