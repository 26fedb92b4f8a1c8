import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteAge, type LatestQuote } from '../../../domain/market-data/index.ts';
import type { KeyValueStore } from '../../../domain/ports/key-value.ts';
import { createQuoteBook, quoteKey } from '../../../commands/market-data/quote-book.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { redisService, TEST_REDIS_URL, uniqueName } from '../../support/services.ts';

const redis = await redisService();

const quote = (symbol: string, seconds: number, bid: bigint): LatestQuote => ({
  symbol, bid, ask: bid + 30n, mid: bid + 15n, timestamp: new Date(Date.UTC(2026, 10, 24, 10, 0, seconds)), source: 'lp1', sequence: BigInt(seconds),
});

function quoteBookSuite(name: string, open: () => KeyValueStore) {
  describe(`quote book on ${name}`, () => {
    let store: KeyValueStore;
    let symbol: string;
    beforeAll(() => { store = open(); });
    afterAll(async () => { await store.close(); });

    it('keeps the latest quote by tick time, readable by any other reader of the store, with its age', async () => {
      symbol = uniqueName('XAU').toUpperCase();
      const writer = createQuoteBook(store);
      await writer.update(quote(symbol, 10, 240_000n));
      await writer.update(quote(symbol, 5, 239_000n)); // an older tick from a slower source
      const reader = createQuoteBook(store);
      const latest = await reader.latest(symbol);
      expect(latest).toEqual(quote(symbol, 10, 240_000n));
      expect(quoteAge(latest!, new Date(Date.UTC(2026, 10, 24, 10, 0, 12)))).toBe(2_000);
      expect(await reader.latestMany([symbol, `${symbol}X`])).toEqual([quote(symbol, 10, 240_000n), undefined]);
    });

    it('never moves back in time after a restart of the writer', async () => {
      const restarted = createQuoteBook(store);
      expect(await restarted.update(quote(symbol, 1, 100n))).toEqual(quote(symbol, 10, 240_000n));
      await restarted.update(quote(symbol, 20, 241_000n));
      expect((await createQuoteBook(store).latest(symbol))?.bid).toBe(241_000n);
    });

    it('reads a foreign or corrupted value as no quote rather than a price', async () => {
      await store.set(quoteKey(`${symbol}BAD`), 'not json');
      expect(await createQuoteBook(store).latest(`${symbol}BAD`)).toBeUndefined();
    });
  });
}

quoteBookSuite('the in-process store', () => createMemoryKeyValueStore());
describe.skipIf(!redis.available)(`Redis${redis.skipReason}`, () => {
  quoteBookSuite('Redis', () => createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: 'ngtest:' }));
});
