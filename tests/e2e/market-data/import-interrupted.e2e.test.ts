// `nicegold import ticks` whose database connection ends mid-file (PostgreSQL terminates the backend
// writing one tick): exit 1 with the error's code, and before it the summary of what was recorded, every
// rejected line in it with its number and reason, and the line to resume after; run again, it resumes
// there and lists the rest.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import { postgresService } from '../../support/services.ts';

const postgres = await postgresService();
const TICKS = 5_000;
const START = Date.parse('2024-03-05T10:00:00.000Z'); // a Tuesday, inside the session
const timeOf = (i: number) => new Date(START + i * 100).toISOString();
/** Crossed quotes (rejected) at these tick indexes; line = index + 2 (after the header). */
const CROSSED = [10, 1_500, 4_000];
/** The tick whose insert ends the connection: in a batch after the first thousand lines. */
const FATAL = 3_000;

describe.skipIf(!postgres.available)(`an import whose connection ends${postgres.skipReason}`, () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_import_interrupted');
    dir = await mkdtemp(path.join(os.tmpdir(), 'import-interrupted-'));
    file = path.join(dir, 'xau.csv');
    const rows = Array.from({ length: TICKS }, (_, i) => {
      const bid = 212_000 + (i % 50);
      const ask = CROSSED.includes(i) ? bid - 10 : bid + 30;
      return `${timeOf(i)},${(bid / 100).toFixed(2)},${(ask / 100).toFixed(2)}`;
    });
    await writeFile(file, `timestamp,bid,ask\n${rows.join('\n')}\n`);
    const sql = createPgClient({ connectionString: db.url });
    try {
      await (await PostgresEventStore.create(sql)).close(); // the events table, for the trigger
      await sql.exec(`
        create function es.end_connection() returns trigger language plpgsql as $$
        begin perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); return new; end $$;
        create trigger end_connection before insert on es.events for each row
          when (new.occurred_at = timestamptz '${timeOf(FATAL)}') execute function es.end_connection();`);
    } finally {
      await sql.close();
    }
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  const importFile = () => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/nicegold.mjs', 'import', 'ticks', file, '--format', 'csv', '--symbol', 'XAUUSD'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url, LOG_LEVEL: 'warn', MARKET_HOURS: 'always-open' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const listedLines = (stdout: string) => [...stdout.matchAll(/^ {2}line (\d+): CROSSED /gm)].map((m) => Number(m[1]));

  it('prints what was recorded with every rejected line, exits 1, and the next run resumes and lists the rest', async () => {
    const first = await importFile();
    expect(first.code, first.stderr.slice(-500)).toBe(1);
    expect(first.stderr).toContain('[IMPORT.INTERRUPTED]');
    const stoppedAfter = Number(/STOPPED:\s+lines after (\d+) not recorded/.exec(first.stdout)?.[1]);
    expect(stoppedAfter, first.stdout).toBeGreaterThan(1_000);
    expect(stoppedAfter).toBeLessThan(FATAL + 2);
    expect(listedLines(first.stdout)).toEqual(CROSSED.map((i) => i + 2).filter((line) => line <= stoppedAfter));
    expect(first.stdout).toMatch(/rejected:\s+2 /);

    const sql = createPgClient({ connectionString: db.url });
    await sql.exec('drop trigger end_connection on es.events');
    await sql.close();
    const second = await importFile();
    expect(second.code, second.stderr.slice(-500)).toBe(0);
    expect(Number(/resumed after line (\d+)/.exec(second.stdout)?.[1])).toBe(stoppedAfter);
    expect(listedLines(second.stdout)).toEqual(CROSSED.map((i) => i + 2).filter((line) => line > stoppedAfter));
  }, 300_000);
});
