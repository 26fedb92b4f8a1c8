import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Notification, SqlClient, SqlExecutor, SqlResult } from './client.ts';

export interface PgClientOptions {
  readonly connectionString: string;
  readonly max?: number;
  readonly applicationName?: string;
  /** How long an idle connection stays open (default 10 s); `never` keeps it (long-running services). */
  readonly idleTimeoutMs?: number | 'never';
}

// Statements are prepared once per connection under a name derived from their text: parsing and
// planning a statement on every call costs more than the insert itself on a hot path.
const statementNames = new Map<string, string>();
const prepared = (text: string, params?: readonly unknown[]): pg.QueryConfig => {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `ng_${statementNames.size}`));
  return { name, text, values: params as unknown[] | undefined };
};

const asResult = <Row>(result: pg.QueryResult): SqlResult<Row> => ({ rows: result.rows as Row[], rowCount: result.rowCount ?? 0 });

/** Queries and COPY on one checked-out connection. */
const executorOf = (client: pg.PoolClient): SqlExecutor => ({
  query: async <Row>(text: string, params?: readonly unknown[]) => asResult<Row>(await client.query(params === undefined ? text : prepared(text, params))),
  async copyFrom(statement: string, data: string) {
    const stream = client.query(copyFromStdin(statement));
    stream.end(data);
    await finished(stream);
  },
});

export function createPgClient(options: PgClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'nicegold-ledger',
    // A service keeps its connections: after a quiet spell, the first requests would otherwise each pay a
    // new connection and re-prepare their statements (the first 0.3 s of a GraphQL load after 10 s idle
    // answered in up to 277 ms). Short-lived clients (CLI, tests) let idle ones go after 10 s.
    idleTimeoutMillis: options.idleTimeoutMs === 'never' ? 0 : (options.idleTimeoutMs ?? 10_000),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const listeners: pg.PoolClient[] = [];

  return {
    dialect: 'postgres',
    async query<Row>(text: string, params?: readonly unknown[]) {
      return asResult<Row>(await pool.query(params === undefined ? text : prepared(text, params)));
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(executorOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async withConnection<T>(work: (conn: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        return await work(executorOf(client));
      } finally {
        client.release();
      }
    },
    async listen(channel: string, onNotify: Notification) {
      const client = await pool.connect();
      listeners.push(client);
      const handler = (message: pg.Notification) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      };
      client.on('notification', handler);
      await client.query(`LISTEN ${channel}`);
      return async () => {
        client.off('notification', handler);
        await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
        const index = listeners.indexOf(client);
        if (index >= 0) listeners.splice(index, 1);
        client.release();
      };
    },
    async close() {
      for (const client of listeners.splice(0)) client.release();
      await pool.end();
    },
  };
}
