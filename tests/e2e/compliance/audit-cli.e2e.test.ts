// `nicegold audit …` as compliance runs it: the CLI in its own process, on a ledger in PostgreSQL.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteBook } from '../../../commands/market-data/quote-book.ts';
import { createTradingService } from '../../../commands/trading/index.ts';
import { loadConfig } from '../../../infra/config/config.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { openBackends } from '../../../infra/runtime/backends.ts';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import { postgresService } from '../../support/services.ts';
import { nicegoldCli, type CliResult } from '../support/nicegold-cli.ts';

const postgres = await postgresService();

describe.skipIf(!postgres.available)(`nicegold audit on a PostgreSQL ledger${postgres.skipReason}`, () => {
  let db: TestDatabase;
  let dir: string;
  let orderId: string;
  let placedAt: Date;

  const cliOn = (databaseUrl: string, args: readonly string[]): Promise<CliResult> => nicegoldCli(databaseUrl, ['audit', ...args]);
  const cli = (...args: string[]) => cliOn(db.url, args);

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_audit_cli');
    dir = await mkdtemp(path.join(tmpdir(), 'nicegold-audit-'));
    const backends = await openBackends(loadConfig({ DATABASE_URL: db.url }), createLogger('silent'));
    try {
      const quotes = createQuoteBook(backends.keyValue);
      await quotes.update({ symbol: 'XAUUSD', bid: 240_000n, ask: 240_050n, mid: 240_025n, timestamp: new Date(), source: 'test', sequence: 1n });
      const service = createTradingService({ eventStore: backends.eventStore, keyValue: backends.keyValue, quotes });
      const admin = () => ({ commandId: randomUUID(), actor: { userId: 'admin-1', role: 'admin' as const } });
      await service.openAccount(admin(), { accountId: 'AUD-1', currency: 'USD', startingBalance: 10_000_000n });
      await service.setRiskLimits(admin(), { accountId: 'AUD-1', limits: { maxOrderNotional: 100_000_000n, maxPositionQty: 5n, maxOpenOrders: 10, priceCollarBps: 500n, maxQuoteAgeMs: 600_000, maxSubmitsPerWindow: 100, submitWindowMs: 1_000, maxDailyLoss: 1_000_000n } });
      placedAt = new Date();
      orderId = (await service.placeOrder({ commandId: randomUUID(), actor: { userId: 'trader-1', role: 'trader' } }, { accountId: 'AUD-1', clientOrderId: 'big-one', symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: 6n })).orderId;
    } finally {
      await backends.close();
    }
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('exports a trail, verifies it against its final hash and the ledger, and finds a changed line', async () => {
    const file = path.join(dir, 'trail.jsonl');
    const exported = await cli('export', '--account', 'AUD-1', '--out', file);
    expect(exported.code).toBe(0);
    const finalHash = /final hash ([0-9a-f]{64})/.exec(exported.stderr)![1]!;
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(5 + 2); // opened, limits, placed, decision, denied

    const verified = await cli('verify', file, '--expect', finalHash, '--against-ledger');
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain('intact, 5 events of account-AUD-1 (all recorded, through revision 4)');
    expect(verified.stdout).toContain('matches the ledger');

    const tampered = path.join(dir, 'tampered.jsonl');
    await writeFile(tampered, (await readFile(file, 'utf8')).replace('"startingBalance":{"$bigint":"10000000"}', '"startingBalance":{"$bigint":"99000000"}'));
    const refused = await cli('verify', tampered);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('NOT INTACT at line 2');

    // The bytes verified are the file's: other line endings are another file, even with the same content.
    const crlf = path.join(dir, 'crlf.jsonl');
    await writeFile(crlf, (await readFile(file, 'utf8')).replaceAll('\n', '\r\n'));
    expect(await cli('verify', crlf)).toMatchObject({ code: 1, stderr: expect.stringContaining('NOT INTACT at line 1') });
    const noFinalNewline = path.join(dir, 'no-final-newline.jsonl');
    await writeFile(noFinalNewline, (await readFile(file, 'utf8')).trimEnd());
    expect(await cli('verify', noFinalNewline, '--expect', finalHash)).toMatchObject({ code: 0 });
    expect(await cli('verify', dir)).toMatchObject({ code: 1, stderr: expect.stringContaining('CLI.FILE_NOT_FOUND') });

    const again = await cli('export', '--account', 'AUD-1', '--out', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('CLI.FILE_EXISTS');
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(7); // untouched
  }, 120_000);

  it('signs a trail with a key from keygen and verifies it with the public key or the desk\'s key folder', async () => {
    const keys = path.join(dir, 'keys');
    const made = await cli('keygen', '--out', keys);
    expect(made.code).toBe(0);
    const keyId = /key ([0-9a-f]{16})/.exec(made.stdout)![1]!;
    expect((await stat(path.join(keys, `${keyId}.key`))).mode & 0o077).toBe(0); // private: its owner only
    const file = path.join(dir, 'signed.jsonl');
    const exported = await cli('export', '--account', 'AUD-1', '--out', file, '--sign-key', path.join(keys, `${keyId}.key`));
    expect(exported).toMatchObject({ code: 0, stderr: expect.stringContaining(`signed with key ${keyId}`) });
    const checked = await cli('verify', file, '--public-key', path.join(keys, `${keyId}.pub`), '--against-ledger');
    expect(checked).toMatchObject({ code: 0, stdout: expect.stringContaining(`signed by key ${keyId}, signature valid`) });
    expect(await cli('verify', file, '--public-key', keys)).toMatchObject({ code: 0 });
    // a trail without a signature is reported unsigned: valid only as a chain, refused when a key is asked for
    const unsigned = path.join(dir, 'unsigned.jsonl');
    expect((await cli('export', '--account', 'AUD-1', '--out', unsigned)).code).toBe(0);
    expect((await cli('verify', unsigned)).stdout).toContain('UNSIGNED');
    expect(await cli('verify', unsigned, '--public-key', keys)).toMatchObject({ code: 1, stderr: expect.stringContaining('UNSIGNED') });
    // signed by another key than the desk's
    const elsewhere = path.join(dir, 'elsewhere');
    const otherId = /key ([0-9a-f]{16})/.exec((await cli('keygen', '--out', elsewhere)).stdout)![1]!;
    const foreign = path.join(dir, 'foreign.jsonl');
    expect((await cli('export', '--account', 'AUD-1', '--out', foreign, '--sign-key', path.join(elsewhere, `${otherId}.key`))).code).toBe(0);
    expect(await cli('verify', foreign, '--public-key', keys)).toMatchObject({ code: 1, stderr: expect.stringContaining(`signed by key ${otherId}`) });
  }, 120_000);

  it('leaves nothing behind when an export fails, so the retry can write the trail', async () => {
    const file = path.join(dir, 'retry.jsonl');
    const failed = await cliOn('postgres://postgres@127.0.0.1:1/nowhere', ['export', '--account', 'AUD-1', '--out', file]);
    expect(failed.code).toBe(1);
    expect(await readdir(dir)).not.toContain('retry.jsonl');
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
    const retried = await cli('export', '--account', 'AUD-1', '--out', file);
    expect(retried.code).toBe(0);
    expect((await cli('verify', file)).stdout).toContain('intact, 5 events of account-AUD-1 (all recorded, through revision 4)');
    const typo = await cli('export', '--account', 'AUD-404', '--out', path.join(dir, 'typo.jsonl'));
    expect(typo.stderr).toContain('warning: account-AUD-404 has no events');
  }, 120_000);

  it('replays the account as of an instant, and explains the denial', async () => {
    const before = await cli('replay', '--account', 'AUD-1', '--at', new Date(placedAt.getTime() - 1).toISOString());
    expect(before.code).toBe(0);
    const asOf = JSON.parse(before.stdout) as { asOf: { eventsRecordedLater: number }; account: { balance: string; limitsVersion: number } };
    expect(asOf.account).toMatchObject({ balance: '100000.00', limitsVersion: 1 });
    expect(asOf.asOf.eventsRecordedLater).toBe(3);

    const explained = await cli('explain', '--account', 'AUD-1', '--order', orderId);
    expect(explained.code).toBe(0);
    const explanation = JSON.parse(explained.stdout) as { status: string; decision: { reasons: string[] }; steps: Array<{ type: string; actor: { userId: string } }> };
    expect(explanation).toMatchObject({ status: 'denied', decision: { reasons: ['RISK.POSITION_LIMIT'] } });
    expect(explanation.steps.map((s) => s.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderDenied']);
    expect(explanation.steps[0]!.actor.userId).toBe('trader-1');
  }, 120_000);

  it('answers bad input with a stable code and what to do', async () => {
    const badInstant = await cli('replay', '--account', 'AUD-1', '--at', 'yesterday');
    expect(badInstant).toMatchObject({ code: 1 });
    expect(badInstant.stderr).toContain('CLI.INVALID_INSTANT');
    const unknown = await cli('explain', '--account', 'AUD-1', '--order', 'nope');
    expect(unknown.stderr).toContain('ORDER.UNKNOWN');
    const usage = await cli('frobnicate');
    expect(usage.stderr).toContain('nicegold audit replay');
  }, 120_000);
});
