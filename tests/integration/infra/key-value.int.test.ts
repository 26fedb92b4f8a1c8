import { describe } from 'vitest';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { createRedisKeyValueStore } from '../../../infra/cache/redis.ts';
import { createSqlKeyValueStore } from '../../../infra/cache/sql.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { describeKeyValueContract } from '../../contracts/key-value.contract.ts';
import { postgresService, redisService, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName } from '../../support/services.ts';

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
