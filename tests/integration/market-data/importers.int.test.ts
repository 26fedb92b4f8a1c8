import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../infra/cli/main.ts';
import { XAUUSD_SPEC } from '../../../domain/market-data/index.ts';
import { importTicks, type ImportProgress } from '../../../commands/market-data/importers/import-ticks.ts';
import type { ImportFormat } from '../../../commands/market-data/importers/formats.ts';
import { ensureInstrumentsListed, InstrumentRegistry } from '../../../commands/market-data/instruments.ts';
import { TickIngester, type TickSubmission } from '../../../commands/market-data/tick-ingester.ts';
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

/** An MT5 export of `count` ticks from `start`, 100 ms apart, after its header line. */
function mt5Ticks(start: string, count: number, from = 0): string[] {
  const at = Date.parse(start);
  return Array.from({ length: count }, (_, n) => {
    const i = from + n;
    const time = new Date(at + i * 100).toISOString();
    const bid = (2400 + (i % 20) / 100).toFixed(2);
    return `${time.slice(0, 10).replaceAll('-', '.')}\t${time.slice(11, 23)}\t${bid}\t${(Number(bid) + 0.3).toFixed(2)}\t\t\t6`;
  });
}
const mt5File = (...ticks: string[][]) => ['<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>', ...ticks.flat()].join('\n');

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

  const run = async (name: string, content: string | Buffer, format: ImportFormat, through = ingester()) => {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    const progress: ImportProgress[] = [];
    const summary = await importTicks({ file, format, symbol: 'XAUUSD', ingester: through, batchSize: 500, onProgress: (p) => progress.push(p) });
    return { summary, progress, file };
  };

  it('imports an MT5 export, carrying unchanged prices and reporting malformed lines by number', async () => {
    const { summary, progress } = await run('xau.mt5.txt', MT5, 'mt5');
    expect(summary).toMatchObject({ lines: 7, accepted: 3, duplicate: 0, rejected: { MALFORMED: 2, CROSSED: 1 } });
    expect(summary.source).toMatch(/^mt5:xau\.mt5\.txt#[0-9a-f]{12}$/);
    expect(summary.rejectedLines.map((r) => [r.line, r.reason])).toEqual([[5, 'MALFORMED'], [6, 'MALFORMED'], [7, 'CROSSED']]);
    const events = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === summary.source);
    expect(events.filter((e) => e.type === 'TickReceived').map((e) => [e.data.bid, e.data.ask, e.data.sequence])).toEqual([
      [240010n, 240040n, 2n], [240020n, 240040n, 3n], [240020n, 240050n, 4n],
    ]);
    expect(events.find((e) => e.data.sequence === 5n)!.data).toMatchObject({ reason: 'MALFORMED', raw: '2026.11.24\t10:00:00.400\tabc\t2400.50\t\t\t6' });
    expect(progress.at(-1)).toMatchObject({ bytesDone: Buffer.byteLength(MT5), totalBytes: Buffer.byteLength(MT5) });
  });

  it('reads an MT5 export saved as UTF-16 with a byte-order mark: the same ticks as the UTF-8 one', async () => {
    const { summary } = await run('xau-utf16.mt5.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MT5, 'utf16le')]), 'mt5');
    // The ticks (3 accepted, 1 crossed) are those the UTF-8 file recorded; the unreadable lines are this file's.
    expect(summary).toMatchObject({ accepted: 0, duplicate: 4, rejected: { MALFORMED: 2 } });
  });

  it('imports Dukascopy CSV (ask before bid) in its time formats', async () => {
    const { summary } = await run('xau.dukascopy.csv', DUKASCOPY, 'dukascopy');
    expect(summary).toMatchObject({ accepted: 2, rejected: { OFF_GRID: 1, MALFORMED: 1 } });
    expect(summary.rejectedLines).toEqual([
      { line: 4, reason: 'OFF_GRID', detail: expect.stringContaining('decimal places') },
      { line: 5, reason: 'MALFORMED', detail: expect.stringMatching(/^unreadable timestamp/) },
    ]);
    const received = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === summary.source && e.type === 'TickReceived');
    expect(received.map((e) => [e.data.bid, e.data.ask, e.data.timestamp])).toEqual([
      [240015n, 240045n, '2026-11-24T10:01:00.000Z'], [240025n, 240055n, '2026-11-24T10:01:00.100Z'],
    ]);
  });

  it('imports plain CSV with its columns in any order', async () => {
    const { summary } = await run('xau.csv', CSV, 'csv');
    expect(summary).toMatchObject({ accepted: 2, rejected: { MALFORMED: 2 } });
    expect(summary.rejectedLines.map((r) => [r.line, r.reason])).toEqual([[4, 'MALFORMED'], [5, 'MALFORMED']]);
    const received = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === summary.source && e.type === 'TickReceived');
    expect(received[0]!.data.volume).toBe(5n);
  });

  it('appends nothing when the same file is imported again', async () => {
    const before = (await store.readStream(STREAM_ID)).length;
    const { summary } = await run('xau.mt5.txt', MT5, 'mt5');
    expect(summary).toMatchObject({ accepted: 0, duplicate: 6, rejected: {} });
    expect((await store.readStream(STREAM_ID)).length).toBe(before);
  });

  it('imports a dukascopy-node CSV (askPrice/bidPrice, epoch milliseconds) as --format csv', async () => {
    const at = Date.parse('2026-11-24T10:04:00.000Z');
    const rows = Array.from({ length: 2000 }, (_, i) => `${at + i * 10},${(2400.4 + (i % 10) / 100).toFixed(2)},${(2400.1 + (i % 10) / 100).toFixed(2)},0.00012,0.00034`);
    const { summary } = await run('xau.dukascopy-node.csv', ['timestamp,askPrice,bidPrice,askVolume,bidVolume', ...rows].join('\n'), 'csv');
    expect(summary).toMatchObject({ lines: 2001, accepted: 2000, duplicate: 0, rejected: {}, rejectedLines: [] });
    const received = (await store.readStream(STREAM_ID)).filter((e) => e.data.source === summary.source);
    expect(received).toHaveLength(2000);
    expect(received.slice(0, 2).map((e) => [e.type, e.data.bid, e.data.ask, e.data.timestamp, e.data.volume])).toEqual([
      ['TickReceived', 240010n, 240040n, '2026-11-24T10:04:00.000Z', undefined],
      ['TickReceived', 240011n, 240041n, '2026-11-24T10:04:00.010Z', undefined],
    ]);
  });

  it('refuses a CSV whose header names no known column set before writing anything, naming what it expected', async () => {
    const head = await store.headPosition();
    const headless = run('headless.csv', '2400.10,2400.40,2026-11-24T10:02:00.000Z\n2400.10,2400.40,2026-11-24T10:02:01.000Z\n', 'csv');
    await expect(headless).rejects.toMatchObject({
      code: 'IMPORT.UNKNOWN_HEADER',
      message: expect.stringMatching(/2400\.10,2400\.40.*timestamp,bid,ask\[,volume\] or timestamp,bidPrice,askPrice/),
    });
    const renamed = run('renamed.csv', 'time,Bid,Ask\n2026-11-24T10:02:00.000Z,2400.10,2400.40\n', 'csv');
    await expect(renamed).rejects.toMatchObject({ code: 'IMPORT.UNKNOWN_HEADER', details: { found: ['time', 'Bid', 'Ask'] } });
    expect(await store.headPosition()).toBe(head);
  });

  /** Runs `nicegold import ...` in process on an embedded store under `dataDir`; what it wrote to stdout and stderr. */
  const cli = async (dataDir: string, args: readonly string[]) => {
    const saved = process.env.DATA_DIR;
    process.env.DATA_DIR = dataDir;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const exitCode = await main(['import', ...args]);
      const text = (spy: typeof stdout) => spy.mock.calls.map(([chunk]) => String(chunk)).join('');
      return { exitCode, stdout: text(stdout), stderr: text(stderr) };
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      if (saved === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = saved;
    }
  };

  it('the CLI exits 1 on an unknown CSV header, with the message, before it opens the event store', async () => {
    const file = path.join(dir, 'unknown-header.csv');
    await writeFile(file, 'when,buy,sell\n1795514460100,2400.40,2400.10\n');
    const dataDir = path.join(dir, 'cli-refused'); // were the store opened, it would be here
    const result = await cli(dataDir, ['ticks', file, '--format', 'csv', '--symbol', 'XAUUSD']);
    expect(result).toMatchObject({ exitCode: 1, stdout: '' });
    expect(result.stderr).toMatch(/when,buy,sell.*timestamp,bid,ask.*\[IMPORT\.UNKNOWN_HEADER\]/);
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the CLI prints every rejected line and writes them to --rejects', async () => {
    const file = path.join(dir, 'cli-mixed.csv');
    await writeFile(file, 'timestamp,bid,ask\n2026-11-23T22:30:00.000Z,2400.10,2400.40\n2026-11-24T10:06:00.000Z,2400.60,2400.30\n');
    const rejects = path.join(dir, 'cli-mixed.rejects.txt');
    const result = await cli(path.join(dir, 'cli-data'), ['ticks', file, '--format', 'csv', '--symbol', 'XAUUSD', '--rejects', rejects]);
    expect(result.exitCode).toBe(0);
    const listed = ['line 2: OUTSIDE_TRADING_HOURS 2026-11-23T22:30:00.000Z is outside XAUUSD trading hours', 'line 3: CROSSED ask 2400.30 is below bid 2400.60'];
    expect(result.stdout).toContain(`rejected lines:\n  ${listed[0]}\n  ${listed[1]}\n`);
    expect(result.stdout).toContain(`every rejected line: ${rejects}`);
    expect(await readFile(rejects, 'utf8')).toBe(`${listed.join('\n')}\n`);
  });

  it('lists every rejected line with its number and reason: crossed and out-of-session too', async () => {
    const { summary } = await run('mixed.csv', [
      'timestamp,bid,ask',
      '2026-11-23T22:30:00.000Z,2400.10,2400.40', // Monday 22:30 UTC: the daily break
      '2026-11-24T10:05:00.000Z,2400.10,2400.40',
      '2026-11-24T10:05:00.100Z,2400.60,2400.30', // crossed
      'not,a,tick',
      '2026-11-24T10:05:00.200Z,2400.20,2400.50',
    ].join('\n'), 'csv');
    expect(summary).toMatchObject({ accepted: 2, rejected: { OUTSIDE_TRADING_HOURS: 1, CROSSED: 1, MALFORMED: 1 }, unlistedRejected: 0 });
    expect(summary.rejectedLines).toEqual([
      { line: 2, reason: 'OUTSIDE_TRADING_HOURS', detail: '2026-11-23T22:30:00.000Z is outside XAUUSD trading hours' },
      { line: 4, reason: 'CROSSED', detail: 'ask 2400.30 is below bid 2400.60' },
      { line: 5, reason: 'MALFORMED', detail: 'unreadable timestamp "not"' },
    ]);
  });

  describe('a tick is what it is, not where its file lies', () => {
    const A = mt5File(mt5Ticks('2026-11-17T10:00:00.000Z', 2000), ['garbage']);

    it('imports a second file of the same name holding other days in full, an older one after a newer', async () => {
      const a = await run('a/mt5.tsv', A, 'mt5');
      expect(a.summary).toMatchObject({ lines: 2002, accepted: 2000, duplicate: 0, rejected: { MALFORMED: 1 } });
      const b = await run('b/mt5.tsv', mt5File(mt5Ticks('2026-11-16T10:00:00.000Z', 2000)), 'mt5');
      expect(b.summary).toMatchObject({ lines: 2001, accepted: 2000, duplicate: 0, rejected: {} });
      expect(b.summary.source).not.toBe(a.summary.source);
      const received = (await store.readStream('ticks-XAUUSD-20261116')).filter((e) => e.type === 'TickReceived');
      expect(received).toHaveLength(2000);
      expect(received[0]!.data).toMatchObject({ source: b.summary.source, sequence: 2n, bid: 240_000n, ask: 240_030n, timestamp: '2026-11-16T10:00:00.000Z' });
    });

    it('adds nothing for the same file imported again or copied under another name, and says they are duplicates', async () => {
      const head = await store.headPosition();
      for (const name of ['a/mt5.tsv', 'c/copy-of-a.tsv']) {
        const { summary } = await run(name, A, 'mt5');
        expect(summary).toMatchObject({ accepted: 0, duplicate: 2001, rejected: {}, rejectedLines: [] });
      }
      expect(await store.headPosition()).toBe(head);
    });

    it('imports only the new ticks of a file overlapping one imported before', async () => {
      const overlap = mt5File(mt5Ticks('2026-11-17T10:00:00.000Z', 500, 1500), mt5Ticks('2026-11-18T10:00:00.000Z', 500));
      const { summary } = await run('d/overlap.tsv', overlap, 'mt5');
      expect(summary).toMatchObject({ lines: 1001, accepted: 500, duplicate: 500, rejected: {} });
      expect((await store.readStream('ticks-XAUUSD-20261117')).filter((e) => e.type === 'TickReceived')).toHaveLength(2000);
    });

    it('finishes a partly imported file: what was recorded is duplicate, the rest is imported', async () => {
      const content = mt5File(mt5Ticks('2026-11-19T10:00:00.000Z', 2000));
      const real = ingester();
      let batches = 0;
      const failing = { ingest: (batch: readonly TickSubmission[]) => (batches++ === 1 ? Promise.reject(new Error('connection lost')) : real.ingest(batch)) } as unknown as TickIngester;
      await expect(run('e/part.tsv', content, 'mt5', failing)).rejects.toThrow('connection lost');
      const resumed = ingester();
      await resumed.recover(); // as the CLI does: the file's source already has a cursor
      const { summary } = await run('e/part.tsv', content, 'mt5', resumed);
      expect(summary).toMatchObject({ accepted: 1500, duplicate: 500, rejected: {} });
      expect((await store.readStream('ticks-XAUUSD-20261119')).filter((e) => e.type === 'TickReceived')).toHaveLength(2000);
    });

    it('keeps identical ticks at the same millisecond within a file, and knows them again from another', async () => {
      const twice = mt5File(['2026.11.20\t10:00:00.000\t2400.10\t2400.40\t\t\t2', '2026.11.20\t10:00:00.000\t2400.10\t2400.40\t\t\t4']);
      expect((await run('f/twice.tsv', twice, 'mt5')).summary).toMatchObject({ accepted: 2, duplicate: 0 });
      // the same two quotes, prices written with other trailing zeros, as CSV
      const csv = 'timestamp,bid,ask\n2026-11-20T10:00:00.000Z,2400.1,2400.400\n2026-11-20T10:00:00.000Z,2400.10,2400.4\n2026-11-20T10:00:00.000Z,2400.1,2400.4\n';
      expect((await run('f/twice.csv', csv, 'csv')).summary).toMatchObject({ accepted: 1, duplicate: 2 });
    });
  });
});
