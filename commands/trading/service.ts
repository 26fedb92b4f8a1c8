// The trading service: the one entry point of the write side for accounts, orders, fills and emergency
// stops. The HTTP command API, the paper broker and the stop sweep all call it. Each method builds the
// domain command (metadata: command id, the injected clock's now, the actor) and runs it through the
// command-handling loop on `account-{id}` or a control stream.
//
// Idempotency: the command id determines the event ids, and the outcome is kept under the command id for
// 24 h, so a repeated request returns the original outcome without deciding again. A command id reused
// for a different command body is refused with COMMAND.ID_REUSED (409).
import type { Actor } from '../../domain/ports/event-store.ts';
import type { ControlScope } from '../../domain/trading/control/index.ts';
import type { AccountFigures, PlaceOrderData, Position, RiskLimitsInput, TradingStatus } from '../../domain/trading/account/index.ts';
import type { Order, OrderSide } from '../../domain/trading/orders/index.ts';
import type { RiskCheck, RiskCheckName, RiskLimits, TradingState } from '../../domain/trading/risk/index.ts';

export interface CommandContext {
  /** Client-chosen (HTTP: Idempotency-Key) or generated; the same id means the same command. */
  readonly commandId: string;
  readonly actor: Actor;
  readonly correlationId?: string;
  /** The actor's current TOTP code (HTTP: X-TOTP-Code), for the commands that need a second factor. */
  readonly secondFactorCode?: string;
}

export interface RecordedOutcomeEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface CommandOutcome {
  readonly commandId: string;
  readonly streamId: string;
  /** False when this command id had been handled before: the original outcome is returned, nothing is applied. */
  readonly applied: boolean;
  /** The events the command recorded (empty when it changed nothing, e.g. engaging an engaged stop). */
  readonly events: readonly RecordedOutcomeEvent[];
  /** The stream's revision after the command; undefined when the stream is still empty. */
  readonly revision: bigint | undefined;
}

export interface RiskDecision {
  readonly accepted: boolean;
  /** Every check with its observed value and limit, as recorded in RiskDecisionRecorded. */
  readonly checks: readonly RiskCheck[];
  /** The failed checks' names (reason codes), empty when accepted. */
  readonly reasons: readonly RiskCheckName[];
}

export interface PlaceOrderOutcome extends CommandOutcome {
  readonly orderId: string;
  readonly accepted: boolean;
  readonly decision: RiskDecision;
}

export interface OpenAccountInput {
  readonly accountId: string;
  readonly currency: string;
  /** Minor units of the account currency. */
  readonly startingBalance: bigint;
}

export interface SetRiskLimitsInput {
  readonly accountId: string;
  readonly limits: RiskLimitsInput;
  readonly expectedVersion?: number;
  readonly reason?: string;
}

export interface TradingStateInput {
  readonly accountId: string;
  readonly state: TradingState;
  readonly reason: string;
}

export interface FundsInput {
  readonly accountId: string;
  /** Minor units, positive. */
  readonly amount: bigint;
  readonly reference?: string;
}

/** An order as a trader states it; market data and stop state are added by the service, not the caller. */
export type PlaceOrderInput = Omit<PlaceOrderData, 'market' | 'controls'>;

export interface CancelOrderInput {
  readonly accountId: string;
  readonly orderId: string;
  readonly reason?: string;
}

export interface RecordFillInput {
  readonly accountId: string;
  readonly orderId: string;
  /** Deterministic per venue fill: a repeated fill id is booked once. */
  readonly fillId: string;
  readonly qty: bigint;
  readonly price: bigint;
  /** Minor units, non-negative. */
  readonly fee?: bigint;
  /** What the broker says the fill was for: checked against the order when given. */
  readonly symbol?: string;
  readonly side?: OrderSide;
}

export interface OrderReportInput {
  readonly accountId: string;
  readonly orderId: string;
  readonly reason?: string;
}

export interface StopInput {
  readonly scope: ControlScope;
  readonly reason: string;
}

/** The account as its stream leaves it, for GET endpoints and tests. */
export interface AccountView {
  readonly accountId: string;
  readonly currency: string;
  readonly revision: bigint | undefined;
  readonly balance: bigint;
  readonly limits: RiskLimits | null;
  readonly limitsVersion: number;
  readonly trading: TradingStatus;
  readonly workingOrders: readonly Order[];
  readonly positions: readonly Position[];
  readonly figures: AccountFigures;
}

export interface StopView {
  readonly scope: ControlScope;
  readonly engaged: boolean;
  readonly reason: string | null;
  readonly engagedBy: Actor | null;
  readonly engagedAt: string | null;
  readonly pendingReleaseBy: Actor | null;
}

export interface TradingService {
  openAccount(ctx: CommandContext, input: OpenAccountInput): Promise<CommandOutcome>;
  setRiskLimits(ctx: CommandContext, input: SetRiskLimitsInput): Promise<CommandOutcome>;
  deposit(ctx: CommandContext, input: FundsInput): Promise<CommandOutcome>;
  withdraw(ctx: CommandContext, input: FundsInput): Promise<CommandOutcome>;
  /** ACTIVE, REDUCING (only risk-reducing orders) or HALTED (only cancels), by a risk officer, with a reason. */
  setTradingState(ctx: CommandContext, input: TradingStateInput): Promise<CommandOutcome>;
  /** A risk denial is a successful command: `accepted: false` with the recorded decision. */
  placeOrder(ctx: CommandContext, input: PlaceOrderInput): Promise<PlaceOrderOutcome>;
  /** Requests the cancel (OrderCancelRequested); the broker confirms it (OrderCanceled). */
  cancelOrder(ctx: CommandContext, input: CancelOrderInput): Promise<CommandOutcome>;
  /** Broker reports (service role): fills, cancel confirmations, rejections, expiries. */
  recordFill(ctx: CommandContext, input: RecordFillInput): Promise<CommandOutcome>;
  confirmCancel(ctx: CommandContext, input: OrderReportInput): Promise<CommandOutcome>;
  rejectOrder(ctx: CommandContext, input: OrderReportInput & { readonly reason: string }): Promise<CommandOutcome>;
  expireOrder(ctx: CommandContext, input: OrderReportInput): Promise<CommandOutcome>;
  /** Records the stop (risk_officer / admin), then the sweep cancels working orders in scope. */
  engageStop(ctx: CommandContext, input: StopInput): Promise<CommandOutcome>;
  /** Instrument and account stops release on the request; the global stop waits for a second approver. */
  requestStopRelease(ctx: CommandContext, input: StopInput): Promise<CommandOutcome>;
  approveStopRelease(ctx: CommandContext, input: StopInput): Promise<CommandOutcome>;
  account(accountId: string): Promise<AccountView | undefined>;
  order(accountId: string, orderId: string): Promise<Order | undefined>;
  stop(scope: ControlScope): Promise<StopView>;
}

/** Market data the order handler reads: the latest quote per symbol (QuoteBook fits this shape). */
export interface QuoteSource {
  latest(symbol: string): Promise<{ readonly bid: bigint; readonly ask: bigint; readonly timestamp: Date } | undefined>;
}
