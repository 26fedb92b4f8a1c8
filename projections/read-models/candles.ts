// read.candles: OHLC of the mid per instrument and timeframe, with the bid / ask close, the tick count and
// spread statistics (integers, price units). Buckets follow the tick's own timestamp (UTC); open and close
// follow log order, so a rebuild gives the same candle whatever the batch boundaries were.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import { midOf, type TickReceivedData } from '../../domain/market-data/tick-events.ts';
import type { Projection, ProjectionTarget } from '../engine/types.ts';
import { col, insertRows, table, type Cell } from './support.ts';
import { timescaleSeries } from './timescale.ts';

export const TIMEFRAMES = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Timeframe = keyof typeof TIMEFRAMES;

interface Candle {
  symbol: string;
  timeframe: Timeframe;
  bucketMs: number;
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  bidClose: bigint;
  askClose: bigint;
  ticks: number;
  spreadMin: bigint;
  spreadMax: bigint;
  spreadSum: bigint;
  firstPosition: bigint;
  lastPosition: bigint;
}

const COLUMNS = [
  col('symbol', 'text'), col('timeframe', 'text'), col('bucket', 'timestamptz'), col('open', 'bigint'), col('high', 'bigint'),
  col('low', 'bigint'), col('close', 'bigint'), col('bid_close', 'bigint'), col('ask_close', 'bigint'), col('tick_count', 'integer'),
  col('spread_min', 'bigint'), col('spread_max', 'bigint'), col('spread_sum', 'bigint'), col('first_position', 'bigint'), col('last_position', 'bigint'),
];

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'candles')} (
  symbol text not null,
  timeframe text not null,
  bucket timestamptz not null,
  open bigint not null,
  high bigint not null,
  low bigint not null,
  close bigint not null,
  bid_close bigint not null,
  ask_close bigint not null,
  tick_count integer not null,
  spread_min bigint not null,
  spread_max bigint not null,
  spread_sum bigint not null,
  spread_avg bigint generated always as (round(spread_sum::numeric / tick_count)::bigint) stored,
  first_position bigint not null,
  last_position bigint not null,
  primary key (symbol, timeframe, bucket)
)
${timescaleSeries(t, 'candles', 'bucket', 'symbol, timeframe', { compressAfter: '30 days', dropAfter: undefined })}`;

const FRAMES = Object.entries(TIMEFRAMES) as [Timeframe, number][];

/** Folds a batch's ticks into one candle per (symbol, timeframe, bucket), in the order they opened. */
export function foldCandles(ticks: readonly RecordedEvent[]): Candle[] {
  const candles: Candle[] = [];
  // The forming candle of each timeframe, per symbol: ticks come in time order, so a tick almost always
  // lands in it; a tick for an older bucket (late, or out of order) finds its candle in `byKey`.
  const forming = new Map<string, Candle[]>();
  const byKey = new Map<string, Candle>();
  for (const event of ticks) {
    const d = event.data as unknown as TickReceivedData;
    const mid = midOf(d.bid, d.ask);
    const spread = d.ask - d.bid;
    const ms = Date.parse(d.timestamp);
    let open = forming.get(d.symbol);
    if (!open) forming.set(d.symbol, (open = []));
    for (let f = 0; f < FRAMES.length; f += 1) {
      const [timeframe, width] = FRAMES[f]!;
      const bucketMs = Math.floor(ms / width) * width;
      let c = open[f];
      if (c?.bucketMs !== bucketMs) {
        const key = `${d.symbol}|${timeframe}|${bucketMs}`;
        c = byKey.get(key);
        if (!c) {
          c = { symbol: d.symbol, timeframe, bucketMs, open: mid, high: mid, low: mid, close: mid, bidClose: d.bid, askClose: d.ask, ticks: 1, spreadMin: spread, spreadMax: spread, spreadSum: spread, firstPosition: event.globalPosition, lastPosition: event.globalPosition };
          byKey.set(key, c);
          candles.push(c);
          open[f] = c;
          continue;
        }
        open[f] = c;
      }
      if (mid > c.high) c.high = mid;
      if (mid < c.low) c.low = mid;
      if (spread < c.spreadMin) c.spreadMin = spread;
      if (spread > c.spreadMax) c.spreadMax = spread;
      c.close = mid; c.bidClose = d.bid; c.askClose = d.ask; c.ticks += 1; c.spreadSum += spread; c.lastPosition = event.globalPosition;
    }
  }
  return candles;
}

const row = (c: Candle): Cell[] => [
  c.symbol, c.timeframe, new Date(c.bucketMs).toISOString(), c.open, c.high, c.low, c.close, c.bidClose, c.askClose, c.ticks,
  c.spreadMin, c.spreadMax, c.spreadSum, c.firstPosition, c.lastPosition,
];

// The stored candle is older in log order than this batch: it keeps its open, the batch brings the close.
const MERGE = `on conflict (symbol, timeframe, bucket) do update set
  high = greatest(candles.high, excluded.high), low = least(candles.low, excluded.low),
  close = excluded.close, bid_close = excluded.bid_close, ask_close = excluded.ask_close,
  tick_count = candles.tick_count + excluded.tick_count,
  spread_min = least(candles.spread_min, excluded.spread_min), spread_max = greatest(candles.spread_max, excluded.spread_max),
  spread_sum = candles.spread_sum + excluded.spread_sum, last_position = excluded.last_position`;

export const candlesProjection: Projection = {
  name: 'candles',
  version: 1,
  eventTypes: ['TickReceived'],
  tables: ['candles'],
  migrations: [{ version: 1, description: 'candles 1m 5m 15m 1h 1d', up: schema }],
  async apply(batch, tx, target) {
    await insertRows(tx, table(target, 'candles'), COLUMNS, foldCandles(batch).map(row), MERGE);
  },
};
