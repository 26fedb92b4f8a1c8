// In-process key-value store for embedded mode. Expiry is checked on read, so no timers are kept; entries
// that are never read again (most idempotency records) are swept out by the writes: each write looks at
// the two oldest entries, drops them if expired and otherwise moves them to the back. The whole store is
// so looked over once per half its size in writes, a few entries at a time (a full pass every so many
// writes stalled the process for milliseconds once a day of records piled up), and a long embedded run
// holds about one and a half TTLs' worth of entries.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';

export interface MemoryKeyValueStore extends KeyValueStore {
  /** Entries held, expired ones not yet swept included (diagnostics and tests). */
  entryCount(): number;
}

const LOOKED_AT_PER_WRITE = 2;

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

export function createMemoryKeyValueStore(clock: () => number = Date.now): MemoryKeyValueStore {
  const entries = new Map<string, Entry>();
  const sweepOldest = () => {
    const now = clock();
    for (let i = 0; i < LOOKED_AT_PER_WRITE && entries.size > 1; i += 1) {
      const [key, entry] = entries.entries().next().value!;
      entries.delete(key);
      if (entry.expiresAt === undefined || entry.expiresAt > now) entries.set(key, entry);
    }
  };
  const store = (key: string, entry: Entry) => {
    entries.set(key, entry);
    sweepOldest();
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
