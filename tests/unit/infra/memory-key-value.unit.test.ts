import { describe, expect, it } from 'vitest';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';

describe('in-process key-value store', () => {
  it('sweeps out expired entries nobody reads again, so a long run holds about a TTL of records', async () => {
    let now = 0;
    const store = createMemoryKeyValueStore(() => now);
    for (let i = 0; i < 1_500; i += 1) await store.setIfAbsent(`cmd:${i}`, 'outcome', 1_000);
    expect(store.entryCount()).toBe(1_500);
    now = 2_000; // all of them expired, none read again
    for (let i = 0; i < 1_000; i += 1) await store.set(`cmd:new:${i}`, 'outcome', 60_000);
    expect(store.entryCount()).toBeLessThanOrEqual(1_000);
    expect(await store.get('cmd:new:999')).toBe('outcome');
    expect(await store.get('cmd:1')).toBeUndefined();
  });

  it('keeps entries without a TTL and entries not yet expired through a sweep', async () => {
    let now = 0;
    const store = createMemoryKeyValueStore(() => now);
    await store.set('forever', 'x');
    await store.set('soon', 'y', 10_000);
    now = 5_000;
    for (let i = 0; i < 1_000; i += 1) await store.set(`k${i}`, 'v', 1);
    now = 5_002;
    for (let i = 0; i < 1_000; i += 1) await store.set(`j${i}`, 'v', 1_000);
    expect(await store.get('forever')).toBe('x');
    expect(await store.get('soon')).toBe('y');
    expect(store.entryCount()).toBeLessThan(1_100); // the k* entries expired before the second sweep
  });

  it('queues a key written again with the same TTL once, and sweeps it only after its extended expiry', async () => {
    let now = 0;
    const store = createMemoryKeyValueStore(() => now);
    for (let i = 0; i < 1_000; i += 1) {
      await store.setIfAbsent(`cmd:${i}`, 'reserved', 1_000); // a command's reservation, then its receipt
      await store.set(`cmd:${i}`, 'receipt', 1_000);
    }
    expect(store.queuedCount()).toBe(1_000);
    now = 500;
    await store.set('cmd:0', 'receipt again', 1_000); // now lives until 1,500
    now = 1_200;
    for (let i = 0; i < 1_000; i += 1) await store.set(`later:${i}`, 'v', 10_000);
    expect(await store.get('cmd:0')).toBe('receipt again');
    expect(await store.get('cmd:1')).toBeUndefined();
    expect(store.entryCount()).toBe(1_001); // cmd:0 and the later ones
    now = 1_600;
    for (let i = 0; i < 10; i += 1) await store.set(`last:${i}`, 'v', 10_000);
    expect(await store.get('cmd:0')).toBeUndefined();
    expect(store.entryCount()).toBe(1_010);
  });

  it('starts a new expiry when a key is written with another TTL or none', async () => {
    let now = 0;
    const store = createMemoryKeyValueStore(() => now);
    await store.set('k', 'short', 100);
    await store.set('k', 'long', 10_000);
    await store.set('forever', 'a', 100);
    await store.set('forever', 'b');
    now = 5_000;
    for (let i = 0; i < 10; i += 1) await store.set(`x${i}`, 'v', 100);
    expect(await store.get('k')).toBe('long');
    expect(await store.get('forever')).toBe('b');
    now = 20_000;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.get('forever')).toBe('b');
  });
});
