// Redis key-value store. Every operation is one command (or one small script), so each is atomic.
import { Redis } from 'ioredis';
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { LedgerError } from '../../domain/shared/errors.ts';

// INCRBY, and set the expiry only when the key was just created.
const INCREMENT = `local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

export function createRedisKeyValueStore(url: string, options: { keyPrefix?: string } = {}): KeyValueStore {
  // Auto-pipelining: the commands of one event-loop turn (many requests' idempotency records, quotes and
  // rate counters) go out in one write and come back in one read, in order, as they would one by one.
  const redis = new Redis(url, { keyPrefix: options.keyPrefix ?? 'ng:', maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false, enableAutoPipelining: true });
  redis.on('error', () => undefined); // surfaced per command below; ioredis reconnects by itself
  // A defined command goes as EVALSHA (the script's text only when the server does not have it yet).
  redis.defineCommand('ngIncrement', { numberOfKeys: 1, lua: INCREMENT });
  const increment = (redis as unknown as { ngIncrement(key: string, by: number, ttlMs: number): Promise<number> }).ngIncrement.bind(redis);
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new LedgerError('CACHE.UNAVAILABLE', 'unavailable', `redis: ${(error as Error).message}`, {}, { cause: error });
    }
  };
  return {
    get: (key) => guard(async () => (await redis.get(key)) ?? undefined),
    set: (key, value, ttlMs) => guard(async () => { await (ttlMs === undefined ? redis.set(key, value) : redis.set(key, value, 'PX', ttlMs)); }),
    setIfAbsent: (key, value, ttlMs) => guard(async () => (await (ttlMs === undefined ? redis.set(key, value, 'NX') : redis.set(key, value, 'PX', ttlMs, 'NX'))) === 'OK'),
    increment: (key, ttlMs, by = 1) => guard(async () => Number(await increment(key, by, ttlMs))),
    delete: (...keys) => guard(async () => { if (keys.length) await redis.del(...keys); }),
    getMany: (keys) => guard(async () => (keys.length ? (await redis.mget(...keys)).map((v) => v ?? undefined) : [])),
    close: async () => { await redis.quit().catch(() => redis.disconnect()); },
  };
}
