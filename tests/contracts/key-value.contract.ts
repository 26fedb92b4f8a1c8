import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';

export function describeKeyValueContract(name: string, make: () => Promise<KeyValueStore>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let kv: KeyValueStore;
    const key = (suffix: string) => `kvct:${randomUUID()}:${suffix}`;
    beforeAll(async () => { kv = await make(); });
    afterAll(async () => kv?.close());

    it('stores, reads, reads many and deletes', async () => {
      const [a, b, c] = [key('a'), key('b'), key('c')];
      await kv.set(a, 'one');
      await kv.set(b, 'two ✓');
      expect(await kv.get(a)).toBe('one');
      expect(await kv.getMany([a, b, c])).toEqual(['one', 'two ✓', undefined]);
      await kv.delete(a, b);
      expect(await kv.getMany([a, b])).toEqual([undefined, undefined]);
    });

    it('sets a key only once when absent, even when racing', async () => {
      const k = key('once');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.setIfAbsent(k, `writer-${i}`, 10_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await kv.get(k)).toBe(`writer-${winner}`);
    });

    it('counts atomically and expires the counter', async () => {
      // Counting gets a life far longer than the 50 increments take on a loaded machine (with 300 ms the
      // counter once expired half-way and restarted at 1); expiry is checked on a counter of its own.
      const k = key('count');
      const counts = await Promise.all(Array.from({ length: 50 }, () => kv.increment(k, 60_000)));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const short = key('count-short');
      expect(await kv.increment(short, 300)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await kv.increment(short, 300)).toBe(1);
    });

    it('expires values set with a time to live', async () => {
      const k = key('ttl');
      await kv.set(k, 'short', 100);
      expect(await kv.get(k)).toBe('short');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await kv.get(k)).toBeUndefined();
      expect(await kv.setIfAbsent(k, 'again')).toBe(true);
    });
  });
}
