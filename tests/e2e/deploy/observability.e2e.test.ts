// The dashboards and alert rules of deploy/ against a ledger as it runs in production: one `nicegold start`
// process on PostgreSQL, Redis and NATS JetStream, with a desk on it (an order filled, an order denied, a
// fill refused, an account halted and its stop engaged). Every metric a dashboard panel or an alert
// rule names must come out of that process's /metrics with a sample (not only HELP and TYPE lines), the
// desk-state metrics the alerts fire on must say what the desk did, and every SQL panel query (and
// variable) of the dashboards must run on the read models the projector built in its database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../integration/projections/database.ts';
import {
  alertRules, dashboardPromQueries, dashboardSqlQueries, exportedSamples, grafanaSql, metricNames, type Query,
} from '../../support/observability.ts';
import { natsService, postgresService, redisService, TEST_NATS_URL, E2E_REDIS_DATABASES, flushRedisDatabase, redisDatabaseUrl } from '../../support/services.ts';
import { startLedgerProcess, token, type LedgerProcess } from '../support/ledger-process.ts';

const [postgres, redis, nats] = await Promise.all([postgresService(), redisService(), natsService()]);
/** Made by Prometheus itself for each scrape target, not by the ledger. */
const PROMETHEUS_OWN = new Set(['up']);
const LIMITS = {
  maxOrderNotional: '10000000.00', maxPositionQty: '50.00', maxOpenOrders: 100, priceCollarBps: 500,
  maxQuoteAgeMs: 86_400_000, maxSubmitsPerWindow: 1_000, submitWindowMs: 1_000, maxDailyLoss: '1000000.00',
};

const missingMetrics = (queries: readonly Query[], samples: ReadonlySet<string>) =>
  queries.flatMap((q) => [...metricNames(q.text)].filter((name) => !PROMETHEUS_OWN.has(name) && !samples.has(name)).map((name) => `${q.where}: ${name}`));

const skipReason = postgres.skipReason || redis.skipReason || nats.skipReason;
describe.skipIf(!postgres.available || !redis.available || !nats.available)(`the dashboards and alert rules on a running ledger${skipReason}`, () => {
  let db: TestDatabase;
  let ledger: LedgerProcess;
  let admin: string;
  const redisUrl = redisDatabaseUrl(E2E_REDIS_DATABASES.observability);
  const flush = () => flushRedisDatabase(E2E_REDIS_DATABASES.observability);
  const metrics = async () => (await fetch(`${ledger.url}/metrics`)).text();
  const sample = async (name: string, labels: string) => {
    const line = (await metrics()).split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const ok = (answer: { status: number; body: unknown }, status: number) => expect(answer.status, JSON.stringify(answer.body)).toBe(status);

  beforeAll(async () => {
    db = await createTestDatabase('nicegold_observability');
    await flush();
    admin = await token('admin', 'admin-1');
    const feed = await token('service', 'feed-obs');
    const riskOfficer = await token('risk_officer', 'risk-1');
    ledger = await startLedgerProcess('O', {
      DATABASE_URL: db.url, EVENT_STORE: 'postgres', REDIS_URL: redisUrl, NATS_URL: TEST_NATS_URL, ROLES: 'api,ingest,broker,projector',
    });
    ok(await ledger.call('POST', '/v1/ticks', feed, { ticks: [{ symbol: 'XAUUSD', source: 'obs-feed', sequence: 1, bid: '2400.00', ask: '2400.40', ts: new Date().toISOString() }] }), 200);
    for (const id of ['OBS-1', 'OBS-2']) {
      ok(await ledger.call('POST', '/v1/accounts', admin, { accountId: id, currency: 'USD', startingBalance: '100000.00' }), 201);
      ok(await ledger.call('PUT', `/v1/accounts/${id}/limits`, admin, { limits: LIMITS }), 200);
    }
    const market = await ledger.call('POST', '/v1/accounts/OBS-1/orders', admin, { clientOrderId: 'obs-market', symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: '1.00' });
    expect(market.body.accepted, JSON.stringify(market.body)).toBe(true);
    const denied = await ledger.call('POST', '/v1/accounts/OBS-1/orders', admin, { clientOrderId: 'obs-too-big', symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty: '60.00' });
    expect(denied.body.accepted, JSON.stringify(denied.body)).toBe(false);
    // a buy limited below the market rests; a fill reported above its limit is refused
    const resting = await ledger.call('POST', '/v1/accounts/OBS-2/orders', admin, { clientOrderId: 'obs-rest', symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: '0.10', limitPrice: '2390.00' });
    expect(resting.body.accepted, JSON.stringify(resting.body)).toBe(true);
    ok(await ledger.call('POST', '/v1/accounts/OBS-2/fills', await token('service', 'venue-obs'), { orderId: resting.body.orderId, fillId: 'venue-obs-1', qty: '0.10', price: '2395.00' }), 422);
    ok(await ledger.call('PUT', '/v1/accounts/OBS-2/trading-state', riskOfficer, { state: 'HALTED', reason: 'observability drill' }), 200);
    // an account stop halts its account too: on OBS-2, so OBS-1 stays ACTIVE
    ok(await ledger.call('POST', '/v1/stops/engage', riskOfficer, { scope: { kind: 'account', accountId: 'OBS-2' }, reason: 'observability drill' }), 200);
    const graphql = await fetch(`${ledger.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: 'query DeskOverview { account(id: "OBS-1") { equity } }' }),
    });
    expect(graphql.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await ledger?.stop();
    await db?.drop();
    await flush().catch(() => undefined);
  });

  it('exports what the alerts fire on as the desk left it: one account stop, one halted account, one refused fill, a live quote', async () => {
    await expect.poll(() => sample('nicegold_emergency_stops_engaged', 'scope="account"'), { timeout: 30_000, interval: 250 }).toBe(1);
    expect(await sample('nicegold_emergency_stops_engaged', 'scope="global"')).toBe(0);
    await expect.poll(() => sample('nicegold_accounts', 'trading_state="HALTED"'), { timeout: 30_000, interval: 250 }).toBe(1);
    expect(await sample('nicegold_accounts', 'trading_state="ACTIVE"')).toBe(1);
    await expect.poll(() => sample('nicegold_refused_fills_total', 'code="FILL.WORSE_THAN_LIMIT"'), { timeout: 30_000, interval: 250 }).toBe(1);
    expect(await sample('nicegold_refused_fills_total', 'code="FILL.OUTSIDE_MARKET_BAND"')).toBe(0);
    expect(await sample('nicegold_market_data_age_seconds', 'symbol="XAUUSD"')).toBeGreaterThanOrEqual(0);
    expect((await metrics()).split('\n')).toContain('nicegold_desk_state_up 1');
    expect(await sample('nicegold_commands_total', 'type="PlaceOrder",outcome="denied"')).toBe(1);
    expect(await sample('nicegold_jetstream_consumer_pending', 'consumer="ingest"')).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('exports every metric each dashboard panel names', async () => {
    const queries = dashboardPromQueries();
    expect(queries.length).toBeGreaterThan(20);
    // gauges read at scrape (desk state, JetStream) and counters of the drill are there once the desk above is
    await expect.poll(async () => missingMetrics(queries, exportedSamples(await metrics())), { timeout: 30_000, interval: 500 }).toEqual([]);
  }, 60_000);

  it('exports every metric each alert rule names', async () => {
    const rules = alertRules();
    expect(rules.map((r) => r.where)).toEqual(expect.arrayContaining([
      'NicegoldProjectionLagging', 'NicegoldEmergencyStopEngaged', 'NicegoldAccountHalted', 'NicegoldMarketDataStale', 'NicegoldHighErrorRate', 'NicegoldFillsRefused',
    ]));
    await expect.poll(async () => missingMetrics(rules, exportedSamples(await metrics())), { timeout: 30_000, interval: 500 }).toEqual([]);
  }, 60_000);

  it('runs every SQL panel and variable query of the dashboards on the read models, and the desk panels show the desk', async () => {
    const from = new Date(Date.now() - 3_600_000);
    const to = new Date(Date.now() + 60_000);
    const context = { from, to, intervalSeconds: 60, variables: { account: ['OBS-1', 'OBS-2'] } };
    // the projector has applied everything the drill recorded
    await expect.poll(async () => (await db.sql.query('select 1 from read.control_states where stop_engaged')).rows.length, { timeout: 30_000, interval: 250 }).toBe(1);
    const failures: string[] = [];
    const results = new Map<string, Array<Record<string, unknown>>>();
    for (const query of dashboardSqlQueries()) {
      try {
        results.set(query.where, (await db.sql.query(grafanaSql(query.text, context))).rows);
      } catch (error) {
        failures.push(`${query.where}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(results.size).toBeGreaterThanOrEqual(15);
    expect(results.get('desk.json / variable account')?.map((r) => r.account_id)).toEqual(['OBS-1', 'OBS-2']);
    expect(results.get('desk.json / Accounts now / A')?.map((r) => r.account)).toEqual(['OBS-1', 'OBS-2']);
    await expect.poll(async () => (await db.sql.query(grafanaSql(dashboardSqlQueries().find((q) => q.where === 'desk.json / Open positions / A')!.text, context))).rows
      .map((r) => ({ account: r.account, symbol: r.symbol, lots: String(r.lots) })), { timeout: 30_000, interval: 250 })
      .toEqual([{ account: 'OBS-1', symbol: 'XAUUSD', lots: '1.00000000000000000000' }]);
    expect(results.get('risk.json / Denials by reason / A')?.length).toBeGreaterThan(0);
    expect(results.get('risk.json / Accounts not ACTIVE / A')?.map((r) => [r.account, r.state])).toEqual([['OBS-2', 'HALTED']]);
    expect(results.get('risk.json / Emergency stops engaged / A')?.map((r) => r.scope)).toEqual(['account:OBS-2']);
    expect(results.get('risk.json / Refused fills / A')?.map((r) => [r.account, r.code])).toEqual([['OBS-2', 'FILL.WORSE_THAN_LIMIT']]);
  }, 60_000);
});
