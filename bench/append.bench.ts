// Event store append throughput against a raw INSERT of the same rows into a plain table with the same
// indexes and the same commit pattern (one statement, autocommit), on the same PostgreSQL, same run.
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

type Scenario = (writer: Writer, run: string) => Promise<number>;

const sequential = (total: number): Scenario => async (writer, run) => {
  const started = performance.now();
  for (let i = 0; i < total; i += 1) await writer.appendOne(`${run}-seq`, i);
  return total / ((performance.now() - started) / 1000);
};

const concurrent = (writers: number, perWriter: number): Scenario => async (writer, run) => {
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; i < perWriter; i += 1) await writer.appendOne(`${run}-c${w}`, i);
  }));
  return (writers * perWriter) / ((performance.now() - started) / 1000);
};

const batches = (count: number, size: number): Scenario => async (writer, run) => {
  const started = performance.now();
  for (let i = 0; i < count; i += 1) await writer.appendMany(`${run}-b`, i * size, size);
  return (count * size) / ((performance.now() - started) / 1000);
};

export async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 1);
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 16 });
  const schema = `bench_append_${Date.now().toString(36)}`;
  try {
    const store = await PostgresEventStore.create(sql, { schema });
    await sql.exec(`create table ${schema}.raw_events (like ${schema}.events including defaults including indexes)`);
    const subject = storeWriter(store);
    const baseline = rawWriter(sql, `${schema}.raw_events`);
    const scenarios: Array<[string, Scenario, string]> = [
      ['sequential', sequential(1000 * scale), 'ratio >= 0.8'],
      ['concurrent16', concurrent(16, 250 * scale), 'ratio >= 0.7'],
      ['batch100', batches(100 * scale, 100), 'ratio >= 0.8'],
    ];
    for (const [figure, scenario, target] of scenarios) {
      progress(`append/${figure}: warming up`);
      await scenario(baseline, `warm-raw-${figure}`);
      await scenario(subject, `warm-es-${figure}`);
      // Alternate rounds so drift on the machine hits both sides alike; keep each side's best round.
      let best = { store: 0, raw: 0 };
      for (let round = 0; round < 3; round += 1) {
        progress(`append/${figure}: round ${round + 1}/3`);
        best = { raw: Math.max(best.raw, await scenario(baseline, `raw-${figure}-${round}`)), store: Math.max(best.store, await scenario(subject, `es-${figure}-${round}`)) };
      }
      report({ bench: 'append', figure, value: best.store, unit: 'events/s', baseline: best.raw, target });
    }
    await store.close();
  } finally {
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  }
}
