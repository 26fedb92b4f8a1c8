// The hot-query cache (Redis across API instances, in-process in embedded mode): latest quotes and
// positions, the two things every dashboard polls. Quotes are written from the live bus as ticks
// arrive. Positions are cached with the projection checkpoint they were read at; a fill on the bus
// raises the account's watermark, and a cached entry older than its watermark is never served, so a
// dashboard never sees positions from before a fill it was told about. Marks move with every tick, so
// positions also expire after a second.
import type { KeyValueStore } from '../domain/ports/key-value.ts';
import type { AccountReads, Position } from './accounts.ts';
import type { DeskReads } from './desk.ts';
import type { MarketReads, Quote } from './market.ts';

const QUOTE_TTL_MS = 5_000;
const POSITIONS_TTL_MS = 1_000;
const WATERMARK_TTL_MS = 60_000;

const quoteKey = (symbol: string) => `gql:quote:${symbol}`;
const positionsKey = (accountId: string) => `gql:positions:${accountId}`;
const watermarkKey = (accountId: string) => `gql:positions:${accountId}:watermark`;

interface CachedPositions { asOf: string; positions: Position[] }

export interface HotCacheStats { hits: number; misses: number }

export class HotCache {
  readonly stats: HotCacheStats = { hits: 0, misses: 0 };

  constructor(private readonly kv: KeyValueStore, private readonly market: MarketReads, private readonly accounts: AccountReads, private readonly desk: DeskReads) {}

  async latestQuotes(symbols: readonly string[]): Promise<Array<Quote | null>> {
    const cached = await this.kv.getMany(symbols.map(quoteKey));
    const missing = symbols.filter((_, i) => cached[i] === undefined);
    this.count(symbols.length - missing.length, missing.length);
    const loaded = missing.length > 0 ? await this.market.latestQuotes(missing) : [];
    await Promise.all(loaded.flatMap((q) => (q ? [this.kv.set(quoteKey(q.symbol), JSON.stringify(q), QUOTE_TTL_MS)] : [])));
    const fresh = new Map(missing.map((s, i) => [s, loaded[i] ?? null]));
    return symbols.map((s, i) => (cached[i] !== undefined ? (JSON.parse(cached[i]) as Quote) : (fresh.get(s) ?? null)));
  }

  /** A tick arrived on the live bus. */
  async quoteChanged(quote: Quote): Promise<void> {
    await this.kv.set(quoteKey(quote.symbol), JSON.stringify(quote), QUOTE_TTL_MS);
  }

  async positions(accountIds: readonly string[]): Promise<Map<string, Position[]>> {
    const keys = accountIds.flatMap((id) => [positionsKey(id), watermarkKey(id)]);
    const values = await this.kv.getMany(keys);
    const result = new Map<string, Position[]>();
    const missing: string[] = [];
    accountIds.forEach((id, i) => {
      const entry = values[2 * i] === undefined ? undefined : (JSON.parse(values[2 * i]!) as CachedPositions);
      const watermark = values[2 * i + 1];
      if (entry && (watermark === undefined || BigInt(entry.asOf) >= BigInt(watermark))) result.set(id, entry.positions);
      else missing.push(id);
    });
    this.count(accountIds.length - missing.length, missing.length);
    if (missing.length > 0) await this.loadPositions(missing, values, accountIds, result);
    return result;
  }

  private async loadPositions(missing: readonly string[], values: ReadonlyArray<string | undefined>, all: readonly string[], into: Map<string, Position[]>): Promise<void> {
    // The checkpoint first: rows read after it are at least that new, so the entry never claims too much.
    const asOf = (await this.desk.checkpoints()).get('portfolio') ?? -1n;
    const loaded = await this.accounts.positions(missing);
    await Promise.all(missing.map(async (id) => {
      const positions = loaded.get(id) ?? [];
      into.set(id, positions);
      const watermark = values[2 * all.indexOf(id) + 1];
      if (watermark === undefined || asOf >= BigInt(watermark)) await this.kv.set(positionsKey(id), JSON.stringify({ asOf: asOf.toString(), positions }), POSITIONS_TTL_MS);
    }));
  }

  /** A fill for the account was recorded at `position`: older cached positions are stale from now on. */
  async positionsChanged(accountId: string, position: string): Promise<void> {
    await this.kv.set(watermarkKey(accountId), position, WATERMARK_TTL_MS);
    await this.kv.delete(positionsKey(accountId));
  }

  private count(hits: number, misses: number): void {
    this.stats.hits += hits;
    this.stats.misses += misses;
  }
}
