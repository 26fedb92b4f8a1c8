// A small key-value port for the cache, idempotency records, rate limits and latest quotes: Redis in
// production and CI, an in-process map in embedded mode. One contract suite covers both adapters.

export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Sets a value; `ttlMs` makes it expire. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets the value only when the key is absent. Returns true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Atomically adds `by` (default 1) and returns the new count; the key expires `ttlMs` after it was created. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  delete(...keys: string[]): Promise<void>;
  /** Reads several keys in one round trip; missing keys are undefined. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  close(): Promise<void>;
}
