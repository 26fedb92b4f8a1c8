import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { TickIngester, type TickSubmission } from '../../../commands/market-data/tick-ingester.ts';
import { ensureTickConsumer, ensureTickStream } from '../../../infra/nats/jetstream.ts';
import { startTickConsumer, type RunningTickConsumer } from '../../../infra/nats/tick-consumer.ts';
import { encodeTickMessage } from '../../../infra/nats/tick-messages.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { TEST_DATABASE_URL, TEST_NATS_URL, natsService, postgresService, uniqueName } from '../../support/services.ts';

const [pg, nats] = [await postgresService(), await natsService()];
const available = pg.available && nats.available;
const NOW = new Date('2026-11-24T10:00:00.000Z');
const STREAM_ID = 'ticks-XAUUSD-20261124';

const until = async (condition: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe.skipIf(!available)(`JetStream tick ingestion${pg.skipReason}${nats.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let schema: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let ingester: TickIngester;
  const streams: string[] = [];

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    schema = uniqueName('jsingest');
    store = await PostgresEventStore.create(sql, { schema });
    await ensureInstrumentsListed(store, [XAUUSD_SPEC], NOW);
    ingester = new TickIngester({ eventStore: store, instruments: await InstrumentRegistry.load(store), clock: () => NOW });
    nc = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  });

  /** A stream of its own per test, on subjects no other stream listens to. */
  async function freshStream(): Promise<{ stream: string; subject: (source: string) => string }> {
    const stream = uniqueName('TICKS').toUpperCase();
    const prefix = stream.toLowerCase();
    streams.push(stream);
    await ensureTickStream(jsm, { stream, subjects: [`${prefix}.ticks.>`] });
    await ensureTickConsumer(jsm, { stream, ackWaitMs: 1_500, maxAckPending: 1_000 });
    return { stream, subject: (source) => `${prefix}.ticks.XAUUSD.${source}` };
  }

  const settled = async (stream: string) => {
    const info = await jsm.consumers.info(stream, 'ingest');
    return info.num_pending === 0 && info.num_ack_pending === 0;
  };

  it('records every tick exactly once when the consumer stops mid-batch before acknowledging', async () => {
    const { stream, subject } = await freshStream();
    const js = jetstream(nc);
    const total = 300;
    for (let i = 1; i <= total; i += 1) {
      const bid = 240_000 + (i % 7);
      await js.publish(subject('crash'), encodeTickMessage({
        symbol: 'XAUUSD', source: 'crash', sequence: BigInt(i), bid: (bid / 100).toFixed(2), ask: ((bid + 30) / 100).toFixed(2),
        timestamp: new Date(NOW.getTime() - 60_000 + i),
      }));
    }
    let crashed = false;
    const starting: Promise<RunningTickConsumer> = startTickConsumer({
      nc, stream, batchSize: 50,
      ingest: async (batch: readonly TickSubmission[]) => {
        await ingester.ingest(batch); // durable...
        crashed = true;
        await (await starting).abort(); // ...but the process dies before acknowledging
      },
    });
    const first = await starting;
    await until(async () => crashed);
    expect(first.acknowledged()).toBe(0);
    expect((await store.readStream(STREAM_ID)).length).toBeGreaterThan(0);

    const second = await startTickConsumer({ nc, stream, batchSize: 50, ingest: (batch) => ingester.ingest(batch) });
    await until(() => settled(stream));
    await second.stop();

    const recorded = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === 'crash');
    expect(recorded).toHaveLength(total);
    expect(new Set(recorded.map((e) => e.data.sequence as bigint)).size).toBe(total);
    expect(recorded.every((e) => e.type === 'TickReceived')).toBe(true);
  });

  it('records a malformed message as rejected, acknowledges it and carries on', async () => {
    const { stream, subject } = await freshStream();
    const js = jetstream(nc);
    await js.publish(subject('bad'), '{"symbol": "XAUUSD", bid: oops');
    await js.publish(subject('bad'), JSON.stringify({ symbol: 'XAUUSD', source: 'bad', sequence: 1, bid: 'abc', ask: '2400.30', ts: NOW.getTime() - 10 }));
    await js.publish(subject('bad'), encodeTickMessage({ symbol: 'XAUUSD', source: 'bad', sequence: 2n, bid: '2400.00', ask: '2400.30', timestamp: new Date(NOW.getTime() - 5) }));
    const consumer = await startTickConsumer({ nc, stream, ingest: (batch) => ingester.ingest(batch) });
    await until(() => settled(stream));
    await consumer.stop();
    const recorded = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === 'bad' || e.data.raw !== undefined);
    expect(recorded.map((e) => [e.type, e.data.reason])).toEqual([
      ['TickRejected', 'MALFORMED'], ['TickRejected', 'MALFORMED'], ['TickReceived', undefined],
    ]);
    expect(recorded[0]!.data.raw).toBe('{"symbol": "XAUUSD", bid: oops');
  });
});
