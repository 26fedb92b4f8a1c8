// PGlite keeps its database in the memory of the one process that opened it and writes it to DATA_DIR as
// it goes: a second process opening the same folder works on a copy of its own (or initialises a new,
// empty database beside a live one), and whichever writes last wins. A lock file beside the folder,
// naming the process that holds it, turns that into a clear refusal.
//
// The lock file says "pid host token". It is created whole (written to a temporary file, then hard-linked
// into place, which fails if the lock exists), so nobody ever reads a half-written one. A lock whose
// process no longer runs on this host (kill -9, power loss, or a restarted container whose new process
// got the same pid but not the token) is taken over, by one process at a time: the taker holds a second,
// short-lived file while it checks the lock is still the stale one and removes it. A process removes the
// lock on close only while it still holds its own token.
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { LedgerError } from '../../domain/shared/errors.ts';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  /** The lock file's text, to make sure a takeover removes the very lock it judged stale. */
  readonly text: string;
}

const HOST = hostname();
/** Tokens of the locks this process holds. */
const held = new Set<string>();
/** A takeover file older than this was left by a process that died inside the few lines that hold it. */
const TAKEOVER_STALE_MS = 10_000;
const ATTEMPTS = 20;

export class DataDirInUse extends LedgerError {
  constructor(dataDir: string, holder: Holder, lockFile: string) {
    const who = holder.pid === process.pid && holder.host === HOST ? 'this process (opened twice)' : `process ${holder.pid}${holder.host === HOST ? '' : ` on host ${holder.host}`}`;
    super('EMBEDDED.DATA_DIR_IN_USE', 'unavailable',
      `${dataDir} is in use by ${who}: embedded PGlite serves one process. Stop that process first (Ctrl-C on npm start), ` +
      `or point DATA_DIR at another folder, or use a shared PostgreSQL (DATABASE_URL). If no ledger runs, delete ${lockFile}`,
      { dataDir, pid: holder.pid, host: holder.host });
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

/** No process: what a lock that does not name one (empty, cut short by a crash, garbled) is held by. */
const NOBODY = 0;

/**
 * The lock's holder; undefined when there is no lock (any more). A bare pid (an older lock) is this
 * host's; anything but a positive pid first is nobody's, so it is taken over as stale.
 */
function readHolder(lockFile: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const [pid = '', host, token] = text.trim().split(' ');
  return { pid: /^[1-9]\d{0,9}$/.test(pid) ? Number(pid) : NOBODY, host: host ?? HOST, token: token ?? '', text };
}

/** Creates the lock with its whole content, or returns false when one exists. */
function create(lockFile: string, content: string): boolean {
  const temporary = `${lockFile}.${process.pid}.${randomUUID()}.tmp`;
  const fd = openSync(temporary, 'wx');
  try {
    writeSync(fd, content);
    fsyncSync(fd); // on disk before it is linked: a power loss must not leave an empty lock
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, lockFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    try { // a file system without hard links: create in place (the content follows in the same call)
      writeFileSync(lockFile, content, { flag: 'wx' });
      return true;
    } catch (inPlace) {
      if ((inPlace as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inPlace;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Removes the lock if it is still `stale`, one taker at a time. A takeover file is held for the few lines
 * below; one that stays was left by a process that died inside them, and removing it automatically could
 * let two takers in at once, so that rare case is left to a person.
 */
function takeOver(lockFile: string, stale: Holder): void {
  const takeover = `${lockFile}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (statSync(takeover, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > TAKEOVER_STALE_MS) throw new LedgerError('EMBEDDED.DATA_DIR_LOCK', 'unavailable', `${takeover} was left by a process that died while taking over the lock: delete it if no ledger is starting, then retry`, { takeover });
    return; // another process is taking over: look again
  }
  closeSync(fd);
  try {
    if (readHolder(lockFile)?.text === stale.text) rmSync(lockFile, { force: true });
  } finally {
    rmSync(takeover, { force: true });
  }
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Takes `${dataDir}.lock` for this process, or throws DataDirInUse; returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${path.resolve(dataDir)}.lock`;
  mkdirSync(path.dirname(lockFile), { recursive: true });
  const token = randomUUID();
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    if (create(lockFile, `${process.pid} ${HOST} ${token}\n`)) {
      held.add(token);
      return () => {
        held.delete(token);
        if (readHolder(lockFile)?.token === token) rmSync(lockFile, { force: true });
      };
    }
    const holder = readHolder(lockFile);
    if (holder === undefined) continue; // released meanwhile
    const ours = holder.host === HOST && holder.pid === process.pid;
    const alive = holder.pid !== NOBODY && (holder.host !== HOST || (ours ? held.has(holder.token) : running(holder.pid)));
    if (alive) throw new DataDirInUse(dataDir, holder, lockFile);
    takeOver(lockFile, holder);
    pause(5 + attempt * 5);
  }
  throw new LedgerError('EMBEDDED.DATA_DIR_LOCK', 'unavailable', `could not take ${lockFile}: other processes keep taking it; retry`);
}
