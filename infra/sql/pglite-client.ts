import { PGlite } from '@electric-sql/pglite';
import type { Notification, SqlClient, SqlExecutor, SqlResult } from './client.ts';
import { lockDataDir } from './data-dir-lock.ts';

/**
 * PGlite is one embedded connection. Its `transaction` holds an exclusive lock, so a transaction here
 * behaves like one on a dedicated connection; plain queries queue behind it. A database in a folder is
 * locked to this process until closed (see data-dir-lock.ts); without a folder it lives in memory.
 */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  const unlock = dataDir === undefined ? () => undefined : lockDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir === undefined ? undefined : { dataDir });
  } catch (error) {
    unlock();
    throw error;
  }
  const run = async <Row>(executor: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> => {
    const result = await executor.query<Row>(text, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };
  let closed = false;
  return {
    dialect: 'pglite',
    query: <Row>(text: string, params?: readonly unknown[]) => run<Row>(db, text, params),
    async exec(sql: string) {
      await db.exec(sql);
    },
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return db.transaction((tx) => work({ query: <Row>(text: string, params?: readonly unknown[]) => run<Row>(tx, text, params) }));
    },
    withConnection<T>(work: (conn: SqlExecutor) => Promise<T>): Promise<T> {
      return work({ query: <Row>(text: string, params?: readonly unknown[]) => run<Row>(db, text, params) });
    },
    async listen(channel: string, onNotify: Notification) {
      const unlisten = await db.listen(channel, onNotify);
      return async () => {
        if (!closed) await unlisten();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
