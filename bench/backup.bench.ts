// How long a recovery takes: `nicegold backup create` and `backup restore` of a generated store
// (1,000,000 events by default; `npm run bench -- backup <events>`), each against the raw PostgreSQL tool
// doing the same work in the same run (pg_dump -Fc of the same schemas; pg_restore of the same archive
// into an empty database), and the whole recovery (restore, then every projection rebuilt) against that
// raw pg_restore. The store is the rebuild bench's, generated once into its own database and kept.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createSqlKeyValueStore } from '../infra/cache/sql.ts';
import { createBackup, DUMP_FILE, restoreBackup } from '../infra/backup/index.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import { asLedgerEventStore } from '../infra/event-store/upcasting.ts';
import { postgresEventCounter } from '../infra/runtime/roles/projector.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { ALL_PROJECTIONS, progressBar, rebuildProjections } from '../projections/index.ts';
import { ensureDatabase, generatedStore } from './rebuild.bench.ts';
import { progress, report } from './report.ts';

const run_ = promisify(execFile);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try { await client.query(statement); } finally { await client.end(); }
}

/** A new empty database, dropped first if a killed run left it. */
async function emptyDatabase(name: string): Promise<string> {
  await admin(`drop database if exists ${name} with (force)`);
  return ensureDatabase(name);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

export async function run(args: string[]): Promise<void> {
  const size = Number(args[0] ?? 1_000_000);
  const sourceUrl = await ensureDatabase(`bench_rebuild_${size}`);
  const sql = createPgClient({ connectionString: sourceUrl, max: 4 });
  const dir = await mkdtemp(path.join(tmpdir(), 'nicegold-backup-bench-'));
  const [rawTarget, target] = [`bench_restore_raw_${size}`, `bench_restore_${size}`];
  try {
    await (await generatedStore(sql, size)).close();
    await createSqlKeyValueStore(sql); // ledger.key_values, as a ledger's database has it

    progress('backup: raw pg_dump -Fc of the same schemas');
    const [, rawDump] = await timed(() => run_('pg_dump', ['--format=custom', '--schema=es', '--schema=ledger', `--file=${path.join(dir, 'raw.dump')}`, `--dbname=${sourceUrl}`]));
    const createBar = progressBar('backup', process.stderr);
    const [created, createSeconds] = await timed(() => createBackup({ databaseUrl: sourceUrl, out: path.join(dir, 'backup'), onProgress: (p) => createBar.update(p) }));
    const events = created.manifest.eventStore.events;
    progress(`backup: ${events} events, ${created.manifest.dump.bytes} bytes in ${createSeconds.toFixed(1)} s; raw pg_dump ${rawDump.toFixed(1)} s`);
    report({ bench: 'backup', figure: 'backup_create', value: events / createSeconds, unit: 'events/s', baseline: events / rawDump });

    progress('backup: raw pg_restore of the same archive into an empty database');
    const rawUrl = await emptyDatabase(rawTarget);
    const [, rawRestore] = await timed(() => run_('pg_restore', ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${rawUrl}`, path.join(created.folder, DUMP_FILE)]));
    const targetUrl = await emptyDatabase(target);
    const restoreBar = progressBar('restore', process.stderr);
    const [, restoreSeconds] = await timed(() => restoreBackup({ from: created.folder, databaseUrl: targetUrl, onProgress: (p) => restoreBar.update(p) }));
    progress(`backup: restore ${restoreSeconds.toFixed(1)} s; raw pg_restore ${rawRestore.toFixed(1)} s`);
    report({ bench: 'backup', figure: 'backup_restore', value: events / restoreSeconds, unit: 'events/s', baseline: events / rawRestore });

    const targetSql = createPgClient({ connectionString: targetUrl, max: 12 });
    try {
      const store = asLedgerEventStore(await PostgresEventStore.create(targetSql));
      const rebuildBar = progressBar('rebuild all', process.stderr);
      const [rebuilt, rebuildSeconds] = await timed(() => rebuildProjections({ sql: targetSql, store, projections: ALL_PROJECTIONS, countEvents: postgresEventCounter(targetSql), onProgress: (p) => rebuildBar.update(p) }));
      await store.close();
      const recovery = restoreSeconds + rebuildSeconds;
      progress(`backup: rebuilt ${rebuilt.events} events in ${rebuildSeconds.toFixed(1)} s; recovery (restore + rebuild) ${recovery.toFixed(1)} s`);
      report({ bench: 'backup', figure: 'recovery_restore_and_rebuild', value: recovery, unit: 's', baseline: rawRestore }, false);
    } finally {
      await targetSql.close();
    }
  } finally {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
    await admin(`drop database if exists ${rawTarget} with (force)`);
    await admin(`drop database if exists ${target} with (force)`);
  }
}
