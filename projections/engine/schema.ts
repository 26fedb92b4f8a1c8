// The engine's own tables in schema `read`, projection migrations, and the TimescaleDB switch.
import type { Projection, ProjectionTarget, ReadModelSql, SqlExecutor, SqlFeatures } from './types.ts';

export const READ_SCHEMA = 'read';
/** Serializes concurrent first starts (two projector processes) on their CREATE statements. */
const MIGRATION_LOCK = 7_356_104;

const ENGINE_TABLES = `
create schema if not exists read;
create table if not exists read.schema_migrations (
  projection text not null,
  version integer not null,
  description text not null,
  applied_at timestamptz not null default now(),
  primary key (projection, version)
);
create table if not exists read.projection_checkpoints (
  projection text primary key,
  position bigint,
  version integer not null,
  generation integer not null default 0,
  swap_requested_at timestamptz,
  updated_at timestamptz not null default now()
);
create table if not exists read.projection_status (
  projection text primary key,
  state text not null,
  checkpoint bigint,
  lag_events bigint,
  lag_capped boolean not null default false,
  lag_seconds numeric(14, 3),
  events_applied bigint not null default 0,
  holder text,
  last_error text,
  updated_at timestamptz not null default now()
)`;

export const splitStatements = (script: string): string[] => script.split(';').map((part) => part.trim()).filter(Boolean);

const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export function assertIdentifier(name: string): string {
  if (!SAFE_IDENTIFIER.test(name)) throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  return name;
}

export async function runStatements(tx: SqlExecutor, script: string): Promise<void> {
  for (const statement of splitStatements(script)) await tx.query(statement);
}

export async function ensureEngineTables(sql: ReadModelSql): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await runStatements(tx, ENGINE_TABLES);
  });
}

/**
 * TimescaleDB when the extension is installed on the server; plain PostgreSQL (CI, PGlite) otherwise.
 * Available but not loadable (not in shared_preload_libraries) counts as absent.
 */
export async function detectFeatures(sql: ReadModelSql): Promise<SqlFeatures> {
  if (sql.dialect === 'pglite') return { timescale: false };
  const { rows } = await sql.query(`select 1 from pg_available_extensions where name = 'timescaledb'`);
  if (rows.length === 0) return { timescale: false };
  try {
    await sql.query('create extension if not exists timescaledb');
    return { timescale: true };
  } catch {
    return { timescale: false };
  }
}

/** Applies the migrations of `projection` that `read.schema_migrations` does not list yet, to the live tables. */
export async function migrateProjection(sql: ReadModelSql, projection: Projection, features: SqlFeatures): Promise<void> {
  const target: ProjectionTarget = { schema: READ_SCHEMA, features };
  await sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const { rows } = await tx.query<{ version: number }>('select version from read.schema_migrations where projection = $1', [projection.name]);
    const applied = new Set(rows.map((row) => Number(row.version)));
    for (const migration of [...projection.migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await runStatements(tx, migration.up(target));
      await tx.query('insert into read.schema_migrations (projection, version, description) values ($1, $2, $3)', [projection.name, migration.version, migration.description]);
    }
    await tx.query(
      'insert into read.projection_checkpoints (projection, position, version) values ($1, null, $2) on conflict (projection) do nothing',
      [projection.name, projection.version],
    );
  });
}

/** Secondary indexes of a shadow schema, dropped for the bulk replay and built once it is done. */
export interface BulkLoad {
  readonly schema: string;
  readonly indexes: readonly string[];
}

/**
 * Every migration into a fresh schema (a rebuild's shadow), set up for a bulk replay: indexes that are not
 * unique are dropped, to be built in one sorted pass by `finishBulkLoad` (growing them row by row cost a
 * fifth of a full rebuild's time). Conflict targets keep their unique indexes. On TimescaleDB the tables stay
 * as the migrations made them. (Unlogged shadow tables were tried: setting them logged before the swap
 * cost more than the WAL they saved.)
 */
export async function createShadowTables(sql: ReadModelSql, projection: Projection, target: ProjectionTarget): Promise<BulkLoad> {
  const schema = assertIdentifier(target.schema);
  return sql.transaction(async (tx) => {
    await tx.query(`create schema if not exists ${schema}`);
    for (const migration of [...projection.migrations].sort((a, b) => a.version - b.version)) await runStatements(tx, migration.up(target));
    if (target.features.timescale) return { schema, indexes: [] };
    const { rows } = await tx.query<{ name: string; definition: string }>(
      `select c.relname as name, pg_get_indexdef(c.oid) as definition
       from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and not x.indisunique order by c.relname`,
      [schema],
    );
    for (const index of rows) await tx.query(`drop index ${schema}.${assertIdentifier(index.name)}`);
    return { schema, indexes: rows.map((index) => index.definition) };
  });
}

/**
 * Makes bulk-loaded shadow schemas like migrated ones: builds every deferred index, each on its own
 * connection (builds on one table may run together; they share its SHARE lock).
 */
export async function finishBulkLoad(sql: ReadModelSql, loads: readonly BulkLoad[]): Promise<void> {
  await Promise.all(loads.flatMap((load) => load.indexes).map((definition) => sql.query(definition)));
}
