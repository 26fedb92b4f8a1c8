// A live read model far behind a busy stream (issue 19.6): 20,000 ticks with an account opened every
// 2,000, half of them stored before the projector starts and half appended while it catches up. After
// every batch it commits, each account whose AccountOpened the checkpoint has passed answers: it has its
// read-model row and the account read (what GraphQL's account resolves from) is not null.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { portfolioProjection, startProjector, type Projection } from '../../../projections/index.ts';
import { AccountReads } from '../../../read-api/accounts.ts';
import { Instruments } from '../../../read-api/format.ts';
import { postgresService } from '../../support/services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { opened, tick } from './fixtures.ts';

const pgService = await postgresService();
const TICKS = 20_000;
const ACCOUNT_EVERY = 2_000;
const BATCH = 500;

const toNew = (e: { type: string; data: Record<string, unknown> }): NewEvent => ({ eventId: randomUUID(), type: e.type, data: e.data as NewEvent['data'], metadata: { source: 'test' } });

/** The busy stream in appends of 250 ticks, an AccountOpened after every ACCOUNT_EVERY ticks. */
function* busyStream(from: number, to: number): Generator<{ streamId: string; events: NewEvent[] }> {
  const start = Date.parse('2026-03-02T08:00:00Z');
  for (let i = from; i < to; i += 250) {
    const ticks = Array.from({ length: 250 }, (_, k) => tick(new Date(start + (i + k) * 1_000).toISOString(), 234_500n + BigInt((i + k) % 40), 234_530n + BigInt((i + k) % 40), BigInt(i + k + 1)));
    yield { streamId: ticks[0]!.stream, events: ticks.map(toNew) };
    if ((i + 250) % ACCOUNT_EVERY === 0) {
      const account = opened(`L${(i + 250) / ACCOUNT_EVERY}`, new Date(start + (i + 250) * 1_000).toISOString(), 1_000_000n);
      yield { streamId: account.stream, events: [toNew(account)] };
    }
  }
}

describe.skipIf(!pgService.available)(`a live read model behind a busy stream${pgService.skipReason}`, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('proj_behind', 12);
    store = await PostgresEventStore.create(db.sql);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('answers for every account it has seen, after every batch it commits while catching up', async () => {
    const openedAt = new Map<string, bigint>();
    const append = async (from: number, to: number) => {
      for (const { streamId, events } of busyStream(from, to)) {
        const { position } = await store.append(streamId, events, 'any');
        if (streamId.startsWith('account-')) openedAt.set(streamId.slice('account-'.length), position);
      }
    };
    const reads = new AccountReads(db.sql, new Instruments());
    const observed: Array<{ checkpoint: bigint; seen: string[]; missingRows: string[]; nullReads: string[] }> = [];
    /** What a reader sees of the committed read model: checked before each batch, so after the one before it. */
    const check = async () => {
      const { rows } = await db.sql.query<{ position: string | null; accounts: string[] }>(
        `select c.position::text, array(select account_id from read.account_equity order by account_id) as accounts
         from read.projection_checkpoints c where c.projection = 'portfolio'`,
      );
      const checkpoint = rows[0]?.position == null ? -1n : BigInt(rows[0].position);
      const seen = [...openedAt].filter(([, position]) => position <= checkpoint).map(([id]) => id);
      const answered = new Set((await reads.accounts(seen)).map((a) => a.id));
      observed.push({ checkpoint, seen, missingRows: seen.filter((id) => !rows[0]!.accounts.includes(id)), nullReads: seen.filter((id) => !answered.has(id)) });
    };
    const checked: Projection = { ...portfolioProjection, apply: async (batch, tx, target) => { await check(); await portfolioProjection.apply(batch, tx, target); } };

    await append(0, TICKS / 2);
    const projector = await startProjector({ sql: db.sql, store, projections: [checked], batchSize: BATCH, standbyPollMs: 50, statusIntervalMs: 100 });
    try {
      await append(TICKS / 2, TICKS);
      await projector.waitFor('portfolio', (await store.headPosition())!, 120_000);
      await check();
    } finally {
      await projector.stop();
    }

    expect(openedAt.size).toBe(TICKS / ACCOUNT_EVERY);
    // It was behind: many batches, the accounts passed one after another.
    expect(observed.length).toBeGreaterThan(TICKS / BATCH / 2);
    expect(new Set(observed.map((o) => o.seen.length)).size).toBeGreaterThan(TICKS / ACCOUNT_EVERY / 2);
    expect(observed.filter((o) => o.missingRows.length > 0 || o.nullReads.length > 0)).toEqual([]);
    expect(observed.at(-1)!.seen.sort()).toEqual([...openedAt.keys()].sort());
  }, 180_000);
});
