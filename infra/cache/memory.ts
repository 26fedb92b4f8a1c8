// In-process key-value store for embedded mode. Expiry is checked on read, so no timers are kept; entries
// that are never read again (most idempotency records) are swept out by the writes. Each TTL in use has a
// queue of the entries written with it, oldest first, which is also soonest to expire; every write drops
// the few expired entries at the heads of those queues. A full pass over the store every so many writes
// stalled the process for milliseconds once a day of records piled up; this costs each write O(1), and a
// long embedded run holds about a TTL's worth of entries. A key written again with the same TTL while it
// lives (an idempotency record's reservation, then its receipt) keeps its entry and its one queue item:
// when the item comes due, the sweep finds the entry extended and queues it again for its new expiry.
import type { KeyValueStore } from '../../domain/ports/key-value.ts';

export interface MemoryKeyValueStore extends KeyValueStore {
  /** Entries held, expired ones not yet swept included (diagnostics and tests). */
  entryCount(): number;
  /** Items in the expiry queues (diagnostics and tests). */
  queuedCount(): number;
}

/** Expired entries dropped per queue per write: more than one, so the sweep outpaces the writes. */
const SWEPT_PER_WRITE = 4;

interface Entry {
  value: string;
  expiresAt: number | undefined;
  readonly ttlMs: number | undefined;
}

interface Queued {
  readonly key: string;
  readonly entry: Entry;
  /** The entry's expiry when it was queued; a later write with the same TTL may have extended it. */
  readonly due: number;
}

/** A FIFO with a moving head, compacted when the consumed part dominates. */
class ExpiryQueue {
  private items: Queued[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: Queued): void {
    this.items.push(item);
  }

  peek(): Queued | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.head += 1;
    if (this.head >= 1_024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

export function createMemoryKeyValueStore(clock: () => number = Date.now): MemoryKeyValueStore {
  const entries = new Map<string, Entry>();
  const queues = new Map<number, ExpiryQueue>();

  const sweep = (now: number) => {
    for (const queue of queues.values()) {
      for (let i = 0; i < SWEPT_PER_WRITE; i += 1) {
        const oldest = queue.peek();
        if (oldest === undefined || oldest.due > now) break;
        queue.shift();
        const { key, entry } = oldest;
        if (entries.get(key) !== entry) continue; // overwritten with another TTL, or deleted
        if (entry.expiresAt! <= now) entries.delete(key);
        else queue.push({ key, entry, due: entry.expiresAt! }); // extended since it was queued
      }
    }
  };
  const store = (key: string, value: string, ttlMs: number | undefined) => {
    const now = clock();
    const expiresAt = ttlMs === undefined ? undefined : now + ttlMs;
    const existing = entries.get(key);
    if (existing !== undefined && ttlMs !== undefined && existing.ttlMs === ttlMs && existing.expiresAt! > now) {
      existing.value = value;
      existing.expiresAt = expiresAt;
    } else {
      const entry: Entry = { value, expiresAt, ttlMs };
      entries.set(key, entry);
      if (ttlMs !== undefined) {
        let queue = queues.get(ttlMs);
        if (!queue) queues.set(ttlMs, (queue = new ExpiryQueue()));
        queue.push({ key, entry, due: expiresAt! });
      }
    }
    sweep(now);
  };
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== undefined && entry.expiresAt <= clock()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async get(key) { return live(key)?.value; },
    async set(key, value, ttlMs) { store(key, value, ttlMs); },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      store(key, value, ttlMs);
      return true;
    },
    async increment(key, ttlMs, by = 1) {
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + by;
      if (entry) entry.value = String(next); // the counter keeps its expiry (and its place in the queue)
      else store(key, String(next), ttlMs);
      return next;
    },
    async delete(...keys) { for (const key of keys) entries.delete(key); },
    async getMany(keys) { return keys.map((key) => live(key)?.value); },
    async close() { entries.clear(); queues.clear(); },
    entryCount: () => entries.size,
    queuedCount: () => { let n = 0; for (const queue of queues.values()) n += queue.length; return n; },
  };
}
