// An account's working orders as a persistent map. Every order event makes a new account state, and
// copying every working order into a new Map on each event cost each order O(open orders) in time and,
// worse, in young objects that survive until the next event (the garbage collector copies them all).
// Here the orders sit in 32 buckets by a hash of the order id: adding, replacing or removing an order
// copies only its bucket and the bucket array. The remaining quantity of working orders per instrument
// and side is kept alongside, so the position cap's worst case is a lookup, not a walk over the orders.
import { isWorking, remainingQty, type Order } from '../orders/index.ts';

const BUCKETS = 32;

export interface OpenQty {
  readonly buy: bigint;
  readonly sell: bigint;
}

const NO_OPEN_QTY: OpenQty = { buy: 0n, sell: 0n };

function bucketOf(orderId: string): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < orderId.length; i += 1) hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % BUCKETS;
}

/** What one order adds to its instrument's open quantity: its remainder while it can still fill. */
const openPart = (order: Order): OpenQty => {
  if (!isWorking(order)) return NO_OPEN_QTY;
  const remaining = remainingQty(order);
  return order.side === 'buy' ? { buy: remaining, sell: 0n } : { buy: 0n, sell: remaining };
};

export class WorkingOrders {
  static readonly EMPTY = new WorkingOrders(new Array<readonly Order[]>(BUCKETS).fill([]), 0, new Map());

  private constructor(
    private readonly buckets: ReadonlyArray<readonly Order[]>,
    readonly size: number,
    private readonly open: ReadonlyMap<string, OpenQty>,
  ) {}

  get(orderId: string): Order | undefined {
    for (const order of this.buckets[bucketOf(orderId)]!) if (order.orderId === orderId) return order;
    return undefined;
  }

  *values(): IterableIterator<Order> {
    for (const bucket of this.buckets) yield* bucket;
  }

  /**
   * Whether a working order carries this client order id: an order still working holds its id however
   * long ago it was placed (a walk over the working orders, which the open-order limit bounds).
   */
  holdsClientOrderId(clientOrderId: string): boolean {
    if (this.size === 0) return false;
    for (const bucket of this.buckets) for (const order of bucket) if (order.clientOrderId === clientOrderId) return true;
    return false;
  }

  /** Remaining quantity of this instrument's working orders, per side. */
  openQty(symbol: string): OpenQty {
    return this.open.get(symbol) ?? NO_OPEN_QTY;
  }

  /** With `order` added, or replacing the order of the same id. */
  with(order: Order): WorkingOrders {
    const index = bucketOf(order.orderId);
    const bucket = this.buckets[index]!;
    const at = bucket.findIndex((o) => o.orderId === order.orderId);
    const before = at < 0 ? undefined : bucket[at]!;
    const next = at < 0 ? [...bucket, order] : bucket.map((o, i) => (i === at ? order : o));
    return new WorkingOrders(this.replaced(index, next), at < 0 ? this.size + 1 : this.size, this.movedOpen(before, order));
  }

  /** Without the order of this id (the same map when there is none). */
  without(orderId: string): WorkingOrders {
    const index = bucketOf(orderId);
    const bucket = this.buckets[index]!;
    const at = bucket.findIndex((o) => o.orderId === orderId);
    if (at < 0) return this;
    const next = bucket.filter((_, i) => i !== at);
    return new WorkingOrders(this.replaced(index, next), this.size - 1, this.movedOpen(bucket[at], undefined));
  }

  private replaced(index: number, bucket: readonly Order[]): ReadonlyArray<readonly Order[]> {
    const buckets = this.buckets.slice();
    buckets[index] = bucket;
    return buckets;
  }

  /** The open quantities once `before` (if any) became `after` (if any). */
  private movedOpen(before: Order | undefined, after: Order | undefined): ReadonlyMap<string, OpenQty> {
    const out = before === undefined ? NO_OPEN_QTY : openPart(before);
    const into = after === undefined ? NO_OPEN_QTY : openPart(after);
    const sameSymbol = before === undefined || after === undefined || before.symbol === after.symbol;
    if (sameSymbol && out.buy === into.buy && out.sell === into.sell) return this.open;
    const open = new Map(this.open);
    const add = (symbol: string, part: OpenQty, sign: bigint) => {
      const current = open.get(symbol) ?? NO_OPEN_QTY;
      open.set(symbol, { buy: current.buy + sign * part.buy, sell: current.sell + sign * part.sell });
    };
    if (before !== undefined) add(before.symbol, out, -1n);
    if (after !== undefined) add(after.symbol, into, 1n);
    return open;
  }
}
