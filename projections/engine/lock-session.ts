// One dedicated connection holds the advisory locks of every projection this process runs: advisory
// locks belong to a session, and one session for all of them keeps the pool free for batches.
import type { ReadModelSql, SqlExecutor } from './types.ts';

/** First key of every projection lock; the second is hashtext(projection name). */
export const PROJECTION_LOCK_CLASS = 7_356_105;

export interface LockSession {
  tryLock(name: string): Promise<boolean>;
  unlock(name: string): Promise<void>;
  /** Throws when the connection is gone (and every lock with it). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openLockSession(sql: ReadModelSql): Promise<LockSession> {
  return new Promise<LockSession>((resolve, reject) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => { release = r; });
    let opened = false;
    const session = sql.withConnection(async (conn: SqlExecutor) => {
      opened = true;
      resolve(lockSessionOn(conn, async () => { release(); await session.catch(() => undefined); }));
      await held;
    });
    session.catch((error: unknown) => { if (!opened) reject(error instanceof Error ? error : new Error(String(error))); });
  });
}

function lockSessionOn(connection: SqlExecutor, close: () => Promise<void>): LockSession {
  const held = new Set<string>();
  // One query at a time on the session: workers and the status loop share it.
  let queue: Promise<unknown> = Promise.resolve();
  const conn: SqlExecutor = {
    query: <Row>(text: string, params?: readonly unknown[]) => {
      const run = queue.then(() => connection.query<Row>(text, params));
      queue = run.catch(() => undefined);
      return run;
    },
  };
  return {
    async tryLock(name) {
      const { rows } = await conn.query<{ locked: boolean }>(`select pg_try_advisory_lock(${PROJECTION_LOCK_CLASS}, hashtext($1)) as locked`, [name]);
      const locked = rows[0]?.locked === true;
      // Session locks stack: take each one once, or unlock would leave one behind.
      if (locked && held.has(name)) await conn.query(`select pg_advisory_unlock(${PROJECTION_LOCK_CLASS}, hashtext($1))`, [name]);
      if (locked) held.add(name);
      return locked;
    },
    async unlock(name) {
      if (!held.delete(name)) return;
      await conn.query(`select pg_advisory_unlock(${PROJECTION_LOCK_CLASS}, hashtext($1))`, [name]);
    },
    async ping() {
      await conn.query('select 1');
    },
    async close() {
      // The connection goes back to the pool: release every lock first, or the next borrower inherits them.
      for (const name of [...held]) await this.unlock(name).catch(() => undefined);
      await close();
    },
  };
}
