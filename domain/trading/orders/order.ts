// One order's lifecycle as a state machine. The account decider owns the orders; this module only
// says which moves are legal and what an order looks like after one.
import { DomainError, ValidationError } from '../../shared/errors.ts';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export const ORDER_KINDS = ['market', 'limit', 'stop'] as const;
export const TIMES_IN_FORCE = ['GTC', 'IOC', 'FOK', 'DAY'] as const;

export type OrderSide = (typeof ORDER_SIDES)[number];
export type OrderKind = (typeof ORDER_KINDS)[number];
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

export type OrderStatus =
  | 'submitted'
  | 'denied'
  | 'accepted'
  | 'partially_filled'
  | 'pending_cancel'
  | 'filled'
  | 'canceled'
  | 'rejected'
  | 'expired';

export interface Order {
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
  readonly status: OrderStatus;
  readonly filledQty: bigint;
  /** Σ fill qty × fill price (price·quantity units): the exact average fill price is fillNotional / filledQty. */
  readonly fillNotional: bigint;
  readonly fillIds: readonly string[];
  readonly placedAt: string;
}

export type NewOrder = Omit<Order, 'status' | 'filledQty' | 'fillNotional' | 'fillIds'>;

export type OrderTransition =
  | { readonly type: 'accept' }
  | { readonly type: 'deny' }
  | { readonly type: 'fill'; readonly fillId: string; readonly qty: bigint; readonly price: bigint }
  | { readonly type: 'request_cancel' }
  | { readonly type: 'confirm_cancel' }
  | { readonly type: 'reject' }
  | { readonly type: 'expire' };

/**
 * Where each move may start. A fill may still arrive while a cancel is pending (the broker had it first),
 * and a broker that never routed the order may reject it while a cancel is on its way.
 */
const ALLOWED_FROM: Readonly<Record<OrderTransition['type'], readonly OrderStatus[]>> = {
  accept: ['submitted'],
  deny: ['submitted'],
  fill: ['accepted', 'partially_filled', 'pending_cancel'],
  request_cancel: ['accepted', 'partially_filled'],
  confirm_cancel: ['pending_cancel'],
  reject: ['accepted', 'pending_cancel'],
  expire: ['accepted', 'partially_filled', 'pending_cancel'],
};

const WORKING: ReadonlySet<OrderStatus> = new Set(['accepted', 'partially_filled', 'pending_cancel']);
const FINAL: ReadonlySet<OrderStatus> = new Set(['denied', 'filled', 'canceled', 'rejected', 'expired']);

/** Working orders can still fill: they count toward open-order and worst-case position limits. */
export const isWorking = (order: Pick<Order, 'status'>): boolean => WORKING.has(order.status);
export const isFinal = (status: OrderStatus): boolean => FINAL.has(status);
export const remainingQty = (order: Pick<Order, 'qty' | 'filledQty'>): bigint => order.qty - order.filledQty;

export function newOrder(fields: NewOrder): Order {
  return { ...fields, status: 'submitted', filledQty: 0n, fillNotional: 0n, fillIds: [] };
}

export function statusAfter(order: Order, move: OrderTransition): OrderStatus {
  switch (move.type) {
    case 'accept':
      return 'accepted';
    case 'deny':
      return 'denied';
    case 'fill':
      if (order.filledQty + move.qty === order.qty) return 'filled';
      return order.status === 'pending_cancel' ? 'pending_cancel' : 'partially_filled';
    case 'request_cancel':
      return 'pending_cancel';
    case 'confirm_cancel':
      return 'canceled';
    case 'reject':
      return 'rejected';
    case 'expire':
      return 'expired';
  }
}

/**
 * Applies one move. A fill id the order has already booked returns the order unchanged (brokers resend
 * fills); an illegal move throws ORDER.INVALID_TRANSITION; a fill beyond the order's size ORDER.OVERFILL.
 */
export function transition(order: Order, move: OrderTransition): Order {
  if (move.type === 'fill' && order.fillIds.includes(move.fillId)) return order;
  // Part of a rejected order cannot have traded: a partly filled order is canceled or expired instead.
  const rejectAfterFill = move.type === 'reject' && order.filledQty > 0n;
  if (!ALLOWED_FROM[move.type].includes(order.status) || rejectAfterFill) {
    const to = move.type === 'fill' ? 'partially_filled|filled' : statusAfter(order, move);
    throw new DomainError('ORDER.INVALID_TRANSITION', `order ${order.orderId} cannot go from ${order.status} to ${to}`, {
      orderId: order.orderId,
      from: order.status,
      to,
      move: move.type,
    });
  }
  if (move.type !== 'fill') return { ...order, status: statusAfter(order, move) };
  return applyFill(order, move);
}

function applyFill(order: Order, fill: Extract<OrderTransition, { type: 'fill' }>): Order {
  if (fill.qty <= 0n) throw new ValidationError('FILL.QTY_INVALID', `fill qty must be positive, got ${fill.qty}`, { fillId: fill.fillId });
  if (fill.price <= 0n) throw new ValidationError('FILL.PRICE_INVALID', `fill price must be positive, got ${fill.price}`, { fillId: fill.fillId });
  if (order.filledQty + fill.qty > order.qty) {
    throw new DomainError('ORDER.OVERFILL', `fill ${fill.fillId} of ${fill.qty} overfills order ${order.orderId}`, {
      orderId: order.orderId,
      fillId: fill.fillId,
      orderQty: String(order.qty),
      filledQty: String(order.filledQty),
      fillQty: String(fill.qty),
    });
  }
  return {
    ...order,
    status: statusAfter(order, fill),
    filledQty: order.filledQty + fill.qty,
    fillNotional: order.fillNotional + fill.qty * fill.price,
    fillIds: [...order.fillIds, fill.fillId],
  };
}
