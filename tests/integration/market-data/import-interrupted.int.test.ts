// An import whose append fails (here: PostgreSQL ends the connection that writes one tick, as a restart or
// an operator's pg_terminate_backend does) stops with a summary of what the ledger acknowledged, every
// rejected line of it listed with its number and reason; run again, it resumes after that point and lists
// the rest, and the ledger holds each line of the file exactly once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportInterrupted, importTicks, type ImportSummary } from '../../../commands/market-data/importers/import-ticks.ts';
import { fileDigest } from '../../../commands/market-data/importers/tick-identity.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { TickIngester } from '../../../commands/market-data/tick-ingester.ts';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import type { KeyValueStore } from '../../../domain/ports/key-value.ts';
import { createSqlKeyValueStore } from '../../../infra/cache/sql.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { refuseInserts } from '../../support/refused-inserts.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';

const pg = await postgresService();
// Tuesday 2026-11-24, inside the spot metals session.
const NOW = new Date('2026-11-24T12:00:00.000Z');
const LINES = 60; // the header, then 59 ticks
const BROKEN = new Map([[5, 'MALFORMED'], [12, 'CROSSED'], [33, 'CROSSED'], [47, 'MALFORMED']]);
/** The tick whose append PostgreSQL answers by ending the connection: in the fourth batch of ten. */
const FATAL_LINE = 36;

const timeOf = (line: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + line * 100).toISOString();

function tickFile(): string {
  const rows = ['timestamp,bid,ask'];
  for (let line = 2; line <= LINES; line += 1) {
    const reason = BROKEN.get(line);
    if (reason === 'MALFORMED') rows.push(`${timeOf(line)},not-a-price,2400.40`);
    else if (reason === 'CROSSED') rows.push(`${timeOf(line)},2400.60,2400.30`);
    else rows.push(`${timeOf(line)},2400.${String(10 + (line % 5)).padStart(2, '0')},2400.40`);
  }
  return `${rows.join('\n')}\n`;
}

const listed = (summary: ImportSummary) => summary.rejectedLines.map((r) => [r.line, r.reason]);

describe.skipIf(!pg.available)(`an import whose append fails${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let registry: InstrumentRegistry;
  let checkpoints: KeyValueStore;
  let dir: string;
  const schema = uniqueName('import_interrupted');

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(sql, { schema });
    await ensureInstrumentsListed(store, [XAUUSD_SPEC], NOW);
    registry = await InstrumentRegistry.load(store);
    checkpoints = await createSqlKeyValueStore(sql, { schema });
    dir = await mkdtemp(path.join(os.tmpdir(), 'import-interrupted-'));
  });
  afterAll(async () => {
    await registry.close();
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops listing every rejected line it recorded, then resumes and lists the rest; every line recorded once', async () => {
    const file = path.join(dir, 'xau.csv');
    await writeFile(file, tickFile());
    // The backend that inserts this tick terminates itself mid-statement: the client sees its connection end.
    await sql.exec(`
      create function ${schema}.end_connection() returns trigger language plpgsql as $$
      begin perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); return new; end $$;
      create trigger end_connection before insert on ${schema}.events for each row
        when (new.occurred_at = timestamptz '${timeOf(FATAL_LINE)}') execute function ${schema}.end_connection();`);
    const options = { file, format: 'csv' as const, symbol: 'XAUUSD', checkpoints, batchSize: 10 };

    const stopped = await importTicks({ ...options, ingester: new TickIngester({ eventStore: store, instruments: registry, clock: () => NOW }) })
      .then(() => undefined, (error: unknown) => error);
    expect(stopped).toBeInstanceOf(ImportInterrupted);
    const first = (stopped as ImportInterrupted).summary;
    expect((stopped as ImportInterrupted).code).toBe('IMPORT.INTERRUPTED');
    expect((stopped as ImportInterrupted).category).toBe('unavailable'); // the store went away: run it again later
    expect(first.interrupted?.error).toMatch(/terminat|unreachable|connection/i);
    // Batches of ten ticks: lines 2-11, 12-21, 22-31 acknowledged; 32-41 (line 36) ended the connection.
    expect(first.interrupted?.afterLine).toBe(31);
    expect(first).toMatchObject({ accepted: 28, duplicate: 0, rejected: { MALFORMED: 1, CROSSED: 1 } });
    expect(listed(first)).toEqual([[5, 'MALFORMED'], [12, 'CROSSED']]);

    await sql.exec(`drop trigger end_connection on ${schema}.events`);
    const second = await importTicks({ ...options, ingester: new TickIngester({ eventStore: store, instruments: registry, clock: () => NOW }) });
    expect(second.resumedAfterLine).toBe(31);
    expect(second.interrupted).toBeUndefined();
    expect(listed(second)).toEqual([[33, 'CROSSED'], [47, 'MALFORMED']]);
    expect(first.accepted + second.accepted).toBe(LINES - 1 - BROKEN.size);

    const { rows } = await sql.query<{ n: string; distinct_ids: string }>(
      `select count(*)::text as n, count(distinct event_id)::text as distinct_ids from ${schema}.events where type in ('TickReceived', 'TickRejected')`,
    );
    expect(rows[0]).toEqual({ n: String(LINES - 1), distinct_ids: String(LINES - 1) });

    // Killed after a batch was written but before its checkpoint was: the next run resumes from an older
    // line, finds what the killed run wrote as duplicates, and still names the refused lines among them.
    await checkpoints.set(`import-checkpoint:XAUUSD:${await fileDigest(file)}`, '11');
    const afterKill = await importTicks({ ...options, ingester: new TickIngester({ eventStore: store, instruments: registry, clock: () => NOW }) });
    expect(afterKill).toMatchObject({ resumedAfterLine: 11, accepted: 0, duplicate: LINES - 11, rejected: {} });
    expect(afterKill.rejectedLines.map((r) => [r.line, r.reason, r.recordedBefore])).toEqual([[12, 'CROSSED', true], [33, 'CROSSED', true], [47, 'MALFORMED', true]]);
  });

  it('lists the refused lines of an import killed before its first checkpoint, when run again', async () => {
    const file = path.join(dir, 'early.csv');
    await writeFile(file, tickFile().replaceAll('2026-11-24T10:', '2026-11-24T09:'));
    const key = `import-checkpoint:XAUUSD:${await fileDigest(file)}`;
    // Every batch is recorded but no checkpoint after the start lands, as when the process dies between a
    // batch's commit and its checkpoint: what is left is the key the import set when it began.
    const neverAfterStart: KeyValueStore = { ...checkpoints, set: async (k, value, ttl) => {
      if (value !== '0') throw new Error('killed before the checkpoint was written');
      return checkpoints.set(k, value, ttl);
    } };
    const ingester = () => new TickIngester({ eventStore: store, instruments: registry, clock: () => NOW });
    await expect(importTicks({ file, format: 'csv', symbol: 'XAUUSD', checkpoints: neverAfterStart, batchSize: 10, ingester: ingester() })).rejects.toThrow(/killed before the checkpoint/);
    expect(await checkpoints.get(key)).toBe('0');

    const again = await importTicks({ file, format: 'csv', symbol: 'XAUUSD', checkpoints, batchSize: 10, ingester: ingester() });
    expect(again).toMatchObject({ resumedAfterLine: 0, accepted: 0, duplicate: LINES - 1, rejected: {} });
    expect(again.rejectedLines.map((r) => [r.line, r.reason, r.recordedBefore])).toEqual([...BROKEN].map(([line, reason]) => [line, reason, true]));
    expect(await checkpoints.get(key)).toBeUndefined(); // done: a third run lists nothing again
    const third = await importTicks({ file, format: 'csv', symbol: 'XAUUSD', checkpoints, batchSize: 10, ingester: ingester() });
    expect(third).toMatchObject({ accepted: 0, duplicate: LINES - 1, rejectedLines: [] });
  });

  it('names a statement the database refused as such, not as an unreachable store', async () => {
    const file = path.join(dir, 'refused.csv');
    await writeFile(file, tickFile().replaceAll('2026-11-24T10:', '2026-11-24T11:'));
    const allow = await refuseInserts(sql, {
      schema, when: `new.occurred_at = timestamptz '${timeOf(FATAL_LINE).replace('T10:', 'T11:')}'`, message: 'refused by a check of the operator',
    });
    try {
      const stopped = await importTicks({
        file, format: 'csv', symbol: 'XAUUSD', checkpoints, batchSize: 10, ingester: new TickIngester({ eventStore: store, instruments: registry, clock: () => NOW }),
      }).then(() => undefined, (error: unknown) => error);
      expect(stopped).toBeInstanceOf(ImportInterrupted);
      expect((stopped as ImportInterrupted).category).toBe('internal');
      expect((stopped as ImportInterrupted).message).toContain('refused by a check of the operator');
      expect((stopped as ImportInterrupted).summary.interrupted?.afterLine).toBe(31);
    } finally {
      await allow();
    }
  });
});
