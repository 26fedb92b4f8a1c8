// Tick ingestion: NATS JetStream publish -> durable consumer -> validation -> event store append on
// PostgreSQL, against a raw batched INSERT of the same rows into a plain table with the same indexes,
// in the same run. Figures: throughput (ticks/s) and publish -> appended latency at 5,000 ticks/s offered.
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { tickIdempotencyKey, XAUUSD_SPEC } from '../domain/market-data/index.ts';
import { uuidV5 } from '../commands/handling/event-ids.ts';
import { ALWAYS_OPEN_SESSION, InstrumentRegistry } from '../commands/market-data/instruments.ts';
import { TickIngester, type TickSubmission } from '../commands/market-data/tick-ingester.ts';
import { encodeJson } from '../infra/event-store/codec.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import { ensureTickConsumer, ensureTickStream } from '../infra/nats/jetstream.ts';
import { startTickConsumer } from '../infra/nats/tick-consumer.ts';
import { encodeTickMessage } from '../infra/nats/tick-messages.ts';
import type { SqlClient } from '../infra/sql/client.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { isMainThread, workerData } from 'node:worker_threads';
import { percentile, progress, report, startWorker } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.NATS_URL ?? process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const run_id = Date.now().toString(36);

interface Row { readonly id: string; readonly stream: string; readonly data: string; readonly time: Date }

const tickAt = (source: string, sequence: number, time: Date) => ({
  symbol: 'XAUUSD', source, sequence: BigInt(sequence), bid: (2400 + (sequence % 10) / 100).toFixed(2), ask: (2400.3 + (sequence % 10) / 100).toFixed(2), timestamp: time,
});

const rowFor = (source: string, sequence: number, time: Date): Row => {
  const tick = tickAt(source, sequence, time);
  return {
    id: uuidV5(tickIdempotencyKey('XAUUSD', source, tick.sequence)),
    stream: `ticks-XAUUSD-${time.toISOString().slice(0, 10).replaceAll('-', '')}`,
    data: encodeJson({ symbol: 'XAUUSD', source, sequence: tick.sequence, bid: 240000n, ask: 240030n, timestamp: time.toISOString() }),
    time,
  };
};

/** The baseline writer: one multi-row INSERT per batch into a plain copy of the events table. */
function rawInserter(sql: SqlClient, table: string) {
  let position = 0;
  return async (rows: readonly Row[]) => {
    const first = position;
    position += rows.length;
    await sql.query(
      `insert into ${table} (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at)
       select u.p, u.id, u.s, u.p, 'TickReceived', 1, u.d::json, '{}'::json, u.o
       from unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) as u(p, id, s, d, o)`,
      [rows.map((_, i) => first + i), rows.map((r) => r.id), rows.map((r) => r.stream), rows.map((r) => r.data), rows.map((r) => r.time.toISOString())],
    );
  };
}

interface Bench {
  readonly sql: SqlClient;
  readonly store: PostgresEventStore;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly streams: string[];
}

/** A fresh JetStream stream and consumer; the ingester's batches are reported to `onBatch`. */
async function pipeline(bench: Bench, name: string, onBatch: (batch: readonly TickSubmission[]) => void) {
  const stream = `BENCH_${name}_${run_id}`.toUpperCase();
  const prefix = stream.toLowerCase();
  bench.streams.push(stream);
  await ensureTickStream(bench.jsm, { stream, subjects: [`${prefix}.ticks.>`] });
  await ensureTickConsumer(bench.jsm, { stream, maxAckPending: 20_000 });
  const ingester = new TickIngester({ eventStore: bench.store, instruments: InstrumentRegistry.of([XAUUSD_SPEC], { sessionOverride: ALWAYS_OPEN_SESSION }) });
  const consumer = await startTickConsumer({
    nc: bench.nc, stream, batchSize: 2_000,
    ingest: async (batch) => { await ingester.ingest(batch); onBatch(batch); },
  });
  return { subject: `${prefix}.ticks.XAUUSD.bench`, consumer };
}

async function throughput(bench: Bench, total: number): Promise<void> {
  let done = 0;
  let finished: () => void = () => undefined;
  const allIn = new Promise<void>((resolve) => { finished = resolve; });
  const { subject, consumer } = await pipeline(bench, 'tput', (batch) => { done += batch.length; if (done >= total) finished(); });
  const now = new Date();
  progress(`ingest/throughput: publishing ${total} ticks from a worker thread`);
  const started = performance.now();
  // The feed is another process in production: publishing here would bill the ingester for the client's
  // per-publish request bookkeeping (an error object with a stack trace per acknowledged publish).
  const published = startPublisher({ servers: NATS_URL, subject, total, at: now.getTime(), label: 'tput' });
  await Promise.all([allIn, published]);
  const ingestRate = total / ((performance.now() - started) / 1_000);
  await consumer.stop();

  const table = `${schemaOf}.raw_tput`;
  await bench.sql.exec(`create table ${table} (like ${schemaOf}.events including defaults including indexes)`);
  const insert = rawInserter(bench.sql, table);
  const rows = Array.from({ length: total }, (_, i) => rowFor('raw', i + 1, now));
  const rawStarted = performance.now();
  for (let i = 0; i < total; i += 2_000) await insert(rows.slice(i, i + 2_000));
  const rawRate = total / ((performance.now() - rawStarted) / 1_000);
  report({ bench: 'ingest', figure: 'throughput', value: ingestRate, unit: 'ticks/s', baseline: rawRate, target: '>= 20000 ticks/s' });
}


/** Offers `rate` items/s for `seconds`, in 1 ms steps, calling `send(i, t0)` for each. */
async function offer(rate: number, seconds: number, send: (i: number) => void): Promise<void> {
  const total = rate * seconds;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * rate));
    for (; sent < due; sent += 1) send(sent + 1);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function latency(bench: Bench, rate: number, seconds: number): Promise<void> {
  const total = rate * seconds;
  const sentAt = new Float64Array(new SharedArrayBuffer((total + 1) * Float64Array.BYTES_PER_ELEMENT));
  const ingest: number[] = [];
  let finished: () => void = () => undefined;
  const allIn = new Promise<void>((resolve) => { finished = resolve; });
  const { subject, consumer } = await pipeline(bench, 'lat', (batch) => {
    const now = performance.timeOrigin + performance.now();
    for (const tick of batch) {
      const sequence = Number((tick as { sequence: number }).sequence);
      ingest.push(now - sentAt[sequence]!);
    }
    if (ingest.length >= total) finished();
  });
  progress(`ingest/latency: offering ${rate} ticks/s for ${seconds} s through NATS, from a worker thread`);
  const published = startPublisher({ servers: NATS_URL, subject, total, at: Date.now(), label: 'lat', rate, sentAt: sentAt.buffer });
  // Beyond capacity the backlog drains for a while; give up after a minute and report what arrived.
  await Promise.race([allIn, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  await published;
  progress(`ingest/latency: ${ingest.length} of ${total} ticks appended`);
  await consumer.stop();

  // Baseline: the same rows, arriving at the same rate, inserted raw with the same batching (a batch
  // in flight, the next one filling meanwhile).
  progress(`ingest/latency: offering ${rate} rows/s for ${seconds} s straight to a raw INSERT`);
  await bench.sql.exec(`create table ${schemaOf}.raw_lat (like ${schemaOf}.events including defaults including indexes)`);
  const insert = rawInserter(bench.sql, `${schemaOf}.raw_lat`);
  const raw: number[] = [];
  let queue: Array<{ row: Row; at: number }> = [];
  let flushing: Promise<void> | undefined;
  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, 2_000);
      await insert(batch.map((b) => b.row));
      const now = performance.now();
      for (const b of batch) raw.push(now - b.at);
    }
    flushing = undefined;
  };
  await offer(rate, seconds, (i) => {
    queue.push({ row: rowFor('rawlat', i, new Date()), at: performance.now() });
    flushing ??= flush();
  });
  await flushing;
  queue = [];
  const [ingestSorted, rawSorted] = [ingest.sort((a, b) => a - b), raw.sort((a, b) => a - b)];
  report({ bench: 'ingest', figure: `p50_at_${rate}`, value: percentile(ingestSorted, 0.5), unit: 'ms', baseline: percentile(rawSorted, 0.5) }, false);
  report({ bench: 'ingest', figure: `p99_at_${rate}`, value: percentile(ingestSorted, 0.99), unit: 'ms', baseline: percentile(rawSorted, 0.99), target: '<= 20 ms' }, false);
}

let schemaOf = '';


interface PublisherTask {
  readonly servers: string;
  readonly subject: string;
  readonly total: number;
  readonly at: number;
  readonly label: string;
  /** Ticks per second offered (in 1 ms steps); without it, as fast as acknowledgements allow, 2,000 in flight. */
  readonly rate?: number;
  /** Per sequence, when its publish was sent: performance.timeOrigin + performance.now(), shared with the main thread. */
  readonly sentAt?: SharedArrayBuffer;
}

/** Runs a publisher in a worker thread: the feed is another process in production. */
function startPublisher(task: PublisherTask): Promise<void> {
  const publisher = startWorker(import.meta.url, { publisher: task });
  return new Promise<void>((resolve, reject) => {
    publisher.once('error', reject);
    publisher.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited with ${code}`))));
  });
}

/** Worker side: publishes the ticks with JetStream acknowledgements. */
async function publishTicks({ servers, subject, total, at, label, rate, sentAt }: PublisherTask): Promise<void> {
  // The client makes an Error (with a stack trace) per request up front, in case it times out: in a
  // feed that publishes thousands a second that is most of its work, and it is the feed's, not the ledger's.
  Error.stackTraceLimit = 0;
  const nc = await connect({ servers });
  const js = jetstream(nc);
  if (rate === undefined) {
    const messages = Array.from({ length: total }, (_, i) => encodeTickMessage(tickAt(label, i + 1, new Date(at))));
    for (let i = 0; i < total; i += 2_000) await Promise.all(messages.slice(i, i + 2_000).map((m) => js.publish(subject, m)));
  } else {
    const stamps = sentAt ? new Float64Array(sentAt) : undefined;
    const pending: Array<Promise<unknown>> = [];
    await offer(rate, total / rate, (i) => {
      if (stamps) stamps[i] = performance.timeOrigin + performance.now();
      // An overloaded server times a publish out; such a tick never arrives and is counted missing.
      pending.push(js.publish(subject, encodeTickMessage(tickAt(label, i, new Date()))).catch(() => undefined));
    });
    await Promise.all(pending);
  }
  await nc.close();
}

const task = (workerData as { publisher?: PublisherTask } | null)?.publisher;
if (!isMainThread && task) await publishTicks(task);

export async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 1);
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 16 });
  schemaOf = `bench_ingest_${run_id}`;
  const nc = await connect({ servers: NATS_URL });
  const bench: Bench = { sql, store: await PostgresEventStore.create(sql, { schema: schemaOf }), nc, js: jetstream(nc), jsm: await jetstreamManager(nc), streams: [] };
  try {
    await throughput(bench, 50_000 * scale);
    await latency(bench, 5_000, 10);
  } finally {
    for (const stream of bench.streams) await bench.jsm.streams.delete(stream).catch(() => undefined);
    await bench.store.close();
    await nc.close();
    await sql.exec(`drop schema if exists ${schemaOf} cascade`);
    await sql.close();
  }
}
