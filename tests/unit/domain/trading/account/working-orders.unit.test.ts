// The persistent working-order map must behave exactly like copying a Map on every change: every
// earlier version stays as it was, and the open quantity per instrument and side is what a walk over
// the working orders would sum.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkingOrders } from '../../../../../domain/trading/account/working-orders.ts';
import { isWorking, newOrder, type Order, type OrderStatus } from '../../../../../domain/trading/orders/index.ts';

const STATUSES: OrderStatus[] = ['submitted', 'accepted', 'partially_filled', 'pending_cancel'];

const orderOf = (id: number, symbol: string, side: 'buy' | 'sell', qty: bigint, filled: bigint, status: OrderStatus): Order => ({
  ...newOrder({
    orderId: `order-${id}`, clientOrderId: `c-${id}`, symbol, side, kind: 'limit', timeInForce: 'GTC', qty, limitPrice: 100n, stopPrice: null, reduceOnly: false,
    placedAt: '2026-12-03T00:00:00.000Z',
  }),
  status,
  filledQty: filled,
});

type Op = { kind: 'put'; order: Order } | { kind: 'remove'; id: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), order: fc.tuple(fc.integer({ min: 0, max: 80 }), fc.constantFrom('XAUUSD', 'XAGUSD'), fc.constantFrom('buy' as const, 'sell' as const),
    fc.bigInt({ min: 1n, max: 1_000n }), fc.constantFrom(...STATUSES), fc.integer({ min: 0, max: 100 }))
    .map(([id, symbol, side, qty, status, filledPct]) => orderOf(id, symbol, side, qty, (qty * BigInt(filledPct)) / 100n, status)) }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 80 }) }),
);

const sumOpen = (orders: Iterable<Order>, symbol: string) => {
  let buy = 0n;
  let sell = 0n;
  for (const o of orders) {
    if (o.symbol !== symbol || !isWorking(o)) continue;
    if (o.side === 'buy') buy += o.qty - o.filledQty;
    else sell += o.qty - o.filledQty;
  }
  return { buy, sell };
};

describe('working orders (persistent map)', () => {
  it('matches a copied Map after any sequence of puts and removes, and leaves every earlier version unchanged', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      let current = WorkingOrders.EMPTY;
      let model = new Map<string, Order>();
      const history: Array<[WorkingOrders, Map<string, Order>]> = [];
      for (const o of ops) {
        if (o.kind === 'put') {
          current = current.with(o.order);
          model = new Map(model).set(o.order.orderId, o.order);
        } else {
          current = current.without(`order-${o.id}`);
          model = new Map(model);
          model.delete(`order-${o.id}`);
        }
        history.push([current, model]);
      }
      for (const [version, expected] of history) {
        expect(version.size).toBe(expected.size);
        expect(new Map([...version.values()].map((x) => [x.orderId, x]))).toEqual(expected);
        for (let id = 0; id <= 80; id += 1) expect(version.get(`order-${id}`)).toBe(expected.get(`order-${id}`));
        for (const symbol of ['XAUUSD', 'XAGUSD']) expect(version.openQty(symbol)).toEqual(sumOpen(expected.values(), symbol));
      }
    }), { numRuns: 60 });
  });

  it('counts a working order\'s remainder, and nothing once it is removed', () => {
    const placed = WorkingOrders.EMPTY.with(orderOf(1, 'XAUUSD', 'buy', 50n, 0n, 'accepted'));
    const partly = placed.with(orderOf(1, 'XAUUSD', 'buy', 50n, 20n, 'partially_filled'));
    expect([placed.openQty('XAUUSD'), partly.openQty('XAUUSD'), partly.without('order-1').openQty('XAUUSD')])
      .toEqual([{ buy: 50n, sell: 0n }, { buy: 30n, sell: 0n }, { buy: 0n, sell: 0n }]);
    expect(partly.without('order-2')).toBe(partly);
  });
});
