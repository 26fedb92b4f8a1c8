// A backup is a folder: `ledger.dump` (pg_dump's custom archive of the event store's schemas) and
// `manifest.json`, what the dump holds as read in the very snapshot pg_dump dumped. The restore checks
// the archive against the manifest's SHA-256 before it touches the target, and the restored rows
// against the manifest's counts before it commits.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError, ValidationError } from '../../domain/shared/errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const DUMP_FILE = 'ledger.dump';
export const BACKUP_FORMAT = 'nicegold-backup';
export const BACKUP_VERSION = 1;

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  /** When the snapshot was taken, by the source database's clock. */
  readonly snapshotAt: string;
  readonly source: { readonly database: string; readonly server: string };
  /** The schemas dumped: the event store's (`es`) and the log followers' checkpoints (`ledger`) when present. */
  readonly schemas: readonly string[];
  readonly eventStore: {
    readonly events: number;
    readonly streams: number;
    /** The highest global position, as text (null: no events); a restore needs the target's transaction ids past it. */
    readonly headPosition: string | null;
    readonly lastRecordedAt: string | null;
  };
  /** Rows of ledger.key_values (broker, stop sweep and signal checkpoints, import checkpoints). */
  readonly keyValues: number;
  readonly dump: { readonly file: typeof DUMP_FILE; readonly bytes: number; readonly sha256: string; readonly tool: string };
}

export class BackupRefused extends LedgerError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, 'domain', message, details);
  }
}

const notABackup = (folder: string, why: string) =>
  new ValidationError('BACKUP.NOT_A_BACKUP', `${folder} is not a backup made by nicegold backup create (${why}): pass the folder that holds ${MANIFEST_FILE} and ${DUMP_FILE}`, { folder });

/** The manifest of a backup folder, checked for shape; BACKUP.NOT_A_BACKUP when it is not one. */
export function readManifest(folder: string): BackupManifest {
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw notABackup(folder, 'no such folder');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw notABackup(folder, `${MANIFEST_FILE} ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is not JSON'}`);
  }
  const m = parsed as Partial<BackupManifest>;
  if (m.format !== BACKUP_FORMAT) throw notABackup(folder, `its format is ${JSON.stringify(m.format)}`);
  if (m.version !== BACKUP_VERSION) {
    throw new ValidationError('BACKUP.UNSUPPORTED_VERSION', `${folder} is a version ${String(m.version)} backup; this ledger reads version ${BACKUP_VERSION}: restore it with the ledger release that made it`, { folder });
  }
  const store = m.eventStore;
  const dump = m.dump;
  const wellFormed = store !== undefined && dump !== undefined && Number.isSafeInteger(store.events) && Number.isSafeInteger(store.streams)
    && (store.headPosition === null || /^\d{1,19}$/.test(store.headPosition ?? '')) && Number.isSafeInteger(m.keyValues)
    && dump.file === DUMP_FILE && /^[0-9a-f]{64}$/.test(dump.sha256 ?? '') && Array.isArray(m.schemas) && m.schemas.includes('es');
  if (!wellFormed) throw notABackup(folder, `${MANIFEST_FILE} lacks or garbles a field`);
  return m as BackupManifest;
}

/** SHA-256 of a file, read as a stream; `onBytes` hears how far it got. */
export async function sha256File(path: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    onBytes?.(bytes);
  }
  return hash.digest('hex');
}

/**
 * The archive is the one the manifest describes: same size, same SHA-256. Otherwise BACKUP.CORRUPT, and
 * nothing is restored from it.
 */
export async function checkArchive(folder: string, manifest: BackupManifest, onBytes?: (bytes: number) => void): Promise<void> {
  const path = join(folder, DUMP_FILE);
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  const corrupt = (what: string) =>
    new BackupRefused('BACKUP.CORRUPT', `${path} ${what}: this backup cannot be trusted; restore an earlier one (nicegold backup verify --from <folder> checks one without restoring)`, { folder });
  if (size === undefined) throw corrupt('is missing');
  if (size !== manifest.dump.bytes) throw corrupt(`is ${size} bytes, the manifest says ${manifest.dump.bytes} (cut short or replaced)`);
  const sha256 = await sha256File(path, onBytes);
  if (sha256 !== manifest.dump.sha256) throw corrupt(`has SHA-256 ${sha256}, the manifest says ${manifest.dump.sha256} (changed since the backup)`);
}
