// The wake-up rule of the PostgreSQL event store (wake-signal.ts), on PGlite and on PostgreSQL: an
// append wakes only the subscribers whose filter can match what it wrote, and a subscriber that can
// match still gets every event. Counted on the real store: the log reads (readAll pages) each
// subscription's filter issued, through a client that passes every statement on unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedEvent, Subscription } from '../../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import { event } from '../../contracts/event-store.contract.ts';
import { postgresService, TEST_DATABASE_URL, uniqueName } from '../../support/services.ts';

const postgres = await postgresService();

/** The client, counting the log reads by their filter parameters (the readAll statement joins its horizon laterally). */
function countingReads(sql: SqlClient): { sql: SqlClient; reads: (filter: unknown) => number } {
  const counts = new Map<string, number>();
  const counted: SqlClient = Object.create(sql);
  counted.query = <Row>(text: string, params?: readonly unknown[]) => {
    if (text.includes('left join lateral') && text.includes('horizon')) {
      const key = JSON.stringify(params?.slice(2) ?? []);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return sql.query<Row>(text, params);
  };
  return { sql: counted, reads: (filter) => counts.get(JSON.stringify(filter)) ?? 0 };
}

interface Backend {
  readonly name: string;
  readonly skip: boolean;
  open(): Promise<{ sql: SqlClient; schema: string; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'PGlite', skip: false,
    async open() {
      const sql = await createPgliteClient();
      return { sql, schema: 'es', cleanup: () => sql.close() };
    },
  },
  {
    name: `PostgreSQL 15${postgres.skipReason}`, skip: !postgres.available,
    async open() {
      const schema = uniqueName('es_wake');
      const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
      return { sql, schema, cleanup: async () => { await sql.exec(`drop schema if exists ${schema} cascade`); await sql.close(); } };
    },
  },
];

const ORDER_TYPES = ['OrderAccepted'];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`subscription wake-ups on ${backend.name}`, () => {
    const open: Array<() => Promise<void>> = [];
    afterEach(async () => { for (const close of open.splice(0).reverse()) await close(); });

    async function storeOf() {
      const { sql, schema, cleanup } = await backend.open();
      const { sql: counted, reads } = countingReads(sql);
      // No idle recheck within a test: only appends wake a subscriber.
      const store = await PostgresEventStore.create(counted, { schema, idleRecheckMs: 600_000 });
      open.push(cleanup, () => store.close());
      return { store, reads };
    }

    const take = async (subscription: Subscription, n: number): Promise<RecordedEvent[]> => {
      const taken: RecordedEvent[] = [];
      for await (const e of subscription) {
        taken.push(e);
        if (taken.length === n) break;
      }
      return taken;
    };

    it('a subscriber whose event types cannot match an append does not read the log again; the order it waits for still arrives', async () => {
      const { store, reads } = await storeOf();
      await store.append('account-W1', [event('OrderAccepted', { orderId: 'o-1' })], 'no_stream');
      const orders = store.subscribe({ filter: { eventTypes: ORDER_TYPES } });
      const iterator = orders[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ type: 'OrderAccepted', data: { orderId: 'o-1' } });
      const readsWhenCaughtUp = reads([ORDER_TYPES]);
      const nextOrder = iterator.next();
      // Fifty appends of ticks, each its own statement and commit, while the order subscriber waits.
      for (let i = 0; i < 50; i += 1) await store.append('ticks-XAUUSD-20261207', [event('TickReceived', { n: i })], 'any');
      await store.append('account-W1', [event('OrderAccepted', { orderId: 'o-2' })], 0n);
      expect((await nextOrder).value).toMatchObject({ type: 'OrderAccepted', data: { orderId: 'o-2' } });
      // One read for the order; the ticks woke it for none (it read after every append before).
      // On PostgreSQL a read may be repeated while another test file's transaction hides the head for a
      // moment (seen in a full run: 2); woken by every append it was 51.
      expect(reads([ORDER_TYPES]) - readsWhenCaughtUp).toBeLessThan(10);
      await orders.close();
    });

    it('a subscriber of a stream prefix is not woken by appends to other streams, and gets the one to its own', async () => {
      const { store, reads } = await storeOf();
      const instruments = store.subscribe({ filter: { streamPrefix: 'instrument-' } });
      const iterator = instruments[Symbol.asyncIterator]();
      const listed = iterator.next();
      for (let i = 0; i < 20; i += 1) await store.append(`account-P${i}`, [event('OrderAccepted', { orderId: `p-${i}` })], 'no_stream');
      await store.append('instrument-XAUUSD', [event('InstrumentListed', { symbol: 'XAUUSD' })], 'no_stream');
      expect((await listed).value).toMatchObject({ type: 'InstrumentListed', streamId: 'instrument-XAUUSD' });
      // The first read found nothing and one more found the instrument (or the first found it already). On
      // PostgreSQL a read may also be repeated while another transaction in the database (other test files)
      // hides the head for a moment; woken by every append it was 21 reads or more.
      expect(reads(['instrument-'])).toBeLessThan(10);
      await instruments.close();
    });

    it('a subscriber of ticks woken by market data gets every tick, in order, though its wake-ups are coalesced', async () => {
      const { store } = await storeOf();
      const ticks = store.subscribe({ filter: { eventTypes: ['TickReceived'] } });
      const received = take(ticks, 30);
      for (let i = 0; i < 30; i += 1) await store.append('ticks-XAUUSD-20261207', [event('TickReceived', { n: i })], 'any');
      expect((await received).map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      await ticks.close();
    });

    it('a subscriber that asks to read market data at most every second (the projector) reads ticks in fewer, larger pages, and misses none', async () => {
      const { store, reads } = await storeOf();
      const filter = { eventTypes: ['TickReceived'] };
      const ticks = store.subscribe({ filter, marketDataEveryMs: 1_000 });
      const received = take(ticks, 40);
      const started = performance.now();
      for (let i = 0; i < 40; i += 1) {
        await store.append('ticks-XAUUSD-20261207', [event('TickReceived', { n: i })], 'any');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await received).map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      const seconds = (performance.now() - started) / 1000;
      // At most one read a second by the ticks (plus the first, and one that found the last): at the default it was one every 500 ms.
      expect(reads([filter.eventTypes])).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
      await ticks.close();
    });
  });
}
