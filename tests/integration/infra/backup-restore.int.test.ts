// Backup and restore on real PostgreSQL, as an operator runs them: a ledger with orders, fills, a refused
// fill, denials and emergency stops built by the real services, the broker and the stop sweep; an audit
// trail exported before the backup; `nicegold backup create`, then `nicegold backup restore` into a fresh
// database; the trail verified against the restored ledger and the rebuilt read models compared with the
// original ones row for row.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickReceived, tickStreamId } from '../../../domain/market-data/index.ts';
import type { CommandContext, TradingService } from '../../../commands/trading/index.ts';
import { BrokerReactor, PaperBroker, StopSweep, createTradingService } from '../../../commands/trading/index.ts';
import { createQuoteBook, type QuoteBook } from '../../../commands/market-data/quote-book.ts';
import { advanceTransactionIds, createBackup, restoreBackup, DUMP_FILE } from '../../../infra/backup/index.ts';
import { loadConfig } from '../../../infra/config/config.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { openBackends, type Backends } from '../../../infra/runtime/backends.ts';
import { postgresLagProbe } from '../../../infra/runtime/roles/projector.ts';
import { ALL_PROJECTIONS, startProjector } from '../../../projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../projections/database.ts';
import { snapshotReadModels } from '../projections/snapshot.ts';
import { postgresService } from '../../support/services.ts';

const postgres = await postgresService();
const execFileAsync = promisify(execFile);

interface CliResult { code: number; stdout: string; stderr: string }

async function nicegold(args: readonly string[], databaseUrl?: string): Promise<CliResult> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['bin/nicegold.mjs', ...args], { env, timeout: 180_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const admin = (): CommandContext => ({ commandId: randomUUID(), actor: { userId: 'admin-1', role: 'admin' } });
const trader = (): CommandContext => ({ commandId: randomUUID(), actor: { userId: 'trader-1', role: 'trader' } });
const officer = (userId: string): CommandContext => ({ commandId: randomUUID(), actor: { userId, role: 'risk_officer' } });
const broker = (): CommandContext => ({ commandId: randomUUID(), actor: { userId: 'venue-1', role: 'service' } });

const LIMITS = {
  maxOrderNotional: 100_000_000n, maxPositionQty: 100n, maxOpenOrders: 20, priceCollarBps: 500n, maxQuoteAgeMs: 600_000,
  maxSubmitsPerWindow: 1_000, submitWindowMs: 1_000, maxDailyLoss: 5_000_000n,
};

/** A ledger on one database: the services, a tick writer that feeds the quote book, the broker and the sweep. */
interface Desk {
  readonly backends: Backends;
  readonly service: TradingService;
  tick(bid: bigint, ask: bigint): Promise<void>;
  status(accountId: string, orderId: string): Promise<string | undefined>;
}

async function deskOn(backends: Backends, name: string): Promise<Desk> {
  const quotes: QuoteBook = createQuoteBook(backends.keyValue);
  const service = createTradingService({ eventStore: backends.eventStore, keyValue: backends.keyValue, quotes });
  let sequence = 0n;
  return {
    backends,
    service,
    async tick(bid, ask) {
      sequence += 1n;
      const at = new Date();
      const event = tickReceived({ symbol: 'XAUUSD', source: name, sequence, bid, ask, timestamp: at });
      await backends.eventStore.append(tickStreamId('XAUUSD', at), [{ eventId: randomUUID(), type: event.type, data: event.data }], 'any');
      await quotes.update({ symbol: 'XAUUSD', bid, ask, mid: (bid + ask) / 2n, timestamp: at, source: name, sequence });
    },
    status: async (accountId, orderId) => (await service.order(accountId, orderId))?.status,
  };
}

const open_ = (url: string) => openBackends(loadConfig({ DATABASE_URL: url }), createLogger('silent'));

/** Every row of the event store and of the checkpoints table, as text in log order. */
async function storeRows(url: string): Promise<{ events: string[]; keyValues: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const events = await client.query<{ row: string }>('select e::text as row from es.events e order by position');
    const keyValues = await client.query<{ row: string }>('select k::text as row from ledger.key_values k order by key');
    return { events: events.rows.map((r) => r.row), keyValues: keyValues.rows.map((r) => r.row) };
  } finally {
    await client.end();
  }
}

async function ledgerSchemas(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>("select nspname::text as name from pg_namespace where nspname in ('es', 'ledger', 'read') order by 1");
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/** Waits for the broker or the sweep to have acted (expect.poll is for tests, this runs in beforeAll). */
async function poll(what: () => Promise<unknown>, expected: unknown): Promise<void> {
  const until = Date.now() + 15_000;
  for (let seen = await what(); seen !== expected; seen = await what()) {
    if (Date.now() > until) throw new Error(`still ${String(seen)}, waited for ${String(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Accounts, fills, a denial, a refused fill, an account stop whose sweep cancels, an instrument stop, a global stop left engaged. */
async function tradeADay(desk: Desk): Promise<void> {
  const { service } = desk;
  await desk.tick(240_000n, 240_050n);
  for (const accountId of ['BK-1', 'BK-2']) {
    await service.openAccount(admin(), { accountId, currency: 'USD', startingBalance: 10_000_000n });
    await service.setRiskLimits(admin(), { accountId, limits: LIMITS });
  }
  const market = (accountId: string, side: 'buy' | 'sell', qty: bigint) => ({ accountId, clientOrderId: randomUUID(), symbol: 'XAUUSD', side, kind: 'market', timeInForce: 'IOC', qty }) as const;
  const limit = (accountId: string, limitPrice: bigint) => ({ accountId, clientOrderId: randomUUID(), symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: 3n, limitPrice }) as const;

  const bought = await service.placeOrder(trader(), market('BK-1', 'buy', 10n));
  await poll(() => desk.status('BK-1', bought.orderId), 'filled');
  await desk.tick(240_400n, 240_450n);
  const sold = await service.placeOrder(trader(), market('BK-1', 'sell', 4n));
  await poll(() => desk.status('BK-1', sold.orderId), 'filled');
  const denied = await service.placeOrder(trader(), market('BK-1', 'buy', 500n)); // beyond maxPositionQty
  expect(denied.accepted).toBe(false);

  // A venue reports a fill far outside the market: refused and recorded, nothing booked.
  const resting = await service.placeOrder(trader(), limit('BK-2', 239_000n));
  const refused = await service.recordFill(broker(), { accountId: 'BK-2', orderId: resting.orderId, fillId: 'venue-fill-1', qty: 3n, price: 200_000n, symbol: 'XAUUSD', side: 'buy' });
  expect(refused.events.map((e) => e.type)).toContain('FillRefused');

  // An account stop: the sweep cancels the resting order, the broker confirms.
  await service.engageStop(officer('alice'), { scope: { kind: 'account', accountId: 'BK-2' }, reason: 'drill' });
  await poll(() => desk.status('BK-2', resting.orderId), 'canceled');
  await service.requestStopRelease(officer('alice'), { scope: { kind: 'account', accountId: 'BK-2' }, reason: 'drill over' });
  const gold = { kind: 'instrument', symbol: 'XAUUSD' } as const;
  await service.engageStop(officer('alice'), { scope: gold, reason: 'feed check' });
  expect((await service.placeOrder(trader(), market('BK-1', 'buy', 1n))).accepted).toBe(false);
  await service.requestStopRelease(officer('alice'), { scope: gold, reason: 'feed fine' });
  const after = await service.placeOrder(trader(), market('BK-1', 'buy', 2n));
  await poll(() => desk.status('BK-1', after.orderId), 'filled');
  await desk.tick(240_100n, 240_150n);
  // The desk is stopped when the backup is taken: the restored ledger must still be.
  await service.engageStop(officer('bob'), { scope: { kind: 'global' }, reason: 'end of day' });
}

async function projectToHead(backends: Backends): Promise<void> {
  const projector = await startProjector({ sql: backends.sql, store: backends.eventStore, projections: ALL_PROJECTIONS, statusIntervalMs: 200, lagProbe: postgresLagProbe(backends.sql) });
  try {
    const head = (await backends.eventStore.headPosition())!;
    for (const p of ALL_PROJECTIONS) await projector.waitFor(p.name, head, 60_000);
  } finally {
    await projector.stop();
  }
}

describe.skipIf(!postgres.available)(`backup and restore on PostgreSQL${postgres.skipReason}`, () => {
  let source: TestDatabase;
  let dir: string;
  let backup: string;
  let trail: string;
  let trailHash: string;
  const databases: TestDatabase[] = [];
  const freshDatabase = async (prefix: string) => {
    const db = await createTestDatabase(prefix, 4);
    databases.push(db);
    return db;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nicegold-backup-'));
    source = await freshDatabase('nicegold_backup_src');
    const backends = await open_(source.url);
    try {
      const desk = await deskOn(backends, 'backup-test');
      const reactor = new BrokerReactor({
        eventStore: backends.eventStore, keyValue: backends.checkpoints, service: desk.service, checkpointKey: 'broker:checkpoint', checkpointEveryMs: 0,
        broker: (controlsFor) => new PaperBroker({ slippagePriceUnits: 0n, latencyMs: 0, controlsFor }),
      });
      const sweep = new StopSweep({ eventStore: backends.eventStore, service: desk.service, keyValue: backends.checkpoints, checkpointKey: 'stop-sweep:checkpoint', checkpointEveryMs: 0 });
      await reactor.start();
      await sweep.start();
      try {
        await tradeADay(desk);
      } finally {
        await sweep.stop();
        await reactor.stop();
      }
      await projectToHead(backends); // the original read models, built live batch by batch
    } finally {
      await backends.close();
    }

    trail = path.join(dir, 'bk-1.trail.jsonl');
    const exported = await nicegold(['audit', 'export', '--account', 'BK-1', '--out', trail], source.url);
    expect(exported).toMatchObject({ code: 0 });
    trailHash = /final hash ([0-9a-f]{64})/.exec(exported.stderr)![1]!;

    backup = path.join(dir, 'backup-1');
    const created = await nicegold(['backup', 'create', '--out', backup, '--database-url', source.url]);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stderr).toContain('backup ['); // progress, on stderr
  }, 300_000);

  afterAll(async () => {
    for (const db of databases) await db.drop().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('restores into a fresh database the same ledger: the trail verifies against it, the events are the same rows, the rebuilt read models equal the originals', async () => {
    const target = await freshDatabase('nicegold_backup_dst');
    const restored = await nicegold(['backup', 'restore', '--from', backup, '--database-url', target.url]);
    expect(restored).toMatchObject({ code: 0 });
    expect(restored.stdout).toMatch(/restored .* into .*: \d+ events in \d+ streams/);
    expect(restored.stdout).toContain('read models rebuilt');

    const verified = await nicegold(['audit', 'verify', trail, '--expect', trailHash, '--against-ledger'], target.url);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain('matches the ledger');

    const [before, after] = [await storeRows(source.url), await storeRows(target.url)];
    expect(after.events).toEqual(before.events);
    expect(after.keyValues).toEqual(before.keyValues); // the broker's and the sweep's checkpoints
    expect(after.keyValues.some((row) => row.includes('broker:checkpoint'))).toBe(true);

    const original = await snapshotReadModels(source.sql, ALL_PROJECTIONS);
    const rebuilt = await snapshotReadModels(target.sql, ALL_PROJECTIONS);
    for (const table of ['orders', 'fills', 'refused_fills', 'positions', 'risk_decisions', 'control_events', 'audit_log']) expect(original.get(table)!.length, table).toBeGreaterThan(0);
    for (const [table, rows] of original) expect({ table, rows: rebuilt.get(table) }).toEqual({ table, rows });

    // The restored ledger goes on: a new event lands after every restored one.
    const backends = await open_(target.url);
    try {
      const head = (await backends.eventStore.headPosition())!;
      const desk = await deskOn(backends, 'after-restore');
      await desk.tick(240_200n, 240_250n);
      expect((await backends.eventStore.headPosition())! > head).toBe(true);
    } finally {
      await backends.close();
    }
  }, 300_000);

  it('refuses a database that is not empty, naming what is there, and writes nothing', async () => {
    const used = await freshDatabase('nicegold_backup_used');
    const backends = await open_(used.url);
    await (await deskOn(backends, 'other-ledger')).tick(240_000n, 240_050n);
    await backends.close();
    const refused = await nicegold(['backup', 'restore', '--from', backup, '--database-url', used.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[BACKUP.TARGET_NOT_EMPTY]');
    expect(refused.stderr).toContain('1 events');
    expect(refused.stderr).toContain('create one (createdb)');
    expect((await storeRows(used.url)).events).toHaveLength(1);

    // The empty tables a ledger process leaves when it starts on a database count too.
    const started = await freshDatabase('nicegold_backup_started');
    await (await open_(started.url)).close();
    await expect(restoreBackup({ from: backup, databaseUrl: started.url })).rejects.toMatchObject({ code: 'BACKUP.TARGET_NOT_EMPTY' });
  }, 120_000);

  it('refuses a backup whose archive changed, before touching the target', async () => {
    const damaged = path.join(dir, 'backup-damaged');
    await cp(backup, damaged, { recursive: true });
    const file = await open(path.join(damaged, DUMP_FILE), 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 4_000);
    await file.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, 4_000);
    await file.close();
    const target = await freshDatabase('nicegold_backup_damaged');
    const refused = await nicegold(['backup', 'restore', '--from', damaged, '--database-url', target.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[BACKUP.CORRUPT]');
    expect(await ledgerSchemas(target.url)).toEqual([]);
    expect((await nicegold(['backup', 'verify', '--from', damaged])).stderr).toContain('[BACKUP.CORRUPT]');
    expect(await nicegold(['backup', 'verify', '--from', backup])).toMatchObject({ code: 0 });
  }, 120_000);

  it('rolls the whole restore back when what it restored is not what the manifest says', async () => {
    const altered = path.join(dir, 'backup-altered');
    await cp(backup, altered, { recursive: true });
    const manifestPath = path.join(altered, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.eventStore.events += 1; // the archive is intact, its contents are not what was promised
    await writeFile(manifestPath, JSON.stringify(manifest));
    const target = await freshDatabase('nicegold_backup_altered');
    await expect(restoreBackup({ from: altered, databaseUrl: target.url })).rejects.toMatchObject({ code: 'BACKUP.RESTORE_FAILED', message: expect.stringContaining('the manifest says') });
    expect(await ledgerSchemas(target.url)).toEqual([]);
  }, 120_000);

  it('deploy/backup/backup.sh makes a checked backup per run and keeps the newest BACKUP_KEEP', async () => {
    const folder = path.join(dir, 'scheduled');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: source.url, BACKUP_DIR: folder, BACKUP_KEEP: '1' };
    const runs: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const { stdout } = await execFileAsync('deploy/backup/backup.sh', [], { env, timeout: 120_000 });
      expect(stdout).toContain('intact and readable by pg_restore');
      runs.push(/^backup (\S+):/m.exec(stdout)![1]!);
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // folders are named to the second
    }
    expect(await readdir(folder)).toEqual([path.basename(runs[1]!)]);
    await expect(execFileAsync('deploy/backup/backup.sh', [], { env: { ...env, BACKUP_KEEP: '0' } })).rejects.toMatchObject({ code: 2 });
  }, 300_000);

  it('backs up one consistent instant while the ledger writes: every stream restored is a prefix of the source stream, as many events as the manifest says', async () => {
    const busy = await freshDatabase('nicegold_backup_busy');
    const backends = await open_(busy.url);
    const desk = await deskOn(backends, 'busy');
    await desk.tick(240_000n, 240_050n);
    await desk.service.openAccount(admin(), { accountId: 'BUSY-1', currency: 'USD', startingBalance: 10_000_000n });
    await desk.service.setRiskLimits(admin(), { accountId: 'BUSY-1', limits: { ...LIMITS, maxOpenOrders: 100_000, maxSubmitsPerWindow: 100_000 } });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await Promise.all([
          desk.tick(240_000n + BigInt(written % 50), 240_050n + BigInt(written % 50)),
          desk.service.placeOrder(trader(), { accountId: 'BUSY-1', clientOrderId: randomUUID(), symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: 1n, limitPrice: 230_000n }),
        ]);
        written += 1;
      }
    })();
    try {
      await expect.poll(() => written, { timeout: 30_000 }).toBeGreaterThan(20);
      const writtenBefore = written;
      const made = await createBackup({ databaseUrl: busy.url, out: path.join(dir, 'backup-busy') });
      await expect.poll(() => written, { timeout: 30_000 }).toBeGreaterThan(written + 5);
      writing = false;
      await writer;

      const target = await freshDatabase('nicegold_backup_busy_dst');
      await restoreBackup({ from: made.folder, databaseUrl: target.url });
      const [all, restored] = [(await storeRows(busy.url)).events, (await storeRows(target.url)).events];
      expect(restored).toHaveLength(made.manifest.eventStore.events);
      expect(made.manifest.eventStore.events).toBeGreaterThan(writtenBefore * 2);
      expect(all.length).toBeGreaterThan(restored.length); // the writer went on past the snapshot
      const byStream = (rows: string[]) => {
        const streams = new Map<string, string[]>();
        for (const row of rows) {
          const stream = row.split(',')[2]!;
          streams.set(stream, [...(streams.get(stream) ?? []), row]);
        }
        return streams;
      };
      const sourceStreams = byStream(all);
      for (const [stream, rows] of byStream(restored)) expect(sourceStreams.get(stream)!.slice(0, rows.length)).toEqual(rows);
    } finally {
      writing = false;
      await writer;
      await backends.close();
    }
  }, 300_000);
});

describe.skipIf(!postgres.available)(`restoring onto another cluster${postgres.skipReason}`, () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase('nicegold_backup_xids', 2); });
  afterAll(async () => db?.drop());

  it('moves the transaction ids past the backup\'s last position, so the next event follows the restored ones', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // A backup made on a cluster 2,500 transactions further on than this one.
    const now = BigInt((await client.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0]!.x);
    const restoredHead = ((now + 2_500n) << 20n) + 7n;
    try {
      expect(await advanceTransactionIds(client, restoredHead >> 20n)).toBeGreaterThan(0); // (other sessions' transactions count too)
      expect(BigInt((await client.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0]!.x)).toBeGreaterThan(restoredHead >> 20n);
      expect(await advanceTransactionIds(client, restoredHead >> 20n)).toBe(0); // already past: nothing burnt
    } finally {
      await client.end();
    }
    const backends = await open_(db.url);
    try {
      await (await deskOn(backends, 'after-advance')).tick(240_000n, 240_050n);
      expect((await backends.eventStore.headPosition())!).toBeGreaterThan(restoredHead);
    } finally {
      await backends.close();
    }
  }, 60_000);

  it('refuses the embedded store and says what to do instead', async () => {
    const refused = await nicegold(['backup', 'create', '--out', path.join(tmpdir(), `never-${randomUUID()}`)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[BACKUP.UNSUPPORTED_STORE]');
    expect(refused.stderr).toContain('copy');
  }, 60_000);
});
