// In-process key-value store for embedded mode. Expiry is checked on read, so no timers are kept; entries
// that are never read again (most idempotency records) are swept out by the writes: every so many writes,
// one pass drops what has expired, so a long embedded run holds about a TTL's worth of entries.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';

export interface MemoryKeyValueStore extends KeyValueStore {
  /** Entries held, expired ones not yet swept included (diagnostics and tests). */
  entryCount(): number;
}

const SWEEP_EVERY_WRITES = 1_000;

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

export function createMemoryKeyValueStore(clock: () => number = Date.now): MemoryKeyValueStore {
  const entries = new Map<string, Entry>();
  let writes = 0;
  const store = (key: string, entry: Entry) => {
    entries.set(key, entry);
    writes += 1;
    if (writes % SWEEP_EVERY_WRITES !== 0) return;
    const now = clock();
    for (const [k, e] of entries) if (e.expiresAt !== undefined && e.expiresAt <= now) entries.delete(k);
  };
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
    async set(key, value, ttlMs) { store(key, { value, expiresAt: expiry(ttlMs) }); },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      store(key, { value, expiresAt: expiry(ttlMs) });
      return true;
    },
    async increment(key, ttlMs, by = 1) {
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + by;
      store(key, { value: String(next), expiresAt: entry?.expiresAt ?? expiry(ttlMs) });
      return next;
    },
    async delete(...keys) { for (const key of keys) entries.delete(key); },
    async getMany(keys) { return keys.map((key) => live(key)?.value); },
    async close() { entries.clear(); },
    entryCount: () => entries.size,
  };
}
