// A projection of rare events (the emergency-stop controls) on a busy log: its checkpoint stays at its last
// matching event (here none), while the log moves on with other projections' events. Its lag must be
// counted from where its reader has got to, not from that checkpoint: counted from there, every status
// round (each second) rescanned the whole log since, ~1 s of PostgreSQL per round on a 1M-event store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { postgresLagProbe } from '../../../infra/runtime/roles/projector.ts';
import { auditProjection, controlProjection, startProjector, storeLagProbe, type LagProbe } from '../../../projections/index.ts';
import { event } from '../../contracts/event-store.contract.ts';
import { recordingSql, type SentStatement } from '../../support/recording-sql.ts';
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
    const probed: Array<{ after: bigint | undefined; control: boolean; at: number }> = [];
    const probe = postgresLagProbe(db.sql);
    const recording: LagProbe = (after, filter, bound) => {
      probed.push({ after, control: filter?.eventTypes?.includes('EmergencyStopEngaged') === true, at: Date.now() });
      return probe(after, filter, bound);
    };
    const projector = await startProjector({ sql: db.sql, store, projections: [auditProjection, controlProjection], standbyPollMs: 100, statusIntervalMs: 100, lagProbe: recording });
    try {
      await projector.waitFor(auditProjection.name, head, 60_000);
      // The control projection's reader passes the same pages on its own turn: settled once a round
      // probes it from the head or five rounds go by without probing it (on the old code every round
      // probed it from the start, so this never settled).
      await until(() => {
        const last = probed.filter((p) => p.control).at(-1);
        return last === undefined || (last.after !== undefined && last.after >= head) || Date.now() - last.at > 500;
      });
      const seen = probed.length;
      // The log moves on with events only the audit projection reads; rounds probe whoever is not at the head.
      for (let i = 0; i < 10; i += 1) {
        await store.append('account-L0', [event('Tested', { i })], 'any');
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      const last = (await store.headPosition())!;
      await projector.waitFor(auditProjection.name, last, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The control projection applied nothing (it has no checkpoint), yet no probe of its lag starts
      // below what its reader had passed: the 2,000 events before the projector started are never rescanned.
      const controlProbes = probed.slice(seen).filter((p) => p.control);
      expect(controlProbes.filter((p) => p.after === undefined || p.after < head)).toEqual([]);
      // And it keeps that place: its checkpoint moved past the others' events, so a restart does not read them again.
      const { rows: stored } = await db.sql.query<{ position: string | null }>(`select position::text from read.projection_checkpoints where projection = $1`, [controlProjection.name]);
      expect(stored[0]?.position).not.toBeNull();
      expect(BigInt(stored[0]!.position!) >= head).toBe(true);
      const status = await db.sql.query<{ lag_events: string }>(`select lag_events::text from read.projection_status where projection = $1`, [controlProjection.name]);
      expect(status.rows[0]?.lag_events).toBe('0');
    } finally {
      await projector.stop();
    }
  }, 90_000);
});

describe.skipIf(!pgService.available)(`a projection of rare events joining a projector at the head${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('proj_join');
    store = await PostgresEventStore.create(db.sql);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('moves its checkpoint to the head with the others instead of reading on alone from the start', async () => {
    for (let i = 0; i < 10; i += 1) await store.append(`account-J${i}`, Array.from({ length: 100 }, (_, n) => event('Tested', { n })), 'any');
    const head = (await store.headPosition())!;
    // The audit projection has read the log before (a desk's projector ran); the control projection is new.
    const first = await startProjector({ sql: db.sql, store, projections: [auditProjection], standbyPollMs: 100, statusIntervalMs: 100 });
    await first.waitFor(auditProjection.name, head, 60_000);
    await first.stop();
    const projector = await startProjector({ sql: db.sql, store, projections: [auditProjection, controlProjection], standbyPollMs: 100, statusIntervalMs: 100 });
    try {
      await store.append('account-J0', [event('Tested', { n: 'after' })], 'any');
      await until(async () => {
        const { rows } = await db.sql.query<{ position: string | null }>(`select position::text from read.projection_checkpoints where projection = $1`, [controlProjection.name]);
        return rows[0]?.position != null && BigInt(rows[0].position) >= head;
      }, 20_000);
    } finally {
      await projector.stop();
    }
  }, 90_000);
});

// The embedded demo's projector, idle at the head: each status round used to send three statements per
// projection (a rebuild-request check, a lag probe, a status write), ten projections each second.
describe('an idle projector at the head (PGlite)', () => {
  it('neither probes lag nor rewrites unchanged status rows, and still records a change', async () => {
    const sql = await createPgliteClient();
    const store = await PostgresEventStore.create(sql);
    const statements: SentStatement[] = [];
    const counted = recordingSql(sql, statements);
    let probes = 0;
    const probe = storeLagProbe(store);
    const lagProbe: LagProbe = (after, filter, bound) => { probes += 1; return probe(after, filter, bound); };
    await store.append('account-I1', [event('Tested', { n: 1 })], 'no_stream');
    const projector = await startProjector({ sql: counted, store, projections: [auditProjection, controlProjection], standbyPollMs: 50, statusIntervalMs: 50, lagProbe });
    try {
      await projector.waitFor(auditProjection.name, (await store.headPosition())!, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the first rounds write the rows
      statements.length = 0;
      probes = 0;
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // ~20 rounds, nothing appended
      const writes = statements.filter((st) => st.text.includes('projection_status')).length;
      expect({ writes, probes }).toEqual({ writes: 0, probes: 0 });
      const rounds = statements.filter((st) => st.text.includes('swap_requested_at')).length;
      expect(rounds).toBeGreaterThan(3); // the loop did run

      const { position } = await store.append('account-I1', [event('Tested', { n: 2 })], 0n);
      await projector.waitFor(auditProjection.name, position, 30_000);
      await until(async () => {
        const now = await sql.query<{ checkpoint: string }>(`select checkpoint::text from read.projection_status where projection = $1`, [auditProjection.name]);
        return now.rows[0]?.checkpoint === position.toString();
      });
    } finally {
      await projector.stop();
      await store.close();
      await sql.close();
    }
  }, 60_000);
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
