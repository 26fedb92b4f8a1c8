// How far a pg_dump or a restore has got, seen from the server: the rows its COPY has moved
// (pg_stat_progress_copy) and the index it is building (pg_stat_progress_create_index), looked up by
// the application name the tool connected with. Polled on a connection of its own: inside a
// transaction the statistics views answer from a snapshot taken at its first read.
import pg from 'pg';
import type { RebuildProgress } from '../../projections/index.ts';

export interface ServerSample {
  /** Rows copied so far, over every table this tool has copied (each table's count kept once it is done). */
  readonly rows: number;
  /** `building indexes (its phase)` while an index is built; undefined otherwise. */
  readonly indexing: string | undefined;
}

export interface Watch {
  /** The latest sample (zero rows before the first). */
  last(): ServerSample;
  stop(): Promise<void>;
}

interface Row {
  relid: string | null;
  tuples: string | null;
  phase: string | null;
}

export async function watchTool(databaseUrl: string, applicationName: string, onSample: (sample: ServerSample) => void, everyMs = 500): Promise<Watch> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'nicegold-backup-watch' });
  await client.connect();
  const perTable = new Map<string, number>();
  let sample: ServerSample = { rows: 0, indexing: undefined };
  let stopped = false;
  let polling: Promise<void> = Promise.resolve();
  const poll = async () => {
    const { rows } = await client.query<Row>(
      `select c.relid::text as relid, c.tuples_processed::text as tuples, i.phase
       from pg_stat_activity a
       left join pg_stat_progress_copy c on c.pid = a.pid
       left join pg_stat_progress_create_index i on i.pid = a.pid
       where a.application_name = $1`,
      [applicationName],
    );
    for (const row of rows) if (row.relid !== null && row.tuples !== null) perTable.set(row.relid, Math.max(perTable.get(row.relid) ?? 0, Number(row.tuples)));
    const index = rows.find((r) => r.phase !== null);
    sample = { rows: [...perTable.values()].reduce((a, b) => a + b, 0), indexing: index ? `building indexes (${index.phase})` : undefined };
    onSample(sample);
  };
  const timer = setInterval(() => {
    polling = polling.then(() => (stopped ? undefined : poll())).catch(() => undefined); // a missed sample is only a late bar
  }, everyMs);
  return {
    last: () => sample,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await polling;
      await client.end().catch(() => undefined);
    },
  };
}

/** A stage of a backup or restore as the projections' progress bar draws it. */
export function progressOf(rows: number, total: number, started: number, stage?: string): RebuildProgress {
  return { applied: rows, total, fraction: total > 0 ? Math.min(1, rows / total) : 1, elapsedSeconds: (performance.now() - started) / 1000, ...(stage ? { stage } : {}) };
}
