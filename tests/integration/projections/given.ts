// given(events) -> then(rows) for projections, on PGlite: events are appended to a PGlite event store,
// the projector applies them, and the test reads the read-model tables.
import { randomUUID } from 'node:crypto';
import type { EventData, EventMetadata } from '../../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { startProjector, type Projection } from '../../../projections/index.ts';

export interface GivenEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata?: EventMetadata;
}

export interface Projected {
  readonly sql: SqlClient;
  rows<Row = Record<string, unknown>>(query: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** Appends `events` in order (one append each), runs `projections` until caught up, and hands back the database. */
export async function given(projections: readonly Projection[], events: readonly GivenEvent[], batchSize = 3): Promise<Projected> {
  const sql = await createPgliteClient();
  const store = await PostgresEventStore.create(sql);
  for (const e of events) {
    await store.append(e.stream, [{ eventId: randomUUID(), type: e.type, data: e.data as EventData, metadata: e.metadata ?? { commandId: 'cmd-1', actor: { userId: 'u1', role: 'trader' } } }], 'any');
  }
  const projector = await startProjector({ sql, store, projections, batchSize, statusIntervalMs: 50, standbyPollMs: 20 });
  const head = await store.headPosition();
  try {
    if (head !== undefined) for (const p of projections) await projector.waitFor(p.name, head, 20_000);
  } finally {
    await projector.stop();
  }
  return {
    sql,
    rows: async <Row>(query: string) => (await sql.query<Row>(query)).rows,
    async close() { await store.close(); await sql.close(); },
  };
}
