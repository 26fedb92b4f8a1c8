// A killed import resumes where it stopped: `nicegold import ticks` on PostgreSQL is killed with SIGKILL
// mid-file; the next run of the same file says where it resumed, reads on from there, and the store ends
// with every line of the file recorded exactly once.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamPages } from '../../../commands/handling/stream-pages.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import { postgresService } from '../../support/services.ts';

const postgres = await postgresService();
const LINES = 40_000;

describe.skipIf(!postgres.available)(`a killed import resumes from its checkpoint${postgres.skipReason}`, () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_import_resume');
    dir = await mkdtemp(path.join(os.tmpdir(), 'import-resume-'));
    file = path.join(dir, 'xau.csv');
    // Tuesday 2024-03-05 from 10:00 UTC, one tick every 100 ms: inside the session, 40,000 distinct ticks
    const start = Date.parse('2024-03-05T10:00:00.000Z');
    const rows = Array.from({ length: LINES }, (_, i) => {
      const bid = 212_000 + (i % 50);
      return `${new Date(start + i * 100).toISOString()},${(bid / 100).toFixed(2)},${((bid + 30) / 100).toFixed(2)}`;
    });
    await writeFile(file, `timestamp,bid,ask\n${rows.join('\n')}\n`);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  /** Runs the import; with `killAtPercent`, kills it with SIGKILL once its progress bar shows that share of the file. */
  const importFile = (killAtPercent?: number) => new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = spawn(process.execPath, ['bin/nicegold.mjs', 'import', 'ticks', file, '--format', 'csv', '--symbol', 'XAUUSD'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url, LOG_LEVEL: 'warn', MARKET_HOURS: 'always-open' },
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const shown = [...stderr.matchAll(/\] (\d+\.\d)%/g)].map((m) => Number(m[1])).at(-1) ?? 0;
      if (killAtPercent !== undefined && !killed && shown >= killAtPercent) { killed = true; child.kill('SIGKILL'); }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, killed }));
  });

  const recordedTicks = async () => {
    const sql = createPgClient({ connectionString: db.url });
    const store = await PostgresEventStore.create(sql);
    try {
      const events = [];
      for await (const page of streamPages(store, 'ticks-XAUUSD-20240305', 0n, 10_000)) events.push(...page);
      return { count: events.length, distinct: new Set(events.map((e) => e.data.timestamp as string)).size };
    } finally {
      await store.close();
      await sql.close();
    }
  };

  it('is killed mid-file, then resumes after the last line it had recorded and records every line once', async () => {
    const first = await importFile(25);
    expect(first.killed, first.stderr.slice(-500)).toBe(true);
    const partial = await recordedTicks();
    expect(partial.count).toBeGreaterThan(0);
    expect(partial.count).toBeLessThan(LINES);

    const second = await importFile();
    expect(second.code, second.stderr.slice(-500)).toBe(0);
    const resumedAt = Number(/resumed after line (\d+)/.exec(second.stdout)?.[1]);
    expect(resumedAt).toBeGreaterThan(1);
    // the checkpoint is at most what was recorded: lines past it that the killed run had written come back as duplicates
    expect(resumedAt - 1).toBeLessThanOrEqual(partial.count);
    const accepted = Number(/accepted:\s+(\d+)/.exec(second.stdout)?.[1]);
    const duplicate = Number(/duplicate:\s+(\d+)/.exec(second.stdout)?.[1]);
    expect(accepted + duplicate).toBe(LINES + 1 - resumedAt); // only the lines after the checkpoint are read again
    expect(await recordedTicks()).toEqual({ count: LINES, distinct: LINES });

    // done: a third run starts at line 1 again and finds everything recorded
    const third = await importFile();
    expect(third.stdout).not.toContain('resumed after');
    expect(third.stdout).toMatch(new RegExp(`duplicate:\\s+${LINES}\\b`));
  }, 300_000);
});
