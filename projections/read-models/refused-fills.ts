// read.refused_fills: every broker fill the post-trade checks refused, with what the broker reported, the
// order's limit, the quote and band it was checked against, the code and who reported it, for the desk to
// reconcile with the venue. A broker may report the same fill id again and be refused again, so each
// refusal is its own row, keyed by its position in the log.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { FillRefused } from '../../domain/trading/account/events.ts';
import type { Projection, ProjectionTarget } from '../engine/types.ts';
import { accountIdOf, col, eventTime, appendRows, iso, table, type Cell } from './support.ts';

const COLUMNS = [
  col('position', 'bigint'), col('fill_id', 'text'), col('order_id', 'text'), col('account_id', 'text'), col('symbol', 'text'), col('side', 'text'),
  col('qty', 'bigint'), col('price', 'bigint'), col('reported_symbol', 'text'), col('reported_side', 'text'), col('limit_price', 'bigint'),
  col('quote_bid', 'bigint'), col('quote_ask', 'bigint'), col('quote_at', 'timestamptz'), col('band_bps', 'bigint'), col('code', 'text'),
  col('reason', 'text'), col('reported_by', 'text'), col('reported_by_role', 'text'), col('at', 'timestamptz'),
];

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'refused_fills')} (
  position bigint primary key,
  fill_id text not null,
  order_id text not null,
  account_id text not null,
  symbol text not null,
  side text not null,
  qty bigint not null,
  price bigint not null,
  reported_symbol text,
  reported_side text,
  limit_price bigint,
  quote_bid bigint,
  quote_ask bigint,
  quote_at timestamptz,
  band_bps bigint not null,
  code text not null,
  reason text not null,
  reported_by text not null,
  reported_by_role text not null,
  at timestamptz not null
);
create index if not exists refused_fills_account on ${table(t, 'refused_fills')} (account_id, position desc);
create index if not exists refused_fills_code on ${table(t, 'refused_fills')} (code, position desc);
create index if not exists refused_fills_order on ${table(t, 'refused_fills')} (order_id)`;

function row(e: RecordedEvent): Cell[] {
  const d = (e as unknown as FillRefused).data;
  return [
    e.globalPosition, d.fillId, d.orderId, accountIdOf(e.streamId), d.symbol, d.side, d.qty, d.price, d.reportedSymbol, d.reportedSide, d.limitPrice,
    d.quote?.bid ?? null, d.quote?.ask ?? null, d.quote?.timestamp ?? null, d.bandBps, d.code, d.reason,
    d.reportedBy.userId, d.reportedBy.role, iso(eventTime(e)),
  ];
}

export const refusedFillsProjection: Projection = {
  name: 'refused_fills',
  version: 1,
  eventTypes: ['FillRefused'],
  tables: ['refused_fills'],
  migrations: [{ version: 1, description: 'refused fills', up: schema }],
  async apply(batch, tx, target) {
    await appendRows(tx, target, 'refused_fills', COLUMNS, batch.map(row));
  },
};
