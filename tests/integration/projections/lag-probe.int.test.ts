// A projection of rare events (the emergency-stop controls) on a busy log: its checkpoint stays at its last
// matching event (here none), while the log moves on with other projections' events. Its lag must be
// counted from where its reader has got to, not from that checkpoint: counted from there, every status
// round (each second) rescanned the whole log since, ~1 s of PostgreSQL per round on a 1M-event store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { postgresLagProbe } from '../../../infra/runtime/roles/projector.ts';
import { auditProjection, controlProjection, startProjector, type LagProbe } from '../../../projections/index.ts';
import { event } from '../../contracts/event-store.contract.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

const pgService = await postgresService();

describe.skipIf(!pgService.available)(`projection lag on PostgreSQL${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('proj_lag');
    store = await PostgresEventStore.create(db.sql);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('counts a filtered projection\'s lag from past the events it does not read', async () => {
    for (let i = 0; i < 20; i += 1) await store.append(`account-L${i}`, Array.from({ length: 100 }, (_, n) => event('Tested', { n })), 'any');
    const head = (await store.headPosition())!;
    const probed: Array<{ after: bigint | undefined; control: boolean }> = [];
    const probe = postgresLagProbe(db.sql);
    const recording: LagProbe = (after, filter, bound) => {
      probed.push({ after, control: filter?.eventTypes?.includes('EmergencyStopEngaged') === true });
      return probe(after, filter, bound);
    };
    const projector = await startProjector({ sql: db.sql, store, projections: [auditProjection, controlProjection], standbyPollMs: 100, statusIntervalMs: 100, lagProbe: recording });
    try {
      await projector.waitFor(auditProjection.name, head, 60_000);
      const seen = probed.length;
      await until(() => probed.slice(seen).filter((p) => p.control).length >= 2);
      const latest = probed.filter((p) => p.control).at(-1)!;
      // The control projection applied nothing (no checkpoint of its own) but its lag starts at the head it read to.
      expect(latest.after).toBeDefined();
      expect(latest.after! >= head).toBe(true);
      const status = await db.sql.query<{ lag_events: string }>(`select lag_events::text from read.projection_status where projection = $1`, [controlProjection.name]);
      expect(status.rows[0]?.lag_events).toBe('0');
    } finally {
      await projector.stop();
    }
  }, 90_000);
});

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
