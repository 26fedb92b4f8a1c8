// Each projection test file gets its own database: the read models live in the fixed schema `read`
// (and rebuilds in `read_rebuild_*`), so a schema per test would not keep parallel files apart.
import pg from 'pg';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { TEST_DATABASE_URL, uniqueName } from '../../support/services.ts';

export interface TestDatabase {
  readonly url: string;
  readonly sql: SqlClient;
  drop(): Promise<void>;
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try { await client.query(statement); } finally { await client.end(); }
}

export async function createTestDatabase(prefix: string, max = 10): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await admin(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = createPgClient({ connectionString: url.toString(), max });
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.close();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}
