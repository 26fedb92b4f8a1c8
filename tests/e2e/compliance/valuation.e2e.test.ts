// One valuation, three readers: an open position is valued at the latest quote known at the instant by
// the command API (GET /v1/accounts/:id), by GraphQL (the portfolio read model) and by `audit replay --at`,
// not at the last fill. A production ledger process on PostgreSQL (api, ingest, broker, projector), ticks
// through its own ingest, a market order the paper broker fills, then the market moves.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import { postgresService, redisService, E2E_REDIS_DATABASES, flushRedisDatabase, redisDatabaseUrl } from '../../support/services.ts';
import { startLedgerProcess, token, type LedgerProcess } from '../support/ledger-process.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const run = promisify(execFile);
const LIMITS = {
  maxOrderNotional: '10000000.00', maxPositionQty: '50.00', maxOpenOrders: 100, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};

describe.skipIf(!postgres.available || !redis.available)(`one valuation across REST, GraphQL and replay${postgres.skipReason || redis.skipReason}`, () => {
  let db: TestDatabase;
  let ledger: LedgerProcess;
  let admin: string;
  let feed: string;
  let sequence = 0;
  const redisUrl = redisDatabaseUrl(E2E_REDIS_DATABASES.valuation);
  const flush = () => flushRedisDatabase(E2E_REDIS_DATABASES.valuation);

  const tick = async (bid: string, ask: string) => {
    sequence += 1;
    const answer = await ledger.call('POST', '/v1/ticks', feed, { ticks: [{ symbol: 'XAUUSD', source: 'val-feed', sequence, bid, ask, ts: new Date().toISOString() }] });
    expect(answer.status).toBe(200);
  };
  const rest = async () => ((await ledger.call('GET', '/v1/accounts/VAL-1', admin)).body.figures as { unrealizedPnl: string }).unrealizedPnl;
  const graphql = async () => {
    const response = await fetch(`${ledger.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: '{ account(id: "VAL-1") { unrealizedPnl positions { markPrice } } }' }),
    });
    const body = (await response.json()) as { data?: { account: { unrealizedPnl: string; positions: Array<{ markPrice: string }> } | null } };
    return body.data?.account?.unrealizedPnl;
  };
  const replay = async (at: Date) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    const { stdout } = await run(process.execPath, ['bin/nicegold.mjs', 'audit', 'replay', '--account', 'VAL-1', '--at', at.toISOString()], { env, timeout: 60_000 });
    return (JSON.parse(stdout) as { account: { figures: { unrealizedPnl: string } } }).account.figures.unrealizedPnl;
  };

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_valuation');
    await flush();
    admin = await token('admin', 'admin-1');
    feed = await token('service', 'feed-val');
    ledger = await startLedgerProcess('V', { DATABASE_URL: db.url, REDIS_URL: redisUrl, ROLES: 'api,ingest,broker,projector' });
    await tick('2400.00', '2400.40');
    expect((await ledger.call('POST', '/v1/accounts', admin, { accountId: 'VAL-1', currency: 'USD', startingBalance: '100000.00' })).status).toBe(201);
    expect((await ledger.call('PUT', '/v1/accounts/VAL-1/limits', admin, { limits: LIMITS })).status).toBe(200);
    const placed = await ledger.call('POST', '/v1/accounts/VAL-1/orders', admin, { clientOrderId: 'val-1', symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: '1.00' });
    expect(placed.body.accepted, JSON.stringify(placed.body)).toBe(true);
    // the paper broker fills at the ask: long 1 lot (100 oz) at 2400.40
    const filled = async () => ((await ledger.call('GET', '/v1/accounts/VAL-1', admin)).body.positions as Array<{ qty: string }>)[0]?.qty === '1.00';
    for (let i = 0; i < 300 && !(await filled()); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await filled()).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await ledger?.stop();
    await db?.drop();
    await flush().catch(() => undefined);
  });

  it('values the position at the latest quote on all three, at two instants', async () => {
    // at the fill's quote: mid 2400.20, 0.20 under the fill, 100 oz: -20.00
    await expect.poll(graphql, { timeout: 30_000 }).toBe('-20.00');
    expect(await rest()).toBe('-20.00');
    const beforeMove = new Date();
    expect(await replay(beforeMove)).toBe('-20.00');

    await new Promise((resolve) => setTimeout(resolve, 20));
    await tick('2410.00', '2410.40'); // mid 2410.20: +9.80 an oz on 100 oz
    await expect.poll(graphql, { timeout: 30_000 }).toBe('980.00');
    expect(await rest()).toBe('980.00');
    expect(await replay(new Date())).toBe('980.00');
    // an instant before the move still sees the old quote
    expect(await replay(beforeMove)).toBe('-20.00');
  }, 120_000);
});
