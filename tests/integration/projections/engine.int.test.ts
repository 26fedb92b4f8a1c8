// The engine on real PostgreSQL: exactly-once across a crash, one active instance per projection with
// takeover, a rebuild swapping in under a running projector, and an interrupted rebuild.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { postgresLagProbe } from '../../../infra/runtime/roles/projector.ts';
import {
  auditProjection, candlesProjection, portfolioProjection, rebuildProjections, RebuildInterrupted, startProjector, type Projection, type RunningProjector,
} from '../../../projections/index.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { appendHistory } from './history.ts';
import { snapshotReadModels } from './snapshot.ts';

const pgService = await postgresService();
const PROJECTIONS = [candlesProjection, portfolioProjection, auditProjection];

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.skipIf(!pgService.available)(`projection engine on PostgreSQL${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const running: RunningProjector[] = [];

  const start = async (projections: readonly Projection[] = PROJECTIONS, batchSize = 500) => {
    const projector = await startProjector({ sql: db.sql, store, projections, batchSize, standbyPollMs: 100, statusIntervalMs: 100, lagProbe: postgresLagProbe(db.sql) });
    running.push(projector);
    return projector;
  };
  const caughtUp = async (projector: RunningProjector, projections: readonly Projection[] = PROJECTIONS) => {
    const head = (await store.headPosition())!;
    for (const p of projections) await projector.waitFor(p.name, head, 60_000);
  };
  /** The rows an uninterrupted run gives: a rebuild from the start. */
  const reference = async (projections: readonly Projection[] = PROJECTIONS) => {
    await rebuildProjections({ sql: db.sql, store, projections, batchSize: 3_000 });
    return snapshotReadModels(db.sql, projections);
  };

  beforeAll(async () => {
    db = await createTestDatabase('proj_engine', 20);
    store = await PostgresEventStore.create(db.sql);
    await appendHistory(store, { events: 20_000, accounts: 4, seed: 3 });
    await db.sql.exec('analyze es.events');
  }, 120_000);

  beforeEach(async () => {
    for (const p of running.splice(0)) await p.stop();
    await db.sql.exec('drop schema if exists read cascade');
  });

  afterAll(async () => {
    for (const p of running.splice(0)) await p.stop();
    await store?.close();
    await db?.drop();
  }, 60_000);

  it('applies each event exactly once when a batch fails half-written and the process restarts', async () => {
    let crashing = true;
    let crashes = 0;
    const crashingCandles: Projection = {
      ...candlesProjection,
      async apply(batch, tx, target) {
        await candlesProjection.apply(batch, tx, target); // rows written, then the process "dies" before commit
        if (crashing && batch[0]!.globalPosition > 0n && (crashes += 1) > 0 && crashes <= 50) throw new Error('killed mid-batch');
      },
    };
    const first = await start([crashingCandles, auditProjection]);
    await until('a crash', () => crashes > 0);
    await first.stop();
    crashing = false;
    const second = await start([crashingCandles, auditProjection]);
    await caughtUp(second, [crashingCandles, auditProjection]);
    await second.stop();
    const live = await snapshotReadModels(db.sql, [candlesProjection, auditProjection]);
    const ticks = await db.sql.query<{ n: string }>(`select sum(tick_count)::text as n from read.candles where timeframe = '1d'`);
    expect(Number(ticks.rows[0]!.n)).toBe((await db.sql.query(`select 1 from es.events where type = 'TickReceived'`)).rowCount);
    expect(await reference([candlesProjection, auditProjection])).toEqual(live);
  }, 180_000);

  it('runs one active instance per projection, and a standby takes over when the holder stops', async () => {
    const a = await start();
    const b = await start();
    await until('every projection held', () => a.active().length + b.active().length === PROJECTIONS.length);
    for (const p of PROJECTIONS) expect([a, b].filter((x) => x.active().includes(p.name))).toHaveLength(1);
    const holder = a.active().length > 0 ? a : b;
    const standby = holder === a ? b : a;
    const held = holder.active();
    await holder.stop();
    await until('the standby to take over', () => held.every((name) => standby.active().includes(name)));
    await appendHistory(store, { events: 2_000, accounts: 4, seed: 4, start: new Date('2026-05-01T00:00:00Z') });
    await caughtUp(standby);
    await standby.stop();
    const live = await snapshotReadModels(db.sql, PROJECTIONS);
    expect(await reference()).toEqual(live);
  }, 180_000);

  it('swaps a rebuild in under a running projector, which then carries on from the rebuilt checkpoint', async () => {
    const projector = await start();
    await caughtUp(projector);
    const before = await db.sql.query(`select count(*)::int as n from read.audit_log`);
    const rebuilding = rebuildProjections({ sql: db.sql, store, projections: PROJECTIONS, batchSize: 2_000 });
    await appendHistory(store, { events: 1_000, accounts: 4, seed: 5, start: new Date('2026-06-01T00:00:00Z') });
    const result = await rebuilding;
    expect(result.events).toBeGreaterThanOrEqual(Number((before.rows[0] as { n: number }).n));
    await appendHistory(store, { events: 1_000, accounts: 4, seed: 6, start: new Date('2026-07-01T00:00:00Z') });
    await until('the projector to resume', () => PROJECTIONS.every((p) => projector.active().includes(p.name)));
    await caughtUp(projector);
    await projector.stop();
    const live = await snapshotReadModels(db.sql, PROJECTIONS);
    const rebuilt = await reference();
    // Per table, the rows only one side has: an empty difference names the table that went wrong.
    for (const [table, rows] of live) {
      const other = rebuilt.get(table)!;
      expect({ table, onlyRebuilt: other.filter((r) => !rows.includes(r)), onlyLive: rows.filter((r) => !other.includes(r)) }).toEqual({ table, onlyRebuilt: [], onlyLive: [] });
    }
  }, 180_000);

  it('leaves the live tables untouched when a rebuild is interrupted', async () => {
    const projector = await start();
    await caughtUp(projector);
    await projector.stop();
    const live = await snapshotReadModels(db.sql, PROJECTIONS);
    const abort = new AbortController();
    const rebuilding = rebuildProjections({ sql: db.sql, store, projections: PROJECTIONS, batchSize: 1_000, signal: abort.signal, onProgress: (p) => { if (p.applied >= 2_000) abort.abort(); } });
    await expect(rebuilding).rejects.toBeInstanceOf(RebuildInterrupted);
    expect(await snapshotReadModels(db.sql, PROJECTIONS)).toEqual(live);
    const shadows = await db.sql.query(`select 1 from information_schema.schemata where schema_name like 'read_rebuild_%'`);
    expect(shadows.rowCount).toBe(0);
    const flags = await db.sql.query(`select 1 from read.projection_checkpoints where swap_requested_at is not null`);
    expect(flags.rowCount).toBe(0);
  }, 180_000);
});
