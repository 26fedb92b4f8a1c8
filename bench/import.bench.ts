// import: ticks/s of `importTicks` (file -> parse -> validate -> PostgreSQL event store, checkpoint kept
// after every batch) over a generated CSV of `lines` ticks (`npm run bench -- import [lines]`, 200,000 by
// default), against a raw COPY of the same rows (the events the import wrote, read back) into a plain
// table with the events table's columns and indexes, in the same run. Also prints how honest the
// progress line's ETA was: elapsed + ETA shown at 10%, 25% and 50% of the file, against the real duration.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XAUUSD_SPEC } from '../domain/market-data/index.ts';
import { importTicks, type ImportProgress } from '../commands/market-data/importers/import-ticks.ts';
import { ALWAYS_OPEN_SESSION, InstrumentRegistry } from '../commands/market-data/instruments.ts';
import { TickIngester } from '../commands/market-data/tick-ingester.ts';
import { createSqlKeyValueStore } from '../infra/cache/sql.ts';
import { PostgresEventStore } from '../infra/event-store/postgres.ts';
import type { KeyValueStore } from '../domain/ports/key-value.ts';
import type { SqlClient } from '../infra/sql/client.ts';
import { createPgClient } from '../infra/sql/pg-client.ts';
import { progress, report } from './report.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const COPY_ROWS = 10_000;

/** `lines` distinct ticks, one every 500 ms from `start` (several daily streams), bid/ask on the grid. */
async function tickFile(dir: string, name: string, start: number, lines: number): Promise<string> {
  const file = path.join(dir, name);
  const rows: string[] = ['timestamp,bid,ask'];
  for (let i = 0; i < lines; i += 1) {
    const bid = 212_000 + (i % 97) - 48;
    rows.push(`${new Date(start + i * 500).toISOString()},${(bid / 100).toFixed(2)},${((bid + 25 + (i % 7)) / 100).toFixed(2)}`);
  }
  await writeFile(file, `${rows.join('\n')}\n`);
  return file;
}

const copyField = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** The rows written after `after`, as COPY text in chunks of COPY_ROWS (built before the clock starts). */
async function recordedRows(sql: SqlClient, schema: string, after: bigint): Promise<string[]> {
  const { rows } = await sql.query<Record<string, string>>(
    `select position::text, event_id::text, stream_id, revision::text, type, schema_version::text, data::text, metadata::text, occurred_at::text
     from ${schema}.events where position > $1::bigint order by position`,
    [after.toString()],
  );
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += COPY_ROWS) {
    chunks.push(rows.slice(i, i + COPY_ROWS).map((r) => [r.position, r.event_id, r.stream_id, r.revision, r.type, r.schema_version, r.data, r.metadata, r.occurred_at].map((v) => copyField(v!)).join('\t')).join('\n') + '\n');
  }
  return chunks;
}

/** COPY of `chunks` into the plain table, one transaction per chunk; seconds taken. */
async function rawCopy(sql: SqlClient, table: string, chunks: readonly string[]): Promise<number> {
  const started = performance.now();
  for (const chunk of chunks) {
    await sql.transaction((tx) => tx.copyFrom!(`copy ${table} (position, event_id, stream_id, revision, type, schema_version, data, metadata, occurred_at) from stdin`, chunk));
  }
  return (performance.now() - started) / 1_000;
}

/** elapsed + ETA as shown when the bar first passed each share of the file. */
function etaProbe(shares: readonly number[]) {
  const started = performance.now();
  const predicted = new Map<number, number>();
  return {
    onProgress(p: ImportProgress) {
      const elapsed = (performance.now() - started) / 1_000;
      for (const share of shares) {
        if (!predicted.has(share) && p.bytesDone / p.totalBytes >= share && p.etaSeconds !== undefined) predicted.set(share, elapsed + p.etaSeconds);
      }
    },
    predicted,
  };
}

interface Bench {
  readonly sql: SqlClient;
  readonly schema: string;
  readonly dir: string;
  readonly ingester: TickIngester;
  readonly checkpoints: KeyValueStore;
}

/** Imports one file of `lines` ticks from `start`, then COPYs the rows it wrote into the plain table: seconds of each. */
async function slice(bench: Bench, index: number, start: number, lines: number): Promise<{ imported: number; copied: number }> {
  const file = await tickFile(bench.dir, `xauusd-${index}.csv`, start, lines);
  const head = (await bench.sql.query<{ p: string | null }>(`select max(position)::text as p from ${bench.schema}.events`)).rows[0]?.p;
  const summary = await importTicks({ file, format: 'csv', symbol: 'XAUUSD', ingester: bench.ingester, checkpoints: bench.checkpoints });
  if (summary.accepted !== lines) throw new Error(`import accepted ${summary.accepted} of ${lines} ticks: ${JSON.stringify(summary.rejected)}`);
  const copied = await rawCopy(bench.sql, `${bench.schema}.raw_copy`, await recordedRows(bench.sql, bench.schema, BigInt(head ?? '-1')));
  return { imported: summary.seconds, copied };
}

/** One import of a whole file, for the ETA: what the bar promised early against what it took. */
async function etaRun(bench: Bench, start: number, lines: number): Promise<void> {
  const file = await tickFile(bench.dir, 'xauusd-eta.csv', start, lines);
  const eta = etaProbe([0.1, 0.25, 0.5]);
  const summary = await importTicks({
    file, format: 'csv', symbol: 'XAUUSD', ingester: bench.ingester, checkpoints: bench.checkpoints, progressEveryMs: 100,
    onProgress: (p) => {
      eta.onProgress(p);
      process.stderr.write(`\rimport: ${(100 * p.bytesDone / p.totalBytes).toFixed(1)}%  ${Math.round(p.ticksPerSecond)} ticks/s  ETA ${p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)}s`}   `);
    },
  });
  process.stderr.write('\n');
  for (const [share, total] of eta.predicted) {
    progress(`import: at ${share * 100}% the bar promised ${total.toFixed(1)} s in all; it took ${summary.seconds.toFixed(1)} s (${(summary.seconds / total).toFixed(2)} of the promise)`);
  }
  const early = eta.predicted.get(0.1);
  if (early !== undefined) report({ bench: 'import', figure: 'eta_at_10pct', value: early, unit: 's', baseline: summary.seconds, target: 'ratio within 0.8-1.25 (real / promised)' }, false);
}

export async function run(args: string[]): Promise<void> {
  const lines = Number(args[0] ?? 200_000);
  const slices = 5;
  const schema = `bench_import_${Date.now().toString(36)}`;
  const sql = createPgClient({ connectionString: DATABASE_URL, max: 8 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-import-'));
  try {
    const store = await PostgresEventStore.create(sql, { schema });
    await sql.exec(`create table ${schema}.raw_copy (like ${schema}.events including defaults including indexes)`);
    const bench: Bench = {
      sql, schema, dir, checkpoints: await createSqlKeyValueStore(sql, { schema }),
      ingester: new TickIngester({ eventStore: store, instruments: InstrumentRegistry.of([XAUUSD_SPEC], { sessionOverride: ALWAYS_OPEN_SESSION }), writer: 'import' }),
    };
    // Slices alternate import and COPY, so a change in the machine's load falls on both sides.
    const perSlice = Math.ceil(lines / slices);
    let imported = 0;
    let copied = 0;
    for (let i = 0; i < slices; i += 1) {
      const result = await slice(bench, i, Date.parse('2024-03-04T00:00:00.000Z') + i * perSlice * 500, perSlice);
      imported += result.imported;
      copied += result.copied;
      progress(`import: slice ${i + 1}/${slices}: ${perSlice} ticks imported in ${result.imported.toFixed(2)} s, COPY of their rows ${result.copied.toFixed(2)} s`);
    }
    report({ bench: 'import', figure: 'import_csv', value: (perSlice * slices) / imported, unit: 'ticks/s', baseline: (perSlice * slices) / copied, target: 'ratio >= 0.3 (import / raw COPY)' });
    await etaRun(bench, Date.parse('2025-03-03T00:00:00.000Z'), lines);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
    await sql.exec(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await sql.close();
  }
}
