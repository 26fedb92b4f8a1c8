// `nicegold backup create`: the event store (schema `es`) and the log followers' checkpoints (schema
// `ledger`) dumped with pg_dump from one snapshot while the ledger keeps writing.
//
// Why pg_dump of the tables rather than a ledger-level export of events: a restored ledger must be the
// same ledger, byte for byte: the same event ids, revisions, global positions and recording times, since
// audit trails carry them and `audit verify --against-ledger` compares them; projections' and log
// followers' checkpoints are positions too. pg_dump copies the rows as they are, at COPY speed, in an
// archive pg_restore checks, and runs in one REPEATABLE READ transaction: the dump is the database as of
// one instant, every append committed before it whole and none after, however busy the writers are.
// The read models (schema `read`) are not dumped: they are rebuilt from the events.
//
// The manifest is read in that same snapshot (pg_export_snapshot, then pg_dump --snapshot), so its
// counts are exactly the dump's, and the restore checks them before it commits.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { RebuildProgress } from '../../projections/index.ts';
import { BACKUP_FORMAT, BACKUP_VERSION, BackupRefused, DUMP_FILE, MANIFEST_FILE, sha256File, type BackupManifest } from './manifest.ts';
import { BackupToolFailed, exited, libpqTarget, startTool, toolVersion } from './pg-tools.ts';
import { progressOf, watchTool } from './watch.ts';

export interface CreateBackupOptions {
  readonly databaseUrl: string;
  /** The folder to create; never overwritten. */
  readonly out: string;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface CreatedBackup {
  readonly folder: string;
  readonly manifest: BackupManifest;
  readonly seconds: number;
}

/** Schemas the ledger's writers own. `read` and `read_rebuild_*` are derived and rebuilt instead. */
export const BACKED_UP_SCHEMAS = ['es', 'ledger'] as const;

interface SnapshotFacts {
  snapshot: string;
  at: Date;
  database: string;
  server: string;
  schemas: string[];
  events: string;
  streams: string;
  head: string | null;
  last: Date | null;
  keyValues: string;
}

/** Opens the snapshot the dump will read and reads the manifest's facts in it. The transaction stays open. */
async function openSnapshot(client: pg.Client): Promise<SnapshotFacts> {
  await client.query('begin isolation level repeatable read read only');
  const { rows: [facts] } = await client.query<Omit<SnapshotFacts, 'events' | 'streams' | 'head' | 'last' | 'keyValues'>>(
    `select pg_export_snapshot() as snapshot, now() as at, current_database() as database, version() as server,
       array(select nspname::text from pg_namespace where nspname = any($1::text[]) order by nspname) as schemas`,
    [[...BACKED_UP_SCHEMAS]],
  );
  if (!facts!.schemas.includes('es')) {
    throw new BackupRefused('BACKUP.NO_EVENT_STORE', `database ${facts!.database} holds no event store (schema es): point --database-url (or DATABASE_URL) at the ledger's PostgreSQL database`);
  }
  const { rows: [store] } = await client.query<Pick<SnapshotFacts, 'events' | 'streams' | 'head' | 'last'>>(
    'select count(*)::text as events, count(distinct stream_id)::text as streams, max(position)::text as head, max(recorded_at) as last from es.events',
  );
  const keyValues = facts!.schemas.includes('ledger') && (await client.query('select 1 from pg_tables where schemaname = $1 and tablename = $2', ['ledger', 'key_values'])).rowCount
    ? (await client.query<{ n: string }>('select count(*)::text as n from ledger.key_values')).rows[0]!.n
    : '0';
  return { ...facts!, ...store!, keyValues };
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

/** Runs pg_dump in the snapshot, reporting the rows it has copied. */
async function dump(databaseUrl: string, facts: SnapshotFacts, file: string, total: number, started: number, onProgress?: CreateBackupOptions['onProgress']): Promise<void> {
  const appName = `nicegold-backup-${randomUUID()}`;
  const target = libpqTarget(databaseUrl, appName);
  const args = ['--format=custom', `--snapshot=${facts.snapshot}`, ...facts.schemas.map((s) => `--schema=${s}`), `--file=${file}`, `--dbname=${target.dbname}`];
  const child = startTool('pg_dump', args, target.env, ['ignore', 'ignore', 'pipe']);
  const done = exited('pg_dump', child);
  const watch = onProgress ? await watchTool(databaseUrl, appName, (s) => onProgress(progressOf(s.rows, total, started, 'dumping'))) : undefined;
  try {
    const exit = await done;
    if (exit.code !== 0) throw new BackupToolFailed('BACKUP.DUMP_FAILED', `pg_dump failed (exit ${exit.code}): ${exit.stderr}; nothing was kept. Check that pg_dump's major version is at least the server's`, { exit: exit.code });
  } finally {
    await watch?.stop();
  }
}

export async function createBackup(options: CreateBackupOptions): Promise<CreatedBackup> {
  const started = performance.now();
  const folder = resolve(options.out);
  const exists = () => new BackupRefused('BACKUP.EXISTS', `${folder} exists; a backup is never overwritten: choose another --out (e.g. one folder per day)`, { folder });
  if (existsSync(folder)) throw exists();
  const tool = await toolVersion('pg_dump');
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'nicegold-backup-snapshot' });
  await client.connect();
  // Unique beside the target: a crash leaves a *.partial-* folder, never a backup that looks whole.
  const partial = `${folder}.partial-${randomUUID()}`;
  try {
    const facts = await openSnapshot(client);
    const total = Number(facts.events) + Number(facts.keyValues);
    mkdirSync(dirname(folder), { recursive: true });
    mkdirSync(partial);
    const dumpPath = join(partial, DUMP_FILE);
    options.onProgress?.(progressOf(0, total, started, 'dumping'));
    await dump(options.databaseUrl, facts, dumpPath, total, started, options.onProgress);
    await client.query('commit'); // the snapshot is no longer needed once pg_dump is done
    const bytes = statSync(dumpPath).size;
    options.onProgress?.(progressOf(total, total, started, 'checksumming'));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      snapshotAt: facts.at.toISOString(),
      source: { database: facts.database, server: facts.server },
      schemas: facts.schemas,
      eventStore: { events: Number(facts.events), streams: Number(facts.streams), headPosition: facts.head, lastRecordedAt: facts.last?.toISOString() ?? null },
      keyValues: Number(facts.keyValues),
      dump: { file: DUMP_FILE, bytes, sha256: await sha256File(dumpPath), tool },
    };
    writeFileSync(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
    await syncPath(dumpPath);
    await syncPath(join(partial, MANIFEST_FILE));
    await syncPath(partial);
    if (existsSync(folder)) throw exists(); // made meanwhile: rename would replace an empty folder
    renameSync(partial, folder);
    await syncPath(dirname(folder));
    return { folder, manifest, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end().catch(() => undefined); // rolls back the snapshot if a step failed
    rmSync(partial, { recursive: true, force: true });
  }
}
