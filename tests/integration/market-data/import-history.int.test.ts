// An import is back-fill: its ticks are recorded (history, candles, training data read them) and marked
// as history, and the live quote the desk trades and values on does not move, whatever their time.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTicks } from '../../../commands/market-data/importers/import-ticks.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { TickIngester } from '../../../commands/market-data/tick-ingester.ts';
import { XAGUSD_SPEC, XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { createMemoryKeyValueStore } from '../../../infra/cache/memory.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { TEST_DATABASE_URL, postgresService, uniqueName } from '../../support/services.ts';

const pg = await postgresService();
// Tuesday 2026-11-24, 10:00 UTC: inside the spot metals session.
const NOW = new Date('2026-11-24T10:00:00.000Z');

describe.skipIf(!pg.available)(`imports are history${pg.skipReason}`, () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let registry: InstrumentRegistry;
  let dir: string;
  const schema = uniqueName('import_history');

  beforeAll(async () => {
    sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    store = await PostgresEventStore.create(sql, { schema });
    await ensureInstrumentsListed(store, [XAUUSD_SPEC, XAGUSD_SPEC], NOW);
    registry = await InstrumentRegistry.load(store);
    dir = await mkdtemp(path.join(os.tmpdir(), 'import-history-'));
  });
  afterAll(async () => {
    await registry.close();
    await store.close();
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records imported ticks marked as history and leaves the live quote where the live feed put it', async () => {
    const quotes = createQuoteBook(createMemoryKeyValueStore());
    const ingester = new TickIngester({ eventStore: store, instruments: registry, quotes, clock: () => NOW });
    await ingester.ingest([{ symbol: 'XAUUSD', source: 'live-feed', sequence: 1, bid: '2400.10', ask: '2400.40', timestamp: '2026-11-24T09:59:59.000Z' }]);
    // 2024 history, and a line stamped after the live tick
    const file = path.join(dir, 'xau.csv');
    await writeFile(file, 'timestamp,bid,ask\n2024-03-05T10:00:00.000Z,2124.40,2124.80\n2026-11-24T09:59:59.500Z,2401.00,2401.30\n');
    const summary = await importTicks({ file, format: 'csv', symbol: 'XAUUSD', ingester });
    expect(summary).toMatchObject({ accepted: 2 });
    expect(await quotes.latest('XAUUSD')).toMatchObject({ bid: 240_010n, ask: 240_040n, source: 'live-feed' });
    const imported = [...await store.readStream('ticks-XAUUSD-20240305'), ...await store.readStream('ticks-XAUUSD-20261124')]
      .filter((e) => e.type === 'TickReceived' && e.data.source === summary.source);
    expect(imported.map((e) => [e.data.bid, e.data.history])).toEqual([[212_440n, true], [240_100n, true]]);
  });
});
