// A rebuild's bulk path: rows copied into shadow tables (COPY on PostgreSQL) read back exactly as the insert
// path writes them, whatever the strings hold, and the indexes dropped for the replay are all back after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { ALL_PROJECTIONS, ensureEngineTables, migrateProjection, rebuildProjections } from '../../../projections/index.ts';
import { appendRows, col, textArray, type Cell } from '../../../projections/read-models/support.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { appendHistory } from './history.ts';

const pgService = await postgresService();

const COLUMNS = [
  col('id', 'integer'), col('label', 'text'), col('amount', 'bigint'), col('flag', 'boolean'), col('at', 'timestamptz'),
  col('tags', 'text', 'text[]'), col('doc', 'text', 'jsonb'),
];
const AWKWARD = ['tab\there', 'two\nlines', 'carriage\rreturn', 'back\\slash', '\\N', 'NULL', '"quoted"', "it's", '{a,b}', 'ü € 😀', '', ' padded '];
const ROWS: Cell[][] = AWKWARD.map((label, i) => [
  i, label, -(2n ** 62n) + BigInt(i), i % 2 === 0, `2026-03-02T09:00:0${i % 10}.123Z`, textArray([label, 'x']), JSON.stringify({ label, n: i }),
]);
ROWS.push([AWKWARD.length, null, null, null, null, textArray([]), null]);

const tableSql = (schema: string) => `create schema if not exists ${schema};
  create table ${schema}.t (id integer primary key, label text, amount bigint, flag boolean, at timestamptz, tags text[], doc jsonb)`;

async function readBack(sql: SqlClient, schema: string): Promise<unknown[][]> {
  const { rows } = await sql.query<{ id: number; label: string | null; amount: string | null; flag: boolean | null; at: string | null; tags: string; doc: string | null }>(
    `select id, label, amount::text as amount, flag, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
       to_json(tags)::text as tags, doc::text as doc from ${schema}.t order by id`,
  );
  return rows.map((r) => [r.id, r.label, r.amount === null ? null : BigInt(r.amount), r.flag, r.at, JSON.parse(r.tags) as unknown, r.doc === null ? null : JSON.parse(r.doc) as unknown]);
}

async function indexDefinitions(sql: SqlClient): Promise<string[]> {
  const { rows } = await sql.query<{ definition: string }>(`select indexdef as definition from pg_indexes where schemaname = 'read' order by indexname`);
  return rows.map((r) => r.definition);
}

function contract(name: string, open: () => Promise<{ sql: SqlClient; close(): Promise<void> }>, expectCopy: boolean): void {
  describe(name, () => {
    let sql: SqlClient;
    let opened: { sql: SqlClient; close(): Promise<void> } | undefined;

    beforeAll(async () => {
      opened = await open();
      sql = opened.sql;
    }, 60_000);

    afterAll(async () => opened?.close());

    it(`writes the same rows in a rebuild's shadow as live, whatever the strings hold${expectCopy ? ' (COPY)' : ''}`, async () => {
      await sql.exec(`${tableSql('bulk_live')}; ${tableSql('bulk_shadow')}`);
      await sql.transaction((tx) => appendRows(tx, { schema: 'bulk_live', features: { timescale: false } }, 't', COLUMNS, ROWS));
      await sql.transaction(async (tx) => {
        expect(typeof tx.copyFrom === 'function').toBe(expectCopy);
        await appendRows(tx, { schema: 'bulk_shadow', features: { timescale: false }, bulk: true }, 't', COLUMNS, ROWS);
      });
      const expected = ROWS.map((r, i) => [...r.slice(0, 5), i < AWKWARD.length ? [AWKWARD[i], 'x'] : [], i < AWKWARD.length ? { label: AWKWARD[i], n: i } : null]);
      expect(await readBack(sql, 'bulk_live')).toEqual(expected);
      expect(await readBack(sql, 'bulk_shadow')).toEqual(expected);
    });

    it('copies a large live batch, and skips a row already there as the insert does, the transaction going on', async () => {
      await sql.exec(tableSql('bulk_big'));
      const live = { schema: 'bulk_big', features: { timescale: false } };
      const many = (from: number, to: number, label: string): Cell[][] => Array.from({ length: to - from }, (_, i) => [from + i, label, BigInt(from + i), true, null, textArray([]), null]);
      await sql.transaction((tx) => appendRows(tx, live, 't', COLUMNS, many(0, 500, 'first')));
      await sql.transaction(async (tx) => {
        await appendRows(tx, live, 't', COLUMNS, many(490, 800, 'again')); // rows 490-499 are there already
        await tx.query('insert into bulk_big.t (id, label) values (800, $1)', ['after']);
      });
      const { rows } = await sql.query<{ label: string; n: number }>('select label, count(*)::int as n from bulk_big.t group by label order by label');
      expect(rows).toEqual([{ label: 'after', n: 1 }, { label: 'again', n: 300 }, { label: 'first', n: 500 }]);
    });

    it('has every index of the migrated tables again after a rebuild that deferred them', async () => {
      const store = await PostgresEventStore.create(sql);
      try {
        await appendHistory(store, { events: 3_000, accounts: 3, seed: 4 });
        await ensureEngineTables(sql);
        for (const p of ALL_PROJECTIONS) await migrateProjection(sql, p, { timescale: false });
        const migrated = await indexDefinitions(sql);
        expect(migrated.some((d) => d.includes('audit_log_stream'))).toBe(true);
        const result = await rebuildProjections({ sql, store, projections: ALL_PROJECTIONS, batchSize: 500 });
        expect(result.events).toBeGreaterThanOrEqual(3_000);
        expect(await indexDefinitions(sql)).toEqual(migrated);
        const { rows } = await sql.query(`select 1 from pg_namespace where nspname like 'read_rebuild_%'`);
        expect(rows).toEqual([]);
      } finally {
        await store.close();
      }
    }, 120_000);
  });
}

contract('bulk load on PGlite', async () => {
  const sql = await createPgliteClient();
  return { sql, close: () => sql.close() };
}, false);

describe.skipIf(!pgService.available)(`bulk load${pgService.skipReason}`, () => {
  let db: TestDatabase;
  contract('on PostgreSQL', async () => {
    db = await createTestDatabase('proj_bulk');
    return { sql: db.sql, close: () => db.drop() };
  }, true);
});
