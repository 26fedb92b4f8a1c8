// read.ticks: every accepted tick with its mid and spread; read.tick_rejections: what was refused and why.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { TickReceivedData, TickRejectedData } from '../../domain/market-data/tick-events.ts';
import { midOf } from '../../domain/market-data/tick-events.ts';
import type { Projection, ProjectionTarget } from '../engine/types.ts';
import { timescaleSeries } from './timescale.ts';
import { col, iso, appendRows, table, type Cell } from './support.ts';

const TICK_COLUMNS = [
  col('symbol', 'text'), col('ts', 'timestamptz'), col('source', 'text'), col('sequence', 'bigint'), col('bid', 'bigint'),
  col('ask', 'bigint'), col('mid', 'bigint'), col('spread', 'bigint'), col('volume', 'bigint'), col('position', 'bigint'),
  col('history', 'boolean'),
];
const REJECTION_COLUMNS = [
  col('position', 'bigint'), col('reason', 'text'), col('detail', 'text'), col('symbol', 'text'), col('source', 'text'),
  col('sequence', 'bigint'), col('bid', 'bigint'), col('ask', 'bigint'), col('ts', 'timestamptz'), col('recorded_at', 'timestamptz'),
];

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'ticks')} (
  symbol text not null,
  ts timestamptz not null,
  source text not null,
  sequence bigint not null,
  bid bigint not null,
  ask bigint not null,
  mid bigint not null,
  spread bigint not null,
  volume bigint,
  position bigint not null,
  primary key (symbol, ts, position)
);
create table if not exists ${table(t, 'tick_rejections')} (
  position bigint primary key,
  reason text not null,
  detail text not null,
  symbol text,
  source text,
  sequence bigint,
  bid bigint,
  ask bigint,
  ts timestamptz,
  recorded_at timestamptz not null
);
create index if not exists tick_rejections_symbol_time on ${table(t, 'tick_rejections')} (symbol, recorded_at desc)
${timescaleSeries(t, 'ticks', 'ts', 'symbol', { compressAfter: '7 days', dropAfter: '365 days' })}`;

function tickRow(event: RecordedEvent): Cell[] {
  const d = event.data as unknown as TickReceivedData;
  return [d.symbol, d.timestamp, d.source, d.sequence, d.bid, d.ask, midOf(d.bid, d.ask), d.ask - d.bid, d.volume ?? null, event.globalPosition, d.history === true];
}

function rejectionRow(event: RecordedEvent): Cell[] {
  const d = event.data as unknown as TickRejectedData;
  return [event.globalPosition, d.reason, d.detail, d.symbol ?? null, d.source ?? null, d.sequence ?? null, d.bid ?? null, d.ask ?? null, d.timestamp ?? null, iso(event.recordedAt)];
}

export const ticksProjection: Projection = {
  name: 'ticks',
  version: 1,
  eventTypes: ['TickReceived', 'TickRejected'],
  tables: ['ticks', 'tick_rejections'],
  migrations: [
    { version: 1, description: 'ticks and tick rejections', up: schema },
    // Back-filled (imported) ticks are history: kept here, never the latest quote (movesLiveMarket).
    { version: 2, description: 'ticks.history: back-filled ticks', up: (t) => `alter table ${table(t, 'ticks')} add column if not exists history boolean not null default false` },
  ],
  async apply(batch, tx, target) {
    await appendRows(tx, target, 'ticks', TICK_COLUMNS, batch.filter((e) => e.type === 'TickReceived').map(tickRow));
    await appendRows(tx, target, 'tick_rejections', REJECTION_COLUMNS, batch.filter((e) => e.type === 'TickRejected').map(rejectionRow));
  },
};
