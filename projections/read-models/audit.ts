// read.audit_log: every event of the log, who caused it and through which command. Compliance reads the
// trail here; the payloads stay in the event store.
import type { RecordedEvent } from '../../domain/ports/event-store.ts';
import type { Projection, ProjectionTarget } from '../engine/types.ts';
import { col, appendRows, iso, table, type Cell } from './support.ts';

const COLUMNS = [
  col('position', 'bigint'), col('event_id', 'uuid'), col('stream_id', 'text'), col('revision', 'bigint'), col('type', 'text'),
  col('schema_version', 'smallint'), col('actor_user', 'text'), col('actor_role', 'text'), col('command_id', 'text'),
  col('correlation_id', 'text'), col('causation_id', 'text'), col('source', 'text'), col('occurred_at', 'timestamptz'), col('recorded_at', 'timestamptz'),
];

const schema = (t: ProjectionTarget) => `
create table if not exists ${table(t, 'audit_log')} (
  position bigint primary key,
  event_id uuid not null,
  stream_id text not null,
  revision bigint not null,
  type text not null,
  schema_version smallint not null,
  actor_user text,
  actor_role text,
  command_id text,
  correlation_id text,
  causation_id text,
  source text,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null
);
create index if not exists audit_log_stream on ${table(t, 'audit_log')} (stream_id, revision);
create index if not exists audit_log_actor on ${table(t, 'audit_log')} (actor_user, recorded_at) where actor_user is not null;
create index if not exists audit_log_command on ${table(t, 'audit_log')} (command_id) where command_id is not null`;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function row(e: RecordedEvent): Cell[] {
  const m = e.metadata;
  return [
    e.globalPosition, e.eventId, e.streamId, e.revision, e.type, e.schemaVersion, text(m.actor?.userId), text(m.actor?.role),
    text(m.commandId), text(m.correlationId), text(m.causationId), text(m.source), iso(e.occurredAt), iso(e.recordedAt),
  ];
}

export const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  eventTypes: 'all',
  tables: ['audit_log'],
  migrations: [{ version: 1, description: 'audit log of every event', up: schema }],
  async apply(batch, tx, target) {
    await appendRows(tx, target, 'audit_log', COLUMNS, batch.map(row));
  },
};
