// The latest good quote per instrument, kept in the key-value store (Redis in CI and production,
// in-process in embedded mode) so the risk engine and the broker in any process read the same price.
// The stored quote carries its tick time: readers compute its age with quoteAge / isQuoteFresh.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { newerQuote, type LatestQuote } from '../../domain/market-data/index.ts';

/** The key-value key of an instrument's latest quote: a contract with every reader. */
export const quoteKey = (symbol: string): string => `quote:latest:${symbol}`;

interface StoredQuote {
  readonly symbol: string;
  readonly bid: string;
  readonly ask: string;
  readonly mid: string;
  readonly timestamp: string;
  readonly source: string;
  readonly sequence: string;
}

export const encodeQuote = (quote: LatestQuote): string =>
  JSON.stringify({
    symbol: quote.symbol, bid: String(quote.bid), ask: String(quote.ask), mid: String(quote.mid),
    timestamp: quote.timestamp.toISOString(), source: quote.source, sequence: String(quote.sequence),
  } satisfies StoredQuote);

/** A stored quote, or undefined when the text is not one (a foreign or corrupted value never poses as a price). */
export function decodeQuote(text: string | undefined): LatestQuote | undefined {
  if (text === undefined) return undefined;
  try {
    const raw = JSON.parse(text) as StoredQuote;
    const timestamp = new Date(raw.timestamp);
    if (Number.isNaN(timestamp.getTime()) || typeof raw.symbol !== 'string') return undefined;
    return {
      symbol: raw.symbol, bid: BigInt(raw.bid), ask: BigInt(raw.ask), mid: BigInt(raw.mid),
      timestamp, source: raw.source, sequence: BigInt(raw.sequence),
    };
  } catch {
    return undefined;
  }
}

export interface QuoteBook {
  latest(symbol: string): Promise<LatestQuote | undefined>;
  latestMany(symbols: readonly string[]): Promise<Array<LatestQuote | undefined>>;
  /** Stores the quote unless the book already holds a later one (by tick time). Returns the quote now held. */
  update(quote: LatestQuote): Promise<LatestQuote>;
}

/**
 * Reads always go to the store, so a reader in another process sees the ingester's writes. The writer
 * remembers what it wrote last and compares against that, saving a read per batch; the first update of
 * a symbol reads the stored quote first so a restart never moves the price back in time.
 * Compare-and-set is not atomic across processes: run one ingest instance per deployment.
 */
export function createQuoteBook(store: KeyValueStore): QuoteBook {
  const written = new Map<string, LatestQuote>();
  return {
    async latest(symbol) {
      return decodeQuote(await store.get(quoteKey(symbol)));
    },
    async latestMany(symbols) {
      return (await store.getMany(symbols.map(quoteKey))).map(decodeQuote);
    },
    async update(quote) {
      const current = written.has(quote.symbol) ? written.get(quote.symbol) : decodeQuote(await store.get(quoteKey(quote.symbol)));
      const next = newerQuote(current, quote);
      if (next !== current) await store.set(quoteKey(quote.symbol), encodeQuote(next));
      written.set(quote.symbol, next);
      return next;
    },
  };
}
