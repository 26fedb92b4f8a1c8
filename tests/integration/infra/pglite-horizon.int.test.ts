// PGlite reads with a horizon of its own (SINGLE_BACKEND_HORIZON_CTE: the snapshot's xmax, no lock-table
// scan, no hidden-event probe). The guarantee it must keep is the one the PostgreSQL horizon keeps: a
// reader paging with the checkpoints it is given, while writers append, sees every event, in order.
import { describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { event } from '../../contracts/event-store.contract.ts';

describe('PGlite event store horizon', () => {
  it('never lets a reader paging while appenders commit skip an event', async () => {
    const sql = await createPgliteClient();
    const store = await PostgresEventStore.create(sql);
    try {
      let writing = true;
      const written: string[] = [];
      const readers = Array.from({ length: 3 }, async () => {
        let after: bigint | undefined;
        const mine: Array<{ id: string; position: bigint }> = [];
        const page = async () => {
          const result = await store.readAll({ after, maxCount: 50 });
          for (const e of result.events) mine.push({ id: e.eventId, position: e.globalPosition });
          after = result.checkpoint ?? after;
          return result.hasMore;
        };
        while (writing) await page();
        while (await page());
        return mine;
      });
      await Promise.all(Array.from({ length: 6 }, async (_, writer) => {
        for (let i = 0; i < 60; i += 1) {
          const batch = [event('Raced', { writer, i }), event('Raced', { writer, i, second: true })];
          await store.append(`race-w${writer}`, batch, i === 0 ? 'no_stream' : BigInt(2 * i - 1));
          written.push(...batch.map((e) => e.eventId));
        }
      }));
      writing = false;
      for (const seen of await Promise.all(readers)) {
        expect(written.filter((id) => !seen.some((e) => e.id === id)), 'events a reader skipped').toEqual([]);
        expect(seen).toHaveLength(written.length);
        const positions = seen.map((e) => e.position);
        expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    } finally {
      await store.close();
      await sql.close();
    }
  });

  it('wakes a subscriber for each append and reads on from where it stopped', async () => {
    const sql = await createPgliteClient();
    const store = await PostgresEventStore.create(sql, { idleRecheckMs: 60_000 });
    const subscription = store.subscribe({});
    try {
      const iterator = subscription[Symbol.asyncIterator]();
      for (let i = 0; i < 5; i += 1) {
        const appended = event('Ticked', { i });
        await store.append('ticks', [appended], i === 0 ? 'no_stream' : BigInt(i - 1));
        const next = await iterator.next();
        expect(next.value?.eventId).toBe(appended.eventId);
      }
    } finally {
      await subscription.close();
      await store.close();
      await sql.close();
    }
  });
});
