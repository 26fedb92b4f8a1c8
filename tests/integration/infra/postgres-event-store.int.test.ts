import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { asLedgerEventStore } from '../../../infra/event-store/upcasting.ts';
import { appendSql } from '../../../infra/event-store/postgres-schema.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { describeEventStoreContract, event } from '../../contracts/event-store.contract.ts';
import { postgresService, TEST_DATABASE_URL, uniqueName } from '../../support/services.ts';

const postgres = await postgresService();

describeEventStoreContract('PGlite (embedded)', async () => {
  const sql = await createPgliteClient();
  const store = await PostgresEventStore.create(sql);
  return { store, cleanup: async () => { await store.close(); await sql.close(); } };
});

describe.skipIf(!postgres.available)(`PostgreSQL event store${postgres.skipReason}`, () => {
  describeEventStoreContract('PostgreSQL 15', async () => {
    const schema = uniqueName('es_ct');
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const store = await PostgresEventStore.create(sql, { schema });
    return { store, cleanup: async () => { await store.close(); await sql.exec(`drop schema ${schema} cascade`); await sql.close(); } };
  });

  // The store as the services open it (infra/runtime/backends.ts): the same promises must hold through
  // its wrapping. They did not: the wrapper dropped AppendOptions, so no order checked the stop streams.
  describeEventStoreContract('PostgreSQL 15, as the ledger opens it', async () => {
    const schema = uniqueName('es_ledger');
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const store = asLedgerEventStore(await PostgresEventStore.create(sql, { schema }));
    return { store, cleanup: async () => { await store.close(); await sql.exec(`drop schema ${schema} cascade`); await sql.close(); } };
  });

  it('answers a retried append as written before even when a stream it depended on has moved since', async () => {
    const schema = uniqueName('es_dep');
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const store = await PostgresEventStore.create(sql, { schema });
    try {
      const placed = [event('Placed'), event('Accepted')];
      const unchanged = [{ streamId: 'control-global', revision: undefined }];
      const first = await store.append('account-R1', placed, 'no_stream', { unchanged });
      await store.append('control-global', [event('Engaged')], 'no_stream');
      const retry = await store.append('account-R1', placed, 'no_stream', { unchanged });
      expect([first.written, retry.written, retry.nextRevision]).toEqual([true, false, 1n]);
      await expect(store.append('account-R1', [event('Placed')], 1n, { unchanged })).rejects.toMatchObject({ code: 'EVENT_STORE.STREAMS_CHANGED', changed: ['control-global'] });
      expect(await store.readStream('account-R1')).toHaveLength(2);
    } finally {
      await store.close();
      await sql.exec(`drop schema ${schema} cascade`);
      await sql.close();
    }
  });

  it('never lets a reader skip an event whose transaction commits after a later-numbered one', async () => {
    const schema = uniqueName('es_late');
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const store = await PostgresEventStore.create(sql, { schema });
    try {
      let releaseSlow!: () => void;
      const slowMayCommit = new Promise<void>((resolve) => { releaseSlow = resolve; });
      let slowAppended!: () => void;
      const slowHasAppended = new Promise<void>((resolve) => { slowAppended = resolve; });
      // The slow writer takes its transaction id (and so its positions) first, then holds its commit.
      const slow = sql.transaction(async (tx) => {
        await tx.query(appendSql(schema, 'no_stream'), ['late-1', [event().eventId], ['Slow'], [1], '[{}]', '[{}]', [new Date().toISOString()]]);
        slowAppended();
        await slowMayCommit;
      });
      await slowHasAppended;
      const fast = await store.append('late-2', [event('Fast')], 'no_stream');
      const during = await store.readAll();
      expect(during.events.map((e) => e.type)).not.toContain('Fast'); // hidden behind the in-flight writer
      const subscription = store.subscribe({ after: during.checkpoint });
      const iterator = subscription[Symbol.asyncIterator]();
      const first = iterator.next();
      releaseSlow();
      await slow;
      const second = iterator.next();
      const delivered: RecordedEvent[] = [(await first).value as RecordedEvent, (await second).value as RecordedEvent];
      await subscription.close();
      expect(delivered.map((e) => e.type)).toEqual(['Slow', 'Fast']);
      expect(delivered[0]!.globalPosition < fast.position).toBe(true);
    } finally {
      await store.close();
      await sql.exec(`drop schema ${schema} cascade`);
      await sql.close();
    }
  });

  it('is not held up by a long transaction that writes no events', async () => {
    const schema = uniqueName('es_longtx');
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const store = await PostgresEventStore.create(sql, { schema });
    let finishReport!: () => void;
    const reportMayFinish = new Promise<void>((resolve) => { finishReport = resolve; });
    let reportStarted!: () => void;
    const reportHasStarted = new Promise<void>((resolve) => { reportStarted = resolve; });
    try {
      // A report or a rebuild: a transaction that holds a transaction id and writes elsewhere.
      const report = sql.transaction(async (tx) => {
        await tx.query(`create table ${schema}.report as select 1 as n`);
        reportStarted();
        await reportMayFinish;
      });
      await reportHasStarted;
      await store.append('longtx-1', [event('Visible')], 'no_stream');
      const page = await store.readAll();
      finishReport();
      await report;
      expect(page.events.map((e) => e.type)).toEqual(['Visible']);
    } finally {
      finishReport();
      await store.close();
      await sql.exec(`drop schema ${schema} cascade`);
      await sql.close();
    }
  });

  it('never lets a reader paging while appenders commit skip an event', async () => {
    // Readers page with the checkpoint each page returns, as a subscription does, while eight writers
    // append and commit at random moments against the reader's horizon query. Every event must be seen.
    const schema = uniqueName('es_race');
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL, max: 16 });
    const store = await PostgresEventStore.create(sql, { schema });
    try {
      let writing = true;
      const seen = new Set<string>();
      const written: string[] = [];
      const readers = Array.from({ length: 3 }, async () => {
        let after: bigint | undefined;
        const mine: string[] = [];
        const page = async () => {
          const result = await store.readAll({ after, maxCount: 500 });
          for (const e of result.events) mine.push(e.eventId);
          after = result.checkpoint ?? after;
          return result.hasMore;
        };
        while (writing) await page();
        // Drain: a skipped event never shows up, one that is merely not yet final does, soon.
        const deadline = Date.now() + 10_000;
        while (mine.length < written.length && Date.now() < deadline) if (!(await page())) await new Promise((r) => setTimeout(r, 5));
        return mine;
      });
      await Promise.all(Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 150; i += 1) {
          const batch = [event('Raced', { writer, i })];
          await store.append(`race-w${writer}`, batch, i === 0 ? 'no_stream' : BigInt(i - 1));
          written.push(batch[0]!.eventId);
        }
      }));
      writing = false;
      for (const ids of await Promise.all(readers)) {
        const missing = written.filter((id) => !ids.includes(id));
        expect(missing, 'events a reader skipped').toEqual([]);
        for (const id of ids) seen.add(id);
      }
      expect(seen.size).toBe(written.length);
    } finally {
      await store.close();
      await sql.exec(`drop schema ${schema} cascade`);
      await sql.close();
    }
  });

  it('wakes a subscriber in another process through NOTIFY', async () => {
    const schema = uniqueName('es_notify');
    const writerSql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const readerSql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const writer = await PostgresEventStore.create(writerSql, { schema });
    const reader = await PostgresEventStore.create(readerSql, { schema, idleRecheckMs: 120_000 });
    try {
      // The writer first appends while nobody listens (so it stops sending NOTIFY), then a reader starts.
      const warm = await writer.append('notify-0', [event('Warm')], 'no_stream');
      const subscription = reader.subscribe({ after: warm.position });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const started = Date.now();
      await writer.append('notify-1', [event('Woken')], 'no_stream');
      const received = await next;
      // Far below the 120 s idle recheck: the NOTIFY woke it, not a poll.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(received.value.type).toBe('Woken');
      await subscription.close();
    } finally {
      await writer.close();
      await reader.close();
      await writerSql.exec(`drop schema ${schema} cascade`);
      await writerSql.close();
      await readerSql.close();
    }
  });
});
