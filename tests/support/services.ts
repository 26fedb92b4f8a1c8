// Finds the real services integration tests need. Outside CI a missing service skips its suite with a
// visible reason; under CI=true a missing service fails the run, so nothing is silently not tested.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Redis databases that e2e suites flush and give to the processes they start: one per suite (per process),
 * so suites running side by side never flush each other's caches (the observability suite once shared 12
 * with the kill switch's process B and emptied its quote book mid-setup).
 */
export const E2E_REDIS_DATABASES = { killSwitchA: 11, killSwitchB: 12, valuation: 13, observability: 14 } as const;

/** TEST_REDIS_URL pointed at database `db`. */
export function redisDatabaseUrl(db: number): string {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = `/${db}`;
  return url.toString();
}

/** Empties Redis database `db` (an e2e suite's own, see E2E_REDIS_DATABASES). */
export async function flushRedisDatabase(db: number): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(redisDatabaseUrl(db), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    const finish = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export interface ServiceCheck {
  readonly available: boolean;
  /** A describe title suffix saying why a suite is skipped. */
  readonly skipReason: string;
}

async function check(name: string, url: string, defaultPort: number): Promise<ServiceCheck> {
  const available = await reachable(url, defaultPort);
  if (!available && inCi) throw new Error(`CI=true but ${name} is not reachable at ${url}: start it (see .ci/run) rather than skipping its tests`);
  return { available, skipReason: available ? '' : ` (skipped: ${name} not reachable at ${url})` };
}

export const postgresService = () => check('PostgreSQL', TEST_DATABASE_URL, 5432);
export const redisService = () => check('Redis', TEST_REDIS_URL, 6379);
export const natsService = () => check('NATS', TEST_NATS_URL, 4222);

/** A unique, SQL-safe name for one test run: schemas, stream prefixes, NATS streams. */
export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
