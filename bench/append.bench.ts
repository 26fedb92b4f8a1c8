// Event store append throughput against a raw INSERT of the same rows into a plain table with the same
// indexes and the same commit pattern (one statement, autocommit), on the same PostgreSQL, same run.
// The store runs as deployed, so in concurrent16 its group commit puts concurrent appends to distinct
// streams into shared statements, while each raw INSERT commits alone.
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import type { SqlClient } from '../infra/sql/client.ts';
import { encodeJson } from '../infra/event-store/codec.ts';
import { progress, report } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const payload = { accountId: 'A1', symbol: 'XAUUSD', side: 'buy', qty: 100n, price: 234567n, note: 'bench' };

interface Writer {
  appendOne(stream: string, revision: number): Promise<void>;
  appendMany(stream: string, revision: number, count: number): Promise<void>;
}

function rawWriter(sql: SqlClient, table: string): Writer {
  let position = 0;
  const insert = async (stream: string, revision: number, count: number) => {
    const first = position;
    position += count;
    const idx = Array.from({ length: count }, (_, i) => i);
    await sql.query(
      `insert into ${table} (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at)
       select u.p, u.id, $1, u.r, 'OrderPlaced', 1, u.d::json, u.m::json, now()
       from unnest($2::bigint[], $3::uuid[], $4::bigint[], $5::text[], $6::text[]) as u(p, id, r, d, m)`,
      [stream, idx.map((i) => first + i), idx.map(() => randomUUID()), idx.map((i) => revision + i), idx.map(() => encodeJson(payload)), idx.map(() => encodeJson({ commandId: 'c' }))],
    );
  };
  return { appendOne: (stream, revision) => insert(stream, revision, 1), appendMany: insert };
}

function storeWriter(store: PostgresEventStore): Writer {
  const events = (count: number) => Array.from({ length: count }, () => ({ eventId: randomUUID(), type: 'OrderPlaced', data: payload, metadata: { commandId: 'c' } }));
  return {
    appendOne: async (stream, revision) => { await store.append(stream, events(1), revision === 0 ? 'no_stream' : BigInt(revision - 1)); },
    appendMany: async (stream, revision, count) => { await store.append(stream, events(count), revision === 0 ? 'no_stream' : BigInt(revision - 1)); },
  };
}

/** Runs one slice of a scenario on a writer and returns the events written and the milliseconds taken. */
type Scenario = (writer: Writer, run: string) => Promise<{ events: number; ms: number }>;

const timed = async (events: number, work: () => Promise<void>) => {
  const started = performance.now();
  await work();
  return { events, ms: performance.now() - started };
};

const sequential = (total: number): Scenario => (writer, run) =>
  timed(total, async () => { for (let i = 0; i < total; i += 1) await writer.appendOne(`${run}-seq`, i); });

const concurrent = (writers: number, perWriter: number): Scenario => (writer, run) =>
  timed(writers * perWriter, async () => {
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i += 1) await writer.appendOne(`${run}-c${w}`, i);
    }));
  });

const batches = (count: number, size: number): Scenario => (writer, run) =>
  timed(count * size, async () => { for (let i = 0; i < count; i += 1) await writer.appendMany(`${run}-b`, i * size, size); });

/**
 * The disk's commit latency drifts by 2x within a minute here, so the two sides run in many very short
 * alternating slices (a few appends each) (raw first in even slices, the store first in odd ones) and each side's rate is its
 * events over its summed time: drift lands on both alike.
 */
async function compare(label: string, scenario: Scenario, slices: number, store: Writer, raw: Writer): Promise<{ store: number; raw: number }> {
  const totals = { store: { events: 0, ms: 0 }, raw: { events: 0, ms: 0 } };
  for (let slice = 0; slice < slices; slice += 1) {
    if (slice % 50 === 0) progress(`append/${label}: slice ${slice + 1}/${slices}`);
    const order: Array<['store' | 'raw', Writer]> = slice % 2 === 0 ? [['raw', raw], ['store', store]] : [['store', store], ['raw', raw]];
    for (const [side, writer] of order) {
      const { events, ms } = await scenario(writer, `${side}-${label}-${slice}`);
      totals[side].events += events;
      totals[side].ms += ms;
    }
  }
  return { store: totals.store.events / (totals.store.ms / 1000), raw: totals.raw.events / (totals.raw.ms / 1000) };
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 1);
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 16 });
  const schema = `bench_append_${Date.now().toString(36)}`;
  try {
    const store = await PostgresEventStore.create(sql, { schema });
    await sql.exec(`create table ${schema}.raw_events (like ${schema}.events including defaults including indexes)`);
    const subject = storeWriter(store);
    const baseline = rawWriter(sql, `${schema}.raw_events`);
    const scenarios: Array<[string, Scenario, number, string]> = [
      ['sequential', sequential(10), 200 * scale, 'ratio >= 0.8'],
      ['concurrent16', concurrent(16, 5), 50 * scale, 'ratio >= 0.7'],
      ['batch100', batches(2, 100), 100 * scale, 'ratio >= 0.8'],
    ];
    for (const [figure, scenario, slices, target] of scenarios) {
      progress(`append/${figure}: warming up`);
      await scenario(baseline, `warm-raw-${figure}`);
      await scenario(subject, `warm-es-${figure}`);
      const rates = await compare(figure, scenario, slices, subject, baseline);
      report({ bench: 'append', figure, value: rates.store, unit: 'events/s', baseline: rates.raw, target });
    }
    await store.close();
  } finally {
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  }
}
