// read.orders: each order's current state; read.order_status_history: every status it went through.
// A batch loads the orders it touches that existed before it, folds its events in log order in memory
// and writes each order once, so a busy order costs one row write per batch, not one per event.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { AccountEvent, OrderPlaced } from '../../domain/trading/account/events.ts';
import type { OrderStatus } from '../../domain/trading/orders/index.ts';
import type { Projection, ProjectionTarget, SqlExecutor } from '../engine/types.ts';
import { accountIdOf, col, textArray, eventTime, appendRows, insertRows, iso, table, upsertClause, type Cell } from './support.ts';

export const ORDER_EVENT_TYPES = ['OrderPlaced', 'OrderAccepted', 'OrderDenied', 'OrderCancelRequested', 'OrderCanceled', 'OrderFilled', 'OrderRejected', 'OrderExpired'] as const;

interface OrderRow {
  orderId: string; accountId: string; clientOrderId: string; symbol: string; side: string; kind: string; timeInForce: string;
  qty: bigint; limitPrice: bigint | null; stopPrice: bigint | null; reduceOnly: boolean; status: OrderStatus; filledQty: bigint;
  fillNotional: bigint; denialReasons: string[]; statusReason: string | null; placedAt: string; updatedAt: string; lastPosition: bigint;
}

const COLUMNS = [
  col('order_id', 'text'), col('account_id', 'text'), col('client_order_id', 'text'), col('symbol', 'text'), col('side', 'text'), col('kind', 'text'),
  col('time_in_force', 'text'), col('qty', 'bigint'), col('limit_price', 'bigint'), col('stop_price', 'bigint'), col('reduce_only', 'boolean'),
  col('status', 'text'), col('filled_qty', 'bigint'), col('fill_notional', 'bigint'), col('denial_reasons', 'text', 'text[]'),
  col('status_reason', 'text'), col('placed_at', 'timestamptz'), col('updated_at', 'timestamptz'), col('last_position', 'bigint'),
];
const HISTORY = [col('order_id', 'text'), col('position', 'bigint'), col('status', 'text'), col('reason', 'text'), col('at', 'timestamptz')];

// Both order lists page by (placed_at, order_id) descending: with the tie-breaker in the indexes a page
// reads just its rows, instead of every order of the account (or of the status) and a sort.
const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'orders')} (
  order_id text primary key,
  account_id text not null,
  client_order_id text not null,
  symbol text not null,
  side text not null,
  kind text not null,
  time_in_force text not null,
  qty bigint not null,
  limit_price bigint,
  stop_price bigint,
  reduce_only boolean not null,
  status text not null,
  filled_qty bigint not null,
  fill_notional bigint not null,
  avg_fill_price numeric generated always as (case when filled_qty > 0 then round(fill_notional::numeric / filled_qty, 6) end) stored,
  denial_reasons text[] not null,
  status_reason text,
  placed_at timestamptz not null,
  updated_at timestamptz not null,
  last_position bigint not null
);
drop index if exists ${table(t, 'orders_account_status')};
create index if not exists orders_account_status_placed on ${table(t, 'orders')} (account_id, status, placed_at desc, order_id desc);
create index if not exists orders_account_placed on ${table(t, 'orders')} (account_id, placed_at desc, order_id desc);
create table if not exists ${table(t, 'order_status_history')} (
  order_id text not null,
  position bigint not null,
  status text not null,
  reason text,
  at timestamptz not null,
  primary key (order_id, position)
)`;

function placed(e: RecordedEvent): OrderRow {
  const d = (e as unknown as OrderPlaced).data;
  return {
    orderId: d.orderId, accountId: accountIdOf(e.streamId), clientOrderId: d.clientOrderId, symbol: d.symbol, side: d.side, kind: d.kind,
    timeInForce: d.timeInForce, qty: d.qty, limitPrice: d.limitPrice, stopPrice: d.stopPrice, reduceOnly: d.reduceOnly, status: 'submitted',
    filledQty: 0n, fillNotional: 0n, denialReasons: [], statusReason: null, placedAt: d.at, updatedAt: d.at, lastPosition: e.globalPosition,
  };
}

/** The order after one of its events, and the status it moved to with the reason, if any. */
function evolveOrder(order: OrderRow, event: AccountEvent): { status: OrderStatus; reason: string | null } | undefined {
  switch (event.type) {
    case 'OrderAccepted': return { status: 'accepted', reason: null };
    case 'OrderDenied': order.denialReasons = [...event.data.reasons]; return { status: 'denied', reason: event.data.reasons.join(',') };
    case 'OrderCancelRequested': return { status: 'pending_cancel', reason: event.data.reason };
    case 'OrderCanceled': return { status: 'canceled', reason: null };
    case 'OrderRejected': return { status: 'rejected', reason: event.data.reason };
    case 'OrderExpired': return { status: 'expired', reason: event.data.reason };
    case 'OrderFilled':
      order.filledQty = event.data.orderFilledQty;
      order.fillNotional += event.data.qty * event.data.price;
      return { status: event.data.orderStatus, reason: null };
    default: return undefined;
  }
}

interface StoredOrder { [key: string]: string | boolean | string[] | null }

async function loadOrders(tx: SqlExecutor, target: ProjectionTarget, ids: readonly string[]): Promise<Map<string, OrderRow>> {
  const orders = new Map<string, OrderRow>();
  if (ids.length === 0) return orders;
  const { rows } = await tx.query<StoredOrder>(
    `select order_id, account_id, client_order_id, symbol, side, kind, time_in_force, qty::text, limit_price::text, stop_price::text, reduce_only, status,
       filled_qty::text, fill_notional::text, denial_reasons, status_reason, placed_at, updated_at, last_position::text
     from ${table(target, 'orders')} where order_id = any($1::text[])`, [ids]);
  const opt = (v: unknown) => (v === null ? null : BigInt(v as string));
  for (const r of rows) {
    orders.set(r.order_id as string, {
      orderId: r.order_id as string, accountId: r.account_id as string, clientOrderId: r.client_order_id as string, symbol: r.symbol as string,
      side: r.side as string, kind: r.kind as string, timeInForce: r.time_in_force as string, qty: BigInt(r.qty as string), limitPrice: opt(r.limit_price),
      stopPrice: opt(r.stop_price), reduceOnly: r.reduce_only as boolean, status: r.status as OrderStatus, filledQty: BigInt(r.filled_qty as string),
      fillNotional: BigInt(r.fill_notional as string), denialReasons: r.denial_reasons as string[], statusReason: r.status_reason as string | null,
      placedAt: new Date(r.placed_at as unknown as string).toISOString(), updatedAt: new Date(r.updated_at as unknown as string).toISOString(), lastPosition: BigInt(r.last_position as string),
    });
  }
  return orders;
}

const row = (o: OrderRow): Cell[] => [
  o.orderId, o.accountId, o.clientOrderId, o.symbol, o.side, o.kind, o.timeInForce, o.qty, o.limitPrice, o.stopPrice, o.reduceOnly, o.status,
  o.filledQty, o.fillNotional, textArray(o.denialReasons), o.statusReason, o.placedAt, o.updatedAt, o.lastPosition,
];

async function applyOrders(batch: readonly RecordedEvent[], tx: SqlExecutor, target: ProjectionTarget): Promise<void> {
  const placedHere = new Set(batch.filter((e) => e.type === 'OrderPlaced').map((e) => (e.data as { orderId: string }).orderId));
  const earlier = [...new Set(batch.map((e) => (e.data as { orderId: string }).orderId))].filter((id) => !placedHere.has(id));
  const orders = await loadOrders(tx, target, earlier);
  const history: Cell[][] = [];
  for (const e of batch) {
    const event = e as unknown as AccountEvent;
    if (event.type === 'OrderPlaced') orders.set(event.data.orderId, placed(e));
    const order = orders.get((e.data as { orderId: string }).orderId);
    if (!order) continue; // an order whose placement this projection never saw: nothing to attach it to
    const at = iso(eventTime(e));
    const moved = event.type === 'OrderPlaced' ? { status: 'submitted' as const, reason: null } : evolveOrder(order, event);
    if (!moved) continue;
    Object.assign(order, { status: moved.status, statusReason: moved.reason, updatedAt: at, lastPosition: e.globalPosition });
    history.push([order.orderId, e.globalPosition, moved.status, moved.reason, at]);
  }
  await insertRows(tx, table(target, 'orders'), COLUMNS, [...orders.values()].map(row), upsertClause(['order_id'], COLUMNS));
  await appendRows(tx, target, 'order_status_history', HISTORY, history);
}

export const ordersProjection: Projection = {
  name: 'orders',
  version: 1,
  eventTypes: ORDER_EVENT_TYPES,
  tables: ['orders', 'order_status_history'],
  migrations: [{ version: 1, description: 'orders with status history', up: schema }],
  apply: applyOrders,
};
