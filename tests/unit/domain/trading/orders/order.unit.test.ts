import { describe, expect, it } from 'vitest';
import { DomainError, ValidationError } from '../../../../../domain/shared/errors.ts';
import { isWorking, newOrder, transition, type Order, type OrderStatus, type OrderTransition } from '../../../../../domain/trading/orders/index.ts';

const placed = (): Order =>
  newOrder({
    orderId: 'O1',
    clientOrderId: 'c1',
    symbol: 'XAUUSD',
    side: 'buy',
    kind: 'limit',
    timeInForce: 'GTC',
    qty: 100n,
    limitPrice: 240_000n,
    stopPrice: null,
    reduceOnly: false,
    placedAt: '2024-05-06T10:00:00.000Z',
  });

const fill = (fillId: string, qty: bigint, price = 240_000n): OrderTransition => ({ type: 'fill', fillId, qty, price });

/** Drives a fresh order into `status` through legal moves only. */
function orderIn(status: OrderStatus): Order {
  const paths: Record<OrderStatus, OrderTransition[]> = {
    submitted: [],
    denied: [{ type: 'deny' }],
    accepted: [{ type: 'accept' }],
    partially_filled: [{ type: 'accept' }, fill('f0', 40n)],
    pending_cancel: [{ type: 'accept' }, { type: 'request_cancel' }],
    filled: [{ type: 'accept' }, fill('f0', 100n)],
    canceled: [{ type: 'accept' }, { type: 'request_cancel' }, { type: 'confirm_cancel' }],
    rejected: [{ type: 'accept' }, { type: 'reject' }],
    expired: [{ type: 'accept' }, { type: 'expire' }],
  };
  return paths[status].reduce(transition, placed());
}

const MOVES: Record<string, OrderTransition> = {
  accept: { type: 'accept' },
  deny: { type: 'deny' },
  'partial fill': fill('f9', 10n),
  request_cancel: { type: 'request_cancel' },
  confirm_cancel: { type: 'confirm_cancel' },
  reject: { type: 'reject' },
  expire: { type: 'expire' },
};

/** The whole table: from each state, which moves are legal and where they lead. */
const LEGAL: Record<OrderStatus, Partial<Record<keyof typeof MOVES, OrderStatus>>> = {
  submitted: { accept: 'accepted', deny: 'denied' },
  accepted: { 'partial fill': 'partially_filled', request_cancel: 'pending_cancel', reject: 'rejected', expire: 'expired' },
  partially_filled: { 'partial fill': 'partially_filled', request_cancel: 'pending_cancel', expire: 'expired' },
  pending_cancel: { 'partial fill': 'pending_cancel', confirm_cancel: 'canceled', reject: 'rejected', expire: 'expired' },
  denied: {},
  filled: {},
  canceled: {},
  rejected: {},
  expired: {},
};

describe('order lifecycle', () => {
  for (const [from, legal] of Object.entries(LEGAL) as [OrderStatus, (typeof LEGAL)[OrderStatus]][]) {
    for (const [name, move] of Object.entries(MOVES)) {
      const to = legal[name];
      if (to !== undefined) {
        it(`${from} --${name}--> ${to}`, () => {
          expect(transition(orderIn(from), move).status).toBe(to);
        });
      } else {
        it(`${from} refuses ${name} with ORDER.INVALID_TRANSITION`, () => {
          const order = orderIn(from);
          const error = catchError(() => transition(order, move));
          expect(error).toBeInstanceOf(DomainError);
          expect(error).toMatchObject({ code: 'ORDER.INVALID_TRANSITION', details: { orderId: 'O1', from } });
          expect(typeof (error as DomainError).details.to).toBe('string');
        });
      }
    }
  }

  it('a fill of the remaining quantity completes the order from accepted, partially filled and pending cancel', () => {
    expect(transition(orderIn('accepted'), fill('f1', 100n)).status).toBe('filled');
    expect(transition(orderIn('partially_filled'), fill('f1', 60n)).status).toBe('filled');
    expect(transition(orderIn('pending_cancel'), fill('f1', 100n)).status).toBe('filled');
  });

  it('books a fill that races a cancel, and the order still waits for the cancel of the rest', () => {
    const racing = transition(orderIn('pending_cancel'), fill('f1', 30n, 240_050n));
    expect(racing).toMatchObject({ status: 'pending_cancel', filledQty: 30n, fillNotional: 30n * 240_050n, fillIds: ['f1'] });
    expect(transition(racing, { type: 'confirm_cancel' })).toMatchObject({ status: 'canceled', filledQty: 30n });
  });

  it('refuses a broker rejection once part of the order has traded', () => {
    const racing = transition(orderIn('pending_cancel'), fill('f1', 30n));
    expect(catchError(() => transition(racing, { type: 'reject' }))).toMatchObject({ code: 'ORDER.INVALID_TRANSITION', details: { from: 'pending_cancel', to: 'rejected' } });
  });

  it('ignores a repeated fill id, even once the order is filled', () => {
    const partly = transition(orderIn('accepted'), fill('f1', 40n));
    expect(transition(partly, fill('f1', 40n))).toBe(partly);
    const done = transition(partly, fill('f2', 60n));
    expect(transition(done, fill('f2', 60n))).toBe(done);
  });

  it('refuses an overfill with ORDER.OVERFILL and the quantities in the details', () => {
    const partly = transition(orderIn('accepted'), fill('f1', 90n));
    expect(catchError(() => transition(partly, fill('f2', 11n)))).toMatchObject({
      code: 'ORDER.OVERFILL',
      details: { orderId: 'O1', fillId: 'f2', orderQty: '100', filledQty: '90', fillQty: '11' },
    });
  });

  it('refuses a fill with a non-positive quantity or price as malformed', () => {
    expect(catchError(() => transition(orderIn('accepted'), fill('f1', 0n)))).toBeInstanceOf(ValidationError);
    expect(catchError(() => transition(orderIn('accepted'), fill('f1', 10n, 0n)))).toBeInstanceOf(ValidationError);
  });

  it('counts accepted, partially filled and pending-cancel orders as working, and nothing else', () => {
    const working = (Object.keys(LEGAL) as OrderStatus[]).filter((status) => isWorking(orderIn(status)));
    expect(working.sort()).toEqual(['accepted', 'partially_filled', 'pending_cancel']);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
