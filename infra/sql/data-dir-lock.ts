// PGlite keeps its database in the memory of the one process that opened it and writes it to DATA_DIR as
// it goes: a second process opening the same folder works on a copy of its own (or initialises a new,
// empty database beside a live one), and whichever writes last wins. A lock file beside the folder,
// naming the process that holds it, turns that into a clear refusal. A lock left by a process that died
// (kill -9, power loss) names a pid that no longer runs, and is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LedgerError } from '../../domain/shared/errors.ts';

export class DataDirInUse extends LedgerError {
  constructor(dataDir: string, pid: number, lockFile: string) {
    super('EMBEDDED.DATA_DIR_IN_USE', 'unavailable',
      `${dataDir} is in use by process ${pid}: embedded PGlite serves one process. Stop that process first (Ctrl-C on npm start), ` +
      `or point DATA_DIR at another folder, or use a shared PostgreSQL (DATABASE_URL). If no ledger runs, delete ${lockFile}`,
      { dataDir, pid });
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

function holder(lockFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `${dataDir}.lock` for this process; returns its release. Opening the folder again in the process
 * that holds it is allowed (and releases nothing: the first opener's close does).
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = holder(lockFile);
    if (pid === process.pid) return () => undefined;
    if (pid !== undefined && running(pid)) throw new DataDirInUse(dataDir, pid, lockFile);
    rmSync(lockFile, { force: true }); // stale: its process is gone (or it was never written whole)
  }
  throw new LedgerError('EMBEDDED.DATA_DIR_LOCK', 'unavailable', `could not take ${lockFile}: another process keeps taking it; retry`);
}
