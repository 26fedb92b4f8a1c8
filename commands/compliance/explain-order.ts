// Compliance: why an order was accepted or denied, and everything that happened to it after. The account
// stream is folded as the command side folded it, so the limits, trading state and position the decision
// saw are the ones in force when the order was placed, with who set those limits and when.
import type { Actor, EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';
import { NotFoundError } from '../../domain/shared/errors.ts';
import { accountStreamId, initialAccountState, orderFromEvents, type AccountEvent, type AccountState, type OrderPlaced, type RiskDecisionRecorded } from '../../domain/trading/account/index.ts';
import type { RiskLimits } from '../../domain/trading/risk/index.ts';
import { foldAccountEvent, streamEvents, type ReadProgress } from './account-as-of.ts';

/** One event of the order's life: what, when, by whom, through which command. */
export interface OrderStep {
  readonly revision: bigint;
  readonly type: string;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly actor: Actor | null;
  readonly commandId: string | null;
  readonly correlationId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The account as the decision saw it, just before the order was placed. */
export interface DecisionContext {
  readonly limits: RiskLimits | null;
  readonly limitsVersion: number;
  /** The RiskLimitsSet that put those limits in force. */
  readonly limitsSet: { readonly by: Actor | null; readonly at: Date; readonly reason: string | null } | null;
  readonly tradingState: AccountState['trading'];
  readonly positionQty: bigint;
  readonly workingOrders: number;
  readonly balance: bigint;
}

export interface OrderExplanation {
  readonly accountId: string;
  readonly orderId: string;
  readonly order: Omit<OrderPlaced['data'], 'instrument'>;
  readonly decision: RiskDecisionRecorded['data'] | null;
  readonly context: DecisionContext;
  /** The order's status after every event recorded so far. */
  readonly status: string;
  readonly steps: readonly OrderStep[];
}

const stepOf = (e: RecordedEvent): OrderStep => ({
  revision: e.revision, type: e.type, occurredAt: e.occurredAt, recordedAt: e.recordedAt,
  actor: e.metadata.actor ?? null, commandId: e.metadata.commandId ?? null, correlationId: e.metadata.correlationId ?? null,
  data: e.data,
});

function contextOf(state: AccountState, symbol: string, limitsSet: RecordedEvent | undefined): DecisionContext {
  return {
    limits: state.limits,
    limitsVersion: state.limitsVersion,
    limitsSet: limitsSet ? { by: limitsSet.metadata.actor ?? null, at: limitsSet.recordedAt, reason: (limitsSet.data.reason as string | null | undefined) ?? null } : null,
    tradingState: state.trading,
    positionQty: state.positions.get(symbol)?.qty ?? 0n,
    workingOrders: state.workingOrders.size,
    balance: state.balance,
  };
}

export async function explainOrder(store: EventStore, accountId: string, orderId: string, onPage?: ReadProgress): Promise<OrderExplanation> {
  let state = initialAccountState();
  let limitsSet: RecordedEvent | undefined;
  let placed: { order: OrderPlaced['data']; context: DecisionContext } | undefined;
  let decision: RiskDecisionRecorded['data'] | null = null;
  const steps: OrderStep[] = [];
  for await (const event of streamEvents(store, accountStreamId(accountId), onPage)) {
    if (event.data.orderId === orderId) {
      if (event.type === 'OrderPlaced') placed = { order: event.data as unknown as OrderPlaced['data'], context: contextOf(state, event.data.symbol as string, limitsSet) };
      if (event.type === 'RiskDecisionRecorded') decision = event.data as unknown as RiskDecisionRecorded['data'];
      steps.push(stepOf(event));
    }
    if (event.type === 'RiskLimitsSet') limitsSet = event;
    state = foldAccountEvent(state, event);
  }
  if (!placed) throw new NotFoundError('ORDER.UNKNOWN', `no order ${orderId} on account ${accountId}`, { accountId, orderId });
  const { instrument: _instrument, ...order } = placed.order;
  // The account's state keeps working orders only: the status is the order's own events folded.
  const status = orderFromEvents(steps.map((step) => ({ type: step.type, data: step.data }) as unknown as AccountEvent))?.status ?? 'unknown';
  return { accountId, orderId, order, decision, context: placed.context, status, steps };
}
