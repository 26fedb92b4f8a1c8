import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { importTicks, type ImportProgress } from '../../../commands/market-data/importers/import-ticks.ts';
import type { ImportFormat } from '../../../commands/market-data/importers/formats.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { TickIngester } from '../../../commands/market-data/tick-ingester.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { createPgliteClient } from '../../../infra/sql/pglite-client.ts';
import type { SqlClient } from '../../../infra/sql/client.ts';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const STREAM_ID = 'ticks-XAUUSD-20261124';

const MT5 = [
  '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>',
  '2026.11.24\t10:00:00.100\t2400.10\t2400.40\t\t\t6',
  '2026.11.24\t10:00:00.200\t2400.20\t\t\t\t2', // ask unchanged: 2400.40
  '2026.11.24\t10:00:00.300\t\t2400.50\t\t\t4', // bid unchanged: 2400.20
  '2026.11.24\t10:00:00.400\tabc\t2400.50\t\t\t6', // malformed price
  '2026.13.24\t10:00:00.500\t2400.20\t2400.50\t\t\t6', // malformed date
  '2026.11.24\t10:00:00.600\t2400.60\t2400.30\t\t\t6', // crossed
].join('\r\n');

const DUKASCOPY = [
  'Gmt time,Ask,Bid,AskVolume,BidVolume',
  '24.11.2026 10:01:00.000 GMT,2400.45,2400.15,0.00012,0.00034',
  '1795514460100,2400.55,2400.25,0.1,0.2',
  '24.11.2026 10:01:00.200,2400.555,2400.25,0.1,0.2', // off the 0.01 grid
  'garbage line',
].join('\n');

const CSV = [
  'bid,ask,timestamp,volume',
  '2400.10,2400.40,2026-11-24T10:02:00.000Z,5',
  '2400.20,2400.50,2026-11-24T10:02:00.100Z,',
  '2400.20,2400.50,not-a-time,1',
  '2400.20,2400.50,2026-11-24T10:02:00.300Z,1.5', // fractional volume
].join('\n');

describe('tick file imports', () => {
  let sql: SqlClient;
  let store: PostgresEventStore;
  let dir: string;
  const ingester = () => new TickIngester({ eventStore: store, instruments: registry, clock: () => NOW });
  let registry: InstrumentRegistry;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nicegold-import-'));
    sql = await createPgliteClient();
    store = await PostgresEventStore.create(sql);
    await ensureInstrumentsListed(store, [XAUUSD_SPEC], NOW);
    registry = await InstrumentRegistry.load(store);
  });
  afterAll(async () => {
    await store.close();
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string, content: string | Buffer, format: ImportFormat) => {
    const file = path.join(dir, name);
    await writeFile(file, content);
    const progress: ImportProgress[] = [];
    const summary = await importTicks({ file, format, symbol: 'XAUUSD', ingester: ingester(), onProgress: (p) => progress.push(p) });
    return { summary, progress, file };
  };

  it('imports an MT5 export, carrying unchanged prices and reporting malformed lines by number', async () => {
    const { summary, progress } = await run('xau.mt5.txt', MT5, 'mt5');
    expect(summary).toMatchObject({ lines: 7, accepted: 3, duplicate: 0, rejected: { MALFORMED: 2, CROSSED: 1 } });
    expect(summary.malformedLines.map((m) => m.line)).toEqual([5, 6]);
    const events = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === 'mt5:xau.mt5.txt');
    expect(events.filter((e) => e.type === 'TickReceived').map((e) => [e.data.bid, e.data.ask, e.data.sequence])).toEqual([
      [240010n, 240040n, 2n], [240020n, 240040n, 3n], [240020n, 240050n, 4n],
    ]);
    expect(events.find((e) => e.data.sequence === 5n)!.data).toMatchObject({ reason: 'MALFORMED', raw: '2026.11.24\t10:00:00.400\tabc\t2400.50\t\t\t6' });
    expect(progress.at(-1)).toMatchObject({ bytesRead: Buffer.byteLength(MT5), totalBytes: Buffer.byteLength(MT5) });
  });

  it('reads an MT5 export saved as UTF-16 with a byte-order mark', async () => {
    const { summary } = await run('xau-utf16.mt5.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MT5, 'utf16le')]), 'mt5');
    expect(summary).toMatchObject({ accepted: 3, rejected: { MALFORMED: 2, CROSSED: 1 } });
  });

  it('imports Dukascopy CSV (ask before bid) in its time formats', async () => {
    const { summary } = await run('xau.dukascopy.csv', DUKASCOPY, 'dukascopy');
    expect(summary).toMatchObject({ accepted: 2, rejected: { OFF_GRID: 1, MALFORMED: 1 } });
    expect(summary.malformedLines).toEqual([{ line: 5, detail: expect.stringContaining('timestamp') }]);
    const received = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === 'dukascopy:xau.dukascopy.csv' && e.type === 'TickReceived');
    expect(received.map((e) => [e.data.bid, e.data.ask, e.data.timestamp])).toEqual([
      [240015n, 240045n, '2026-11-24T10:01:00.000Z'], [240025n, 240055n, '2026-11-24T10:01:00.100Z'],
    ]);
  });

  it('imports plain CSV with its columns in any order', async () => {
    const { summary } = await run('xau.csv', CSV, 'csv');
    expect(summary).toMatchObject({ accepted: 2, rejected: { MALFORMED: 2 } });
    expect(summary.malformedLines.map((m) => m.line)).toEqual([4, 5]);
    const received = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === 'csv:xau.csv' && e.type === 'TickReceived');
    expect(received[0]!.data.volume).toBe(5n);
  });

  it('appends nothing when the same file is imported again', async () => {
    const before = (await store.readStream(STREAM_ID)).length;
    const { summary } = await run('xau.mt5.txt', MT5, 'mt5');
    expect(summary).toMatchObject({ accepted: 0, duplicate: 6, rejected: {} });
    expect((await store.readStream(STREAM_ID)).length).toBe(before);
  });

  it('refuses a CSV without a header naming its columns, line by line', async () => {
    const { summary } = await run('headless.csv', '2400.10,2400.40,2026-11-24T10:02:00.000Z\n', 'csv');
    expect(summary.malformedLines[0]).toMatchObject({ line: 1, detail: expect.stringContaining('header') });
  });
});
