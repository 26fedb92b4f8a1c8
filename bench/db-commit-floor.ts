// PostgreSQL's own latency for a committed single-row insert at a paced rate, measured with pgbench (its C
// client, no Node process in the way) on the bench's database in the same run. An order is acknowledged
// only after its events are durable, so no command API can answer faster than this: it is the floor
// under the HTTP latency figures. pgbench ships with the PostgreSQL server packages; without it the
// figure is left out and the bench says so.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SqlClient } from '../infra/sql/client.ts';
import { percentile } from './report.ts';

const run = promisify(execFile);

export interface CommitFloor {
  readonly transactions: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface CommitFloorOptions {
  readonly sql: SqlClient;
  /** The database `sql` is on, for pgbench. */
  readonly databaseUrl: string;
  /** Schema of a scratch table (created and dropped here). */
  readonly schema: string;
  readonly rate: number;
  readonly seconds: number;
  /** Connections pgbench keeps (default 8). */
  readonly clients?: number;
}

/** pgbench on PATH, else the newest PostgreSQL server package's copy (Debian keeps it out of PATH). */
export function findPgbench(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'pgbench'))) return path.join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, 'bin', 'pgbench')).find((p) => existsSync(p));
}

/**
 * Milliseconds per transaction from pgbench's per-transaction log lines
 * (`client_id transaction_no time script_no time_epoch time_us [schedule_lag]`). Under a rate (-R) the
 * `time` column runs from the transaction's scheduled start, so, like the paced HTTP load, it charges
 * the wait a slow commit caused to the transactions behind it.
 */
export function latenciesFromLog(text: string): Float64Array {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    const micros = Number(line.split(' ')[2]);
    if (line.trim() !== '' && Number.isFinite(micros)) values.push(micros / 1_000);
  }
  return Float64Array.from(values).sort();
}

/** Runs pgbench at `rate` inserts/s for `seconds` into a scratch table; undefined when pgbench is missing. */
export async function measureCommitFloor(options: CommitFloorOptions): Promise<CommitFloor | undefined> {
  const pgbench = findPgbench();
  if (!pgbench) return undefined;
  const table = `${options.schema}.commit_floor`;
  const dir = mkdtempSync(path.join(tmpdir(), 'nicegold-commit-floor-'));
  try {
    const script = path.join(dir, 'insert.sql');
    // A row about the size of an order's event, keyed like the events table's position.
    writeFileSync(script, `insert into ${table} (stream_id, data) values ('account-' || (random() * 100)::int, '{"type":"OrderPlaced","qty":"1","price":"240025"}');\n`);
    await options.sql.exec(`create table if not exists ${table} (position bigserial primary key, stream_id text not null, data json not null, recorded_at timestamptz not null default now())`);
    await run(pgbench, [
      '-n', '-f', script, '-R', String(options.rate), '-T', String(options.seconds), '-c', String(options.clients ?? 8), '-j', '1',
      '-l', '--log-prefix', path.join(dir, 'log'), options.databaseUrl,
    ]);
    const log = readdirSync(dir).filter((f) => f.startsWith('log')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const sorted = latenciesFromLog(log);
    return { transactions: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await options.sql.exec(`drop table if exists ${table}`);
  }
}
