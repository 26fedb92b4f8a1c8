// Snapshots in a table beside the events (the event store's schema on PostgreSQL and PGlite; its own
// schema when events live in EventStoreDB): one row per stream, its latest snapshot. Snapshots are a
// cache of a fold, never a record: dropping the table loses nothing but load time.
import type { Snapshot, SnapshotStore } from '../../domain/ports/snapshot-store.ts';
import { quoteIdent, type SqlClient } from '../sql/client.ts';

export interface SqlSnapshotOptions {
  /** Schema of the table: the event store's (default `es`). */
  readonly schema?: string;
}

export async function createSqlSnapshotStore(sql: SqlClient, options: SqlSnapshotOptions = {}): Promise<SnapshotStore> {
  const schema = quoteIdent(options.schema ?? 'es');
  const table = `${schema}.snapshots`;
  await sql.exec(`
create schema if not exists ${schema};
create table if not exists ${table} (
  stream_id text primary key,
  revision bigint not null,
  event_id uuid not null,
  fold_version text not null,
  state text not null,
  recorded_at timestamptz not null default now()
);`);
  return {
    async load(streamId, foldVersion) {
      const { rows } = await sql.query<{ revision: string; event_id: string; state: string }>(
        `select revision::text, event_id::text, state from ${table} where stream_id = $1 and fold_version = $2`,
        [streamId, foldVersion],
      );
      const row = rows[0];
      return row === undefined ? undefined : { streamId, revision: BigInt(row.revision), eventId: row.event_id, foldVersion, state: row.state };
    },
    async recent(streamPrefix, foldVersion, limit) {
      // One row per stream: a scan of a table the size of the desk's account list, not of its history.
      const { rows } = await sql.query<{ stream_id: string }>(
        `select stream_id from ${table} where left(stream_id, length($1::text)) = $1::text and fold_version = $2 order by recorded_at desc limit $3`,
        [streamPrefix, foldVersion, limit],
      );
      return rows.map((row) => row.stream_id);
    },
    async save(snapshot: Snapshot) {
      // A snapshot of another fold is replaced whatever its revision: it would never be used again.
      await sql.query(
        `insert into ${table} (stream_id, revision, event_id, fold_version, state) values ($1, $2::bigint, $3::uuid, $4, $5)
         on conflict (stream_id) do update set revision = excluded.revision, event_id = excluded.event_id, fold_version = excluded.fold_version,
           state = excluded.state, recorded_at = now()
         where ${table}.revision < excluded.revision or ${table}.fold_version <> excluded.fold_version`,
        [snapshot.streamId, snapshot.revision.toString(), snapshot.eventId, snapshot.foldVersion, snapshot.state],
      );
    },
  };
}
