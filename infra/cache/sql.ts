// The key-value port on the SQL database (PostgreSQL, or PGlite in embedded mode): one row per key, an
// optional expiry judged by the database's clock. Not a cache: it is where the processes that follow the
// log keep their checkpoints (paper broker, stop sweep, signal engine), so that a restart resumes where
// it stopped in every mode. In embedded mode the in-process store forgets everything on exit, and Redis
// keeps nothing either unless it is run with persistence; without a checkpoint such a process replays
// the whole log (safe, its outputs are idempotent, but every tick since the start is read again).
import type { KeyValueStore } from '../../domain/ports/key-value.ts';
import { quoteIdent, textArray, type SqlClient } from '../sql/client.ts';

export interface SqlKeyValueOptions {
  /** Schema of the table (default `ledger`). */
  readonly schema?: string;
}

/** Rows whose expiry passed are removed at most this often, by a write. */
const PURGE_EVERY_MS = 60_000;

export async function createSqlKeyValueStore(sql: SqlClient, options: SqlKeyValueOptions = {}): Promise<KeyValueStore> {
  const schema = quoteIdent(options.schema ?? 'ledger');
  const table = `${schema}.key_values`;
  await sql.exec(`
create schema if not exists ${schema};
create table if not exists ${table} (
  key text primary key,
  value text not null,
  expires_at timestamptz,
  updated_at timestamptz not null default now()
);`);
  const live = `(expires_at is null or expires_at > clock_timestamp())`;
  const expiry = (param: string) => `case when ${param}::bigint is null then null else clock_timestamp() + ${param}::bigint * interval '1 millisecond' end`;
  const ttl = (ttlMs: number | undefined) => (ttlMs === undefined ? null : String(Math.max(1, Math.ceil(ttlMs))));
  let purgedAt = Date.now();
  const purge = () => {
    if (Date.now() - purgedAt < PURGE_EVERY_MS) return;
    purgedAt = Date.now();
    void sql.query(`delete from ${table} where expires_at <= clock_timestamp()`).catch(() => undefined);
  };

  return {
    async get(key) {
      const { rows } = await sql.query<{ value: string }>(`select value from ${table} where key = $1 and ${live}`, [key]);
      return rows[0]?.value;
    },
    async set(key, value, ttlMs) {
      await sql.query(
        `insert into ${table} (key, value, expires_at) values ($1, $2, ${expiry('$3')})
         on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at, updated_at = now()`,
        [key, value, ttl(ttlMs)],
      );
      purge();
    },
    async setIfAbsent(key, value, ttlMs) {
      // An expired row counts as absent: it is taken over in the same statement.
      const { rowCount } = await sql.query(
        `insert into ${table} (key, value, expires_at) values ($1, $2, ${expiry('$3')})
         on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at, updated_at = now()
           where ${table}.expires_at is not null and ${table}.expires_at <= clock_timestamp()`,
        [key, value, ttl(ttlMs)],
      );
      purge();
      return rowCount === 1;
    },
    async increment(key, ttlMs, by = 1) {
      const { rows } = await sql.query<{ value: string }>(
        `insert into ${table} (key, value, expires_at) values ($1, $2::bigint::text, ${expiry('$3')})
         on conflict (key) do update set
           value = case when ${table}.expires_at <= clock_timestamp() then excluded.value else (${table}.value::bigint + $2::bigint)::text end,
           expires_at = case when ${table}.expires_at <= clock_timestamp() then excluded.expires_at else ${table}.expires_at end,
           updated_at = now()
         returning value`,
        [key, String(by), ttl(ttlMs)],
      );
      purge();
      return Number(rows[0]!.value);
    },
    async delete(...keys) {
      if (keys.length > 0) await sql.query(`delete from ${table} where key = any($1::text[])`, [textArray(keys)]);
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const { rows } = await sql.query<{ key: string; value: string }>(`select key, value from ${table} where key = any($1::text[]) and ${live}`, [textArray(keys)]);
      const found = new Map(rows.map((r) => [r.key, r.value]));
      return keys.map((k) => found.get(k));
    },
    // The SQL client belongs to whoever opened it (the backends); nothing of this store's own to close.
    async close() {},
  };
}
