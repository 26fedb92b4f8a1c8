// The broker's stop gate. A stop cancels working orders through its sweep on the account stream; until
// that sweep lands, the broker itself neither routes new orders nor fills working ones in a stopped scope.
import { stopApplies, type ApplicableControls } from '../control/stop-applies.ts';
import type { ControlScope } from '../control/scope.ts';
import { matchOrder, type MatchingConfig, type MatchResult, type QuoteTop, type WorkingOrder } from './matching.ts';
import type { RoutedOrder } from './port.ts';

export type RouteDecision =
  | { readonly kind: 'route' }
  | { readonly kind: 'reject'; readonly reason: 'EMERGENCY_STOP'; readonly scopes: readonly ControlScope[] };

/** Whether the broker may take an accepted order to market under the stops in force. */
export function routeDecision(controls: ApplicableControls): RouteDecision {
  const verdict = stopApplies(controls);
  return verdict.stopped ? { kind: 'reject', reason: 'EMERGENCY_STOP', scopes: verdict.scopes } : { kind: 'route' };
}

/**
 * matchOrder behind the stop gate: while a stop applies nothing fills. Cancels and expiries still
 * happen (they only take risk off), and an IOC / FOK that would have filled is canceled, since now was
 * its only chance.
 */
export function matchUnlessStopped(order: WorkingOrder, quote: QuoteTop, config: MatchingConfig, controls: ApplicableControls): MatchResult {
  const result = matchOrder(order, quote, config);
  if (result.kind !== 'fill' || !stopApplies(controls).stopped) return result;
  if (order.timeInForce === 'IOC') return { kind: 'cancel', reason: 'IOC_NOT_FILLED' };
  if (order.timeInForce === 'FOK') return { kind: 'cancel', reason: 'FOK_NOT_FILLED' };
  return { kind: 'none' };
}

/** The matching view of a routed order: what is left to fill and how many fills came before. */
export function toWorkingOrder(order: RoutedOrder): WorkingOrder {
  const { orderId, side, kind, timeInForce, limitPrice, stopPrice, fillCount, sessionEndsAt } = order;
  return {
    orderId,
    side,
    kind,
    timeInForce,
    fillCount,
    remainingQty: order.qty - order.filledQty,
    ...(limitPrice === undefined ? {} : { limitPrice }),
    ...(stopPrice === undefined ? {} : { stopPrice }),
    ...(sessionEndsAt === undefined ? {} : { sessionEndsAt }),
  };
}
