// Rebuild equals incremental, row for row, on a generated history of 100,000 mixed events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { postgresLagProbe } from '../../../infra/runtime/roles/projector.ts';
import { ALL_PROJECTIONS, rebuildProjections, startProjector } from '../../../projections/index.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { appendHistory } from './history.ts';
import { snapshotReadModels } from './snapshot.ts';

const pgService = await postgresService();

describe.skipIf(!pgService.available)(`rebuild on PostgreSQL${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let events = 0;

  beforeAll(async () => {
    db = await createTestDatabase('proj_rebuild');
    store = await PostgresEventStore.create(db.sql);
    events = await appendHistory(store, { events: 100_000, accounts: 6, seed: 11 });
    await db.sql.exec('analyze es.events'); // what autovacuum would do; the store's reads need the statistics
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('rebuilds every projection to the same rows the live projector wrote batch by batch', async () => {
    expect(events).toBeGreaterThanOrEqual(100_000);
    const projector = await startProjector({ sql: db.sql, store, projections: ALL_PROJECTIONS, batchSize: 2_000, statusIntervalMs: 200, lagProbe: postgresLagProbe(db.sql) });
    try {
      const head = (await store.headPosition())!;
      for (const p of ALL_PROJECTIONS) await projector.waitFor(p.name, head, 150_000);
    } finally {
      await projector.stop();
    }
    const incremental = await snapshotReadModels(db.sql, ALL_PROJECTIONS);
    expect(incremental.get('ticks')!.length).toBeGreaterThan(50_000);
    expect(incremental.get('audit_log')!.length).toBe(events);

    const result = await rebuildProjections({ sql: db.sql, store, projections: ALL_PROJECTIONS, batchSize: 5_000 });
    expect(result.events).toBe(events);
    const rebuilt = await snapshotReadModels(db.sql, ALL_PROJECTIONS);
    for (const [table, rows] of incremental) expect({ table, rows: rebuilt.get(table) }).toEqual({ table, rows });
  }, 300_000);
});
