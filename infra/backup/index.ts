// Backup and restore of the PostgreSQL event store: pg_dump from one snapshot, restore all or nothing.
export { createBackup, BACKED_UP_SCHEMAS, type CreateBackupOptions, type CreatedBackup } from './create.ts';
export { restoreBackup, verifyBackup, advanceTransactionIds, assertEmptyTarget, type RestoreOptions, type RestoreResult } from './restore.ts';
export { readManifest, BackupRefused, DUMP_FILE, MANIFEST_FILE, type BackupManifest } from './manifest.ts';
export { BackupToolFailed, redactedUrl } from './pg-tools.ts';
