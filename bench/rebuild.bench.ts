// rebuild_all: events/s rebuilding every projection from a generated store (1,000,000 events by
// default; `npm run bench -- rebuild <events>`), against a raw paged read of the same events through
// the same store in the same run. The store is generated once into its own database and kept, so
// later runs of the same size skip the generation.
import pg from 'pg';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import type { SqlClient } from '../infra/sql/client.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { ALL_PROJECTIONS, progressBar, rebuildProjections } from '../projections/index.ts';
import { appendHistory } from '../tests/integration/projections/history.ts';
import { progress, report } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function ensureDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rows.length === 0) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function rawRead(store: PostgresEventStore, pageSize: number): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  let after: bigint | undefined;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    events += page.events.length;
    after = page.checkpoint;
    if (!page.hasMore) break;
  }
  return { events, seconds: (performance.now() - started) / 1000 };
}

/** The store of `size` generated events in its own database, generated on the first run of that size. */
export async function generatedStore(sql: SqlClient, size: number): Promise<PostgresEventStore> {
  const store = await PostgresEventStore.create(sql, { schema: 'es' });
  const stored = Number((await sql.query<{ n: string }>('select count(*)::text as n from es.events')).rows[0]!.n);
  if (stored < size) {
    await sql.exec('truncate es.events');
    progress(`rebuild: generating ${size} events`);
    await appendHistory(store, { events: size, accounts: 20, seed: 5 }, (n) => progress(`rebuild: generated ${n}`));
    await sql.exec('vacuum analyze es.events');
  }
  return store;
}

export async function run(args: string[]): Promise<void> {
  const size = Number(args[0] ?? 1_000_000);
  const sql = createPgClient({ connectionString: await ensureDatabase(`bench_rebuild_${size}`), max: 12 });
  try {
    const store = await generatedStore(sql, size);
    const pageSize = 5_000;
    progress('rebuild: raw paged read (warm-up)');
    await rawRead(store, pageSize);
    const raw = await rawRead(store, pageSize);
    progress(`rebuild: raw read ${raw.events} events in ${raw.seconds.toFixed(1)} s`);
    const bar = progressBar('rebuild all', process.stderr);
    const result = await rebuildProjections({ sql, store, projections: ALL_PROJECTIONS, batchSize: pageSize, onProgress: (p) => bar.update(p) });
    progress(`rebuild: ${result.events} events in ${result.seconds.toFixed(1)} s`);
    report({ bench: 'rebuild', figure: 'rebuild_all', value: result.events / result.seconds, unit: 'events/s', baseline: raw.events / raw.seconds, target: '>= 50000 events/s and ratio >= 0.25' });
    await store.close();
  } finally {
    await sql.close();
  }
}
