// read.fills: every execution with its cash, fee and the position bookkeeping the account recorded.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { OrderFilled } from '../../domain/trading/account/events.ts';
import type { Projection, ProjectionTarget } from '../engine/types.ts';
import { accountIdOf, col, eventTime, appendRows, iso, table, type Cell } from './support.ts';

const COLUMNS = [
  col('fill_id', 'text'), col('order_id', 'text'), col('account_id', 'text'), col('symbol', 'text'), col('side', 'text'),
  col('qty', 'bigint'), col('price', 'bigint'), col('fee', 'bigint'), col('cash_flow', 'bigint'), col('closed_qty', 'bigint'),
  col('opened_qty', 'bigint'), col('realized_pnl', 'bigint'), col('position_qty', 'bigint'), col('order_status', 'text'),
  col('at', 'timestamptz'), col('position', 'bigint'),
];

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'fills')} (
  fill_id text primary key,
  order_id text not null,
  account_id text not null,
  symbol text not null,
  side text not null,
  qty bigint not null,
  price bigint not null,
  fee bigint not null,
  cash_flow bigint not null,
  closed_qty bigint not null,
  opened_qty bigint not null,
  realized_pnl bigint not null,
  position_qty bigint not null,
  order_status text not null,
  at timestamptz not null,
  position bigint not null
);
create index if not exists fills_account_time on ${table(t, 'fills')} (account_id, at desc);
create index if not exists fills_order on ${table(t, 'fills')} (order_id)`;

function row(e: RecordedEvent): Cell[] {
  const d = (e as unknown as OrderFilled).data;
  return [
    d.fillId, d.orderId, accountIdOf(e.streamId), d.symbol, d.side, d.qty, d.price, d.fee, d.cashFlow, d.closedQty, d.openedQty,
    d.realizedPnl, d.positionQty, d.orderStatus, iso(eventTime(e)), e.globalPosition,
  ];
}

export const fillsProjection: Projection = {
  name: 'fills',
  version: 1,
  eventTypes: ['OrderFilled'],
  tables: ['fills'],
  migrations: [{ version: 1, description: 'fills', up: schema }],
  async apply(batch, tx, target) {
    await appendRows(tx, target, 'fills', COLUMNS, batch.map(row));
  },
};
