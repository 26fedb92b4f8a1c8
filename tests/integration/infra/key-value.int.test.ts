import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { createSqlKeyValueStore } from '../../../infra/cache/sql.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { describeKeyValueContract } from '../../contracts/key-value.contract.ts';
import { postgresService, redisService, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName } from '../../support/services.ts';

// Each adapter runs the shared contract (tests/contracts/key-value.contract.ts holds its assertions:
// read/write/delete, a racing setIfAbsent, atomic counters, expiry); what only the SQL store promises
// is tested at the end.
const redis = await redisService();
const postgres = await postgresService();

/** The SQL store in its own schema on `open()`'s database, dropped with the client when the suite closes it. */
async function sqlStore(open: () => Promise<SqlClient>) {
  const sql = await open();
  const schema = uniqueName('kvtest');
  const store = await createSqlKeyValueStore(sql, { schema });
  return { ...store, async close() { await sql.exec(`drop schema if exists ${schema} cascade`); await sql.close(); } };
}

describeKeyValueContract('in-process', async () => createMemoryKeyValueStore());

describe.skipIf(!redis.available)(`Redis key-value store${redis.skipReason}`, () => {
  describeKeyValueContract('Redis', async () => createRedisKeyValueStore(TEST_REDIS_URL, { keyPrefix: 'ngtest:' }));
});

describeKeyValueContract('SQL on PGlite', () => sqlStore(() => createPgliteClient()));

describe.skipIf(!postgres.available)(`SQL key-value store on PostgreSQL${postgres.skipReason}`, () => {
  describeKeyValueContract('SQL on PostgreSQL', () => sqlStore(async () => createPgClient({ connectionString: TEST_DATABASE_URL, max: 8 })));
});

describe('SQL key-value store across restarts (what the log followers keep their checkpoints in)', () => {
  it('still holds a value after the database is closed and opened again, and not one that expired meanwhile', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nicegold-kv-'));
    try {
      const first = await createPgliteClient(dir);
      const before = await createSqlKeyValueStore(first);
      await before.set('broker:paper:checkpoint', '{"position":"42"}');
      await before.set('short-lived', 'gone soon', 50);
      await first.close();
      await new Promise((resolve) => setTimeout(resolve, 100));

      const second = await createPgliteClient(dir);
      const after = await createSqlKeyValueStore(second);
      expect(await after.getMany(['broker:paper:checkpoint', 'short-lived'])).toEqual(['{"position":"42"}', undefined]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

