// The quote `audit replay --at` values positions at: the last live tick recorded by the instant. A rejected
// tick or a back-filled one (an import) recorded later in the same stream is stepped over.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteAsOf } from '../../../commands/compliance/account-as-of.ts';
import { tickStreamId } from '../../../domain/market-data/index.ts';
import { topicOf } from '../../../infra/bus/live-publisher.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';

const pg = await postgresService();

describe.skipIf(!pg.available)(`the quote known at an instant${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  const schema = uniqueName('quote_as_of');

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(sql, { schema });
  });
  afterAll(async () => {
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  });

  const received = (sequence: bigint, bid: bigint, ask: bigint, extra: Record<string, unknown> = {}) => ({
    eventId: randomUUID(), type: 'TickReceived',
    data: { symbol: 'XAUUSD', source: 'feed', sequence, bid, ask, timestamp: new Date().toISOString(), ...extra },
  });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

  it('finds the last live tick recorded by the instant, stepping over rejected and back-filled ticks', async () => {
    const stream = tickStreamId('XAUUSD', new Date());
    expect(await quoteAsOf(store, 'XAUUSD', new Date())).toBeUndefined();
    for (let i = 1n; i <= 20n; i += 1n) await store.append(stream, [received(i, 240_000n + i, 240_040n + i)], 'any');
    await pause();
    const afterTwenty = new Date();
    await pause();
    await store.append(stream, [received(21n, 240_100n, 240_140n)], 'any');
    await pause();
    const afterLive = new Date();
    await pause();
    await store.append(stream, [
      { eventId: randomUUID(), type: 'TickRejected', data: { reason: 'CROSSED', detail: 'ask below bid', symbol: 'XAUUSD' } },
      received(1n, 324_400n, 324_440n, { source: 'mt5:2024.tsv', history: true }),
    ], 'any');
    expect(await quoteAsOf(store, 'XAUUSD', afterTwenty)).toMatchObject({ bid: 240_020n, ask: 240_060n });
    expect(await quoteAsOf(store, 'XAUUSD', afterLive)).toMatchObject({ bid: 240_100n, ask: 240_140n });
    expect(await quoteAsOf(store, 'XAUUSD', new Date())).toMatchObject({ bid: 240_100n, ask: 240_140n });
  });

  it('publishes live ticks to the quotes topic, never back-filled ones', () => {
    const event = (data: Record<string, unknown>) => ({ ...received(1n, 1n, 2n, data), streamId: 'ticks-XAUUSD-20261206', revision: 0n, globalPosition: 1n, schemaVersion: 1, occurredAt: new Date(), recordedAt: new Date(), metadata: {} });
    expect(topicOf(event({}) as never)).toBeDefined();
    expect(topicOf(event({ history: true }) as never)).toBeUndefined();
  });
});
