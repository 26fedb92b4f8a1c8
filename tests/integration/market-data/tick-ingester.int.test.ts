import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XAUUSD_SPEC, XAGUSD_SPEC, instrumentStreamId, tickStreamId } from '../../../domain/market-data/index.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { TickIngester, type TickSubmission } from '../../../commands/market-data/tick-ingester.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';

const pg = await postgresService();
// Tuesday 2026-11-24, 10:00 UTC: inside the spot metals session.
const NOW = new Date('2026-11-24T10:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
const tick = (sequence: number, bid: string, ask: string, extra: Partial<Record<string, unknown>> = {}): TickSubmission =>
  ({ symbol: 'XAUUSD', source: 'lp1', sequence, bid, ask, timestamp: at(-1_000 + sequence), ...extra });

describe.skipIf(!pg.available)(`tick ingestion into the event store${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let schema: string;
  let registry: InstrumentRegistry;
  const newIngester = (quotes = createQuoteBook(createMemoryKeyValueStore())) =>
    new TickIngester({ eventStore: store, instruments: registry, quotes, clock: () => NOW });

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    schema = uniqueName('ingest');
    store = await PostgresEventStore.create(sql, { schema });
    await ensureInstrumentsListed(store, [XAUUSD_SPEC, XAGUSD_SPEC], NOW);
    registry = await InstrumentRegistry.load(store);
  });
  afterAll(async () => {
    await registry.close();
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  });

  it('lists the instruments once, however often the ledger starts', async () => {
    expect(await ensureInstrumentsListed(store, [XAUUSD_SPEC, XAGUSD_SPEC], NOW)).toEqual([]);
    expect(await store.readStream(instrumentStreamId('XAUUSD'))).toHaveLength(1);
    expect(registry.spec('XAUUSD')?.maxSpread).toBe(XAUUSD_SPEC.maxSpread);
    expect(registry.symbols().sort()).toEqual(['XAGUSD', 'XAUUSD']);
  });

  it('records accepted and rejected ticks in the day stream and answers per tick', async () => {
    const ingester = newIngester();
    const outcomes = await ingester.ingest([
      tick(1, '2400.10', '2400.40'),
      tick(2, '2400.50', '2400.20'), // crossed
      tick(3, '2400.105', '2400.40'), // off the 0.01 grid
      { symbol: 'XAUUSD', source: 'lp1', sequence: 'x', bid: '1', ask: '2', timestamp: at(0) }, // malformed sequence
      tick(4, '2400.20', '2400.50'),
    ]);
    expect(outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['accepted', undefined], ['rejected', 'CROSSED'], ['rejected', 'OFF_GRID'], ['rejected', 'MALFORMED'], ['accepted', undefined],
    ]);
    const events = await store.readStream('ticks-XAUUSD-20261124');
    expect(events.map((e) => e.type)).toEqual(['TickReceived', 'TickRejected', 'TickRejected', 'TickRejected', 'TickReceived']);
    expect(events[0]!.data).toMatchObject({ bid: 240010n, ask: 240040n, sequence: 1n });
  });

  it('writes nothing twice when the same ticks come again, alone or mixed with new ones', async () => {
    const ingester = newIngester();
    const first = [tick(10, '2400.10', '2400.40'), tick(11, '2400.10', '2400.40')];
    await ingester.ingest(first);
    const before = (await store.readStream('ticks-XAUUSD-20261124')).length;
    const again = await ingester.ingest(first);
    expect(again.map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
    // A fresh ingester (a restart without state) gets an overlapping batch: only the new tick is written.
    const restarted = newIngester();
    const mixed = await restarted.ingest([tick(11, '2400.10', '2400.40'), tick(12, '2400.10', '2400.40'), tick(10, '2400.10', '2400.40')]);
    expect(mixed.map((o) => o.status)).toEqual(['duplicate', 'accepted', 'duplicate']);
    expect((await store.readStream('ticks-XAUUSD-20261124')).length).toBe(before + 1);
  });

  it('rebuilds per-source cursors after a restart: a redelivered tick is a duplicate, a late one is judged by time', async () => {
    const ingester = newIngester();
    await ingester.ingest([tick(100, '2400.10', '2400.40', { source: 'lp4', timestamp: at(0) })]);
    const restarted = newIngester();
    await restarted.recover();
    const outcomes = await restarted.ingest([
      tick(100, '2400.10', '2400.40', { source: 'lp4', timestamp: at(0) }),
      tick(98, '2400.10', '2400.40', { source: 'lp4', timestamp: at(-5_000) }),
      tick(99, '2400.10', '2400.40', { source: 'lp4', timestamp: at(-200) }),
    ]);
    expect(outcomes.map((o) => [o.status, o.reason])).toEqual([['duplicate', undefined], ['rejected', 'OUT_OF_ORDER'], ['accepted', undefined]]);
  });

  it('refuses a spike against the recent mid and moves the latest quote only on accepted ticks', async () => {
    const quotes = createQuoteBook(createMemoryKeyValueStore());
    const ingester = newIngester(quotes);
    const source = { source: 'lp2' };
    const outcomes = await ingester.ingest([
      tick(1, '2400.00', '2400.30', source),
      tick(2, '2500.00', '2500.30', source),
    ]);
    expect(outcomes.map((o) => o.reason)).toEqual([undefined, 'SPIKE']);
    expect(await quotes.latest('XAUUSD')).toMatchObject({ bid: 240000n, ask: 240030n, mid: 240015n, source: 'lp2' });
  });

  it('records an unreadable message as MALFORMED with its raw text, once', async () => {
    const ingester = newIngester();
    const unreadable: TickSubmission = { unreadable: { raw: '{"symbol": XAU', detail: 'not JSON', key: 'nats:TEST:1', symbol: 'XAUUSD' } };
    const [first] = await ingester.ingest([unreadable]);
    const [again] = await ingester.ingest([unreadable]);
    expect(first).toMatchObject({ status: 'rejected', reason: 'MALFORMED' });
    expect(again!.status).toBe('duplicate');
    const recorded = (await store.readStream(first!.streamId)).filter((e) => e.eventId === first!.eventId);
    expect(recorded[0]!.data).toMatchObject({ reason: 'MALFORMED', raw: '{"symbol": XAU' });
  });

  it('remembers nothing from a batch whose append failed, so its redelivery is accepted', async () => {
    let down = true;
    const flaky = Object.create(store) as PostgresEventStore;
    flaky.append = (...args) => (down ? Promise.reject(new Error('database down')) : store.append(...args));
    const ingester = new TickIngester({ eventStore: flaky, instruments: registry, clock: () => NOW });
    await expect(ingester.ingest([tick(500, '2400.10', '2400.40', { source: 'lp3' })])).rejects.toThrow('database down');
    down = false;
    const [outcome] = await ingester.ingest([tick(500, '2400.10', '2400.40', { source: 'lp3' })]);
    expect(outcome!.status).toBe('accepted');
  });
  it('fails a batch validated on top of one that was not recorded, writes neither, and takes both when sent again', async () => {
    let failNext = true;
    const flaky = Object.create(store) as PostgresEventStore;
    flaky.append = (...args) => {
      if (!failNext) return store.append(...args);
      failNext = false;
      return new Promise((_, reject) => setTimeout(() => reject(new Error('database down')), 50));
    };
    const ingester = new TickIngester({ eventStore: flaky, instruments: registry, clock: () => NOW });
    const first = [tick(600, '2400.10', '2400.40', { source: 'lp6' })];
    const second = [tick(601, '2400.20', '2400.50', { source: 'lp6' })];
    // Sent together, as the NATS consumer does: the second is validated while the first is being appended.
    const [a, b] = await Promise.allSettled([ingester.ingest(first), ingester.ingest(second)]);
    expect((a as PromiseRejectedResult).reason.message).toBe('database down');
    expect((b as PromiseRejectedResult).reason.message).toMatch(/earlier batch .* not recorded/);
    const stream = (await store.readStream(tickStreamId('XAUUSD', NOW))).filter((e) => e.data.source === 'lp6');
    expect(stream).toEqual([]);
    const again = await Promise.all([ingester.ingest(first), ingester.ingest(second)]);
    expect(again.flat().map((o) => o.status)).toEqual(['accepted', 'accepted']);
  });

  it('records back-filled ticks for history without moving the live quote, before or after a restart', async () => {
    const quotes = createQuoteBook(createMemoryKeyValueStore());
    const ingester = newIngester(quotes);
    const live = tick(1, '2401.00', '2401.30', { source: 'lp-live-h', timestamp: at(500) });
    // an import: a 2024 tick, and one stamped after the live tick (another feed's file of the last minutes)
    const history = [
      { ...tick(1, '3244.00', '3244.40', { source: 'mt5:2024.tsv', timestamp: '2024-03-05T10:00:00.000Z' }), history: true },
      { ...tick(2, '2402.00', '2402.30', { source: 'mt5:2024.tsv', timestamp: at(900) }), history: true },
    ];
    expect((await ingester.ingest([live, ...history])).map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await quotes.latest('XAUUSD')).toMatchObject({ bid: 240100n, ask: 240130n, source: 'lp-live-h' });
    // history is recorded, marked as such
    const recorded = (await store.readStream('ticks-XAUUSD-20240305')).map((e) => e.data);
    expect(recorded).toEqual([expect.objectContaining({ bid: 324400n, source: 'mt5:2024.tsv', history: true })]);
    // a restart seeds the quote book from live ticks only
    const reseeded = createQuoteBook(createMemoryKeyValueStore());
    await newIngester(reseeded).recover();
    expect(await reseeded.latest('XAUUSD')).toMatchObject({ bid: 240100n, ask: 240130n, source: 'lp-live-h' });
  });
});
