// In-process key-value store for embedded mode. Expiry is checked on read, so no timers are kept.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

export function createMemoryKeyValueStore(clock: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== undefined && entry.expiresAt <= clock()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttlMs?: number) => (ttlMs === undefined ? undefined : clock() + ttlMs);
  return {
    async get(key) { return live(key)?.value; },
    async set(key, value, ttlMs) { entries.set(key, { value, expiresAt: expiry(ttlMs) }); },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
      return true;
    },
    async increment(key, ttlMs, by = 1) {
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + by;
      entries.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? expiry(ttlMs) });
      return next;
    },
    async delete(...keys) { for (const key of keys) entries.delete(key); },
    async getMany(keys) { return keys.map((key) => live(key)?.value); },
    async close() { entries.clear(); },
  };
}
