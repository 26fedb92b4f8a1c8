// Market data reads: latest quote, ticks and candles by symbol, interval and time range.
import { midOf } from '../domain/market-data/index.ts';
import { iso, price, priceFormat, type Instruments } from './format.ts';
import { decodeCursor, pageOf, type Page } from './cursor.ts';
import { instant, tableIn, type ReadSql, type Row } from './sql.ts';

export const INTERVALS = { M1: '1m', M5: '5m', M15: '15m', H1: '1h', D1: '1d' } as const;
export type Interval = keyof typeof INTERVALS;
export const INTERVAL_MS: Record<Interval, number> = { M1: 60_000, M5: 300_000, M15: 900_000, H1: 3_600_000, D1: 86_400_000 };

export interface Quote { symbol: string; bid: string; ask: string; mid: string; spread: string; at: string; position: string }
export interface Tick extends Omit<Quote, 'position'> { source: string; sequence: string }
export interface Candle {
  symbol: string; interval: Interval; bucket: string; open: string; high: string; low: string; close: string; bidClose: string; askClose: string;
  tickCount: number; spreadMin: string; spreadMax: string; spreadAvg: string;
}

/** Raw integers of a candle, so a live tick can move it before it is formatted. */
export interface CandleUnits { symbol: string; interval: Interval; bucketMs: number; open: bigint; high: bigint; low: bigint; close: bigint; bidClose: bigint; askClose: bigint; tickCount: number; spreadMin: bigint; spreadMax: bigint; spreadSum: bigint }

export function presentQuote(i: Instruments, symbol: string, bid: bigint, ask: bigint, at: string, position: string): Quote {
  // the same mid (half-even on the price grid) the candles are built from
  return { symbol, bid: price(i, symbol, bid), ask: price(i, symbol, ask), mid: price(i, symbol, midOf(bid, ask)), spread: price(i, symbol, ask - bid), at, position };
}

export function presentCandle(i: Instruments, c: CandleUnits): Candle {
  const p = (v: bigint) => price(i, c.symbol, v);
  const avg = spreadAvg(c.spreadSum, c.tickCount);
  return {
    symbol: c.symbol, interval: c.interval, bucket: new Date(c.bucketMs).toISOString(), open: p(c.open), high: p(c.high), low: p(c.low), close: p(c.close),
    bidClose: p(c.bidClose), askClose: p(c.askClose), tickCount: c.tickCount, spreadMin: p(c.spreadMin), spreadMax: p(c.spreadMax), spreadAvg: p(avg),
  };
}

/** Mean spread of a candle, rounded half up on the price grid. */
const spreadAvg = (sum: bigint, ticks: number): bigint => (ticks > 0 ? (sum + BigInt(Math.floor(ticks / 2))) / BigInt(ticks) : 0n);

const candleUnits = (r: Row, interval: Interval): CandleUnits => ({
  symbol: r.symbol as string, interval, bucketMs: Number(r.bucket_ms), open: BigInt(r.open as string), high: BigInt(r.high as string),
  low: BigInt(r.low as string), close: BigInt(r.close as string), bidClose: BigInt(r.bid_close as string), askClose: BigInt(r.ask_close as string),
  tickCount: Number(r.tick_count), spreadMin: BigInt(r.spread_min as string), spreadMax: BigInt(r.spread_max as string), spreadSum: BigInt(r.spread_sum as string),
});

const CANDLE_COLUMNS = 'symbol, floor(extract(epoch from bucket) * 1000)::bigint::text as bucket_ms, open::text, high::text, low::text, close::text, bid_close::text, ask_close::text, tick_count, spread_min::text, spread_max::text, spread_sum::text';

type Format = (units: string) => string;
const column = (name: string, sql = `${name}::text`) => ({ name, sql });
const BUCKET_MS = column('bucket_ms', 'floor(extract(epoch from bucket) * 1000)::bigint::text as bucket_ms');
const TICK_COUNT = column('tick_count', 'tick_count');
const priceField = (name: string) => ({ columns: [column(name)], make: (r: Row, p: Format) => p(r[name] as string) });

/**
 * Each Candle field (symbol and interval come from the arguments): the columns it is made from and how,
 * straight from the row's text, no BigInt but for the mean spread. A query reads and makes only the
 * fields it selects: a chart page asks for 5 of them.
 */
const CANDLE_FIELDS: Readonly<Record<string, { columns: ReadonlyArray<{ name: string; sql: string }>; make: (r: Row, p: Format) => unknown }>> = {
  // The bucket as epoch milliseconds (buckets are whole minutes, so exact): parsing a timestamp per row cost more than the query.
  bucket: { columns: [BUCKET_MS], make: (r) => new Date(Number(r.bucket_ms)).toISOString() },
  open: priceField('open'), high: priceField('high'), low: priceField('low'), close: priceField('close'),
  bidClose: { columns: [column('bid_close')], make: (r, p) => p(r.bid_close as string) },
  askClose: { columns: [column('ask_close')], make: (r, p) => p(r.ask_close as string) },
  tickCount: { columns: [TICK_COUNT], make: (r) => Number(r.tick_count) },
  spreadMin: { columns: [column('spread_min')], make: (r, p) => p(r.spread_min as string) },
  spreadMax: { columns: [column('spread_max')], make: (r, p) => p(r.spread_max as string) },
  spreadAvg: { columns: [column('spread_sum'), TICK_COUNT], make: (r, p) => p(spreadAvg(BigInt(r.spread_sum as string), Number(r.tick_count)).toString()) },
};
const ALL_CANDLE_FIELDS: ReadonlySet<string> = new Set(Object.keys(CANDLE_FIELDS));

function candleColumns(fields: ReadonlySet<string>): string {
  const columns = new Map<string, string>();
  for (const field of fields) for (const c of CANDLE_FIELDS[field]?.columns ?? []) columns.set(c.name, c.sql);
  return [...columns.keys()].sort().map((name) => columns.get(name)).join(', ') || '1 as none';
}

function candleOf(r: Row, fields: ReadonlySet<string>, symbol: string, interval: Interval, p: Format): Candle {
  const candle: Record<string, unknown> = { symbol, interval };
  for (const field of fields) {
    const spec = CANDLE_FIELDS[field];
    if (spec) candle[field] = spec.make(r, p);
  }
  return candle as unknown as Candle;
}

export class MarketReads {
  private readonly t: (name: string) => string;
  constructor(private readonly sql: ReadSql, private readonly instruments: Instruments, schema = 'read') { this.t = tableIn(schema); }

  async latestQuotes(symbols: readonly string[]): Promise<Array<Quote | null>> {
    const { rows } = await this.sql.query(
      `select q.symbol, q.bid::text, q.ask::text, q.ts, q.position::text from unnest($1::text[]) as s(symbol)
       cross join lateral (select symbol, bid, ask, ts, position from ${this.t('ticks')} t where t.symbol = s.symbol and not t.history order by ts desc, position desc limit 1) q`, [symbols]);
    const bySymbol = new Map(rows.map((r) => [r.symbol as string, presentQuote(this.instruments, r.symbol as string, BigInt(r.bid as string), BigInt(r.ask as string), iso(r.ts), r.position as string)]));
    return symbols.map((s) => bySymbol.get(s) ?? null);
  }

  async ticks(symbol: string, from: string, to: string, first: number, after?: string | null): Promise<Page<Tick>> {
    const cursor = decodeCursor(after, 2);
    const { rows } = await this.sql.query(
      `select symbol, ts, bid::text, ask::text, source, sequence::text, position::text from ${this.t('ticks')}
       where symbol = $1 and ts >= $2 and ts < $3 and ($4::timestamptz is null or (ts, position) > ($4::timestamptz, $5::bigint))
       order by ts, position limit $6`,
      [symbol, instant(from, 'from'), instant(to, 'to'), cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1]);
    return pageOf(rows, first, (r) => [iso(r.ts), r.position as string], (r) => {
      const { position: _p, ...quote } = presentQuote(this.instruments, symbol, BigInt(r.bid as string), BigInt(r.ask as string), iso(r.ts), '');
      return { ...quote, source: r.source as string, sequence: r.sequence as string };
    });
  }

  /**
   * Candles of a time range. With `fields` (the Candle fields a query selects), only those are read and
   * made; the others are left out of the objects.
   */
  async candles(symbol: string, interval: Interval, from: string, to: string, first: number, fields: ReadonlySet<string> = ALL_CANDLE_FIELDS): Promise<Candle[]> {
    const { rows } = await this.sql.query(
      `select ${candleColumns(fields)} from ${this.t('candles')} where symbol = $1 and timeframe = $2 and bucket >= $3 and bucket < $4 order by bucket limit $5`,
      [symbol, INTERVALS[interval], instant(from, 'from'), instant(to, 'to'), first]);
    const p = priceFormat(this.instruments, symbol);
    return rows.map((r) => candleOf(r, fields, symbol, interval, p));
  }

  /** The newest candle of a symbol and interval, as integers: where a forming candle starts from. */
  async lastCandle(symbol: string, interval: Interval): Promise<CandleUnits | undefined> {
    const { rows } = await this.sql.query(
      `select ${CANDLE_COLUMNS} from ${this.t('candles')} where symbol = $1 and timeframe = $2 order by bucket desc limit 1`, [symbol, INTERVALS[interval]]);
    return rows[0] ? candleUnits(rows[0], interval) : undefined;
  }
}


