// Events of the account stream. Every event carries `at` (ISO time of the decision) because the day
// roll, the submit-rate window and the audit trail all read time from the events themselves. Absent
// values are null, never undefined, so the data survives JSON unchanged.
import type { Actor } from '../../ports/event-store.ts';
import type { DomainEvent } from '../../shared/decider.ts';
import type { InstrumentFacts, OrderKind, OrderSide, OrderStatus, TimeInForce } from '../orders/index.ts';
import type { RiskCheck, RiskCheckName, RiskLimits, TradingState } from '../risk/index.ts';
import type { FillRefusalCode } from './fill-checks.ts';

type At = { readonly at: string };

export type AccountOpened = DomainEvent<'AccountOpened', At & { readonly accountId: string; readonly currency: string; readonly startingBalance: bigint }>;
export type FundsDeposited = DomainEvent<'FundsDeposited', At & { readonly amount: bigint; readonly reference: string | null; readonly balanceAfter: bigint }>;
export type FundsWithdrawn = DomainEvent<'FundsWithdrawn', At & { readonly amount: bigint; readonly reference: string | null; readonly balanceAfter: bigint }>;
export type RiskLimitsSet = DomainEvent<'RiskLimitsSet', At & { readonly version: number; readonly limits: RiskLimits; readonly reason: string | null }>;

export interface RecordedQuote {
  readonly bid: bigint;
  readonly ask: bigint;
  readonly timestamp: string;
}

export type OrderPlaced = DomainEvent<
  'OrderPlaced',
  At & {
    readonly orderId: string;
    readonly clientOrderId: string;
    readonly symbol: string;
    readonly side: OrderSide;
    readonly kind: OrderKind;
    readonly timeInForce: TimeInForce;
    readonly qty: bigint;
    readonly limitPrice: bigint | null;
    readonly stopPrice: bigint | null;
    readonly reduceOnly: boolean;
    /** The facts and the quote the decision was made on, kept for the audit trail and for valuing fills. */
    readonly instrument: Required<InstrumentFacts>;
    readonly quote: RecordedQuote | null;
    /**
     * DAY orders: the end of the account's trading day (its daily cut-off) the order was placed in, when
     * the broker lets it expire. Absent on other orders, and on DAY orders recorded before it existed
     * (the broker then takes the next UTC midnight).
     */
    readonly expiresAt?: string;
  }
>;

export type RiskDecisionRecorded = DomainEvent<
  'RiskDecisionRecorded',
  At & { readonly orderId: string; readonly accepted: boolean; readonly checks: readonly RiskCheck[]; readonly reasons: readonly RiskCheckName[] }
>;
export type OrderAccepted = DomainEvent<'OrderAccepted', At & { readonly orderId: string }>;
export type OrderDenied = DomainEvent<'OrderDenied', At & { readonly orderId: string; readonly reasons: readonly RiskCheckName[] }>;
export type OrderCancelRequested = DomainEvent<'OrderCancelRequested', At & { readonly orderId: string; readonly reason: string | null }>;
export type OrderCanceled = DomainEvent<'OrderCanceled', At & { readonly orderId: string }>;

/** A fill as reported, on the order's symbol and side: what a booked and a refused fill both record. */
type FillFacts = {
  readonly fillId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: bigint;
  readonly price: bigint;
};

export type OrderFilled = DomainEvent<
  'OrderFilled',
  At & FillFacts & {
    readonly fee: bigint;
    /** Minor units: positive received (sell), negative paid (buy). */
    readonly cashFlow: bigint;
    readonly orderStatus: OrderStatus;
    readonly orderFilledQty: bigint;
    /** Position bookkeeping of this fill: the part that closed, the part that opened, and the result. */
    readonly closedQty: bigint;
    readonly openedQty: bigint;
    readonly realizedPnl: bigint;
    readonly positionQty: bigint;
    readonly positionCostBasis: bigint;
    /**
     * The mark the fill left the position at: the mid of the market quote it was checked against. Absent
     * from fills recorded before fills were checked (their price was the mark).
     */
    readonly markPrice?: bigint;
  }
>;

/** A fill the post-trade checks refused: nothing was booked. Who reported it, at what, and why. */
export type FillRefused = DomainEvent<
  'FillRefused',
  At & FillFacts & {
    /** As the broker reported them (null when it did not say). */
    readonly reportedSymbol: string | null;
    readonly reportedSide: OrderSide | null;
    readonly limitPrice: bigint | null;
    readonly quote: RecordedQuote | null;
    readonly bandBps: bigint;
    readonly code: FillRefusalCode;
    readonly reason: string;
    readonly reportedBy: Actor;
  }
>;

export type OrderRejected = DomainEvent<'OrderRejected', At & { readonly orderId: string; readonly reason: string }>;
export type OrderExpired = DomainEvent<'OrderExpired', At & { readonly orderId: string; readonly reason: string | null }>;

export type TradingStateChanged = DomainEvent<
  'TradingStateChanged',
  At & {
    readonly from: TradingState;
    readonly to: TradingState;
    readonly reason: string;
    /** Set when a limit changed the state by itself (RISK.DAILY_LOSS, RISK.DRAWDOWN). */
    readonly reasonCode: string | null;
    readonly changedBy: Actor;
  }
>;

export type AccountEvent =
  | AccountOpened
  | FundsDeposited
  | FundsWithdrawn
  | RiskLimitsSet
  | OrderPlaced
  | RiskDecisionRecorded
  | OrderAccepted
  | OrderDenied
  | OrderCancelRequested
  | OrderCanceled
  | OrderFilled
  | FillRefused
  | OrderRejected
  | OrderExpired
  | TradingStateChanged;

export type AccountEventType = AccountEvent['type'];

/** The events that place an order or move it (orderFromEvents folds them): what a finished order is read back from. */
export const ORDER_LIFE_EVENT_TYPES = [
  'OrderPlaced', 'OrderAccepted', 'OrderDenied', 'OrderCancelRequested', 'OrderCanceled', 'OrderFilled', 'OrderRejected', 'OrderExpired',
] as const satisfies readonly AccountEventType[];

/** Who changes the trading state when a limit does it by itself. */
export const RISK_ENGINE_ACTOR: Actor = { userId: 'risk-engine', role: 'system' };
