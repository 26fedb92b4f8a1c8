// `nicegold backup create | verify | restore`: the PostgreSQL event store backed up with pg_dump from one
// snapshot, checked, and restored into an empty database, with the read models rebuilt from it.
// Progress on stderr; the outcome, and what to do next, on stdout.
import { ValidationError } from '../../../domain/shared/errors.ts';
import { ALL_PROJECTIONS, progressBar, rebuildProjections, type RebuildProgress } from '../../../projections/index.ts';
import { createBackup, redactedUrl, restoreBackup, verifyBackup, type BackupManifest } from '../../backup/index.ts';
import { loadConfig } from '../../config/config.ts';
import { PostgresEventStore } from '../../event-store/postgres.ts';
import { asLedgerEventStore } from '../../event-store/upcasting.ts';
import { postgresEventCounter } from '../../runtime/roles/projector.ts';
import { createPgClient } from '../../sql/pg-client.ts';
import { flag, parseArgs, requireFlag, type ParsedArgs } from '../args.ts';
import type { CliCommand } from '../commands.ts';

const USAGE = [
  'usage: nicegold backup create --out <new folder> [--database-url <ledger database>]   pg_dump of the event store from one snapshot',
  '       nicegold backup verify --from <backup folder>                                   the archive is whole and readable',
  '       nicegold backup restore --from <backup folder> --database-url <empty database> [--skip-rebuild]',
].join('\n');

/** The ledger's database: --database-url, else DATABASE_URL when the event store is PostgreSQL. */
function sourceUrl(parsed: ParsedArgs): string {
  const given = flag(parsed, 'database-url');
  if (given !== undefined) return given;
  const config = loadConfig();
  if (config.eventStore === 'pglite') {
    throw new ValidationError('BACKUP.UNSUPPORTED_STORE', `the event store is embedded PGlite: stop the ledger and copy ${config.dataDir} (that folder is the whole ledger), or give --database-url of a PostgreSQL ledger`);
  }
  if (config.eventStore === 'eventstoredb') {
    throw new ValidationError('BACKUP.UNSUPPORTED_STORE', 'the event store is EventStoreDB: back it up with its own tools (a file-copy backup of its database folder); this command backs up the PostgreSQL event store');
  }
  return config.databaseUrl!;
}

const bar = (label: string) => {
  const drawn = progressBar(label, process.stderr);
  let last: RebuildProgress | undefined;
  return { update: (p: RebuildProgress) => { last = p; drawn.update(p); }, done: () => { if (last) drawn.done({ ...last, applied: last.total ?? last.applied }); } };
};

const describe = (m: BackupManifest) =>
  `${m.eventStore.events} events in ${m.eventStore.streams} streams (head position ${m.eventStore.headPosition ?? 'none'}, last recorded ${m.eventStore.lastRecordedAt ?? 'never'}), ${m.keyValues} checkpoints, snapshot of ${m.snapshotAt}`;

async function create(parsed: ParsedArgs): Promise<number> {
  const out = requireFlag(parsed, 'out', 'the folder to write the backup into (it must not exist)');
  const databaseUrl = sourceUrl(parsed);
  const progress = bar('backup');
  const backup = await createBackup({ databaseUrl, out, onProgress: progress.update });
  progress.done();
  process.stdout.write(`backup ${backup.folder}: ${describe(backup.manifest)}; ${backup.manifest.dump.bytes} bytes, SHA-256 ${backup.manifest.dump.sha256}, in ${backup.seconds.toFixed(1)} s\n`);
  process.stdout.write(`restore it with: nicegold backup restore --from ${backup.folder} --database-url <an empty database>\n`);
  return 0;
}

async function verify(parsed: ParsedArgs): Promise<number> {
  const from = requireFlag(parsed, 'from', 'the backup folder');
  const manifest = await verifyBackup(from);
  process.stdout.write(`${from}: intact and readable by pg_restore: ${describe(manifest)}\n`);
  return 0;
}

/** Every projection replayed from the restored store into the target's schema `read`. */
async function rebuild(databaseUrl: string): Promise<string> {
  const sql = createPgClient({ connectionString: databaseUrl, max: 12, applicationName: 'nicegold-restore-rebuild' });
  try {
    const store = asLedgerEventStore(await PostgresEventStore.create(sql));
    try {
      const progress = progressBar('rebuild all', process.stderr);
      const result = await rebuildProjections({ sql, store, projections: ALL_PROJECTIONS, countEvents: postgresEventCounter(sql), onProgress: (p) => progress.update(p) });
      if (process.stderr.isTTY) process.stderr.write('\n');
      return `read models rebuilt: ${result.events} events in ${result.seconds.toFixed(1)} s`;
    } finally {
      await store.close();
    }
  } finally {
    await sql.close();
  }
}

async function restore(parsed: ParsedArgs): Promise<number> {
  const from = requireFlag(parsed, 'from', 'the backup folder (made by nicegold backup create)');
  const databaseUrl = requireFlag(parsed, 'database-url', 'the empty database to restore into (named explicitly: a restore never goes to DATABASE_URL by default)');
  const progress = bar('restore');
  const restored = await restoreBackup({ from, databaseUrl, onProgress: progress.update });
  progress.done();
  const burnt = restored.transactionIdsAdvanced > 0 ? `; ${restored.transactionIdsAdvanced} transaction ids burnt so new events follow the restored ones` : '';
  process.stdout.write(`restored ${from} into ${redactedUrl(databaseUrl)}: ${describe(restored.manifest)}, in ${restored.seconds.toFixed(1)} s${burnt}\n`);
  if (parsed.flags.get('skip-rebuild') === true) {
    process.stdout.write('read models not rebuilt: run nicegold projections rebuild all on it (faster), or let the projector catch up from the start\n');
  } else {
    const rebuilt = await rebuild(databaseUrl).catch((error: unknown) => {
      process.stderr.write(`the restore is complete, the read models are not: run DATABASE_URL=${redactedUrl(databaseUrl)} nicegold projections rebuild all\n`);
      throw error;
    });
    process.stdout.write(`${rebuilt}\n`);
  }
  process.stdout.write('next: point DATABASE_URL at it and start the roles; the broker, stop sweep and signal engine resume from their restored checkpoints\n');
  return 0;
}

export const command: CliCommand = {
  name: 'backup',
  summary: 'backup create | verify | restore: the PostgreSQL event store dumped from one snapshot, restored into an empty database',
  async run(args) {
    const parsed = parseArgs(args, ['skip-rebuild']);
    switch (parsed.positional[0]) {
      case 'create': return create(parsed);
      case 'verify': return verify(parsed);
      case 'restore': return restore(parsed);
      default: throw new ValidationError('CLI.USAGE', USAGE);
    }
  },
};
