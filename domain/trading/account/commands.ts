// Commands the account (stream `account-{id}`) accepts. Market facts and emergency-stop state arrive as
// data: the handler reads them, the decider judges them.
import type { Command } from '../../shared/decider.ts';
import type { SecondFactorProof } from '../../mfa/proof.ts';
import type { InstrumentFacts, Order, OrderKind, OrderSide, TimeInForce } from '../orders/index.ts';
import type { EmergencyControls, Quote, RiskLimits, TradingState } from '../risk/index.ts';
import type { FillMarket } from './fill-checks.ts';

type AccountScoped<T> = { readonly accountId: string } & T;

/**
 * The order the command names as its events recorded it, when it is no longer working: finished orders
 * are not kept in the account's state, so the handler reads one from the stream and hands it in (as it
 * hands in market data). Without it, an order that is not working is unknown to the decider.
 */
type NamesAnOrder<T> = AccountScoped<T & { readonly recordedOrder?: Order }>;

export type OpenAccount = Command<'OpenAccount', AccountScoped<{ readonly currency: string; readonly startingBalance: bigint }>>;
export type Deposit = Command<'Deposit', AccountScoped<{ readonly amount: bigint; readonly reference?: string }>>;
export type Withdraw = Command<'Withdraw', AccountScoped<{ readonly amount: bigint; readonly reference?: string }>>;

/** Drawdown (10%) and cut-off hour (0 UTC) have defaults; every other limit is stated explicitly. */
export type RiskLimitsInput = Omit<RiskLimits, 'maxDrawdownBps' | 'dailyCutoffHourUtc'> &
  Partial<Pick<RiskLimits, 'maxDrawdownBps' | 'dailyCutoffHourUtc'>>;

export type SetRiskLimits = Command<
  'SetRiskLimits',
  AccountScoped<{
    readonly limits: RiskLimitsInput;
    /** When given, the limits must still be at this version: two officers editing at once do not overwrite each other. */
    readonly expectedVersion?: number;
    readonly reason?: string;
    /** Changing limits an account already has needs the actor's second factor (its first limits do not). */
    readonly secondFactor?: SecondFactorProof;
  }>
>;

export interface PlaceOrderData {
  readonly accountId: string;
  /** Defaults to the command id, so a retried command names the same order. */
  readonly orderId?: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly kind: OrderKind;
  readonly timeInForce: TimeInForce;
  readonly qty: bigint;
  readonly limitPrice?: bigint;
  readonly stopPrice?: bigint;
  readonly reduceOnly?: boolean;
  readonly market: { readonly lastQuote?: Quote; readonly instrument: InstrumentFacts };
  readonly controls: EmergencyControls;
  /** A finished order of this orderId, read from the stream by the handler: the id is taken. */
  readonly recordedOrder?: Order;
}
export type PlaceOrder = Command<'PlaceOrder', PlaceOrderData>;

export type CancelOrder = Command<'CancelOrder', NamesAnOrder<{ readonly orderId: string; readonly reason?: string }>>;
/** The broker confirms a requested cancel: the order is off the market. */
export type ConfirmCancel = Command<'ConfirmCancel', NamesAnOrder<{ readonly orderId: string }>>;
export type RecordFill = Command<
  'RecordFill',
  NamesAnOrder<{
    readonly fillId: string;
    readonly orderId: string;
    readonly qty: bigint;
    readonly price: bigint;
    readonly fee?: bigint;
    /** What the broker reported the fill was for; a mismatch with the order refuses the fill. */
    readonly symbol?: string;
    readonly side?: OrderSide;
    /** The latest quote of the order's instrument when the fill is recorded, and the band around it. */
    readonly market: FillMarket;
  }>
>;
export type RejectOrder = Command<'RejectOrder', NamesAnOrder<{ readonly orderId: string; readonly reason: string }>>;
export type ExpireOrder = Command<'ExpireOrder', NamesAnOrder<{ readonly orderId: string; readonly reason?: string }>>;
export type SetTradingState = Command<'SetTradingState', AccountScoped<{ readonly state: TradingState; readonly reason: string }>>;

export type AccountCommand =
  | OpenAccount
  | Deposit
  | Withdraw
  | SetRiskLimits
  | PlaceOrder
  | CancelOrder
  | ConfirmCancel
  | RecordFill
  | RejectOrder
  | ExpireOrder
  | SetTradingState;
