// `nicegold backup restore`: a backup into an empty database, all or nothing.
//
// 1. The target must hold none of the ledger's schemas (BACKUP.TARGET_NOT_EMPTY: nothing touched).
// 2. The archive is checked against the manifest's size and SHA-256 (BACKUP.CORRUPT: nothing touched).
// 3. The target's transaction ids are moved past the backup's last position. Positions are
//    (transaction id << 20) + index, so on a new cluster, whose ids start low, the first appends after
//    the restore would get positions below the restored ones: subscribers past them would never see
//    them, and a position could even collide. Burning ids costs ~150,000 a second; the same cluster, or
//    one that has lived longer than the source, needs none.
// 4. pg_restore's script runs through psql in one transaction, which also checks the restored counts
//    against the manifest and analyzes the table before it commits: a failure anywhere leaves the target
//    as it was.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { RebuildProgress } from '../../projections/index.ts';
import { POSITION_SHIFT } from '../event-store/postgres-schema.ts';
import { BACKED_UP_SCHEMAS } from './create.ts';
import { BackupRefused, checkArchive, DUMP_FILE, readManifest, type BackupManifest } from './manifest.ts';
import { BackupToolFailed, exited, libpqTarget, redactedUrl, startTool, toolVersion } from './pg-tools.ts';
import { progressOf, watchTool } from './watch.ts';

export interface RestoreOptions {
  readonly from: string;
  readonly databaseUrl: string;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  /** Transaction ids burnt so that new appends follow the restored positions. */
  readonly transactionIdsAdvanced: number;
  readonly seconds: number;
}

/** The ledger's schemas, and the rebuild's shadow schemas, that make a database not empty for a restore. */
const LEDGER_SCHEMAS = [...BACKED_UP_SCHEMAS, 'read'];

async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'nicegold-restore' });
  try {
    await client.connect();
    return client;
  } catch (error) {
    const missing = (error as { code?: string }).code === '3D000';
    throw new BackupToolFailed('BACKUP.TARGET_UNAVAILABLE', `cannot connect to ${redactedUrl(databaseUrl)}: ${(error as Error).message}${missing ? '; create it first (createdb, or CREATE DATABASE) and restore into it' : ''}`);
  }
}

/** Refuses a target that holds any of the ledger's schemas, saying what is there and what to do. */
export async function assertEmptyTarget(client: pg.Client, databaseUrl: string): Promise<void> {
  const { rows } = await client.query<{ schema: string; tables: string }>(
    `select n.nspname::text as schema, count(c.oid)::text as tables
     from pg_namespace n left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p')
     where n.nspname = any($1::text[]) or n.nspname like 'read\\_rebuild\\_%'
     group by n.nspname order by n.nspname`,
    [LEDGER_SCHEMAS],
  );
  if (rows.length === 0) return;
  const events = rows.some((r) => r.schema === 'es')
    ? (await client.query<{ n: string }>("select case when to_regclass('es.events') is null then '0' else (select count(*)::text from es.events) end as n")).rows[0]!.n
    : '0';
  const found = rows.map((r) => `${r.schema} (${r.tables} tables)`).join(', ');
  throw new BackupRefused(
    'BACKUP.TARGET_NOT_EMPTY',
    `${redactedUrl(databaseUrl)} is not empty: it holds ${found}, ${events} events. A restore goes into a database of its own: create one (createdb) and pass its URL. `
      + 'If these are only the empty tables of a ledger process started on it, stop that process and drop them (drop schema es, ledger, read cascade), never on a ledger you mean to keep',
    { schemas: rows.map((r) => r.schema), events: Number(events) },
  );
}

const BURN_CHUNK = 100_000;

/**
 * Moves the cluster's transaction ids past `needed` (a transaction id, as the positions' high bits), in
 * transactions that only take an id and commit, without waiting for the disk. Returns how many it burnt.
 */
export async function advanceTransactionIds(client: pg.Client, needed: bigint, onBurnt?: (burnt: number, wanted: number) => void): Promise<number> {
  const current = async () => BigInt((await client.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0]!.x);
  let now = await current();
  if (now > needed) return 0;
  const wanted = Number(needed - now) + 1;
  let burnt = 0;
  await client.query('set synchronous_commit = off');
  try {
    while (now <= needed) {
      const chunk = Math.min(BURN_CHUNK, Number(needed - now) + 1);
      await client.query(`do $$ begin for i in 1..${chunk} loop perform pg_current_xact_id(); commit; end loop; end $$`);
      burnt += chunk;
      onBurnt?.(burnt, wanted);
      now = await current();
    }
  } finally {
    await client.query('reset synchronous_commit');
  }
  return burnt;
}

/** The statements psql runs after the restored script, inside its transaction: any mismatch rolls it all back. */
function checksSql(manifest: BackupManifest): string {
  const { events, headPosition } = manifest.eventStore;
  const head = headPosition === null ? 'null' : `${headPosition}::bigint`;
  const keyValues = manifest.schemas.includes('ledger') && manifest.keyValues > 0 ? manifest.keyValues : 0;
  const kvCount = manifest.schemas.includes('ledger') ? "(select count(*) from ledger.key_values)" : '0';
  return `
do $check$
declare n bigint; h bigint; kv bigint;
begin
  select count(*), max(position) into n, h from es.events;
  kv := ${kvCount};
  if n <> ${events} or h is distinct from ${head} or kv <> ${keyValues} then
    raise exception 'nicegold: restored % events (head %) and % checkpoints, the manifest says ${events} (head ${headPosition ?? 'none'}) and ${keyValues}', n, h, kv;
  end if;
end $check$;
analyze es.events;
`;
}

/** pg_restore's script piped into psql with ON_ERROR_STOP in one transaction, then the checks. */
async function runRestore(folder: string, manifest: BackupManifest, databaseUrl: string, started: number, onProgress?: RestoreOptions['onProgress']): Promise<void> {
  const appName = `nicegold-restore-${randomUUID()}`;
  const target = libpqTarget(databaseUrl, appName);
  const restore = startTool('pg_restore', ['--no-owner', '--no-privileges', '--file=-', join(folder, DUMP_FILE)], target.env, ['ignore', 'pipe', 'pipe']);
  const psql = startTool('psql', ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--single-transaction', '--output=/dev/null', `--dbname=${target.dbname}`], target.env, ['pipe', 'ignore', 'pipe']);
  const restored = exited('pg_restore', restore);
  const applied = exited('psql', psql);
  // psql stopped on an error: nothing reads pg_restore's output any more, and it would block on it.
  void applied.then(() => { if (restore.exitCode === null) restore.kill('SIGTERM'); });
  psql.stdin!.on('error', () => undefined); // psql stopped on an error: its exit says why
  restore.stdout!.pipe(psql.stdin!, { end: false });
  const total = manifest.eventStore.events + manifest.keyValues;
  const watch = onProgress ? await watchTool(databaseUrl, appName, (s) => onProgress(progressOf(s.rows, total, started, s.indexing ?? 'restoring'))) : undefined;
  try {
    const dumpExit = await restored;
    // A script cut short must never commit: psql would COMMIT at the end of its input. Killed, its
    // connection drops and the server rolls the transaction back.
    if (dumpExit.code === 0) psql.stdin!.end(checksSql(manifest));
    else psql.kill('SIGKILL');
    const psqlExit = await applied;
    const psqlError = psqlExit.code !== 0 && /ERROR|FATAL|error:/.test(psqlExit.stderr);
    if (psqlError && /schema "(es|ledger)" already exists/.test(psqlExit.stderr)) {
      throw new BackupRefused('BACKUP.TARGET_NOT_EMPTY', `${redactedUrl(databaseUrl)} gained the ledger's schemas while restoring (another restore or a ledger process): nothing was restored; restore into a database nobody else uses`);
    }
    if (psqlError || (psqlExit.code !== 0 && dumpExit.code === 0)) {
      throw new BackupToolFailed('BACKUP.RESTORE_FAILED', `the restore failed and was rolled back, nothing was written: ${psqlExit.stderr || `psql exit ${psqlExit.code}`}`);
    }
    if (dumpExit.code !== 0) throw new BackupToolFailed('BACKUP.RESTORE_FAILED', `pg_restore could not read ${join(folder, DUMP_FILE)} (exit ${dumpExit.code}): ${dumpExit.stderr}; nothing was restored`);
  } finally {
    await watch?.stop();
  }
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const manifest = readManifest(options.from);
  const total = manifest.eventStore.events + manifest.keyValues;
  // Stages in steps of a tenth: a log (no terminal) gets a line per stage change.
  const tenths = (done: number, of: number) => `${Math.floor((10 * done) / Math.max(1, of)) * 10}%`;
  await toolVersion('pg_restore');
  await toolVersion('psql');
  const client = await connect(options.databaseUrl);
  try {
    await assertEmptyTarget(client, options.databaseUrl);
    await checkArchive(options.from, manifest, (bytes) => options.onProgress?.(progressOf(0, total, started, `checking the archive's SHA-256, ${tenths(bytes, manifest.dump.bytes)}`)));
    const head = manifest.eventStore.headPosition;
    const advanced = head === null ? 0 : await advanceTransactionIds(client, BigInt(head) >> POSITION_SHIFT, (burnt, wanted) =>
      options.onProgress?.(progressOf(0, total, started, `moving the target's transaction ids past the backup's (${wanted} to burn), ${tenths(burnt, wanted)}`)));
    await runRestore(options.from, manifest, options.databaseUrl, started, options.onProgress);
    return { manifest, transactionIdsAdvanced: advanced, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The archive is whole and pg_restore can read its table of contents: a backup that will restore. */
export async function verifyBackup(folder: string, onBytes?: (bytes: number) => void): Promise<BackupManifest> {
  const manifest = readManifest(folder);
  await checkArchive(folder, manifest, onBytes);
  const list = startTool('pg_restore', ['--list', join(folder, DUMP_FILE)], process.env as Record<string, string>, ['ignore', 'pipe', 'pipe']);
  let toc = '';
  list.stdout!.setEncoding('utf8');
  list.stdout!.on('data', (chunk: string) => { toc += chunk; });
  const exit = await exited('pg_restore', list);
  if (exit.code !== 0 || !/TABLE DATA es events/.test(toc)) {
    throw new BackupRefused('BACKUP.CORRUPT', `pg_restore cannot read ${join(folder, DUMP_FILE)}${exit.stderr ? `: ${exit.stderr}` : ' (no es.events data in it)'}; restore an earlier backup`, { folder });
  }
  return manifest;
}
